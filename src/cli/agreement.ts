// `marginalia agreement [DOC…] [--kind K]… [--coders A,B,…] [--json]`: how far the coders agree, per kind, per
// document and over the corpus (α_u, kappa, attribute alpha) and where they disagree. The figures come from
// computeAgreement in the core; this file gathers its input from the workspace and prints the result.
import { plural, type Annotation } from '../core/model';
import { computeAgreement, type AgreementDocument, type AgreementReport, type Disagreement, type KindFigures } from '../core/research';
import type { Codebook } from '../core/store';
import { UsageError } from './args';

/** What the command needs from the CLI's context (main.ts builds it). */
export interface AgreementIo {
  positionals: readonly string[];
  kinds: readonly string[];
  coders: string | undefined;
  asJson: boolean;
  /** A document argument as a workspace-relative path; throws for one outside the workspace or not in the corpus. */
  docPath(arg: string): string;
  /** Every sidecar's annotations, by document. */
  loadAll(): Promise<Map<string, Annotation[]>>;
  /** The document's annotations at their positions in its current text (re-anchored in memory where it changed). */
  current(doc: string, stored: Annotation[]): Promise<Annotation[]>;
  /** The document's text, or undefined when the file is gone. */
  text(doc: string): Promise<string | undefined>;
  codebook(): Promise<Codebook>;
  say(line: string): void;
  warn(line: string): void;
  json(value: unknown): void;
  /** Builds the error a person reads (one line, exit 2). */
  fail(message: string): Error;
}

export async function agreementCommand(io: AgreementIo): Promise<number> {
  const all = await io.loadAll();
  const named = [...new Set(io.positionals.map((p) => io.docPath(p)))];
  const docs = named.length > 0 ? named : [...all.keys()].sort();
  const texts = new Map<string, string>();
  for (const doc of docs) {
    const text = await io.text(doc);
    if (text !== undefined) texts.set(doc, text);
    else if (named.includes(doc)) throw io.fail(`document ${doc} not found (marginalia docs lists the corpus)`);
  }

  // Every coder in the workspace, for defaults and for naming the known ones in an error.
  const everyone = new Set<string>();
  for (const list of all.values()) for (const a of list) everyone.add(a.provenance.author);
  const known = [...everyone].sort();

  let coders: string[];
  if (io.coders !== undefined) {
    coders = [...new Set(io.coders.split(',').map((c) => c.trim()))].filter((c) => c !== '');
    const unknown = coders.filter((c) => !everyone.has(c));
    if (unknown.length > 0) {
      throw io.fail(
        `no annotation in this workspace is by ${unknown.map((c) => `"${c}"`).join(', ')}; ${known.length > 0 ? `the coders are ${known.join(', ')}` : 'there are no annotations yet'}`,
      );
    }
    if (coders.length < 2)
      throw new UsageError(`--coders needs at least two coders, separated by commas (e.g. --coders ${known.slice(0, 2).join(',') || 'ann,bob'})`);
  } else {
    const inDocs = new Set<string>();
    for (const d of docs) for (const a of all.get(d) ?? []) inDocs.add(a.provenance.author);
    coders = [...inDocs].sort();
    if (coders.length < 2) {
      throw io.fail(
        `agreement compares at least two coders, and ${coders.length === 0 ? 'no one has' : `only ${coders[0]} has`} annotated ${named.length > 0 ? 'these documents' : 'this workspace'}; ` +
          'each coder tags with their own name (--author NAME, MARGINALIA_AUTHOR or the marginalia.author setting)',
      );
    }
  }

  const codebook = await io.codebook();
  const used = new Set<string>();
  for (const list of all.values()) for (const a of list) used.add(a.kind);
  const kinds = [...new Set(io.kinds)];
  for (const k of kinds) {
    if (!used.has(k) && !codebook.kinds.some((d) => d.name === k)) {
      throw io.fail(`unknown kind "${k}" (kinds: ${[...new Set([...codebook.kinds.map((d) => d.name), ...used])].join(', ')})`);
    }
  }

  const documents: AgreementDocument[] = [];
  const annotations: Annotation[] = [];
  for (const doc of docs) {
    const text = texts.get(doc);
    if (text === undefined) {
      io.warn(`${doc} is gone, so its annotations are not compared; restore it with \`marginalia restore ${doc}\``);
      continue;
    }
    documents.push({ path: doc, length: text.length });
    annotations.push(...(await io.current(doc, all.get(doc) ?? [])));
  }

  const report = computeAgreement({ documents, annotations, coders, kinds: kinds.length > 0 ? kinds : undefined, codebook });
  if (io.asJson) io.json(reportJson(report));
  else for (const line of reportLines(report)) io.say(line);
  return 0;
}

/** The JSON of `--json`: null where a figure is undefined; offsets in UTF-16 code units. */
export function reportJson(r: AgreementReport): unknown {
  return {
    coders: r.coders,
    overall: r.overall,
    kinds: r.kinds,
    documents: r.documents,
    disagreements: r.disagreements.map((d) => ({
      doc: d.doc,
      kind: d.kind,
      type: d.type,
      start: d.start,
      end: d.end,
      coders: Object.fromEntries(
        Object.entries(d.coders).map(([c, list]) => [
          c,
          list.map((a) => ({ id: a.id, kind: a.kind, start: a.target.start, end: a.target.end, quote: a.target.quote.exact, attributes: a.attributes })),
        ]),
      ),
    })),
    notCompared: r.notCompared,
  };
}

const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));

/** The readable report: tables of α_u and kappa per kind and per document, attribute alpha, then the disagreements. */
export function reportLines(r: AgreementReport): string[] {
  const lines: string[] = [];
  const docs = Object.keys(r.documents);
  const kappaName = r.kappaMethod === 'cohen' ? 'Cohen’s kappa' : 'Fleiss’ kappa';
  lines.push(
    `Agreement of ${r.coders.slice(0, -1).join(', ')} and ${r.coders[r.coders.length - 1]} on ${plural(docs.length, 'document')} (α_u: Krippendorff’s unitized alpha; kappa: ${kappaName} per code unit)`,
  );
  if (docs.length === 0) {
    lines.push('', 'No document has annotations by every one of these coders, so there is nothing to compare.');
  }
  const kinds = Object.keys(r.kinds);
  if (docs.length > 0 && kinds.length > 0) {
    lines.push('');
    lines.push(...table(['Kind', 'α_u', 'kappa'], [...kinds.map((k) => [k, ...figureCells(r.kinds[k])]), ['all kinds', ...figureCells(r.overall)]]));
    const attributes = kinds.flatMap((k) => Object.entries(r.kinds[k].attributes).map(([f, a]) => [`${k}.${f}`, a.level, fmt(a.alpha)]));
    if (attributes.length > 0) {
      lines.push('', ...table(['Attribute', 'level', 'alpha'], attributes));
    }
    lines.push(
      '',
      ...table(
        ['Document', 'α_u', 'kappa'],
        docs.map((d) => [d, ...figureCells(r.documents[d])]),
      ),
    );
  }
  if (r.notCompared.length > 0) {
    lines.push('', `Not compared (not annotated by every coder): ${r.notCompared.join(', ')}`);
  }
  if (docs.length > 0) {
    lines.push('');
    const byType = new Map<string, number>();
    for (const d of r.disagreements) byType.set(d.type, (byType.get(d.type) ?? 0) + 1);
    const counts = [...byType].map(([t, n]) => `${n} ${t}`).join(', ');
    lines.push(
      `${plural(r.agreed, 'passage')} agreed, ${plural(r.disagreements.length, 'disagreement')}${counts ? ` (${counts})` : ''}${r.disagreements.length > 0 ? ':' : ''}`,
    );
    for (const d of r.disagreements) lines.push(disagreementLine(d));
  }
  return lines;
}

function figureCells(f: KindFigures): string[] {
  return [fmt(f.alphaU), fmt(f.kappa)];
}

function disagreementLine(d: Disagreement): string {
  const sides = Object.entries(d.coders).map(([c, list]) =>
    list.length === 0 ? `${c}: –` : `${c}: ${list.map((a) => `${a.kind} ${a.target.start}-${a.target.end}${attributeText(a)}`).join('; ')}`,
  );
  return `  ${d.doc} ${d.start}-${d.end} ${d.kind} ${d.type}  ${sides.join('  ')}`;
}

function attributeText(a: Annotation): string {
  const entries = Object.entries(a.attributes);
  return entries.length === 0 ? '' : ` {${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

/** Left-aligned columns, the numbers right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
