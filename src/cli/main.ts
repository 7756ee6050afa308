// `marginalia`: the core, headless, for pipelines. User errors print one line on stderr and exit non-zero.
import * as path from 'node:path';
import * as fsp from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { USAGE, UsageError, attrOptions, intOption, parseCommandLine, type ParsedArgs } from './args';
import { NodeWorkspaceFs, writeFileAtomic } from '../core/nodeFs';
import { AnnotationStore } from '../core/store';
import { AnnotationInputError, createAnnotation } from '../core/annotate';
import { NotTextError, readDocument } from '../core/corpus';
import { PathError, toRelPath } from '../core/paths';
import { checkCorpus, checkDocument, summarise, writeCheck, type DocumentCheck } from '../core/check';
import { exportYaml, parseExportYaml } from '../core/yamlExport';
import { findKind } from '../core/codebook';
import type { Annotation } from '../core/model';

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
    }
    throw new UsageError(`unknown command ${args.command}`);
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: CliIo): number {
  const known = e instanceof UsageError || e instanceof CliError || e instanceof AnnotationInputError || e instanceof PathError || e instanceof NotTextError;
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

  constructor(
    readonly args: ParsedArgs,
    readonly root: string,
    readonly io: CliIo,
  ) {
    this.fs = new NodeWorkspaceFs(root);
    this.store = new AnnotationStore(this.fs);
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

  /** Loads every sidecar; broken ones are reported on stderr and skipped, as the rest still loads. */
  async loadAll(): Promise<Map<string, Annotation[]>> {
    const { docs, errors } = await this.store.loadAll();
    for (const e of errors) this.io.stderr(`marginalia: warning: ${e.message}\n`);
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
    const checks = await checkCorpus(this.store, this.fs, all);
    const summary = summarise(checks);
    let written = 0;
    if (this.args.values.write) {
      for (const c of checks) written += await writeCheck(this.store, c, c.exists ? await readDocument(this.fs, c.doc) : undefined);
    }
    if (this.args.values.json) {
      this.io.stdout(JSON.stringify({ documents: checks.map(checkJson), summary, written }, null, 2) + '\n');
    } else {
      for (const c of checks) this.printCheck(c);
      this.io.stdout(
        `${summary.annotations} annotations in ${summary.documents} documents: ${summary.unchanged} unchanged, ${summary.reanchored} re-anchored, ${summary.orphaned} orphaned` +
          (this.args.values.write ? `; ${written} saved` : summary.reanchored + summary.orphaned > 0 ? ' (not saved; run with --write to save)' : '') +
          '\n',
      );
    }
    return summary.orphaned > 0 ? 1 : 0;
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
    const format = this.args.values.format ?? 'yaml';
    if (format !== 'yaml') throw new UsageError(`unknown export format "${format}" (formats: yaml)`);
    const all = await this.loadAll();
    const docs = this.args.positionals.length > 0 ? this.args.positionals.map((d) => this.docPath(d)) : [...all.keys()].sort();
    const documents = [];
    for (const doc of docs) {
      const text = await readDocument(this.fs, doc);
      if (text === undefined && !all.has(doc)) throw new CliError(`document ${doc} not found and has no annotations`);
      documents.push({ path: doc, text, annotations: all.get(doc) ?? [] });
    }
    const out = exportYaml({ documents });
    if (this.args.values.out) {
      const file = path.resolve(this.io.cwd, this.args.values.out);
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, out);
      const n = documents.reduce((s, d) => s + d.annotations.length, 0);
      this.io.stderr(`exported ${n} annotations of ${documents.length} documents to ${file}\n`);
    } else {
      this.io.stdout(out);
    }
    return 0;
  }

  async import(): Promise<number> {
    const [fileArg, ...extra] = this.args.positionals;
    if (!fileArg || extra.length > 0) throw new UsageError('import takes exactly one file');
    const file = path.resolve(this.io.cwd, fileArg);
    const source = await fsp.readFile(file, 'utf8').catch(() => {
      throw new CliError(`cannot read ${file}`);
    });
    const imported = parseExportYaml(source, fileArg);
    let added = 0;
    let orphaned = 0;
    for (const d of imported) {
      const text = await readDocument(this.fs, d.path);
      // Imported annotations come without snapshots: re-anchor them now, against this workspace's text.
      const check = await checkDocument(this.store, d.path, d.annotations, text);
      if (text !== undefined && d.hash !== undefined && d.hash === check.hash) await this.store.putSnapshot(text);
      const annotations = check.results.map((r) => r.annotation);
      orphaned += annotations.filter((a) => a.anchor.status === 'orphaned').length;
      await this.store.update(d.path, { upsert: annotations });
      added += annotations.length;
      if (text === undefined) this.io.stderr(`marginalia: warning: ${d.path} is not in this workspace; its ${annotations.length} annotations are kept as orphans\n`);
    }
    this.io.stdout(`imported ${added} annotations of ${imported.length} documents from ${fileArg}${orphaned ? ` (${orphaned} orphaned)` : ''}\n`);
    return 0;
  }
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
