// Composition root: builds every service once, wires them, and hands one disposable to VS Code.
import * as vscode from 'vscode';
import { TOOL_ID } from './constants';
import { Log } from './host/log';
import { WorkspaceAnnotations } from './host/workspaceAnnotations';
import { DocumentIndexes } from './host/documentIndex';
import { CorpusTreeProvider, type CorpusNode } from './host/corpusTree';
import { Decorations } from './host/decorations';
import { ProvenanceHover } from './host/hover';
import { Targets } from './host/targets';
import { AnnotationCommands } from './host/annotationCommands';
import { ExportCommand } from './host/exportCommand';
import { AnnotationStatus } from './host/statusBar';
import { ContextKeys } from './host/contextKeys';
import { registerCommand } from './host/commands';
import { CorpusCommands } from './host/corpusCommands';
import { SearchCommands } from './host/searchCommands';
import { CodebookCommands } from './host/codebookCommands';
import { FiguresProvider } from './host/figuresView';
import { EntitiesProvider, EntityCommands } from './host/entitiesView';
import { Suggestions } from './host/suggestions';
import { StoreDiagnostics } from './host/storeDiagnostics';
import { ConflictResolver } from './host/conflicts';
import { COMMANDS, VIEWS } from './host/commandIds';
import { openWalkthroughOnFirstStart } from './host/walkthrough';
import { TagForms } from './host/tagForm';
import { Relations } from './host/relations';

/** What the extension returns from activate: the services, for integration tests. */
export interface MarginaliaApi {
  log: Log;
  conflicts: ConflictResolver;
  workspace: WorkspaceAnnotations;
  tree: CorpusTreeProvider;
  treeView: vscode.TreeView<CorpusNode>;
  decorations: Decorations;
  hover: ProvenanceHover;
  commands: AnnotationCommands;
  forms: TagForms;
  exporter: ExportCommand;
  status: AnnotationStatus;
  search: SearchCommands;
  codebook: CodebookCommands;
  figures: FiguresProvider;
  entities: EntitiesProvider;
  entityCommands: EntityCommands;
  suggestions: Suggestions;
  diagnostics: StoreDiagnostics;
  corpus: CorpusCommands;
  relations: Relations;
}

export function activate(context: vscode.ExtensionContext): MarginaliaApi {
  const t0 = Date.now();
  const channel = vscode.window.createOutputChannel('Marginalia', { log: true });
  const logs = new Log(channel);
  const log = logs.for('extension');

  const workspace = new WorkspaceAnnotations(logs);
  const indexes = new DocumentIndexes();
  const tree = new CorpusTreeProvider(workspace);
  const treeView = vscode.window.createTreeView(VIEWS.corpus, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: false });
  const targets = new Targets(workspace, indexes);
  const decorations = new Decorations(workspace, indexes);
  const hover = new ProvenanceHover(workspace, indexes);
  const forms = new TagForms();
  const annotationCommands = new AnnotationCommands(workspace, targets, tree, treeView as vscode.TreeView<unknown>, logs.for('commands'), forms);
  const exporter = new ExportCommand(workspace, tree, treeView, logs.for('export'));
  const status = new AnnotationStatus(workspace);
  const contextKeys = new ContextKeys(workspace, targets);
  const search = new SearchCommands(workspace, indexes, tree);
  const codebook = new CodebookCommands(workspace, logs.for('codebook'));
  const figures = new FiguresProvider(workspace);
  const entities = new EntitiesProvider(workspace);
  const entityCommands = new EntityCommands(workspace, entities, logs.for('entities'));
  const suggestions = new Suggestions(workspace, logs.for('suggestions'));
  const conflicts = new ConflictResolver(workspace, logs.for('conflicts'));
  const diagnostics = new StoreDiagnostics(workspace);
  const corpus = new CorpusCommands(workspace, tree, treeView, logs.for('corpus'));
  const relations = new Relations(workspace, targets, indexes, annotationCommands, hover, logs.for('relations'));

  context.subscriptions.push(
    channel,
    forms,
    workspace,
    tree,
    treeView,
    decorations,
    status,
    contextKeys,
    figures,
    vscode.window.createTreeView(VIEWS.figures, { treeDataProvider: figures }),
    entities,
    vscode.window.createTreeView(VIEWS.entities, { treeDataProvider: entities, showCollapseAll: true }),
    suggestions,
    diagnostics,
    vscode.languages.registerHoverProvider({ pattern: '**/*' }, suggestions),
    registerCommand(log, COMMANDS.suggest, () => suggestions.run()),
    registerCommand(log, COMMANDS.acceptSuggestion, (uri?: unknown, id?: unknown, scope?: unknown) =>
      suggestions.accept(str(uri), str(id), scope === 'all' ? 'all' : 'one'),
    ),
    registerCommand(log, COMMANDS.reviewSuggestions, (uri?: unknown) => suggestions.review(str(uri))),
    registerCommand(log, COMMANDS.rejectSuggestion, (uri?: unknown, id?: unknown) => suggestions.reject(str(uri), str(id))),
    registerCommand(log, COMMANDS.acceptAllSuggestions, () => suggestions.accept(vscode.window.activeTextEditor?.document.uri.toString())),
    registerCommand(log, COMMANDS.clearSuggestions, () => suggestions.reject(vscode.window.activeTextEditor?.document.uri.toString())),
    registerCommand(log, COMMANDS.tagAllMentions, (node?: unknown, o?: unknown) => entityCommands.tagAllMentions(node, o as { accept?: 'all' } | undefined)),
    registerCommand(log, COMMANDS.mergeEntities, (node?: unknown, absorb?: unknown) => entityCommands.merge(node, str(absorb))),
    registerCommand(log, COMMANDS.addEntity, (o?: unknown) => entityCommands.add(o as Parameters<EntityCommands['add']>[0])),
    vscode.languages.registerHoverProvider({ pattern: '**/*' }, hover),
    registerCommand(log, COMMANDS.search, (q?: unknown) => search.search(typeof q === 'string' ? q : undefined)),
    registerCommand(log, COMMANDS.nextAnnotation, () => search.step(1)),
    registerCommand(log, COMMANDS.previousAnnotation, () => search.step(-1)),
    registerCommand(log, COMMANDS.filterKinds, (kinds?: unknown) => search.filterKinds(Array.isArray(kinds) ? (kinds as string[]) : undefined)),
    registerCommand(log, COMMANDS.clearFilter, () => search.filterKinds([])),
    registerCommand(log, COMMANDS.openCodebook, (f?: unknown) => codebook.open(typeof f === 'string' ? f : undefined)),
    registerCommand(log, COMMANDS.addKind, (o?: unknown) => codebook.add(o as Parameters<CodebookCommands['add']>[0])),
    registerCommand(log, COMMANDS.renameKind, (o?: unknown) => codebook.rename(o as Parameters<CodebookCommands['rename']>[0])),
    registerCommand(log, COMMANDS.sortFiguresByValue, () => figures.setSort('value-desc')),
    registerCommand(log, COMMANDS.sortFiguresAscending, () => figures.setSort('value-asc')),
    registerCommand(log, COMMANDS.sortFiguresByDocument, () => figures.setSort('document')),
    ...annotationCommands.register(),
    conflicts,
    ...conflicts.register(),
    corpus,
    ...corpus.register(),
    registerCommand(log, COMMANDS.export, (arg?: unknown) => exporter.run(arg)),
    registerCommand(log, COMMANDS.showLog, () => channel.show(true)),
    relations,
  );

  // Loading the store runs after activation returns: a large corpus must not hold up the editor's start.
  void workspace.start().then(
    () => {
      corpus.describeView();
      contextKeys.update();
      decorations.refreshNow();
      log.info(`corpus loaded ${Date.now() - t0} ms after activation began`);
    },
    (e) => log.error(e as Error),
  );
  openWalkthroughOnFirstStart(context, log).catch((e) => log.error(e as Error));
  log.info(
    `${TOOL_ID} activated in ${vscode.env.appName} ${vscode.version} in ${Date.now() - t0} ms${vscode.workspace.isTrusted ? '' : ' (read-only: untrusted workspace)'}`,
  );
  return {
    log: logs,
    conflicts,
    workspace,
    tree,
    treeView,
    decorations,
    hover,
    commands: annotationCommands,
    forms,
    exporter,
    status,
    search,
    codebook,
    figures,
    entities,
    entityCommands,
    suggestions,
    diagnostics,
    corpus,
    relations,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
