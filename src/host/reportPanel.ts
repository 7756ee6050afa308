// The agreement report: a webview with how far the coders of a folder agree (α_u and kappa per kind and per document,
// as a table and a bar chart), their disagreements (each a link that opens its passage), how often each coder used
// each kind in each document, and which kinds the same coder put on overlapping passages (a heat map). Every table
// exports as CSV through a save dialog. The figures are the core's (computeAgreement, as `marginalia agreement`
// computes them, codeFrequencies, kindCooccurrence); the charts are small hand-written SVG in the theme's colours.
// This file is a chunk of its own (dist/report.js), required at the first use of the command (agreementReport.ts). It
// imports only types from the core: the core functions it runs come in as parameters (ReportDeps), so no core module
// is bundled twice and no class exists in two copies.
import * as vscode from 'vscode';
import type { Annotation } from '../core/model';
import type { AgreementReport, CodeFrequencies, KindCooccurrence, codeFrequencies, computeAgreement, kindCooccurrence } from '../core/research';
import type { Codebook, WorkspaceFs } from '../core/store';

/** A workspace folder as the report needs it (the extension's FolderModel). */
export interface ReportFolder {
  readonly name: string;
  readonly fs: WorkspaceFs;
  readonly codebook: Codebook;
  allAnnotations(): Map<string, Annotation[]>;
  annotations(doc: string): Annotation[];
  liveDocument(doc: string): { text: string } | undefined;
  uri(doc: string): vscode.Uri;
}

/** What the report takes from the extension bundle: the core's functions (this chunk bundles no core code, so
 *  nothing is loaded twice and the figures are the very functions the CLI runs). */
export interface ReportDeps {
  computeAgreement: typeof computeAgreement;
  codeFrequencies: typeof codeFrequencies;
  kindCooccurrence: typeof kindCooccurrence;
  readDocument(fs: WorkspaceFs, doc: string): Promise<string | undefined>;
  formatCsvRecord(fields: readonly string[]): string;
  guardFormula(s: string): string;
  /** Tells the person (a warning); the command wrapper logs. */
  problem(message: string): Error;
  log: { info(m: string): void; warn(m: string): void };
}

export interface ReportPrompts {
  save(options: vscode.SaveDialogOptions): Thenable<vscode.Uri | undefined>;
}

/** Everything the report shows, computed once per refresh. */
export interface ReportData {
  folder: string;
  coders: string[];
  agreement: AgreementReport;
  frequencies: CodeFrequencies;
  cooccurrence: KindCooccurrence;
  /** Documents left out because their file is gone. */
  missing: string[];
}

export type TableName = 'kinds' | 'attributes' | 'documents' | 'disagreements' | 'frequencies' | 'cooccurrence';

/** Messages the webview sends. */
export type ReportMessage = { type: 'open'; doc: string; start: number; end: number } | { type: 'export'; table: TableName } | { type: 'refresh' };

/** The numbers of one folder: the agreement of every coder of the documents with annotations, as the CLI counts them. */
export async function computeReportData(folder: ReportFolder, deps: ReportDeps): Promise<ReportData> {
  const all = folder.allAnnotations();
  const docs = [...all.keys()].sort();
  const documents: { path: string; length: number }[] = [];
  const annotations: Annotation[] = [];
  const missing: string[] = [];
  for (const doc of docs) {
    const text = folder.liveDocument(doc)?.text ?? (await deps.readDocument(folder.fs, doc));
    if (text === undefined) {
      missing.push(doc);
      continue;
    }
    documents.push({ path: doc, length: text.length });
    annotations.push(...folder.annotations(doc));
  }
  const coders = [...new Set(docs.flatMap((d) => (all.get(d) ?? []).map((a) => a.provenance.author)))].sort();
  if (coders.length < 2)
    throw deps.problem(
      `The agreement report compares at least two coders, and ${coders.length === 0 ? 'no one has' : `only ${coders[0] || '(no author)'} has`} annotated ${folder.name}. ` +
        'Each coder tags under their own name (setting marginalia.author).',
    );
  const agreement = deps.computeAgreement({ documents, annotations, coders, codebook: folder.codebook });
  const kinds = Object.keys(agreement.kinds);
  return {
    folder: folder.name,
    coders,
    agreement,
    frequencies: deps.codeFrequencies(annotations, { coders, kinds }),
    cooccurrence: deps.kindCooccurrence(annotations, { coders, kinds }),
    missing,
  };
}

const fmt = (x: number | null): string => (x === null ? '–' : x.toFixed(3));

/** A table of the report: its header and rows of plain text (as shown, and as exported). */
export function reportTable(data: ReportData, name: TableName): { header: string[]; rows: string[][] } {
  const r = data.agreement;
  switch (name) {
    case 'kinds':
      return {
        header: ['Kind', 'α_u', 'kappa'],
        rows: [...Object.entries(r.kinds).map(([k, f]) => [k, fmt(f.alphaU), fmt(f.kappa)]), ['all kinds', fmt(r.overall.alphaU), fmt(r.overall.kappa)]],
      };
    case 'attributes':
      return {
        header: ['Kind', 'Attribute', 'level', 'alpha'],
        rows: Object.entries(r.kinds).flatMap(([k, f]) => Object.entries(f.attributes).map(([a, x]) => [k, a, x.level, fmt(x.alpha)])),
      };
    case 'documents':
      return { header: ['Document', 'α_u', 'kappa'], rows: Object.entries(r.documents).map(([d, f]) => [d, fmt(f.alphaU), fmt(f.kappa)]) };
    case 'disagreements':
      return {
        header: ['Document', 'Start', 'End', 'Kind', 'Type', ...r.coders],
        rows: r.disagreements.map((d) => [
          d.doc,
          String(d.start),
          String(d.end),
          d.kind,
          d.type,
          ...r.coders.map((c) => (d.coders[c] ?? []).map((a) => `${a.kind} ${a.target.start}-${a.target.end}`).join('; ')),
        ]),
      };
    case 'frequencies': {
      const { kinds, rows } = data.frequencies;
      const byRow = new Map<string, { doc: string; coder: string; counts: number[] }>();
      for (const x of rows) {
        const key = JSON.stringify([x.doc, x.coder]);
        let row = byRow.get(key);
        if (!row) byRow.set(key, (row = { doc: x.doc, coder: x.coder, counts: kinds.map(() => 0) }));
        row.counts[kinds.indexOf(x.kind)] = x.count;
      }
      return { header: ['Document', 'Coder', ...kinds], rows: [...byRow.values()].map((x) => [x.doc, x.coder, ...x.counts.map(String)]) };
    }
    case 'cooccurrence': {
      const { kinds, counts } = data.cooccurrence;
      return { header: ['Kind', ...kinds], rows: kinds.map((k, i) => [k, ...counts[i].map(String)]) };
    }
  }
}

/** The CSV of a table (RFC 4180; text that looks like a formula guarded as in the CSV export, numbers left numbers). */
export function tableCsv(data: ReportData, name: TableName, deps: Pick<ReportDeps, 'formatCsvRecord' | 'guardFormula'>): string {
  const t = reportTable(data, name);
  const cell = (c: string): string => (/^-?\d+(\.\d+)?$/.test(c) ? c : deps.guardFormula(c));
  return [t.header, ...t.rows].map((r) => deps.formatCsvRecord(r.map(cell))).join('');
}

/** The webview panel of one folder's report. */
export class ReportPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  data: ReportData | undefined;
  html = '';
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Annotations changed since the figures were computed. */
  private stale = false;

  constructor(
    readonly folder: ReportFolder,
    private readonly deps: ReportDeps,
    /** Replaceable by tests; read at each export. */
    private readonly prompts: () => ReportPrompts,
    onDidChange: vscode.Event<unknown>,
  ) {
    this.panel = vscode.window.createWebviewPanel('marginalia.agreementReport', `Agreement: ${folder.name}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
      retainContextWhenHidden: false,
    });
    this.subscriptions.push(
      this.panel.webview.onDidReceiveMessage((m: ReportMessage) => void this.handle(m).catch((e: Error) => void vscode.window.showWarningMessage(e.message))),
      // The figures follow the annotations; a hidden report is redrawn when it shows again (a redraw scrolls to the top).
      onDidChange(() => {
        this.stale = true;
        if (this.panel.visible) this.refreshSoon();
      }),
      this.panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible && this.stale) this.refreshSoon();
      }),
    );
    this.panel.onDidDispose(() => this.dispose());
  }

  private refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch((e: Error) => this.deps.log.warn(e.message)), 500);
  }

  /** Computes the figures again and redraws. */
  async refresh(): Promise<ReportData> {
    this.stale = false;
    const data = await computeReportData(this.folder, this.deps);
    this.data = data;
    this.html = renderReport(data, this.panel.webview.cspSource, nonce());
    this.panel.webview.html = this.html;
    return data;
  }

  /** What the webview asks for: open a passage, export a table, refresh. Returns the file written by an export. */
  async handle(m: ReportMessage): Promise<vscode.Uri | undefined> {
    if (m.type === 'refresh') {
      await this.refresh();
      return undefined;
    }
    if (m.type === 'open') {
      const document = await vscode.workspace.openTextDocument(this.folder.uri(m.doc));
      const range = new vscode.Range(document.positionAt(m.start), document.positionAt(m.end));
      const editor = await vscode.window.showTextDocument(document, {
        viewColumn: vscode.ViewColumn.Beside,
        selection: new vscode.Selection(range.start, range.end),
      });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return undefined;
    }
    const data = this.data ?? (await this.refresh());
    const csv = tableCsv(data, m.table, this.deps);
    const target = await this.prompts().save({
      title: `Export the ${TITLES[m.table]} table as CSV`,
      defaultUri: this.folder.uri(`agreement-${m.table}.csv`),
      filters: { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!target) return undefined;
    await writeAtomic(target, new TextEncoder().encode(csv));
    this.deps.log.info(`exported the ${m.table} table of the agreement report to ${target.toString(true)}`);
    void vscode.window.showInformationMessage(`Exported the ${TITLES[m.table]} table to ${vscode.workspace.asRelativePath(target)}.`);
    return target;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.panel.dispose();
  }
}

/** A temporary file beside the target, then a rename over it: a reader never sees half a CSV. */
async function writeAtomic(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const name = target.path.slice(target.path.lastIndexOf('/') + 1);
  const tmp = target.with({ path: `${target.path.slice(0, target.path.lastIndexOf('/') + 1)}.${name}.${Date.now().toString(36)}.tmp` });
  await vscode.workspace.fs.writeFile(tmp, bytes);
  try {
    await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
  } catch (e) {
    await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
    throw e;
  }
}

const TITLES: Record<TableName, string> = {
  kinds: 'agreement by kind',
  attributes: 'attribute agreement',
  documents: 'agreement by document',
  disagreements: 'disagreements',
  frequencies: 'code frequencies',
  cooccurrence: 'co-occurrence',
};

function nonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page: the figures as tables and SVG charts, styled with the theme's --vscode-* colours. */
export function renderReport(data: ReportData, cspSource: string, nonceValue: string): string {
  const r = data.agreement;
  const kappaName = r.kappaMethod === 'cohen' ? 'Cohen’s kappa' : 'Fleiss’ kappa';
  const docs = Object.keys(r.documents);
  const sections: string[] = [];
  sections.push(
    `<h1>Agreement of ${esc(r.coders.join(', '))}</h1>`,
    `<p class="lead">${esc(data.folder)}: ${docs.length} document${docs.length === 1 ? '' : 's'} compared. ` +
      `α_u is Krippendorff’s unitized alpha (where the passages of each kind lie); kappa is ${kappaName} per code unit. ` +
      `<span class="overall">All kinds: α_u <b data-figure="overall-alphaU">${fmt(r.overall.alphaU)}</b>, kappa <b>${fmt(r.overall.kappa)}</b></span>. ` +
      `${r.agreed} passage${r.agreed === 1 ? '' : 's'} agreed, ${r.disagreements.length} disagreement${r.disagreements.length === 1 ? '' : 's'}.` +
      `<button class="link" data-refresh>Refresh</button></p>`,
  );
  if (r.notCompared.length > 0) sections.push(`<p class="note">Not compared (not annotated by every coder): ${esc(r.notCompared.join(', '))}</p>`);
  if (data.missing.length > 0) sections.push(`<p class="note">Left out, their files are gone: ${esc(data.missing.join(', '))}</p>`);

  sections.push(
    section(
      'kinds',
      'Agreement by kind',
      barChart(
        Object.entries(r.kinds).map(([k, f]) => ({ label: k, value: f.alphaU })),
        'α_u by kind',
      ),
      table(data, 'kinds'),
    ),
  );
  if (reportTable(data, 'attributes').rows.length > 0)
    sections.push(section('attributes', 'Attribute agreement (Krippendorff’s alpha)', '', table(data, 'attributes')));
  sections.push(
    section(
      'documents',
      'Agreement by document',
      barChart(
        Object.entries(r.documents).map(([d, f]) => ({ label: d, value: f.alphaU })),
        'α_u by document',
      ),
      table(data, 'documents'),
    ),
  );
  sections.push(section('disagreements', 'Disagreements', '', disagreementsTable(data)));
  sections.push(section('frequencies', 'Code frequencies by document and coder', '', table(data, 'frequencies')));
  sections.push(
    section(
      'cooccurrence',
      'Co-occurrence of kinds (one coder’s overlapping passages; the diagonal counts the annotations)',
      heatMap(data.cooccurrence),
      table(data, 'cooccurrence'),
    ),
  );

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${cspSource} 'nonce-${nonceValue}'; script-src 'nonce-${nonceValue}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agreement report</title>
<style nonce="${nonceValue}">${STYLE}</style></head>
<body>${sections.join('\n')}
<script nonce="${nonceValue}">${SCRIPT}</script></body></html>`;
}

function section(name: TableName, title: string, chart: string, body: string): string {
  return `<section id="${name}"><h2>${esc(title)} <button data-export="${name}" title="Save this table as a CSV file">Export CSV</button></h2>${chart}${body}</section>`;
}

function table(data: ReportData, name: TableName): string {
  const t = reportTable(data, name);
  if (t.rows.length === 0) return '<p class="note">Nothing to show.</p>';
  const numeric = (c: string): boolean => /^(-?\d+(\.\d+)?|–)$/.test(c);
  const cell = (c: string, i: number): string => `<td${i > 0 && numeric(c) ? ' class="num"' : ''}>${esc(c)}</td>`;
  return (
    `<table data-table="${name}"><thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

function disagreementsTable(data: ReportData): string {
  const r = data.agreement;
  if (r.disagreements.length === 0) return '<p class="note">The coders agree everywhere they tagged.</p>';
  const head = ['Passage', 'Kind', 'Type', ...r.coders];
  const rows = r.disagreements.map((d) => {
    const quote = Object.values(d.coders)
      .flat()
      .reduce((best, a) => (a.target.quote.exact.length > best.length ? a.target.quote.exact : best), '');
    const shortQuote = quote.replace(/\s+/g, ' ').trim();
    const link = `<a href="#" data-open="${esc(JSON.stringify({ doc: d.doc, start: d.start, end: d.end }))}">${esc(d.doc)} ${d.start}–${d.end}</a>`;
    const sides = r.coders.map((c) => `<td>${esc((d.coders[c] ?? []).map((a) => `${a.kind} ${a.target.start}–${a.target.end}`).join('; ') || '–')}</td>`);
    return `<tr><td>${link}<div class="quote">${esc(shortQuote.length > 90 ? shortQuote.slice(0, 89) + '…' : shortQuote)}</div></td><td>${esc(d.kind)}</td><td>${esc(d.type)}</td>${sides.join('')}</tr>`;
  });
  return `<table data-table="disagreements"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Horizontal bars from 0 (α can be negative: those bars go left, in the error colour); undefined values say so. */
function barChart(items: { label: string; value: number | null }[], title: string): string {
  if (items.length === 0) return '';
  const labelW = Math.min(260, 12 + 7 * Math.max(...items.map((i) => i.label.length)));
  const barW = 320;
  const rowH = 22;
  const values = items.map((i) => i.value ?? 0);
  const min = Math.min(0, ...values);
  const span = 1 - min || 1;
  const x0 = labelW + ((0 - min) / span) * barW;
  const h = items.length * rowH + 24;
  const w = labelW + barW + 60;
  const rows = items.map((it, i) => {
    const y = i * rowH + 4;
    const label = it.label.length > 36 ? it.label.slice(0, 35) + '…' : it.label;
    const text = `<text class="label" x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(label)}</text>`;
    if (it.value === null) return `${text}<text class="na" x="${x0 + 4}" y="${y + 14}">undefined</text>`;
    const x = (it.value >= 0 ? x0 : x0 + (it.value / span) * barW).toFixed(1);
    const bw = ((Math.abs(it.value) / span) * barW).toFixed(1);
    return (
      `${text}<rect class="${it.value >= 0 ? 'bar' : 'bar neg'}" x="${x}" y="${y + 2}" width="${bw}" height="${rowH - 8}"><title>${esc(it.label)}: ${fmt(it.value)}</title></rect>` +
      `<text class="value" x="${(it.value >= 0 ? x0 + Number(bw) : x0) + 4}" y="${y + 14}">${fmt(it.value)}</text>`
    );
  });
  const axis = `<line class="axis" x1="${x0}" y1="0" x2="${x0}" y2="${h - 20}"/><line class="axis faint" x1="${labelW + barW}" y1="0" x2="${labelW + barW}" y2="${h - 20}"/>
<text class="tick" x="${x0}" y="${h - 6}" text-anchor="middle">0</text><text class="tick" x="${labelW + barW}" y="${h - 6}" text-anchor="middle">1</text>`;
  return `<svg class="chart" role="img" aria-label="${esc(title)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${axis}${rows.join('')}</svg>`;
}

/** The co-occurrence matrix as a heat map: each cell's opacity is its count over the largest off-diagonal count. */
function heatMap(m: KindCooccurrence): string {
  const n = m.kinds.length;
  if (n === 0) return '';
  const cell = 40;
  const labelW = Math.min(200, 12 + 7 * Math.max(...m.kinds.map((k) => k.length)));
  let max = 0;
  m.counts.forEach((row, i) => row.forEach((c, j) => i !== j && (max = Math.max(max, c))));
  const parts: string[] = [];
  m.kinds.forEach((k, i) => {
    parts.push(`<text class="label" x="${labelW - 6}" y="${labelW + i * cell + cell / 2 + 4}" text-anchor="end">${esc(k)}</text>`);
    parts.push(`<text class="label" transform="translate(${labelW + i * cell + cell / 2 + 4},${labelW - 6}) rotate(-60)" text-anchor="start">${esc(k)}</text>`);
    m.counts[i].forEach((c, j) => {
      const x = labelW + j * cell;
      const y = labelW + i * cell;
      const diagonal = i === j;
      const opacity = diagonal ? 0 : max === 0 ? 0 : 0.15 + (0.85 * c) / max;
      parts.push(
        `<rect class="${diagonal ? 'cell diag' : 'cell'}" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill-opacity="${opacity.toFixed(3)}"><title>${esc(m.kinds[i])} × ${esc(m.kinds[j])}: ${c}</title></rect>`,
        `<text class="count" x="${x + cell / 2 - 1}" y="${y + cell / 2 + 4}" text-anchor="middle">${c}</text>`,
      );
    });
  });
  const size = labelW + n * cell + 4;
  return `<svg class="chart" role="img" aria-label="co-occurrence of kinds" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">${parts.join('')}</svg>`;
}

const STYLE = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 20px 40px; }
h1 { font-size: 1.5em; font-weight: 600; } h2 { font-size: 1.15em; font-weight: 600; margin-top: 2em; display: flex; align-items: center; gap: 12px; }
.lead { color: var(--vscode-descriptionForeground); max-width: 60em; line-height: 1.5; } .overall { color: var(--vscode-foreground); }
.note { color: var(--vscode-descriptionForeground); font-style: italic; }
table { border-collapse: collapse; margin: 8px 0; } th, td { text-align: left; padding: 3px 10px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, #8884)); vertical-align: top; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:hover { background: var(--vscode-list-hoverBackground); }
a { color: var(--vscode-textLink-foreground); text-decoration: none; } a:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
.quote { color: var(--vscode-descriptionForeground); font-size: 0.9em; max-width: 40em; }
button { font: inherit; font-size: 0.85em; font-weight: normal; color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 10px; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); } button:focus { outline: 1px solid var(--vscode-focusBorder); }
button.link { margin-left: 10px; }
svg.chart { display: block; margin: 8px 0; overflow: visible; } svg text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-font-family); }
svg .bar { fill: var(--vscode-charts-blue); } svg .bar.neg { fill: var(--vscode-charts-red); } svg .value, svg .tick, svg .na { fill: var(--vscode-descriptionForeground); }
svg .axis { stroke: var(--vscode-foreground); stroke-opacity: 0.6; } svg .axis.faint { stroke-dasharray: 3 3; stroke-opacity: 0.3; }
svg .cell { fill: var(--vscode-charts-orange); stroke: var(--vscode-panel-border, #8884); } svg .cell.diag { fill: none; stroke-dasharray: 2 2; }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const el = e.target instanceof Element ? e.target.closest('[data-open],[data-export],[data-refresh]') : null;
  if (!el) return;
  e.preventDefault();
  if (el.hasAttribute('data-open')) vscode.postMessage({ type: 'open', ...JSON.parse(el.getAttribute('data-open')) });
  else if (el.hasAttribute('data-export')) vscode.postMessage({ type: 'export', table: el.getAttribute('data-export') });
  else vscode.postMessage({ type: 'refresh' });
});
`;
