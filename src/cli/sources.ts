// `marginalia add-source`, `check-sources` and `import-hypothesis`: sources captured with their provenance, checked
// against their originals, and Hypothesis annotations brought onto them. The work is src/core/capture's.
import * as path from 'node:path';
import {
  addSource,
  applyHypothesisImport,
  captureSource,
  checkSources,
  describeHypothesisImport,
  fetchSource,
  isUrl,
  parseHypothesis,
  planHypothesisImport,
  type SourceInput,
} from '../core/capture';
import { listCorpus, type AnnotationStore, type WorkspaceFs } from '../core/store';
import { asUserError, UserError } from '../core/model';
import { NotRegularFileError, readRegularFile } from '../node';
import { UsageError } from './args';

export interface SourcesContext {
  fs: WorkspaceFs;
  store: AnnotationStore;
  positionals: readonly string[];
  values: { to?: string; kind?: string; json?: boolean };
  cwd: string;
  say(line: string): void;
  json(value: unknown): void;
  author(): string;
}

async function readInput(file: string, shown: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(file);
  } catch (e) {
    if (e instanceof NotRegularFileError) throw new UserError(e.message);
    throw asUserError(e) ?? new UserError(`cannot read ${shown}: ${(e as Error).message}`);
  }
}

export async function addSourceCommand(ctx: SourcesContext): Promise<number> {
  const [arg, ...extra] = ctx.positionals;
  if (!arg || extra.length > 0) throw new UsageError('add-source takes exactly one file or URL');
  let input: SourceInput;
  if (isUrl(arg)) input = await fetchSource(arg);
  else {
    const file = path.resolve(ctx.cwd, arg);
    input = { bytes: await readInput(file, arg), name: file };
  }
  const captured = await captureSource(input, { retrieved: new Date().toISOString() });
  const added = await addSource(ctx.fs, captured, input.bytes, ctx.values.to ?? 'sources');
  const fields = Object.fromEntries(captured.fields);
  if (ctx.values.json) ctx.json({ doc: added.doc, existed: added.existed, original: added.original, format: captured.format, fields });
  else if (added.existed) ctx.say(`${added.doc} already holds this source (the same SHA-256); nothing was changed`);
  else ctx.say(`added ${added.doc} (${captured.format}${fields.title ? `, "${fields.title}"` : ''}); original kept as ${added.original}`);
  return 0;
}

export async function checkSourcesCommand(ctx: SourcesContext): Promise<number> {
  if (ctx.positionals.length > 0) throw new UsageError('check-sources takes no arguments');
  const results = await checkSources(ctx.fs, await listCorpus(ctx.fs));
  const bad = results.filter((r) => r.status !== 'ok');
  if (ctx.values.json) ctx.json(results);
  else {
    for (const r of bad) ctx.say(r.message);
    ctx.say(
      `${results.length} captured source${results.length === 1 ? '' : 's'} checked: ${results.length - bad.length} give the same text from their original, ${bad.length} do not`,
    );
  }
  return bad.length > 0 ? 1 : 0;
}

export async function importHypothesisCommand(ctx: SourcesContext): Promise<number> {
  const [arg, ...extra] = ctx.positionals;
  if (!arg || extra.length > 0) throw new UsageError('import-hypothesis takes exactly one JSON file');
  const bytes = await readInput(path.resolve(ctx.cwd, arg), arg);
  const items = parseHypothesis(new TextDecoder().decode(bytes), arg);
  const plan = await planHypothesisImport(ctx.store, await listCorpus(ctx.fs), items, { kind: ctx.values.kind, now: new Date(), author: ctx.author() });
  await applyHypothesisImport(ctx.store, plan);
  if (ctx.values.json)
    ctx.json({
      anchored: plan.anchored,
      duplicates: plan.duplicates,
      defaultKind: plan.defaultKind,
      documents: plan.documents.map((d) => ({ doc: d.doc, ids: d.add.map((a) => a.id) })),
      unanchored: plan.unanchored,
    });
  else for (const line of describeHypothesisImport(plan)) ctx.say(line);
  return 0;
}
