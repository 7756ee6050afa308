// `marginalia`: the core, headless, for pipelines. User errors print one line on stderr and exit non-zero.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { USAGE, UsageError, attrOptions, intOption, parseCommandLine, type ParsedArgs } from './args';
import { NodeWorkspaceFs, NotRegularFileError, readRegularFile, writeFileAtomic, writeFileAtomicStream } from '../node';
import {
  AnnotationStore,
  NotTextError,
  listCorpus,
  listTextCorpus,
  readDocument,
  MoveError,
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
  type MergeResult,
  ANNOTATIONS_DIR,
  MAX_SIDECAR_BYTES,
  SidecarError,
  decodeSidecarBytes,
  docForSidecarPath,
  serializeSidecar,
} from '../core/store';
import { AnnotationInputError, createAnnotation, PathError, toRelPath, plural } from '../core/model';
import {
  parseExportYaml,
  writeExportYaml,
  EXPORT_FORMATS,
  exportFormat,
  renderExport,
  parseW3c,
} from '../core/formats';
import type { Annotation } from '../core/model';
import { findConflictMarker } from '../core/yaml';
import { STORE_DIR } from '../constants';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Errors whose message is meant for the person at the terminal. */
export class CliError extends Error {}

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
    }
    throw new UsageError(`unknown command ${args.command}`);
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: CliIo): number {
  const known = e instanceof UsageError || e instanceof CliError || e instanceof AnnotationInputError || e instanceof PathError || e instanceof NotTextError || e instanceof MoveError;
  const fileError = e instanceof Error && typeof (e as { file?: unknown }).file === 'string';
  if (known || fileError) {
    io.stderr(`marginalia: ${(e as Error).message}${e instanceof UsageError ? ' (see marginalia --help)' : ''}\n`);
    return 2;
  }
  io.stderr(`marginalia: unexpected error: ${(e as Error)?.message ?? String(e)}${io.env.MARGINALIA_DEBUG ? '\n' + (e as Error)?.stack : ' (set MARGINALIA_DEBUG=1 for details)'}\n`);
  return 3;
}

class Context {
  readonly fs: NodeWorkspaceFs;
  readonly store: AnnotationStore;
  /** Problems the store reported and passed over (an unreadable snapshot); `check` then ends with exit 1. */
  private warnings = 0;

  constructor(
    readonly args: ParsedArgs,
    readonly root: string,
    readonly io: CliIo,
  ) {
    this.fs = new NodeWorkspaceFs(root);
    this.store = new AnnotationStore(this.fs, {
      warn: (message) => {
        this.warnings++;
        io.stderr(`marginalia: warning: ${message}\n`);
      },
    });
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

  author(): string {
    if (this.args.values.author) return this.args.values.author;
    if (this.io.env.MARGINALIA_AUTHOR) return this.io.env.MARGINALIA_AUTHOR;
    try {
      const name = execFileSync('git', ['config', 'user.name'], { cwd: this.root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      if (name) return name;
    } catch {
      // no git, or no user.name: fall back to the login name
    }
    return os.userInfo().username;
  }

  /** Loads every sidecar; broken ones are reported on stderr and skipped, as the rest still loads. So is a sidecar
   *  whose document leads out of the workspace through a symbolic link: nothing outside is read or written. */
  async loadAll(): Promise<Map<string, Annotation[]>> {
    const { docs, errors } = await this.store.loadAll();
    for (const e of errors) this.io.stderr(`marginalia: warning: ${e.message}\n`);
    for (const doc of [...docs.keys()]) {
      try {
        await this.fs.resolve(doc);
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        docs.delete(doc);
        this.io.stderr(`marginalia: warning: ${this.store.sidecarPath(doc)}: ${e.message}; its annotations are left as they are, and the document is not read\n`);
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
    const text = await this.text(doc);
    const codebook = await this.store.loadCodebook();
    const kind = findKind(codebook, v.kind);
    if (!kind) throw new CliError(`unknown kind "${v.kind}" (kinds: ${codebook.kinds.map((k) => k.name).join(', ')}); add it to .marginalia/codebook.yaml first`);
    const a = createAnnotation(
      text,
      { doc, kind: kind.name, start: intOption('start', v.start), end: intOption('end', v.end), note: v.note, attributes: attrOptions(v.attr), author: this.author() },
      kind,
      new Date(),
    );
    await this.store.putSnapshot(text);
    await this.store.update(doc, { upsert: [a] });
    if (v.json) this.io.stdout(JSON.stringify(a, null, 2) + '\n');
    else this.io.stdout(`added ${a.id} ${a.kind} ${doc} ${a.target.start}-${a.target.end} ${JSON.stringify(clip(a.target.quote.exact))}\n`);
    return 0;
  }

  async list(): Promise<number> {
    const [docArg, ...extra] = this.args.positionals;
    if (extra.length > 0) throw new UsageError('list takes at most one document');
    const all = await this.loadAll();
    const doc = docArg === undefined ? undefined : this.docPath(docArg);
    let rows = [...all.entries()].filter(([d]) => doc === undefined || d === doc).flatMap(([, as]) => as);
    if (this.args.values.kind) rows = rows.filter((a) => a.kind === this.args.values.kind);
    rows.sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : a.target.start - b.target.start || a.target.end - b.target.end || (a.id < b.id ? -1 : 1)));
    if (this.args.values.json) {
      const out = rows.map((a) => ({ id: a.id, kind: a.kind, doc: a.doc, start: a.target.start, end: a.target.end, quote: a.target.quote.exact, status: a.anchor.status, note: a.note, attributes: a.attributes }));
      this.io.stdout(JSON.stringify(out, null, 2) + '\n');
    } else {
      for (const a of rows) this.io.stdout(`${a.id}  ${a.kind.padEnd(8)} ${a.doc}  ${a.target.start}-${a.target.end}  ${a.anchor.status.padEnd(10)} ${JSON.stringify(clip(a.target.quote.exact))}\n`);
      if (rows.length === 0) this.io.stderr('no annotations\n');
    }
    return 0;
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
        this.io.stdout(`${from} moved to ${to}: its ${plural(n, 'annotation')} ${this.args.values.write ? 'followed it' : 'will follow it (run with --write to save)'}\n`);
      }
    }
    const unchecked: UncheckedDocument[] = [];
    const checks = await checkCorpus(this.store, this.fs, all, unchecked);
    for (const u of unchecked) this.warnUnread(u.doc, u.reason, all, (n) => (n === 1 ? 'Its annotation is not checked and stays as it is.' : `Its ${n} annotations are not checked and stay as they are.`));
    const summary = summarise(checks);
    let written = 0;
    if (this.args.values.write) {
      for (const c of checks) written += await writeCheck(this.store, c, c.exists ? await readDocument(this.fs, c.doc) : undefined);
    }
    if (this.args.values.json) {
      this.io.stdout(JSON.stringify({ documents: checks.map(checkJson), moved, unchecked, summary, written }, null, 2) + '\n');
    } else {
      for (const c of checks) this.printCheck(c);
      this.io.stdout(
        `${plural(summary.annotations, 'annotation')} in ${plural(summary.documents, 'document')}: ${summary.unchanged} unchanged, ${summary.reanchored} re-anchored, ${summary.orphaned} orphaned` +
          (this.args.values.write ? `; ${written} saved` : summary.reanchored + summary.orphaned > 0 ? ' (not saved; run with --write to save)' : '') +
          '\n',
      );
    }
    return summary.orphaned > 0 || unchecked.length > 0 || this.warnings > 0 ? 1 : 0;
  }

  /** Warns that `doc` could not be read (`reason`), and what happens to its annotations instead. */
  private warnUnread(doc: string, reason: string, all: ReadonlyMap<string, readonly Annotation[]>, fate: (annotations: number) => string): void {
    this.io.stderr(`marginalia: warning: ${reason} ${fate(all.get(doc)?.length ?? 0)}\n`);
  }

  private printCheck(c: DocumentCheck): void {
    this.io.stdout(`${c.doc}${c.exists ? '' : '  (document not found)'}\n`);
    for (const r of c.results) {
      const span = `${r.before.start}-${r.before.end}`;
      const where = r.status === 'orphaned' ? 'orphaned' : r.after && (r.after.start !== r.before.start || r.after.end !== r.before.end) ? `${span} -> ${r.after.start}-${r.after.end}` : span;
      this.io.stdout(`  ${r.id}  ${r.annotation.kind.padEnd(8)} ${where.padEnd(22)} ${r.method}${r.detail ? ': ' + r.detail : ''}\n`);
    }
  }

  async export(): Promise<number> {
    const format = exportFormat(this.args.values.format ?? 'yaml');
    if (!format) throw new UsageError(`unknown export format "${this.args.values.format}" (formats: ${EXPORT_FORMATS.map((f) => f.id).join(', ')})`);
    if (format.extension === undefined && !this.args.values.out) throw new UsageError(`--format ${format.id} writes a folder: give it with --out DIR`);
    const all = await this.loadAll();
    const docs = this.args.positionals.length > 0 ? this.args.positionals.map((d) => this.docPath(d)) : [...all.keys()].sort();
    // A document that cannot be read is reported and exported as a missing one is (its annotations without its text).
    let unread = 0;
    const readText = async (doc: string): Promise<string | undefined> => {
      try {
        return await readDocument(this.fs, doc);
      } catch (e) {
        if (!all.has(doc)) throw e;
        unread++;
        this.warnUnread(doc, unreadableReason(doc, e), all, (n) => `Its ${plural(n, 'annotation')} ${n === 1 ? 'is' : 'are'} exported without its text, as for a missing document.`);
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
    const rendered = renderExport(format.id, { documents, codebook }, (w) => this.io.stderr(`marginalia: warning: ${w}\n`));
    const n = documents.reduce((s, d) => s + d.annotations.length, 0);
    if (rendered.kind === 'folder') {
      const dir = path.resolve(this.io.cwd, this.args.values.out as string);
      for (const [rel, text] of rendered.files) {
        const file = path.join(dir, ...rel.split('/'));
        await fsp.mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, text);
      }
      this.io.stderr(`exported ${plural(n, 'annotation')} of ${plural(documents.length, 'document')} as ${format.label} to ${dir}\n`);
    } else if (this.args.values.out) {
      const file = path.resolve(this.io.cwd, this.args.values.out);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, rendered.text);
      this.io.stderr(`exported ${plural(n, 'annotation')} of ${plural(documents.length, 'document')} to ${file}\n`);
    } else {
      this.io.stdout(rendered.text);
    }
    return unread > 0 ? 1 : 0;
  }

  /** The YAML export written as it is made, each document's text read in its turn (see writeExportYaml). */
  private async exportYamlStreamed(docs: readonly string[], all: ReadonlyMap<string, readonly Annotation[]>, readText: (doc: string) => Promise<string | undefined>): Promise<void> {
    for (const doc of docs) {
      if (!all.has(doc) && (await readDocument(this.fs, doc)) === undefined) throw new CliError(`document ${doc} not found and has no annotations`);
    }
    const input = { documents: docs.map((doc) => ({ path: doc, annotations: all.get(doc) ?? [] })), readText };
    const n = input.documents.reduce((s, d) => s + d.annotations.length, 0);
    if (this.args.values.out) {
      const file = path.resolve(this.io.cwd, this.args.values.out);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomicStream(file, (write) => writeExportYaml(input, write));
      this.io.stderr(`exported ${plural(n, 'annotation')} of ${plural(docs.length, 'document')} to ${file}\n`);
    } else {
      await writeExportYaml(input, (chunk) => this.io.stdout(chunk));
    }
  }

  async import(): Promise<number> {
    const [fileArg, ...extra] = this.args.positionals;
    if (!fileArg || extra.length > 0) throw new UsageError('import takes exactly one file');
    const file = path.resolve(this.io.cwd, fileArg);
    const source = await readRegularFile(file).then(
      (bytes) => Buffer.from(bytes).toString('utf8'),
      (e: Error) => {
        throw new CliError(e instanceof NotRegularFileError ? e.message : `cannot read ${file}`);
      },
    );
    const texts = new Map<string, string | undefined>();
    if (/^\s*[[{]/.test(source)) {
      // W3C positions count code points: converting them back needs each document's text.
      for (const doc of await listCorpus(this.fs)) texts.set(doc, await readDocument(this.fs, doc).catch(() => undefined));
    }
    // W3C JSON-LD (a JSON file) or the YAML export, by content: the first non-blank character of JSON is { or [.
    const imported = /^\s*[[{]/.test(source)
      ? parseW3c(source, fileArg, { textFor: (p) => texts.get(p) })
      : parseExportYaml(source, fileArg);
    // Every document is checked before anything is written: a path that leads out of the workspace (through a
    // symbolic link; "..", absolute and drive paths the parsers refuse) stops the whole import.
    for (const d of imported) {
      try {
        await this.fs.resolve(d.path);
      } catch (e) {
        if (!(e instanceof PathError)) throw e;
        throw new CliError(`${fileArg}: document ${d.path} is refused: ${e.message}; nothing was imported`);
      }
    }
    // Then every document is read, its sidecar loaded and its annotations re-anchored, still without writing: a broken
    // sidecar or a document that is not text stops the import before the first write, so it is all or nothing.
    const prepared = [];
    for (const d of imported) {
      let text: string | undefined;
      let check: Awaited<ReturnType<typeof checkDocument>>;
      try {
        text = await readDocument(this.fs, d.path);
        await this.store.loadDoc(d.path);
        // Imported annotations come without snapshots: re-anchor them now, against this workspace's text.
        check = await checkDocument(this.store, d.path, d.annotations, text);
      } catch (e) {
        // (A folder or a FIFO where the document should be: an error naming its file.)
        if (!(e instanceof SidecarError || e instanceof NotTextError || e instanceof PathError || typeof (e as { file?: unknown }).file === 'string')) throw e;
        throw new CliError(`${fileArg}: cannot import into ${d.path}: ${(e as Error).message}; nothing was imported`);
      }
      prepared.push({ d, text, check });
    }
    let added = 0;
    let orphaned = 0;
    for (const { d, text, check } of prepared) {
      if (text !== undefined && d.hash !== undefined && d.hash === check.hash) await this.store.putSnapshot(text);
      const annotations = check.results.map((r) => r.annotation);
      orphaned += annotations.filter((a) => a.anchor.status === 'orphaned').length;
      await this.store.update(d.path, { upsert: annotations });
      added += annotations.length;
      if (text === undefined) this.io.stderr(`marginalia: warning: ${d.path} is not in this workspace; its ${plural(annotations.length, 'annotation')} ${annotations.length === 1 ? 'is' : 'are'} kept as orphans\n`);
    }
    this.io.stdout(`imported ${plural(added, 'annotation')} of ${plural(imported.length, 'document')} from ${fileArg}${orphaned ? ` (${orphaned} orphaned)` : ''}\n`);
    return 0;
  }

  /** The corpus documents with their annotation counts; files that are not text are left out, each with a warning. */
  async docs(): Promise<number> {
    if (this.args.positionals.length > 0) throw new UsageError('docs takes no arguments');
    const [corpus, all] = await Promise.all([listTextCorpus(this.fs), this.loadAll()]);
    for (const s of corpus.skipped) this.io.stderr(`marginalia: warning: ${s.reason}\n`);
    const present = new Set(corpus.documents);
    const missing = [...all.keys()].filter((d) => !present.has(d) && !corpus.skipped.some((s) => s.doc === d));
    const rows = [...corpus.documents.map((doc) => ({ doc, annotations: all.get(doc)?.length ?? 0, missing: false })), ...missing.map((doc) => ({ doc, annotations: all.get(doc)?.length ?? 0, missing: true }))];
    rows.sort((a, b) => (a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0));
    if (this.args.values.json) {
      this.io.stdout(JSON.stringify({ documents: rows, skipped: corpus.skipped }, null, 2) + '\n');
    } else {
      for (const r of rows) this.io.stdout(`${r.doc}  ${plural(r.annotations, 'annotation')}${r.missing ? '  (document not found; restore it with `marginalia restore`)' : ''}\n`);
    }
    return 0;
  }

  /** Writes a deleted document back from the snapshot its annotations were last anchored to. */
  async restore(): Promise<number> {
    const [docArg, ...extra] = this.args.positionals;
    if (!docArg || extra.length > 0) throw new UsageError('restore takes exactly one document');
    const doc = this.docPath(docArg);
    const annotations = await this.store.loadDoc(doc);
    const hash = await restoreDocument(this.store, doc, annotations);
    this.io.stdout(`restored ${doc} from snapshot ${hash}; run \`marginalia check --write\` to re-attach its ${plural(annotations.length, 'annotation')}\n`);
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
      this.io.stdout(`${current === undefined ? 'wrote' : 'updated'} ${shown}: ${missing.join('; ')}\n`);
    } else {
      this.io.stdout(`${shown} already has: ${GIT_ATTRIBUTES.join('; ')}\n`);
    }
    const driver = gitDriverCommand(process.execPath, binScript());
    const settings: [string, string][] = [
      ['merge.marginalia.name', 'Marginalia annotations'],
      ['merge.marginalia.driver', driver],
    ];
    for (const [key, value] of settings) {
      const r = spawnSync('git', ['config', '--local', key, value], { cwd: this.root, encoding: 'utf8' });
      if (r.status !== 0) throw new CliError(`git config ${key} failed: ${(r.stderr || r.error?.message || 'unknown error').trim().split('\n')[0]}`);
      this.io.stdout(`set git config ${key} = ${value}\n`);
    }
    this.io.stdout(`commit ${shown}; merge drivers are not shared by git, so each clone runs \`marginalia git-setup\` once\n`);
    return 0;
  }

  /**
   * git's merge driver protocol: %O %A %B %P. The result replaces the %A file; exit 0 means merged. Any failure exits
   * 1 with %A untouched, so git falls back to reporting a conflict and nothing is half-merged.
   */
  async mergeDriver(): Promise<number> {
    const [baseArg, oursArg, theirsArg, pathArg, ...extra] = this.args.positionals;
    if (theirsArg === undefined || extra.length > 0) throw new UsageError('merge-driver takes <base> <ours> <theirs> [<path>] (git passes %O %A %B %P)');
    const file = pathArg === undefined ? oursArg : sidecarFileOf(pathArg);
    const shown = pathArg ?? oursArg;
    try {
      const [base, ours, theirs] = await Promise.all([baseArg, oursArg, theirsArg].map((f) => readSidecarFile(path.resolve(this.io.cwd, f), file)));
      const result = mergeSidecarTexts(base, ours, theirs, file);
      await writeFileAtomic(path.resolve(this.io.cwd, oursArg), result.text);
      this.io.stderr(`marginalia: merged ${shown}: ${describeMerge(result.report)}\n`);
      return 0;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.io.stderr(`marginalia: could not merge ${shown}, so git reports a conflict: ${firstLine(message)}\n`);
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
        this.io.stdout('no sidecar has conflict markers or an unresolved git conflict\n');
        return 0;
      }
    }
    let failed = 0;
    let resolved = 0;
    for (const file of files) {
      try {
        const outcome = await this.resolveOne(file);
        if (outcome === undefined) {
          this.io.stdout(`${file}: no conflict markers and no unresolved git conflict, left as it is\n`);
          continue;
        }
        resolved++;
        const gone = outcome.result.annotations.length === 0 ? ' (nothing left: the sidecar is deleted)' : '';
        this.io.stdout(`resolved ${file} from ${outcome.source}: ${describeMerge(outcome.result.report)}${gone}\n`);
      } catch (e) {
        if (!(e instanceof SidecarError)) throw e;
        failed++;
        this.io.stderr(`marginalia: ${firstLine(e.message)}\n`);
      }
    }
    if (resolved > 0) this.io.stdout(`check the result, then \`git add\` (or \`git rm\`, for a deleted sidecar) what was resolved to mark it resolved\n`);
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
export const GIT_ATTRIBUTES = ['annotations/**/*.yaml merge=marginalia', 'snapshots/** -text'] as const;

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

/** The workspace-relative sidecar path inside a repository path (%P), whose .marginalia may sit in a subfolder;
 *  the path as given when it is not under .marginalia/annotations. */
function sidecarFileOf(repoPath: string): string {
  const p = repoPath.replace(/\\/g, '/');
  const marker = ANNOTATIONS_DIR + '/';
  if (p.startsWith(marker)) return p;
  const i = p.indexOf('/' + marker);
  return i === -1 ? p : p.slice(i + 1);
}

async function readSidecarFile(abs: string, file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(abs);
  } catch (e) {
    throw new SidecarError(file, 'io', `could not read ${abs}: ${(e as Error).message}`);
  }
  return decodeSidecarBytes(bytes, file);
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function checkJson(c: DocumentCheck): unknown {
  return {
    doc: c.doc,
    exists: c.exists,
    annotations: c.results.map((r) => ({ id: r.id, kind: r.annotation.kind, before: r.before, after: r.after ?? null, status: r.status, method: r.method, detail: r.detail })),
  };
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
