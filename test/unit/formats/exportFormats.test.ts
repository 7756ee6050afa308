import * as assert from 'node:assert/strict';
import { EXPORT_FORMATS, exportFolderRefusal, exportFormat, mayExportInto, renderExport } from '../../../src/core/formats';
import { EXPORT_MARKER, listCorpus } from '../../../src/core/store';
import { MemoryFs } from '../../support/memoryFs';
import { createAnnotation } from '../../../src/core/model';
import { parseExportYaml } from '../../../src/core/formats';
import { parseCsv } from '../../../src/core/formats';
import { parseW3c } from '../../../src/core/formats';
import { parseBrat } from '../../../src/core/formats';
import { defaultCodebook, findKind } from '../../../src/core/store';
import { figureOfAnnotation, formatFigure, type NormalisedFigure } from '../../../src/core/research';

const text = 'Article Source: TMTPOST\nPutin said 80% of it.';
const a = createAnnotation(
  text,
  { doc: 'a.txt', kind: 'figure', start: text.indexOf('80%'), end: text.indexOf('80%') + 3, author: 'x', attributes: { value: 80, unit: '%' } },
  {
    name: 'figure',
    attributes: [
      { name: 'value', type: 'number' },
      { name: 'unit', type: 'string' },
    ],
  },
  new Date('2026-11-23T10:00:00Z'),
);
const input = { documents: [{ path: 'a.txt', text, annotations: [a] }], generated: new Date('2026-11-23T10:00:00Z') };

describe('export formats', () => {
  it('lists every format once, with a file extension for the one-file formats', () => {
    assert.deepEqual(
      EXPORT_FORMATS.map((f) => f.id),
      ['yaml', 'w3c', 'csv', 'brat', 'qdpx', 'qdc'],
    );
    assert.equal(exportFormat('csv')?.extension, 'csv');
    assert.equal(exportFormat('qdpx')?.extension, 'qdpx');
    assert.equal(exportFormat('qdpx')?.binary, true);
    assert.equal(exportFormat('brat')?.extension, undefined);
    assert.equal(exportFormat('docx'), undefined);
  });
  it('renders each format so that its own reader gets the annotation back', () => {
    const yaml = renderExport('yaml', input);
    assert.equal(yaml.kind, 'file');
    assert.equal(parseExportYaml((yaml as { text: string }).text, 'x.yaml')[0].annotations[0].id, a.id);
    const csv = renderExport('csv', input) as { text: string };
    assert.equal(parseCsv(csv.text, 'x.csv')[0].annotations[0].target.quote.exact, '80%');
    const w3c = renderExport('w3c', input) as { text: string };
    assert.equal(parseW3c(w3c.text, 'x.jsonld', { textFor: () => text })[0].annotations[0].target.start, a.target.start);
    const brat = renderExport('brat', input);
    assert.equal(brat.kind, 'folder');
    assert.match((brat as { files: Map<string, string> }).files.get('a.ann') ?? '', /^T1\tfigure \d+ \d+\t80%/m);
  });
  it('keeps both ends of a figure range (value and high) through every format and back', () => {
    const lagText = 'Russia faces a six to nine-month lag.';
    const figure = findKind(defaultCodebook(), 'figure');
    assert.ok(figure);
    const start = lagText.indexOf('six');
    const lag = createAnnotation(
      lagText,
      { doc: 'lag.txt', kind: 'figure', start, end: start + 'six to nine-month'.length, author: 'x', attributes: { value: 6, high: 9, unit: 'month' } },
      figure,
      new Date('2026-11-23T10:00:00Z'),
    );
    const lagInput = { documents: [{ path: 'lag.txt', text: lagText, annotations: [lag] }], generated: new Date('2026-11-23T10:00:00Z') };
    const text = (f: 'yaml' | 'w3c' | 'csv'): string => (renderExport(f, lagInput) as { text: string }).text;
    const brat = (renderExport('brat', lagInput) as { files: Map<string, string> }).files;
    const back = {
      yaml: parseExportYaml(text('yaml'), 'x.yaml')[0].annotations[0].attributes,
      w3c: parseW3c(text('w3c'), 'x.jsonld', { textFor: () => lagText })[0].annotations[0].attributes,
      csv: parseCsv(text('csv'), 'x.csv')[0].annotations[0].attributes,
      brat: parseBrat(brat.get('lag.ann') ?? '', lagText, 'lag.ann', { doc: 'lag.txt' }).annotations[0].attributes,
    };
    for (const [format, attributes] of Object.entries(back)) {
      assert.deepEqual(attributes, { value: 6, high: 9, unit: 'month' }, format);
      assert.equal(formatFigure(figureOfAnnotation(attributes, 'six to nine-month') as NormalisedFigure), '6–9 months', format);
    }
  });
  it('marks a folder export first, so the copies it writes are never corpus documents', async () => {
    const brat = renderExport('brat', input) as { files: Map<string, string> };
    assert.equal([...brat.files.keys()][0], EXPORT_MARKER, 'the marker is the first file written');
    assert.match(brat.files.get(EXPORT_MARKER) ?? '', /Marginalia wrote this folder as an export/);
    const files: Record<string, string> = { 'a.txt': text };
    for (const [rel, content] of brat.files) files[`brat-out/${rel}`] = content;
    assert.ok('brat-out/a.txt' in files, 'brat writes a .txt copy of the document');
    assert.deepEqual(await listCorpus(new MemoryFs(files)), ['a.txt']);
  });
  it('writes a folder export only into a new or empty folder, or an earlier export', () => {
    assert.equal(mayExportInto([]), true);
    assert.equal(mayExportInto([EXPORT_MARKER, 'a.ann', 'a.txt']), true);
    assert.equal(mayExportInto(['a.txt', 'notes.md']), false);
    assert.match(exportFolderRefusal('/w/corpus'), /^\/w\/corpus already holds files that no Marginalia export wrote; export into a new or empty folder/);
  });
});
