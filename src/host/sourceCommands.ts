// Add Source… (a saved page, a PDF or a text file, or a web address, captured as a Markdown document with its
// provenance; the new document opens) and Import Hypothesis Annotations… (onto the captured sources whose url they
// name). The capture libraries are lazy chunks (see esbuild.mjs): they load at the first source added.
import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import { COMMANDS } from './commandIds';
import { pickFolder } from './folderPick';
import type { HypothesisPlan, SourceInput } from '../core/capture';
import { capture } from './coreChunks';
import { readDocument } from '../core/store';
import { plural } from '../core/model';
import type { WorkspaceAnnotations } from './workspaceAnnotations';
import type { FolderModel } from './folderModel';
import { Cancelled, UserFacingError } from './commands';
import type { Logger } from './log';
import { authorName } from './settings';

/** Arguments of Add Source (for tests and links): a file (`uri`) or a web address (`url`); without either it asks. */
export interface AddSourceOptions {
  uri?: string;
  url?: string;
  /** The workspace folder (a URI string), in a multi-root workspace. */
  folder?: string;
  /** Folder of the new document inside the workspace folder (default: sources). */
  to?: string;
}

export interface AddSourceResult {
  uri: vscode.Uri;
  doc: string;
  existed: boolean;
}

export interface ImportHypothesisOptions {
  uri?: string;
  folder?: string;
  /** The kind for annotations without a tag naming one. */
  kind?: string;
}

/** The prompts these commands show: VS Code's own, or a test's. */
export interface SourcePrompts {
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  open(options: vscode.OpenDialogOptions): Thenable<vscode.Uri[] | undefined>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
}

/** The quick input these commands show now, for tests that answer VS Code's own widget. */
export let currentSourceInput: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox | undefined;

/** VS Code's quick pick and input box, made with create* so a test can reach the widget a person sees. */
function showInput<T>(
  input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
  result: () => T | undefined,
  acceptable: () => boolean = () => true,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: T | undefined): void => {
      if (done) return;
      done = true;
      if (currentSourceInput === input) currentSourceInput = undefined;
      resolve(value);
      input.dispose();
    };
    input.onDidAccept(() => {
      if (acceptable()) finish(result());
    });
    input.onDidHide(() => finish(undefined));
    currentSourceInput = input;
    input.show();
  });
}

const windowPrompts: SourcePrompts = {
  pick: <T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions) => {
    const qp = vscode.window.createQuickPick<T>();
    qp.items = items;
    qp.placeholder = options.placeHolder;
    return showInput(qp as unknown as vscode.QuickPick<vscode.QuickPickItem>, () => qp.selectedItems[0] ?? qp.activeItems[0]);
  },
  open: (options) => vscode.window.showOpenDialog(options),
  input: (options) => {
    const box = vscode.window.createInputBox();
    box.prompt = options.prompt;
    box.placeholder = options.placeHolder;
    const validate = options.validateInput;
    if (validate) {
      box.onDidChangeValue((v) => {
        const message = validate(v);
        box.validationMessage = typeof message === 'string' ? message : undefined;
      });
    }
    // A validation message keeps the box open, as VS Code's own input box does.
    return showInput(
      box,
      () => box.value,
      () => typeof validate?.(box.value) !== 'string',
    );
  },
};

type FromItem = vscode.QuickPickItem & { from: 'file' | 'url' };

export class SourceCommands extends Disposable {
  constructor(
    private readonly workspace: WorkspaceAnnotations,
    private readonly log: Logger,
    /** Replaceable so tests can answer the prompts. */
    public prompts: SourcePrompts = windowPrompts,
  ) {
    super();
    this._command(log, COMMANDS.addSource, (arg?: unknown) => this.addSource(options<AddSourceOptions>(arg)));
    this._command(log, COMMANDS.importHypothesis, (arg?: unknown) => this.importHypothesis(options<ImportHypothesisOptions>(arg)));
  }

  /** The quick pick or input box shown now by VS Code's prompts (for tests that answer the real widget). */
  get current(): vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox | undefined {
    return currentSourceInput;
  }

  async addSource(opts: AddSourceOptions = {}): Promise<AddSourceResult> {
    const core = capture();
    const folder = await this.pickFolder(opts.folder);
    folder.assertWritable();
    let { uri, url } = opts;
    if (uri === undefined && url === undefined) {
      const from = await this.prompts.pick<FromItem>(
        [
          { label: '$(file) From a File…', description: 'a saved web page (.html), a PDF or a text file', from: 'file' },
          { label: '$(globe) From a Web Address…', description: 'fetch a page or a PDF', from: 'url' },
        ],
        { placeHolder: 'Add a source to the corpus' },
      );
      if (!from) throw new Cancelled();
      if (from.from === 'file') {
        const picked = await this.prompts.open({
          canSelectMany: false,
          openLabel: 'Add Source',
          filters: { Sources: ['html', 'htm', 'xhtml', 'pdf', 'txt', 'md'], 'All files': ['*'] },
        });
        if (!picked || picked.length === 0) throw new Cancelled();
        uri = picked[0].toString();
      } else {
        const typed = await this.prompts.input({
          prompt: 'The web address of a page or a PDF',
          placeHolder: 'https://',
          validateInput: (v) => (v.trim() === '' || core.isUrl(v) ? undefined : 'Give an address that starts with http:// or https://'),
        });
        // An empty Enter adds nothing.
        if (!typed || typed.trim() === '') throw new Cancelled();
        url = typed.trim();
      }
    }
    let input: SourceInput;
    if (url !== undefined) {
      input = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Fetching ${url}…` }, () => core.fetchSource(url));
    } else {
      const file = vscode.Uri.parse(uri as string);
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(file);
      } catch (e) {
        throw new UserFacingError(`Cannot read ${file.fsPath || file.toString()}: ${(e as Error).message}`);
      }
      input = { bytes, name: file.path };
    }
    const captured = await core.captureSource(input, { retrieved: new Date().toISOString() });
    const added = await core.addSource(folder.fs, captured, input.bytes, opts.to ?? 'sources');
    const target = vscode.Uri.joinPath(folder.folder.uri, added.doc);
    this.log.info(`${added.existed ? 'already captured' : 'added'} ${added.doc} from ${input.name} (${captured.format}, original ${added.original})`);
    await vscode.window.showTextDocument(target, { preview: false });
    if (added.existed) void vscode.window.showInformationMessage(`${added.doc} already holds this source; nothing was changed.`);
    return { uri: target, doc: added.doc, existed: added.existed };
  }

  async importHypothesis(opts: ImportHypothesisOptions = {}): Promise<HypothesisPlan> {
    const core = capture();
    const folder = await this.pickFolder(opts.folder);
    folder.assertWritable();
    let uri = opts.uri;
    if (uri === undefined) {
      const picked = await this.prompts.open({ canSelectMany: false, openLabel: 'Import', filters: { 'Hypothesis JSON': ['json'] } });
      if (!picked || picked.length === 0) throw new Cancelled();
      uri = picked[0].toString();
    }
    const file = vscode.Uri.parse(uri);
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(file);
    } catch (e) {
      throw new UserFacingError(`Cannot read ${file.fsPath || file.toString()}: ${(e as Error).message}`);
    }
    const name = file.path.split('/').pop() ?? file.path;
    const items = core.parseHypothesis(new TextDecoder().decode(bytes), name);
    const plan = await core.planHypothesisImport(folder.store, folder.documents(), items, {
      kind: opts.kind,
      now: new Date(),
      author: authorName(),
      readText: async (doc) => folder.liveDocument(doc)?.text ?? (await readDocument(folder.fs, doc)),
    });
    for (const d of plan.documents) await folder.add(d.doc, d.add, d.text);
    const lines = core.describeHypothesisImport(plan);
    for (const line of lines) this.log.info(line);
    const message = `${plural(plan.anchored, 'Hypothesis annotation')} anchored${plan.unanchored.length > 0 ? `, ${plan.unanchored.length} not anchored (listed in the log)` : ''}${plan.duplicates > 0 ? `, ${plan.duplicates} already here` : ''}.`;
    if (plan.unanchored.length > 0) {
      void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => {
        if (choice) void vscode.commands.executeCommand(COMMANDS.showLog);
      });
    } else void vscode.window.showInformationMessage(message);
    return plan;
  }

  private pickFolder(uri: string | undefined): Promise<FolderModel> {
    return pickFolder(
      this.workspace.all(),
      uri,
      (items, options) => this.prompts.pick(items, options),
      'Into which workspace folder?',
      'Open a folder first: sources are added to a workspace folder.',
    );
  }
}

function options<T>(arg: unknown): T {
  return (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : arg instanceof vscode.Uri ? { uri: arg.toString() } : {}) as T;
}
