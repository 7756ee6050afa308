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
import { RefiImportCommand } from './host/refiImportCommand';
import { ImportCommand } from './host/importCommand';
import { SourceCommands } from './host/sourceCommands';
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
import { CoderLayers } from './host/coderLayers';
import { CoderCommands } from './host/coderCommands';
import { Relations } from './host/relations';
import { Review } from './host/review';
import { AgreementReportCommand } from './host/agreementReport';

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
  refiImport: RefiImportCommand;
  importer: ImportCommand;
  status: AnnotationStatus;
  search: SearchCommands;
  codebook: CodebookCommands;
  figures: FiguresProvider;
  entities: EntitiesProvider;
  entityCommands: EntityCommands;
  suggestions: Suggestions;
  diagnostics: StoreDiagnostics;
  corpus: CorpusCommands;
  layers: CoderLayers;
  coders: CoderCommands;
  relations: Relations;
  review: Review;
  report: AgreementReportCommand;
  sources: SourceCommands;
}

export function activate(context: vscode.ExtensionContext): MarginaliaApi {
  const t0 = Date.now();
  const channel = vscode.window.createOutputChannel('Marginalia', { log: true });
  const logs = new Log(channel);
  const log = logs.for('extension');

  const layers = new CoderLayers(context.workspaceState);
  const workspace = new WorkspaceAnnotations(logs, layers, context.storageUri);
  const indexes = new DocumentIndexes(layers);
  const tree = new CorpusTreeProvider(workspace);
  const treeView = vscode.window.createTreeView(VIEWS.corpus, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: false });
  const targets = new Targets(workspace, indexes);
  const forms = new TagForms();
  // Each service registers its own commands, views and listeners, and disposes of them with itself.
  const decorations = new Decorations(workspace, indexes);
  const hover = new ProvenanceHover(workspace, indexes);
  const annotationCommands = new AnnotationCommands(workspace, targets, tree, treeView as vscode.TreeView<unknown>, logs.for('commands'), forms);
  const exporter = new ExportCommand(workspace, tree, treeView, logs.for('export'));
  const refiImport = new RefiImportCommand(workspace, logs.for('import'));
  const importer = new ImportCommand(workspace, logs.for('import'));
  const sources = new SourceCommands(workspace, logs.for('sources'));
  const status = new AnnotationStatus(workspace);
  const contextKeys = new ContextKeys(workspace, targets);
  const search = new SearchCommands(workspace, indexes, tree, logs.for('search'));
  const codebook = new CodebookCommands(workspace, logs.for('codebook'));
  const figures = new FiguresProvider(workspace, logs.for('figures'));
  const entities = new EntitiesProvider(workspace);
  const entityCommands = new EntityCommands(workspace, entities, logs.for('entities'));
  const suggestions = new Suggestions(workspace, logs.for('suggestions'));
  const conflicts = new ConflictResolver(workspace, logs.for('conflicts'));
  const diagnostics = new StoreDiagnostics(workspace);
  const corpus = new CorpusCommands(workspace, tree, treeView, logs.for('corpus'));
  const coders = new CoderCommands(workspace, logs.for('coders'));
  const relations = new Relations(workspace, targets, indexes, annotationCommands, hover, logs.for('relations'));
  const review = new Review(workspace, logs.for('review'));
  const report = new AgreementReportCommand(workspace, logs.for('report'));

  const services = {
    conflicts,
    workspace,
    tree,
    treeView,
    decorations,
    hover,
    commands: annotationCommands,
    forms,
    exporter,
    refiImport,
    importer,
    status,
    search,
    codebook,
    figures,
    entities,
    entityCommands,
    suggestions,
    diagnostics,
    corpus,
    layers,
    coders,
    relations,
    review,
    report,
    sources,
  };
  context.subscriptions.push(
    channel,
    contextKeys,
    ...Object.values(services),
    registerCommand(log, COMMANDS.showLog, () => channel.show(true)),
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
  return { log: logs, ...services };
}
