// `marginalia`: the core, headless, for pipelines. User errors print one line on stderr and exit non-zero.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { agreementCommand } from './agreement';
import { USAGE, UsageError, attrOptions, intOption, parseCommandLine, type ParsedArgs } from './args';
import { NodeWorkspaceFs, NotRegularFileError, readRegularFile, readRegularFileChunks, writeFileAtomic, writeFileAtomicStream } from '../node';
import {
  AnnotationStore,
  NotTextError,
  CorpusFolder,
  assertCorpusDocument,
  corpusMatcher,
  type CorpusOptions,
  listCorpus,
  listTextCorpus,
  readDocument,
  detectMoves,
  moveAnnotations,
  restoreDocument,
  checkCorpus,
  checkDocument,
  summarise,
  writeCheck,
  type DocumentCheck,
  type UncheckedDocument,
  unreadableReason,
  findKind,
  describeMerge,
  mergeSidecarTexts,
  resolveConflictMarkers,
  wholeFileConflict,
  type MergeResult,
  ANNOTATIONS_DIR,
  MAX_SIDECAR_BYTES,
  SidecarError,
  decodeSidecarBytes,
  docForSidecarPath,
  serializeSidecar,
  LAYERS,
  type LayerName,
  docForDecisionsPath,
  mergeDecisionTexts,
  RelationIndex,
} from '../core/store';
import {
  asUserError,
  contentHash,
  createAnnotation,
  escapeControls,
  editAnnotation,
  locateQuote,
  OFFSET_UNITS,
  PathError,
  plural,
  toRelPath,
  toUtf16Offset,
  UserError,
  type AttributeValue,
  type OffsetUnit,
  type Span,
} from '../core/model';
import {
  writeExportYaml,
  EXPORT_FORMATS,
  exportFolderRefusal,
  exportFormat,
  mayExportInto,
  renderExport,
  parseCsv,
  parseW3c,
  ImportError,
  applyImport,
  exportCollision,
  exportCollisionMessage,
  describeImport,
  planImport,
  planImportStream,
  applyImportStream,
  summariseImport,
  YamlExportSource,
  ExportFormatError,
  type ImportSummary,
  csvRelationsPath,
  parseCsvRelations,
  readRefiQda,
  buildRefiImport,
  planRefiImport,
  applyRefiImport,
  projectFolder,
  type RefiProject,
  type RefiImportPlan,
} from '../core/formats';
import type { Annotation } from '../core/model';
import { findConflictMarker } from '../core/yaml';
import { STORE_DIR } from '../constants';
import { runReview } from './review';
import * as relations from './relations';
import { addSourceCommand, checkSourcesCommand, importHypothesisCommand, type SourcesContext } from './sources';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A problem found by the CLI itself, meant for the person at the terminal. */
export class CliError extends UserError {}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCommandLine(argv, io.cwd);
    if (args.command === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    const root = path.resolve(io.cwd, args.root);
    const st = await fsp.stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new CliError(`workspace folder ${root} does not exist (give one with --root DIR)`);
    const ctx = new Context(args, root, io);
    switch (args.command) {
      case 'add':
        return await ctx.add();
      case 'remove':
        return await ctx.remove();
      case 'link':
        return await ctx.link();
      case 'unlink':
        return await ctx.unlink();
      case 'edit':
        return await ctx.edit();
      case 'list':
        return await ctx.list();
      case 'check':
        return await ctx.check();
      case 'export':
        return await ctx.export();
      case 'import':
        return await ctx.import();
      case 'git-setup':
        return await ctx.gitSetup();
      case 'merge-driver':
        return await ctx.mergeDriver();
      case 'resolve':
        return await ctx.resolve();
      case 'docs':
        return await ctx.docs();
      case 'restore':
        return await ctx.restore();
      case 'review':
        return await ctx.review();
      case 'agreement':
        return await ctx.agreement();
      case 'add-source':
        return await addSourceCommand(ctx.sources());
      case 'check-sources':
        return await checkSourcesCommand(ctx.sources());
      case 'import-hypothesis':
        return await importHypothesisCommand(ctx.sources());
    }
    throw new UsageError(`unknown command ${args.command}`);
  } catch (e) {
    return report(e, io);
  }
}

/** The one place errors become exit codes: a person's problem (UserError, or a system error they can act on) is one
 *  line and exit 2; anything else is a bug, exit 3. */
function report(e: unknown, io: CliIo): number {
  const user = asUserError(e);
  if (user) {
    io.stderr(`marginalia: ${escapeControls(user.message)}${user instanceof UsageError ? ' (see marginalia --help)' : ''}\n`);
    return 2;
  }
  io.stderr(
    `marginalia: unexpected error: ${escapeControls((e as Error)?.message ?? String(e))}${io.env.MARGINALIA_DEBUG ? '\n' + (e as Error)?.stack : ' (set MARGINALIA_DEBUG=1 for details)'}\n`,
  );
  return 3;
}

class Context {
  readonly fs: NodeWorkspaceFs;
  /** The workspace folder as VS Code sees it: the same core class loads the corpus and the sidecars for both. */
  readonly folder: CorpusFolder;
  readonly store: AnnotationStore;
  /** Which files are corpus documents: the CLI uses the default patterns (see corpus.ts). */
  readonly corpus: CorpusOptions = {};
  private readonly isCorpus = corpusMatcher(this.corpus);
  /** Problems the store reported and passed over (an unreadable snapshot); `check` then ends with exit 1. */
  private warnings = 0;
  /** What findIds loaded, for what a command reports afterwards. */
  private loaded: Map<string, Annotation[]> | undefined;

  constructor(
    readonly args: ParsedArgs,
    readonly root: string,
    readonly io: CliIo,
  ) {
    this.fs = new NodeWorkspaceFs(root);
    const layer = args.values.layer ?? 'coders';
    if (!(LAYERS as readonly string[]).includes(layer)) throw new UsageError(`--layer takes ${LAYERS.join(' or ')}, not "${layer}"`);
    const debug = process.env.MARGINALIA_DEBUG ? (m: string | Error) => io.stderr(`marginalia: ${m instanceof Error ? m.message : m}\n`) : () => undefined;
    this.folder = new CorpusFolder({
      name: path.basename(root),
      fs: this.fs,
      // The layer list, check and export work on: the coders' annotations, or the reviewed set.
      layer: layer as LayerName,
      // The CLI reads documents of any size: the size limit is the editor's, for what it can display.
      settings: () => ({ corpus: this.corpus, maxDocumentBytes: Number.POSITIVE_INFINITY }),
      log: { trace: debug, info: debug, error: debug, warn: (m) => this.warn(m) },
      changed: () => undefined,
      isTrusted: () => true,
      storeWarning: (message) => {
        this.warnings++;
        io.stderr(`marginalia: warning: ${message}\n`);
      },
    });
    this.store = this.folder.store;
  }

  // What the person at the terminal reads goes through these, one line each, with escapeControls: file names,
  // quotes, kinds and messages come from files anyone can write, and an escape sequence in them must not drive the
  // terminal. Exported data (export to stdout) is written as it is.

  /** One line on stdout. */
  say(line: string): void {
    this.io.stdout(escapeControls(line) + '\n');
  }

  /** One line on stderr. */
  note(line: string): void {
    this.io.stderr(escapeControls(line) + '\n');
  }

  warn(line: string): void {
    this.note(`marginalia: warning: ${line}`);
  }

  /** `--json` output: JSON escapes C0 controls itself; the other characters escapeControls covers are \u escapes too. */
  json(value: unknown): void {
    this.io.stdout(jsonForTerminal(value) + '\n');
  }

  /** A document argument as a workspace-relative path: relative to the current folder when that lands inside the root. */
  docPath(arg: string): string {
    const abs = path.resolve(this.io.cwd, arg);
    const rel = path.relative(this.root, abs);
    if (path.isAbsolute(arg) || (!rel.startsWith('..') && !path.isAbsolute(rel) && this.io.cwd !== this.root)) {
      if (rel.startsWith('..') || path.isAbsolute(rel)) throw new CliError(`${arg} is outside the workspace folder ${this.root}`);
      return toRelPath(rel.split(path.sep).join('/'));
    }
    return toRelPath(arg);
  }

  async text(doc: string): Promise<string> {
    const text = await readDocument(this.fs, doc);
    if (text === undefined) throw new CliError(`document ${doc} not found in ${this.root}`);
    return text;
  }

  /** What the source commands (sources.ts) need. */
  sources(): SourcesContext {
    return {
      fs: this.fs,
      store: this.store,
      positionals: this.args.positionals,
      values: this.args.values,
      cwd: this.io.cwd,
      say: (line) => this.say(line),
      json: (value) => this.json(value),
      author: () => this.author(),
    };
  }

  author(): string {
    if (this.args.values.author) return this.args.values.author;
    if (this.io.env.MARGINALIA_AUTHOR) return this.io.env.MARGINALIA_AUTHOR;
    try {
      const name = execFileSync('git', ['config', 'user.name'], { cwd: this.root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
      if (name) return name;
    } catch {
      // no git, or no user.name: fall back to the login name
    }
    return os.userInfo().username;
  }

  /** Loads every sidecar; broken ones are reported on stderr and skipped, as the rest still loads. So is a sidecar
   *  whose document is no corpus document (`.env`, `.git/config`) or leads out of the workspace through a symbolic
   *  link: such a document is never read, nor anything written for it. */
  async loadAll(): Promise<Map<string, Annotation[]>> {
    // Broken sidecars and those of no corpus document (`.env`) are reported by the folder and left as they are.
    await this.folder.load();
    const docs = this.folder.allAnnotations();
    for (const doc of [...docs.keys()]) {
      try {
        await this.fs.resolve(doc);
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        docs.delete(doc);
        this.warn(`${this.store.sidecarPath(doc)}: ${e.message}; its annotations are left as they are, and the document is not read`);
      }
    }
    return docs;
  }

  async add(): Promise<number> {
    const [docArg, ...extra] = this.args.positionals;
    if (!docArg || extra.length > 0) throw new UsageError('add takes exactly one document');
    const v = this.args.values;
    if (!v.kind) throw new UsageError('--kind is required');
    const doc = this.docPath(docArg);
    assertCorpusDocument(doc, this.corpus, this.isCorpus);
    const text = await this.text(doc);
    const codebook = await this.store.loadCodebook();
    const kind = findKind(codebook, v.kind);
    if (!kind)
      throw new CliError(`unknown kind "${v.kind}" (kinds: ${codebook.kinds.map((k) => k.name).join(', ')}); add it to .marginalia/codebook.yaml first`);
    const span = await this.span(doc, text);
    const a = createAnnotation(text, { doc, kind: kind.name, ...span, note: v.note, attributes: attrOptions(v.attr), author: this.author() }, kind, new Date());
    await this.store.putSnapshot(text);
    await this.store.update(doc, { upsert: [a] });
    if (v.json) this.json(a);
    else this.say(`added ${a.id} ${a.kind} ${doc} ${a.target.start}-${a.target.end} ${JSON.stringify(clip(a.target.quote.exact))}`);
    return 0;
  }

  /** The span `add` was given: --start/--end in --offset-unit, or --quote with --occurrence or --near. */
  private async span(doc: string, text: string): Promise<Span> {
    const v = this.args.values;
    const unit = (v['offset-unit'] ?? 'utf16') as OffsetUnit;
    if (!OFFSET_UNITS.includes(unit)) throw new UsageError(`--offset-unit must be one of ${OFFSET_UNITS.join(', ')}, got "${unit}"`);
    // A byte offset counts the file's bytes: a byte order mark the text no longer has is counted too.
    const bom = unit === 'byte' && hasBom(await this.fs.read(doc)) ? 3 : 0;
    const offset = (name: string, value: string | undefined): number => toUtf16Offset(text, intOption(name, value), unit, doc, bom);
    if (v.quote !== undefined) {
      if (v.start !== undefined || v.end !== undefined) throw new UsageError('give either --quote or --start and --end, not both');
      if (v.occurrence !== undefined && v.near !== undefined) throw new UsageError('give --occurrence or --near, not both');
      const occurrence = v.occurrence === undefined ? undefined : intOption('occurrence', v.occurrence);
      return locateQuote(text, v.quote, doc, { occurrence, near: v.near === undefined ? undefined : offset('near', v.near) });
    }
    if (v.occurrence !== undefined || v.near !== undefined)
      throw new UsageError(`--${v.occurrence !== undefined ? 'occurrence' : 'near'} chooses among the occurrences of --quote; give --quote too`);
    if (v.start === undefined && v.end === undefined) throw new UsageError('say which passage: --start and --end, or --quote');
    return { start: offset('start', v.start), end: offset('end', v.end) };
  }

  /** Where each id is stored; refuses the whole list, naming them, when some id is not in any sidecar. */
  private async findIds(ids: readonly string[]): Promise<Map<string, Annotation>> {
    if (ids.length === 0) throw new UsageError(`${this.args.command} takes the id of at least one annotation (see marginalia list)`);
    const all = await this.loadAll();
    this.loaded = all;
    const byId = new Map<string, Annotation>();
    for (const as of all.values()) for (const a of as) byId.set(a.id, a);
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      throw new CliError(`no annotation has the id ${unknown.join(', ')} in ${this.root}; nothing was changed (marginalia list shows the ids)`);
    }
    return new Map(ids.map((id) => [id, byId.get(id) as Annotation]));
  }

  /** Deletes annotations by id, through the store (locked, re-read, written atomically); all or none. */
  async remove(): Promise<number> {
    const found = await this.findIds([...new Set(this.args.positionals)]);
    const byDoc = new Map<string, string[]>();
    for (const a of found.values()) byDoc.set(a.doc, [...(byDoc.get(a.doc) ?? []), a.id]);
    for (const [doc, ids] of byDoc) await this.store.update(doc, { remove: ids });
    const removed = [...found.values()];
    for (const w of relations.danglingAfterRemove(this.loaded ?? new Map(), await this.store.loadCodebook(), [...found.keys()])) this.warn(w);
    if (this.args.values.json) this.json(removed);
    else
      for (const a of removed) this.say(`removed ${a.id} ${a.kind} ${a.doc} ${a.target.start}-${a.target.end} ${JSON.stringify(clip(a.target.quote.exact))}`);
    return 0;
  }

  /** Changes an annotation's note, attributes or kind, applied under the lock to the version on disk. */
  async edit(): Promise<number> {
    const [id, ...extra] = this.args.positionals;
    if (!id || extra.length > 0) throw new UsageError('edit takes exactly one annotation id');
    const v = this.args.values;
    if (v.note === undefined && v.attr === undefined && v.kind === undefined) throw new UsageError('say what to change: --note, --attr key=value or --kind');
    const given = attrOptions(v.attr);
    const stored = (await this.findIds([id])).get(id) as Annotation;
    const codebook = await this.store.loadCodebook();
    const kindName = v.kind ?? stored.kind;
    const kind = findKind(codebook, kindName);
    if (!kind)
      throw new CliError(`unknown kind "${kindName}" (kinds: ${codebook.kinds.map((k) => k.name).join(', ')}); add it to .marginalia/codebook.yaml first`);
    const apply = (a: Annotation): Annotation => {
      let attributes: Record<string, AttributeValue> | undefined;
      if (v.attr !== undefined) {
        // Kept: the current attributes the (new) kind declares; then each key=value sets one, and key= removes it.
        const declared = new Set((kind.attributes ?? []).map((f) => f.name));
        attributes = Object.fromEntries(Object.entries(a.attributes).filter(([k]) => kind.name === a.kind || declared.has(k)));
        for (const [k, value] of Object.entries(given)) {
          if (value === '') delete attributes[k];
          else attributes[k] = value;
        }
      }
      return editAnnotation(a, kind, { note: v.note, attributes }, new Date());
    };
    apply(stored); // refuses bad attributes before the lock is taken
    const saved = await this.store.update(stored.doc, { edit: new Map([[id, apply]]) });
    const a = saved.find((x) => x.id === id) as Annotation;
    if (v.json) this.json(a);
    else this.say(`edited ${a.id} ${a.kind} ${a.doc} ${a.target.start}-${a.target.end} ${JSON.stringify(clip(a.target.quote.exact))}`);
    return 0;
  }

  private async relationContext(): Promise<relations.RelationContext> {
    return { store: this.store, all: await this.loadAll(), codebook: await this.store.loadCodebook(), author: () => this.author(), now: new Date() };
  }

  /** Links two annotations with a relation type of the codebook; see relations.ts. */
  async link(): Promise<number> {
    const r = await relations.link(await this.relationContext(), this.args.positionals);
    if (this.args.values.json) this.json({ from: r.from.id, ...r.relation });
    else this.say(r.line);
    return 0;
  }

  /** Removes a relation; see relations.ts. */
  async unlink(): Promise<number> {
    const r = await relations.unlink(await this.relationContext(), this.args.positionals);
    if (this.args.values.json) this.json(r.removed);
    else this.say(r.line);
    return 0;
  }

  async list(): Promise<number> {
    const [docArg, ...extra] = this.args.positionals;
    if (extra.length > 0) throw new UsageError('list takes at most one document');
    const all = await this.loadAll();
    const doc = docArg === undefined ? undefined : this.docPath(docArg);
    const kind = this.args.values.kind;
    let rows: ListRow[] = [];
    for (const [d, stored] of all) {
      if (doc !== undefined && d !== doc) continue;
      rows.push(...(await this.currentRows(d, kind === undefined ? stored : stored.filter((a) => a.kind === kind))));
    }
    const cmp = (a: Annotation, b: Annotation): number =>
      a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : a.target.start - b.target.start || a.target.end - b.target.end || (a.id < b.id ? -1 : 1);
    rows = rows.sort((x, y) => cmp(x.now, y.now));
    if (this.args.values.json) {
      const index = new RelationIndex(all, await this.store.loadCodebook());
      const out = rows.map(({ now: a, stored, status }) => ({
        id: a.id,
        kind: a.kind,
        doc: a.doc,
        start: a.target.start,
        end: a.target.end,
        quote: a.target.quote.exact,
        status,
        reanchoredInMemory: stored !== undefined,
        ...(stored ? { stored: { start: stored.target.start, end: stored.target.end, status: stored.anchor.status } } : {}),
        note: a.note,
        attributes: a.attributes,
        ...relations.listJson(index, a.id),
      }));
      this.json(out);
    } else {
      for (const { now: a, stored, status } of rows) {
        this.say(
          `${a.id}  ${a.kind.padEnd(8)} ${a.doc}  ${a.target.start}-${a.target.end}  ${(status + (stored ? '*' : '')).padEnd(10)} ${JSON.stringify(clip(a.target.quote.exact))}`,
        );
      }
      if (rows.length === 0) this.note('no annotations');
    }
    const moved = rows.filter((r) => r.stored !== undefined);
    if (moved.length > 0) {
      const docs = new Set(moved.map((r) => r.now.doc)).size;
      this.io.stderr(
        `${this.args.values.json ? '' : '* '}${plural(moved.length, 'annotation')} of ${plural(docs, 'document')} changed since ${moved.length === 1 ? 'it was' : 'they were'} anchored: ` +
          `shown where ${moved.length === 1 ? 'it is' : 'they are'} now (re-anchored in memory, not saved); run \`marginalia check --write\` to save that\n`,
      );
    }
    return 0;
  }

  /**
   * The annotations of `doc` as they stand against its current text: unchanged when the text is the one they were
   * anchored to; re-anchored in memory (with the stored version kept beside) when the document changed or is gone;
   * "unverified" when it cannot be read.
   */
  private async currentRows(doc: string, stored: Annotation[]): Promise<ListRow[]> {
    if (stored.length === 0) return [];
    let text: string | undefined;
    try {
      text = await readDocument(this.fs, doc);
    } catch (e) {
      const user = asUserError(e);
      if (!user) throw e;
      this.warn(`${user.message}; its annotations cannot be checked against it and are listed as unverified`);
      return stored.map((a) => ({ now: a, status: 'unverified' }));
    }
    if (text !== undefined) {
      const hash = contentHash(text);
      if (stored.every((a) => a.provenance.docHash === hash)) return stored.map((a) => ({ now: a, status: a.anchor.status }));
    }
    const check = await checkDocument(this.store, doc, stored, text);
    const changed = new Set(check.changed);
    return check.results.map((r, i) =>
      changed.has(r.annotation)
        ? { now: r.annotation, stored: stored[i], status: r.annotation.anchor.status }
        : { now: stored[i], status: stored[i].anchor.status },
    );
  }

  async check(): Promise<number> {
    if (this.args.positionals.length > 0) throw new UsageError('check takes no documents; it checks the whole workspace');
    const all = await this.loadAll();
    const moves = await detectMoves(this.fs, all, () => listCorpus(this.fs));
    const moved: { from: string; to: string; annotations: number }[] = [];
    for (const [from, to] of moves) {
      const n = all.get(from)?.length ?? 0;
      // Checked where the document is now; saved there only with --write.
      all.set(to, this.args.values.write ? await moveAnnotations(this.store, from, to) : (all.get(from) ?? []).map((a) => ({ ...a, doc: to })));
      all.delete(from);
      moved.push({ from, to, annotations: n });
      if (!this.args.values.json) {
        this.say(
          `${from} moved to ${to}: its ${plural(n, 'annotation')} ${this.args.values.write ? 'followed it' : 'will follow it (run with --write to save)'}`,
        );
      }
    }
    const unchecked: UncheckedDocument[] = [];
    const checks = await checkCorpus(this.store, this.fs, all, unchecked);
    for (const u of unchecked)
      this.warnUnread(u.doc, u.reason, all, (n) =>
        n === 1 ? 'Its annotation is not checked and stays as it is.' : `Its ${n} annotations are not checked and stay as they are.`,
      );
    const summary = summarise(checks);
    // A sidecar git left unmerged loads as one side only when no markers are in it (a driver that did not run):
    // named here, so the other side is not lost by committing it as it is.
    const unmerged = this.unmergedSidecars().sort();
    for (const file of unmerged)
      this.io.stderr(
        `marginalia: warning: ${file} is unmerged in git (a merge left it conflicted); run \`marginalia resolve\` to merge both sides by annotation id before committing\n`,
      );
    let written = 0;
    if (this.args.values.write) {
      for (const c of checks) written += await writeCheck(this.store, c, c.exists ? await readDocument(this.fs, c.doc) : undefined);
    }
    const linked = relations.checkRelations(all, await this.store.loadCodebook());
    if (this.args.values.json) {
      this.json({ documents: checks.map(checkJson), moved, unchecked, summary, written, unmerged, relations: linked.json });
    } else {
      for (const c of checks) this.printCheck(c);
      this.say(
        `${plural(summary.annotations, 'annotation')} in ${plural(summary.documents, 'document')}: ${summary.unchanged} unchanged, ${summary.reanchored} re-anchored, ${summary.orphaned} orphaned` +
          (this.args.values.write ? `; ${written} saved` : summary.reanchored + summary.orphaned > 0 ? ' (not saved; run with --write to save)' : ''),
      );
      if (linked.count > 0)
        this.say(`${plural(linked.count, 'relation')}: ${linked.problems.length === 0 ? 'all as the codebook allows' : `${linked.problems.length} to fix`}`);
      for (const p of linked.problems) this.say(`  ${p.message}`);
    }
    return summary.orphaned > 0 || unmerged.length > 0 || unchecked.length > 0 || this.warnings > 0 || linked.problems.length > 0 ? 1 : 0;
  }

  /** Warns that `doc` could not be read (`reason`), and what happens to its annotations instead. */
  private warnUnread(doc: string, reason: string, all: ReadonlyMap<string, readonly Annotation[]>, fate: (annotations: number) => string): void {
    this.warn(`${reason} ${fate(all.get(doc)?.length ?? 0)}`);
  }

  private printCheck(c: DocumentCheck): void {
    this.say(`${c.doc}${c.exists ? '' : '  (document not found)'}`);
    for (const r of c.results) {
      const span = `${r.before.start}-${r.before.end}`;
      const where =
        r.status === 'orphaned'
          ? 'orphaned'
          : r.after && (r.after.start !== r.before.start || r.after.end !== r.before.end)
            ? `${span} -> ${r.after.start}-${r.after.end}`
            : span;
      this.say(`  ${r.id}  ${r.annotation.kind.padEnd(8)} ${where.padEnd(22)} ${r.method}${r.detail ? ': ' + r.detail : ''}`);
    }
  }

  async export(): Promise<number> {
    const format = exportFormat(this.args.values.format ?? 'yaml');
    if (!format) throw new UsageError(`unknown export format "${this.args.values.format}" (formats: ${EXPORT_FORMATS.map((f) => f.id).join(', ')})`);
    if (format.extension === undefined && !this.args.values.out) throw new UsageError(`--format ${format.id} writes a folder: give it with --out DIR`);
    const all = await this.loadAll();
    const docs = this.args.positionals.length > 0 ? this.args.positionals.map((d) => this.docPath(d)) : [...all.keys()].sort();
    for (const doc of docs) assertCorpusDocument(doc, this.corpus, this.isCorpus);
    // A document that cannot be read is reported and exported as a missing one is (its annotations without its text).
    let unread = 0;
    const readText = async (doc: string): Promise<string | undefined> => {
      try {
        return await readDocument(this.fs, doc);
      } catch (e) {
        if (!all.has(doc)) throw e;
        unread++;
        this.warnUnread(
          doc,
          unreadableReason(doc, e),
          all,
          (n) => `Its ${plural(n, 'annotation')} ${n === 1 ? 'is' : 'are'} exported without its text, as for a missing document.`,
        );
        return undefined;
      }
    };
    if (format.id === 'yaml') {
      await this.exportYamlStreamed(docs, all, readText);
      return unread > 0 ? 1 : 0;
    }
    const documents = [];
    for (const doc of docs) {
      const text = await readText(doc);
      if (text === undefined && !all.has(doc)) throw new CliError(`document ${doc} not found and has no annotations`);
      documents.push({ path: doc, text, annotations: all.get(doc) ?? [] });
    }
    const codebook = await this.store.loadCodebook();
    const rendered = renderExport(format.id, { documents, codebook, projectName: path.basename(this.root) }, (w) => this.warn(w));
    const n = documents.reduce((s, d) => s + d.annotations.length, 0);
    if (rendered.kind === 'folder') {
      const dir = path.resolve(this.io.cwd, this.args.values.out as string);
      const present = await fsp.readdir(dir).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw new CliError(`cannot write the export into ${dir}: ${e.message}`);
      });
      // What would be overwritten is named first; then a folder holding anything else is refused.
      await this.refuseCollisions(
        [...rendered.files.keys()].map((rel) => path.join(dir, ...rel.split('/'))),
        all,
      );
      if (!mayExportInto(present)) throw new CliError(exportFolderRefusal(dir));
      for (const [rel, text] of rendered.files) {
        const file = path.join(dir, ...rel.split('/'));
        await fsp.mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, text);
      }
      this.note(`exported ${plural(n, 'annotation')} of ${plural(documents.length, 'document')} as ${format.label} to ${dir}`);
    } else if (rendered.kind === 'binary') {
      if (!this.args.values.out) throw new UsageError(`--format ${format.id} writes a zip file: give it with --out FILE.${format.extension}`);
      const file = path.resolve(this.io.cwd, this.args.values.out);
      await this.refuseCollisions([file], all);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, rendered.bytes);
      this.note(`exported ${plural(n, 'annotation')} of ${plural(documents.length, 'document')} as ${format.label} to ${file}`);
    } else if (this.args.values.out) {
      const file = path.resolve(this.io.cwd, this.args.values.out);
      const beside = (rendered.beside ?? []).map((b) => ({ file: b.path(file), text: b.text }));
      await this.refuseCollisions([file, ...beside.map((b) => b.file)], all);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, rendered.text);
      for (const b of beside) await writeFileAtomic(b.file, b.text);
      this.note(`exported ${plural(n, 'annotation')} of ${plural(documents.length, 'document')} to ${file}${beside.map((b) => ` and ${b.file}`).join('')}`);
    } else {
      this.io.stdout(rendered.text);
      const linked = documents.reduce((k, d) => k + d.annotations.reduce((m, a) => m + (a.relations?.length ?? 0), 0), 0);
      if (rendered.beside && linked > 0) {
        this.warn(
          `the ${plural(linked, 'relation')} of these annotations ${linked === 1 ? 'is' : 'are'} not in this output: give --out FILE.csv to write them to FILE.relations.csv beside it`,
        );
      }
    }
    return unread > 0 ? 1 : 0;
  }

  /** The YAML export written as it is made, each document's text read in its turn (see writeExportYaml). */
  private async exportYamlStreamed(
    docs: readonly string[],
    all: ReadonlyMap<string, readonly Annotation[]>,
    readText: (doc: string) => Promise<string | undefined>,
  ): Promise<void> {
    for (const doc of docs) {
      if (!all.has(doc) && (await readDocument(this.fs, doc)) === undefined) throw new CliError(`document ${doc} not found and has no annotations`);
    }
    const input = { documents: docs.map((doc) => ({ path: doc, annotations: all.get(doc) ?? [] })), readText };
    const n = input.documents.reduce((s, d) => s + d.annotations.length, 0);
    if (this.args.values.out) {
      const file = path.resolve(this.io.cwd, this.args.values.out);
      await this.refuseCollisions([file], all);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomicStream(file, (write) => writeExportYaml(input, write));
      this.note(`exported ${plural(n, 'annotation')} of ${plural(docs.length, 'document')} to ${file}`);
    } else {
      await writeExportYaml(input, (chunk) => this.io.stdout(chunk));
    }
  }

  /** Refuses, before anything is written, an export whose files (absolute paths) would overwrite a sidecar, a
   *  snapshot or anything else in the store, or a document; symbolic links on the way are followed. */
  private async refuseCollisions(files: readonly string[], all: ReadonlyMap<string, unknown>): Promise<void> {
    const root = await fsp.realpath(this.root);
    const inside: string[] = [];
    for (const file of files) {
      const rel = path.relative(root, await realPathSoFar(file));
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) inside.push(rel.split(path.sep).join('/'));
    }
    if (inside.length === 0) return;
    const documents = new Set([...(await listCorpus(this.fs)), ...all.keys()]);
    const problem = exportCollision(inside, (rel) => documents.has(rel));
    if (problem) throw new CliError(exportCollisionMessage(problem));
  }

  async import(): Promise<number> {
    const [fileArg, ...extra] = this.args.positionals;
    if (!fileArg || extra.length > 0) throw new UsageError('import takes exactly one file');
    const file = path.resolve(this.io.cwd, fileArg);
    if (/\.(qdpx|qdc|qde)$/i.test(fileArg)) return this.importRefi(file, fileArg);
    if (this.args.values.to !== undefined) throw new UsageError('--to is for REFI-QDA projects (.qdpx, .qdc): other imports go to the documents they name');
    const readError = (e: Error): Error =>
      e instanceof NotRegularFileError ? new CliError(e.message) : (asUserError(e) ?? new CliError(`cannot read ${file}: ${e.message}`));
    // A YAML export is read a document at a time (twice: to check everything, then to write), so that its size
    // does not decide the memory needed; other formats, and a file whose name does not say, are read whole.
    const ext = path.extname(fileArg).toLowerCase();
    const source =
      ext === '.yaml' || ext === '.yml'
        ? undefined
        : (
            await readRegularFile(file).then(
              (bytes) => Buffer.from(bytes).toString('utf8'),
              (e: Error) => {
                throw readError(e);
              },
            )
          ).replace(/^\uFEFF/, '');
    const format = source === undefined ? 'yaml' : importFormat(fileArg, source);
    // Every document is checked before anything is written: a path that is no corpus document (`.git/config`,
    // `.env`: their text would be copied into quotes) or leads out of the workspace (through a symbolic link; "..",
    // absolute and drive paths the parsers refuse) stops the whole import.
    const vet = async (d: { path: string }): Promise<void> => {
      try {
        assertCorpusDocument(d.path, this.corpus, this.isCorpus);
        await this.fs.resolve(d.path);
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        throw new CliError(`${fileArg}: document ${d.path} is refused: ${e.message}; nothing was imported`);
      }
    };
    // Then every document is placed (following a rename since the export), read, its sidecar loaded, its annotations
    // re-anchored and merged by `modified`, and the result sized, still without writing: all or nothing.
    const planned = <T>(plan: () => Promise<T>): Promise<T> =>
      plan().catch((e: unknown) => {
        // (A folder or a FIFO where a document should be is an error naming its file.)
        throw importRefusal(e, fileArg);
      });
    let summaries: ImportSummary[];
    if (format === 'yaml') {
      const chunks = async function* (): AsyncGenerator<string> {
        if (source !== undefined) {
          yield source;
          return;
        }
        try {
          yield* readRegularFileChunks(file);
        } catch (e) {
          throw readError(e as Error);
        }
      };
      const yaml = new YamlExportSource(chunks, fileArg);
      const plan = await planned(() => planImportStream(this.store, yaml, () => listCorpus(this.fs), vet));
      await applyImportStream(this.store, plan, yaml).catch((e: unknown) => {
        throw e instanceof ImportError ? new CliError(`${fileArg}: ${e.message}`) : e;
      });
      summaries = plan.documents;
    } else {
      const texts = new Map<string, string | undefined>();
      if (format === 'w3c') {
        // W3C positions count code points: converting them back needs each document's text.
        for (const doc of await listCorpus(this.fs)) texts.set(doc, await readDocument(this.fs, doc).catch(() => undefined));
      }
      const imported =
        format === 'w3c'
          ? parseW3c(source!, fileArg, { textFor: (p) => texts.get(p) })
          : await this.withCsvRelations(parseCsv(source!, fileArg), file, fileArg);
      for (const d of imported) await vet(d);
      const plan = await planned(() => planImport(this.store, imported, () => listCorpus(this.fs)));
      await applyImport(this.store, plan);
      summaries = plan.documents.map(summariseImport);
    }
    const count = (f: (p: ImportSummary) => number): number => summaries.reduce((n, p) => n + f(p), 0);
    const total = count((p) => p.annotations);
    const orphaned = count((p) => p.orphaned);
    for (const p of summaries) {
      if (!p.present && p.written > 0)
        this.warn(`${p.doc} is not in this workspace; its ${plural(p.written, 'annotation')} ${p.written === 1 ? 'is' : 'are'} kept as orphans`);
      if (p.followed || p.newerImported > 0 || p.keptHere > 0 || p.relationsAdded > 0) this.say(`  ${describeImport(p)}`);
    }
    const added = count((p) => p.added);
    const newer = count((p) => p.newerImported);
    const kept = count((p) => p.keptHere);
    this.say(
      `imported ${plural(total, 'annotation')} of ${plural(summaries.length, 'document')} from ${fileArg}${orphaned ? ` (${orphaned} orphaned)` : ''}: ` +
        `${added} added, ${newer} replaced by the newer imported version, ${kept} kept as stored here (the same or newer)`,
    );
    return 0;
  }

  /** A REFI-QDA project (.qdpx) or codebook (.qdc): its texts become documents under --to (default: a folder named after
   *  the project), its codes kinds, its codings annotations. Everything is checked before the first write. */
  private async importRefi(file: string, fileArg: string): Promise<number> {
    const bytes = await readRegularFile(file).catch((e: Error) => {
      throw e instanceof NotRegularFileError ? new CliError(e.message) : (asUserError(e) ?? new CliError(`cannot read ${file}: ${e.message}`));
    });
    // A plainTextPath that is neither in the archive nor internal:// is read beside the project file, never above it.
    const base = path.dirname(file);
    const readExternal = async (rel: string): Promise<Uint8Array | undefined> => {
      const abs = path.resolve(base, rel);
      if (path.relative(base, abs).startsWith('..') || path.isAbsolute(path.relative(base, abs))) return undefined;
      return readRegularFile(abs).catch(() => undefined);
    };
    let project: RefiProject;
    try {
      project = await readRefiQda(bytes, fileArg, readExternal);
    } catch (e) {
      if (e instanceof ExportFormatError) throw new CliError(`${e.message}; nothing was imported`);
      throw e;
    }
    const to = this.args.values.to;
    let dir: string;
    try {
      dir = to === undefined ? projectFolder(project.name) : to === '.' || to === '' ? '' : this.docPath(to);
    } catch (e) {
      if (!(e instanceof PathError || e instanceof CliError)) throw e;
      throw new CliError(`--to ${to}: ${e.message}; the documents go into a folder inside the workspace, nothing was imported`);
    }
    const imp = buildRefiImport(project, { dir, codebook: await this.store.loadCodebook(), author: this.author(), now: new Date() });
    let plan: RefiImportPlan;
    try {
      plan = await planRefiImport(
        this.store,
        imp,
        async (rel) => {
          try {
            assertCorpusDocument(rel, this.corpus, this.isCorpus);
            await this.fs.resolve(rel);
          } catch (e) {
            if (!(e instanceof PathError)) throw e;
            throw new CliError(`${fileArg}: document ${rel} is refused: ${e.message}; nothing was imported`);
          }
        },
        () => listCorpus(this.fs),
      );
    } catch (e) {
      throw importRefusal(e, fileArg);
    }
    await applyRefiImport(this.store, plan);
    for (const line of imp.skipped) this.warn(`not imported: ${line}`);
    if (imp.newKinds.length > 0) this.say(`  codebook: ${plural(imp.newKinds.length, 'new kind')} (${imp.newKinds.join(', ')})`);
    if (imp.newRelationTypes.length > 0)
      this.say(`  codebook: ${plural(imp.newRelationTypes.length, 'new relation type')} (${imp.newRelationTypes.join(', ')})`);
    for (const p of plan.plan.documents.map(summariseImport)) if (p.followed || p.newerImported > 0 || p.keptHere > 0) this.say(`  ${describeImport(p)}`);
    const what = project.type === 'codebook' ? 'codebook' : 'project';
    const origin = project.origin ? ` (written by ${project.origin})` : '';
    this.say(
      `imported the REFI-QDA ${what} ${project.name}${origin}: ${plural(plan.create.length, 'new document')}` +
        (imp.documents.length > plan.create.length ? ` (${imp.documents.length - plan.create.length} already here)` : '') +
        `, ${plural(imp.annotations, 'annotation')}` +
        (imp.compared > 0 ? `; ${imp.exact} of ${imp.compared} selections whose text the project records are exactly that passage` : ''),
    );
    return 0;
  }

  /** A CSV import's annotations with the relations of the edge list beside it (x.relations.csv), when there is one. */
  private async withCsvRelations(docs: ReturnType<typeof parseCsv>, file: string, shown: string): Promise<ReturnType<typeof parseCsv>> {
    const beside = csvRelationsPath(file);
    const bytes = await readRegularFile(beside).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e instanceof NotRegularFileError ? new CliError(e.message) : (asUserError(e) ?? new CliError(`cannot read ${beside}: ${e.message}`));
    });
    if (bytes === undefined) return docs;
    return parseCsvRelations(
      Buffer.from(bytes)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
      csvRelationsPath(shown),
      docs,
    );
  }

  /** The corpus documents with their annotation counts; files that are not text are left out, each with a warning. */
  async docs(): Promise<number> {
    if (this.args.positionals.length > 0) throw new UsageError('docs takes no arguments');
    const [corpus, all] = await Promise.all([listTextCorpus(this.fs), this.loadAll()]);
    for (const s of corpus.skipped) this.warn(s.reason);
    const present = new Set(corpus.documents);
    const missing = [...all.keys()].filter((d) => !present.has(d) && !corpus.skipped.some((s) => s.doc === d));
    const rows = [
      ...corpus.documents.map((doc) => ({ doc, annotations: all.get(doc)?.length ?? 0, missing: false })),
      ...missing.map((doc) => ({ doc, annotations: all.get(doc)?.length ?? 0, missing: true })),
    ];
    rows.sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0));
    if (this.args.values.json) {
      this.json({ documents: rows, skipped: corpus.skipped });
    } else {
      for (const r of rows)
        this.say(`${r.doc}  ${plural(r.annotations, 'annotation')}${r.missing ? '  (document not found; restore it with `marginalia restore`)' : ''}`);
    }
    return 0;
  }

  /** How far the coders agree; see src/cli/agreement.ts. */
  async agreement(): Promise<number> {
    const v = this.args.values;
    return agreementCommand({
      positionals: this.args.positionals,
      kinds: v.kinds ?? [],
      coders: v.coders,
      asJson: !!v.json,
      docPath: (arg) => {
        const doc = this.docPath(arg);
        assertCorpusDocument(doc, this.corpus, this.isCorpus);
        return doc;
      },
      loadAll: () => this.loadAll(),
      current: async (doc, stored) => (await this.currentRows(doc, stored)).map((r) => r.now),
      text: (doc) => readDocument(this.fs, doc),
      codebook: () => this.store.loadCodebook(),
      say: (line) => this.say(line),
      warn: (line) => this.warn(line),
      json: (value) => this.json(value),
      fail: (message) => new CliError(message),
    });
  }

  /** `review list|decide|accept-agreed`: see src/cli/review.ts. */
  async review(): Promise<number> {
    return runReview(this);
  }

  /** Writes a deleted document back from the snapshot its annotations were last anchored to. */
  async restore(): Promise<number> {
    const [docArg, ...extra] = this.args.positionals;
    if (!docArg || extra.length > 0) throw new UsageError('restore takes exactly one document');
    const doc = this.docPath(docArg);
    const annotations = await this.store.loadDoc(doc);
    const hash = await restoreDocument(this.store, doc, annotations, this.corpus, this.isCorpus);
    this.say(`restored ${doc} from snapshot ${hash}; run \`marginalia check --write\` to re-attach its ${plural(annotations.length, 'annotation')}`);
    return 0;
  }

  /** Writes .marginalia/.gitattributes and this repository's merge.marginalia.* config; see GIT_ATTRIBUTES. */
  async gitSetup(): Promise<number> {
    if (this.args.positionals.length > 0) throw new UsageError('git-setup takes no arguments (give the workspace folder with --root DIR)');
    const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: this.root, encoding: 'utf8' });
    if (inside.error) throw new CliError(`git-setup needs git on the PATH (${inside.error.message})`);
    if (inside.status !== 0 || inside.stdout.trim() !== 'true') {
      throw new CliError(`${this.root} is not inside a git work tree; run \`git init\` there first, or give the repository's folder with --root DIR`);
    }
    const attributesFile = path.join(this.root, STORE_DIR, '.gitattributes');
    const current = await fsp.readFile(attributesFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new CliError(`cannot read ${attributesFile}: ${e.message}`);
    });
    const lines = current === undefined ? [] : current.split(/\r?\n/);
    const missing = GIT_ATTRIBUTES.filter((l) => !lines.some((x) => x.trim() === l));
    const shown = `${STORE_DIR}/.gitattributes`;
    if (missing.length > 0) {
      // Appended after whatever is there: for one attribute the last matching line of a file wins, so ours apply
      // even over an older `merge=` line, and people's other lines stay as they are.
      const head = current === undefined || current === '' ? '' : current.endsWith('\n') ? current : current + '\n';
      await fsp.mkdir(path.dirname(attributesFile), { recursive: true });
      await writeFileAtomic(attributesFile, head + missing.join('\n') + '\n');
      this.say(`${current === undefined ? 'wrote' : 'updated'} ${shown}: ${missing.join('; ')}`);
    } else {
      this.say(`${shown} already has: ${GIT_ATTRIBUTES.join('; ')}`);
    }
    const driver = gitDriverCommand(process.execPath, binScript());
    const settings: [string, string][] = [
      ['merge.marginalia.name', 'Marginalia annotations'],
      ['merge.marginalia.driver', driver],
    ];
    for (const [key, value] of settings) {
      const r = spawnSync('git', ['config', '--local', key, value], { cwd: this.root, encoding: 'utf8' });
      if (r.status !== 0) throw new CliError(`git config ${key} failed: ${(r.stderr || r.error?.message || 'unknown error').trim().split('\n')[0]}`);
      this.say(`set git config ${key} = ${value}`);
    }
    this.say(`commit ${shown}; merge drivers are not shared by git, so each clone runs \`marginalia git-setup\` once`);
    return 0;
  }

  /**
   * git's merge driver protocol: %O %A %B %P. The result replaces the %A file; exit 0 means merged. When the versions
   * cannot be merged, %A gets all of both sides (and the ancestor) between conflict markers and the exit is 1: git
   * reports a conflict, and the sidecar fails to load as conflicted everywhere until `marginalia resolve` (or the
   * extension) merges it. Left as it was, %A would hold only our side, without markers: the other side lost silently.
   */
  async mergeDriver(): Promise<number> {
    const [baseArg, oursArg, theirsArg, pathArg, ...extra] = this.args.positionals;
    if (theirsArg === undefined || extra.length > 0) throw new UsageError('merge-driver takes <base> <ours> <theirs> [<path>] (git passes %O %A %B %P)');
    const file = pathArg === undefined ? oursArg : sidecarFileOf(pathArg);
    const shown = pathArg ?? oursArg;
    const oursFile = path.resolve(this.io.cwd, oursArg);
    let raw: Buffer[];
    try {
      raw = await Promise.all([baseArg, oursArg, theirsArg].map((f) => fsp.readFile(path.resolve(this.io.cwd, f))));
    } catch (e) {
      // Nothing to put between markers: git keeps its three versions in the index, which `resolve` merges.
      this.io.stderr(
        `marginalia: could not merge ${shown}, so git reports a conflict (run \`marginalia resolve\`): could not read a version: ${(e as Error).message}\n`,
      );
      return 1;
    }
    try {
      const [base, ours, theirs] = raw.map((bytes) => decodeSidecarBytes(bytes, file));
      if (docForDecisionsPath(file) !== undefined) {
        const merged = mergeDecisionTexts(base, ours, theirs, file);
        await writeFileAtomic(oursFile, merged.text);
        this.note(`marginalia: merged ${shown}: ${plural(merged.decisions.length, 'review decision')}`);
        return 0;
      }
      const result = mergeSidecarTexts(base, ours, theirs, file);
      await writeFileAtomic(oursFile, result.text);
      this.note(`marginalia: merged ${shown}: ${describeMerge(result.report)}`);
      return 0;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const [base, ours, theirs] = raw.map((bytes) => bytes.toString('utf8'));
      await writeFileAtomic(oursFile, wholeFileConflict(base.trim() === '' ? undefined : base, ours, theirs));
      this.note(
        `marginalia: could not merge ${shown}, so git reports a conflict; both sides are in the file between conflict markers (fix the cause, then run \`marginalia resolve\`): ${firstLine(message)}`,
      );
      return 1;
    }
  }

  /**
   * Rewrites conflicted sidecars with both sides' annotations, through the store. During a git merge the three
   * versions git keeps in its index are merged (exact, and also for a sidecar deleted on one side and changed on the
   * other, which has no markers); otherwise, or when the file was edited since git wrote it, its conflict markers are.
   */
  async resolve(): Promise<number> {
    let files: string[];
    if (this.args.positionals.length > 0) {
      files = this.args.positionals.map((d) => this.store.sidecarPath(this.docPath(d)));
    } else {
      const { errors } = await this.store.loadAll();
      const found = new Set([...errors.filter((e) => e.code === 'conflict').map((e) => e.file), ...this.unmergedSidecars()]);
      files = [...found].sort();
      if (files.length === 0) {
        this.say('no sidecar has conflict markers or an unresolved git conflict');
        return 0;
      }
    }
    let failed = 0;
    let resolved = 0;
    for (const file of files) {
      try {
        const outcome = await this.resolveOne(file);
        if (outcome === undefined) {
          this.say(`${file}: no conflict markers and no unresolved git conflict, left as it is`);
          continue;
        }
        resolved++;
        const gone = outcome.result.annotations.length === 0 ? ' (nothing left: the sidecar is deleted)' : '';
        this.say(`resolved ${file} from ${outcome.source}: ${describeMerge(outcome.result.report)}${gone}`);
      } catch (e) {
        if (!(e instanceof SidecarError)) throw e;
        failed++;
        this.note(`marginalia: ${firstLine(e.message)}`);
      }
    }
    if (resolved > 0) this.say(`check the result, then \`git add\` (or \`git rm\`, for a deleted sidecar) what was resolved to mark it resolved`);
    return failed > 0 ? 1 : 0;
  }

  private async resolveOne(file: string): Promise<{ result: MergeResult; source: string } | undefined> {
    const bytes = await this.fs.read(file);
    const text = bytes === undefined ? undefined : decodeSidecarBytes(bytes, file);
    const stages = this.gitStages(file);
    const doc = docForSidecarPath(file);
    let result: MergeResult;
    let source: string;
    if (text !== undefined && findConflictMarker(text) !== undefined) {
      // The index is exact where the markers are not (git may have mixed the lines of two similar annotations in
      // the parts it merged); the markers win only when the file holds lines of none of the versions, i.e. someone
      // edited it since.
      const ours = stages.get(2);
      const theirs = stages.get(3);
      if (ours !== undefined && theirs !== undefined && onlyLinesOf(text, [...stages.values()])) {
        result = mergeSidecarTexts(stages.get(1), ours, theirs, file);
        source = "git's three versions of it";
      } else {
        result = resolveConflictMarkers(text, file);
        source = 'its conflict markers';
      }
    } else if (stages.has(2) && stages.has(3)) {
      // Unmerged without markers: a merge driver that failed (or an older one) left git our side alone in the file.
      result = mergeSidecarTexts(stages.get(1), stages.get(2) as string, stages.get(3) as string, file);
      source = "git's three versions of it (the file held only one side)";
    } else if (stages.has(1) && stages.has(2) !== stages.has(3) && doc !== undefined) {
      // Deleted on one side (the store deletes a sidecar whose last annotation goes), changed on the other: git
      // leaves the changed version in the work tree, without markers, and runs no merge driver.
      const kept = text ?? stages.get(2) ?? stages.get(3) ?? '';
      const empty = serializeSidecar(doc, []);
      result = stages.has(2) ? mergeSidecarTexts(stages.get(1), kept, empty, file) : mergeSidecarTexts(stages.get(1), empty, kept, file);
      source = 'the version changed on one side and its deletion on the other';
    } else {
      if (text === undefined) throw new SidecarError(file, 'io', 'no such sidecar: the document has no annotations');
      return undefined;
    }
    await this.store.saveDoc(result.report.document, result.annotations, { overwriteBroken: true });
    return { result, source };
  }

  /** The versions of a file git keeps while it is unmerged (1 ancestor, 2 ours, 3 theirs); empty outside a merge. */
  private gitStages(file: string): Map<number, string> {
    const stages = new Map<number, string>();
    const listed = spawnSync('git', ['ls-files', '-u', '-z', '--', file], { cwd: this.root });
    if (listed.status !== 0) return stages; // no git, or not a repository: the markers are all there is
    for (const entry of listed.stdout.toString('utf8').split('\0')) {
      const m = /^\d+ ([0-9a-f]+) ([123])\t/.exec(entry);
      if (!m) continue;
      const blob = spawnSync('git', ['cat-file', 'blob', m[1]], { cwd: this.root, maxBuffer: MAX_SIDECAR_BYTES + 1 });
      if (blob.status !== 0) throw new SidecarError(file, 'io', `git cat-file blob ${m[1]} failed: ${firstLine(blob.stderr.toString('utf8'))}`);
      stages.set(Number(m[2]), decodeSidecarBytes(blob.stdout, file, `stage ${m[2]} of the sidecar`));
    }
    return stages;
  }

  /** Sidecars git lists as unmerged, workspace-relative; [] outside a git merge. */
  private unmergedSidecars(): string[] {
    const listed = spawnSync('git', ['ls-files', '-u', '-z', '--', ANNOTATIONS_DIR], { cwd: this.root });
    if (listed.status !== 0) return [];
    const files = new Set<string>();
    for (const entry of listed.stdout.toString('utf8').split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab !== -1 && docForSidecarPath(entry.slice(tab + 1)) !== undefined) files.add(entry.slice(tab + 1));
    }
    return [...files];
  }
}

/** True when every line of `text` but git's conflict markers is a line of one of `versions`: the file is as git wrote it. */
function onlyLinesOf(text: string, versions: readonly string[]): boolean {
  const known = new Set(versions.flatMap((v) => v.split('\n')));
  return text.split('\n').every((line) => known.has(line) || /^(<{7,}|\|{7,}|={7,}|>{7,})(?:[ \t]|$)/.test(line));
}

/** What git-setup puts in .marginalia/.gitattributes (patterns relative to .marginalia/). Sidecars merge through the
 *  driver; snapshots are hashed byte for byte, so git must never convert their line endings. */
export const GIT_ATTRIBUTES = [
  'annotations/**/*.yaml merge=marginalia',
  'snapshots/** -text',
  'reviewed/**/*.yaml merge=marginalia',
  'decisions/**/*.yaml merge=marginalia',
] as const;

/** A word for `sh`, which git runs drivers with: left bare when safe, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_/.,:+=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The merge.marginalia.driver value. git expands %O, %A, %B, %P (and %% to %) before the shell sees the line,
 *  so a % in a path is doubled. */
export function gitDriverCommand(node: string, script: string): string {
  const word = (s: string): string => shellQuote(s).replace(/%/g, '%%');
  return `${word(node)} ${word(script)} merge-driver %O %A %B %P`;
}

/** bin/marginalia.js of this installation, found from the running code (dist/cli.js, or out/src/cli/main.js). */
function binScript(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'bin', 'marginalia.js');
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new CliError(`cannot find bin/marginalia.js above ${__dirname}; run git-setup from an installed Marginalia`);
}

/** The workspace-relative store path (a sidecar, a reviewed sidecar, a decision file) inside a repository path (%P),
 *  whose .marginalia may sit in a subfolder; the path as given when it is not under .marginalia. */
function sidecarFileOf(repoPath: string): string {
  const p = repoPath.replace(/\\/g, '/');
  const marker = STORE_DIR + '/';
  if (p.startsWith(marker)) return p;
  const i = p.indexOf('/' + marker);
  return i === -1 ? p : p.slice(i + 1);
}

/** The real path of `file` as far as it exists (symbolic links resolved), with the part that does not exist yet. */
async function realPathSoFar(file: string): Promise<string> {
  let existing = file;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fsp.realpath(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return file;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

const IMPORT_FORMATS =
  'a Marginalia YAML export (.yaml, .yml), a W3C JSON-LD collection (.jsonld, .json), a Marginalia CSV export (.csv) or a REFI-QDA project (.qdpx) or codebook (.qdc)';

/**
 * The format of an import file, by its extension, else by its content (JSON starts with { or [, the YAML export
 * with its `format:` line, the CSV export with its header row). Anything else is refused, saying what import reads.
 */
export function importFormat(file: string, source: string): 'yaml' | 'w3c' | 'csv' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json' || ext === '.jsonld') return 'w3c';
  if (ext === '.csv') return 'csv';
  if (ext === '') {
    if (/^\s*[[{]/.test(source)) return 'w3c';
    if (/^(?:\s*#.*\n)*\s*(?:---\s*\n\s*)?format\s*:/.test(source)) return 'yaml';
    if (/^"?id"?,/.test(source)) return 'csv';
  }
  const what = ext === '.ann' || ext === '.conf' ? 'a brat file' : ext === '' ? 'in none of the formats it knows' : `a ${ext.slice(1)} file`;
  throw new CliError(`marginalia import cannot read ${file}: it is ${what}; import reads ${IMPORT_FORMATS}. Make one with \`marginalia export\``);
}

/** A row of `list`: the annotation as it is now, and the stored one when that differs (re-anchored in memory). */
interface ListRow {
  now: Annotation;
  stored?: Annotation;
  status: string;
}

function hasBom(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

function checkJson(c: DocumentCheck): unknown {
  return {
    doc: c.doc,
    exists: c.exists,
    annotations: c.results.map((r) => ({
      id: r.id,
      kind: r.annotation.kind,
      before: r.before,
      after: r.after ?? null,
      status: r.status,
      method: r.method,
      detail: r.detail,
    })),
  };
}

/** JSON text in which DEL, C1 controls and bidi characters are \\u escapes (the same JSON value, safe to print). */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

function clip(s: string, n = 60): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

/** Runs the CLI on this process's arguments and streams, setting the exit code. */
export function runFromProcess(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); // `marginalia list | head` is not an error
    throw e;
  });
  void main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) runFromProcess();

/** An error met while planning an import, as the CLI reports it: one that names what is wrong with the imported file
 *  or the workspace becomes "FILE: …; nothing was imported"; anything else (a bug) passes as it is. */
function importRefusal(e: unknown, fileArg: string): unknown {
  if (e instanceof CliError || e instanceof ExportFormatError) return e;
  const named =
    e instanceof ImportError ||
    e instanceof SidecarError ||
    e instanceof NotTextError ||
    e instanceof PathError ||
    typeof (e as { file?: unknown }).file === 'string';
  return named ? new CliError(`${fileArg}: ${(e as Error).message}; nothing was imported`) : e;
}
