// What this person sees of the coders' annotations: everything, only their own (blind coding, asked for by the
// folder's codebook), or their own beside one other coder's. The highlights, the hover, the Corpus view, search and
// the counts all ask here; the choice to switch blind coding off, and the coder compared with, are this person's
// alone, kept in the workspace state (never in git). The rule itself is the core's (coderLayer).
import * as vscode from 'vscode';
import type { Annotation } from '../core/model';
import { coderLayer, type CoderLayer, type CoderView } from '../core/store';
import type { CorpusFolder } from '../core/store';
import { authorName } from './settings';

const BLIND_OFF_KEY = 'marginalia.blindSwitchedOff';
const COMPARE_KEY = 'marginalia.compareCoder';

/** Where the per-person choices are kept: the extension's workspace state (tests pass an in-memory one). */
export interface LayerMemory {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class CoderLayers implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when what this person sees changes (blind switched, comparing, their name). */
  readonly onDidChange = this.emitter.event;
  /** Counts the changes, so caches built for one view of the layers know they are stale. */
  version = 0;
  private me = authorName();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly memory: LayerMemory) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('marginalia.author')) return;
      this.me = authorName();
      this.changed();
    });
  }

  /** The name this person tags as (marginalia.author, else the login name). */
  get author(): string {
    return this.me;
  }

  /** Whether this person switched blind coding off for themselves. */
  get blindSwitchedOff(): boolean {
    return this.memory.get<boolean>(BLIND_OFF_KEY) === true;
  }

  /** The coder compared with, if any. */
  get compare(): string | undefined {
    return this.memory.get<string>(COMPARE_KEY) || undefined;
  }

  /** Whether blind coding is in force in this folder for this person. */
  isBlind(folder: CorpusFolder): boolean {
    return folder.codebook.blind === true && !this.blindSwitchedOff;
  }

  view(folder: CorpusFolder): CoderView {
    const compare = this.compare;
    return compare === undefined || compare === this.me ? { me: this.me, blind: this.isBlind(folder) } : { me: this.me, blind: this.isBlind(folder), compare };
  }

  /** The layer an annotation shows in, or undefined when it is hidden from this person. */
  layer(folder: CorpusFolder, a: Annotation): CoderLayer | undefined {
    return coderLayer(this.view(folder), a.provenance.author);
  }

  /** Whether this person sees the annotations of this coder. */
  sees(folder: CorpusFolder, author: string): boolean {
    const view = this.view(folder);
    return (!view.blind && view.compare === undefined) || coderLayer(view, author) !== undefined;
  }

  /** The annotations this person sees (the same array when nothing is hidden). */
  visible(folder: CorpusFolder, annotations: Annotation[]): Annotation[] {
    const view = this.view(folder);
    if (!view.blind && view.compare === undefined) return annotations;
    return annotations.filter((a) => coderLayer(view, a.provenance.author) !== undefined);
  }

  /** Whether anything is hidden in this folder (blind coding in force, or comparing). */
  filters(folder: CorpusFolder): boolean {
    const view = this.view(folder);
    return view.blind || view.compare !== undefined;
  }

  async setBlindSwitchedOff(off: boolean): Promise<void> {
    await this.memory.update(BLIND_OFF_KEY, off ? true : undefined);
    this.changed();
  }

  /** Compares with this coder's layer; undefined stops comparing. */
  async setCompare(coder: string | undefined): Promise<void> {
    await this.memory.update(COMPARE_KEY, coder);
    this.changed();
  }

  /** Something outside changed what is seen (a codebook switched blind coding): caches are stale. */
  changed(): void {
    this.version++;
    this.emitter.fire();
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
