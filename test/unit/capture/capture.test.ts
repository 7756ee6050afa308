import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addSource, captureSource, checkSources, detectFormat, fileNameFor, pageAt, pdfDate, sha256Hex, ORIGINALS_DIR } from '../../../src/core/capture';
import { parseDocumentMetadata } from '../../../src/core/research';
import { UserError } from '../../../src/core/model';
import { MemoryFs } from '../../support/memoryFs';
import { makePdf, PDF_PAGES } from '../../support/pdfFixture';

const FIXTURES = path.join(__dirname, '../../../../test/fixtures/capture');
const RETRIEVED = '2026-01-02T03:04:05.000Z';
const read = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('capture', () => {
  describe('an HTML article', () => {
    it('gives byte-identical output twice', async () => {
      const bytes = read('article.html');
      const a = await captureSource({ bytes, name: 'article.html' }, { retrieved: RETRIEVED });
      const b = await captureSource({ bytes: read('article.html'), name: 'article.html' }, { retrieved: RETRIEVED });
      assert.equal(a.document, b.document);
      assert.equal(a.sha256, sha256Hex(bytes));
      assert.equal(a.format, 'html');
    });

    it('keeps the article text, headings, lists, quotes and links', async () => {
      const { body } = await captureSource({ bytes: read('article.html'), name: 'article.html' }, { retrieved: RETRIEVED });
      assert.match(body, /^# Harbour dredging doubles cargo\n/);
      assert.match(body, /cargo handled at the harbour rose from 1\.2 million tonnes to 2\.5 million tonnes/);
      assert.match(body, /^## What the figures show$/m);
      assert.match(body, /^- +a channel depth of 14 metres instead of 9,$/m);
      assert.match(body, /^> We expected growth, but not this much in a single year\.$/m);
      assert.match(body, /\[annual report\]\(https:\/\/ledger\.example\/reports\/2023-annual\)/, 'links are kept, made absolute');
      assert.match(body, /further deepening to 16 metres by 2027/, 'the text after the sign-up box is kept');
    });

    it('leaves out navigation, "See also", the newsletter box, comments, the sidebar and the footer', async () => {
      const { body } = await captureSource({ bytes: read('article.html'), name: 'article.html' }, { retrieved: RETRIEVED });
      for (const boilerplate of [
        'Sport',
        'Weather',
        'See also',
        'New ferry timetable',
        'Subscribe',
        'newsletter',
        'Comments',
        'Great news for the town',
        'Most read',
        'Storm warning',
        'All rights reserved',
        'Privacy',
        'font-family',
      ]) {
        assert.ok(!body.includes(boilerplate), `"${boilerplate}" is left out:\n${body}`);
      }
    });

    it('takes the metadata from JSON-LD before Open Graph and <meta> tags, and the URL from og:url', async () => {
      const c = await captureSource({ bytes: read('article.html'), name: 'article.html' }, { retrieved: RETRIEVED });
      assert.deepEqual(Object.fromEntries(c.fields), {
        title: 'Harbour dredging doubles cargo',
        author: 'Mara Quint, Tobias Renn',
        site: 'The Coastal Ledger',
        published: '2024-02-29T18:30:00Z',
        url: 'https://ledger.example/news/harbour-dredging',
        file: 'article.html',
        retrieved: RETRIEVED,
        format: 'html',
        sha256: c.sha256,
        original: `${ORIGINALS_DIR}/${c.sha256}`,
        tool: 'marginalia 0.1.0',
      });
      assert.equal(c.fileName, 'harbour-dredging-doubles-cargo.md');
    });

    it('falls back to Open Graph and <meta> tags without JSON-LD', async () => {
      const html = text(read('article.html')).replace(/<script type="application\/ld\+json">[\s\S]*?<\/script>/, '');
      const c = await captureSource(
        { bytes: new TextEncoder().encode(html), name: 'https://ledger.example/x', contentType: 'text/html; charset=utf-8', url: 'https://ledger.example/x' },
        { retrieved: RETRIEVED },
      );
      const f = Object.fromEntries(c.fields);
      assert.equal(f.title, 'Harbour dredging doubles cargo (OG)');
      assert.equal(f.author, 'Meta Tag Author');
      assert.equal(f.published, '2024-03-01T08:00:00Z');
      assert.equal(f.url, 'https://ledger.example/x', 'the address it was fetched from wins');
      assert.equal(f.file, undefined);
    });

    it('reads a page in the character set its server names, and checks it again in the same one', async () => {
      const html =
        '<html><head><title>Caf\u00e9 prices</title></head><body><article><p>' +
        'A caf\u00e9 au lait costs 3 euros in the old town. '.repeat(8) +
        '</p></article></body></html>';
      const bytes = new Uint8Array([...html].map((c) => c.charCodeAt(0))); // Latin-1
      const c = await captureSource(
        { bytes, name: 'https://x.example/cafe', url: 'https://x.example/cafe', contentType: 'text/html; charset=ISO-8859-1' },
        { retrieved: RETRIEVED },
      );
      assert.match(c.body, /A café au lait costs 3 euros/);
      assert.equal(Object.fromEntries(c.fields).charset, 'windows-1252');
      const fs = new MemoryFs();
      const added = await addSource(fs, c, bytes, '');
      assert.deepEqual(
        (await checkSources(fs, [added.doc])).map((r) => r.status),
        ['ok'],
      );
    });

    it('writes front matter the metadata reader (and so the hover) reads back', async () => {
      const c = await captureSource({ bytes: read('article.html'), name: 'article.html' }, { retrieved: RETRIEVED });
      const meta = parseDocumentMetadata(c.document, 'sources/harbour.md');
      assert.equal(meta.convention, 'front-matter');
      assert.deepEqual(meta.fields, Object.fromEntries(c.fields));
      assert.equal(meta.title, 'Harbour dredging doubles cargo');
      assert.equal(c.document.slice(meta.headerEnd), '\n' + c.body);
    });
  });

  describe('a PDF', () => {
    it('gives its text page by page with page markers, and its metadata', async () => {
      const bytes = await makePdf();
      const c = await captureSource({ bytes, name: 'survey.pdf' }, { retrieved: RETRIEVED });
      assert.equal(c.format, 'pdf');
      assert.equal(c.body, PDF_PAGES.map((lines, i) => `<!-- page ${i + 1} -->\n\n${lines.join('\n')}`).join('\n\n') + '\n');
      const f = Object.fromEntries(c.fields);
      assert.equal(f.title, 'Housing survey 2023');
      assert.equal(f.author, 'City Statistics Office');
      assert.equal(f.published, '2024-01-15T09:30:00Z');
      assert.equal(f.pages, '3');
      assert.equal(f.format, 'pdf');
      const again = await captureSource({ bytes: await makePdf(), name: 'survey.pdf' }, { retrieved: RETRIEVED });
      assert.equal(again.document, c.document, 'byte-identical');
    });

    it('tells the page of an offset from the markers', async () => {
      const c = await captureSource({ bytes: await makePdf(), name: 'survey.pdf' }, { retrieved: RETRIEVED });
      assert.equal(pageAt(c.document, c.document.indexOf('412 households')), 1);
      assert.equal(pageAt(c.document, c.document.indexOf('7.5 percent')), 2);
      assert.equal(pageAt(c.document, c.document.indexOf('publish a plan')), 3);
      assert.equal(pageAt(c.document, 0), undefined, 'the front matter is on no page');
    });

    it('refuses a file named .pdf that is not one, naming it', async () => {
      await assert.rejects(
        captureSource({ bytes: new TextEncoder().encode('<html>oops'), name: 'broken.pdf' }, { retrieved: RETRIEVED }),
        (e: Error) => e instanceof UserError && /broken\.pdf/.test(e.message),
      );
      await assert.rejects(
        captureSource({ bytes: new TextEncoder().encode('%PDF-1.7\ngarbage'), name: 'cut.pdf' }, { retrieved: RETRIEVED }),
        (e: Error) => e instanceof UserError && /cut\.pdf could not be read as a PDF/.test(e.message),
      );
    });

    it('reads PDF dates', () => {
      assert.equal(pdfDate("D:20240102093000+01'00'"), '2024-01-02T09:30:00+01:00');
      assert.equal(pdfDate('D:2024'), '2024-01-01');
      assert.equal(pdfDate('yesterday'), undefined);
    });
  });

  describe('a text file', () => {
    it('keeps the text as it is, with a title guessed from its first line', async () => {
      const bytes = read('notes.txt');
      const c = await captureSource({ bytes, name: '/tmp/notes.txt' }, { retrieved: RETRIEVED });
      assert.equal(c.format, 'text');
      assert.equal(c.body, text(bytes));
      assert.equal(Object.fromEntries(c.fields).title, 'Interview notes: harbour master');
      assert.equal(Object.fromEntries(c.fields).file, 'notes.txt');
      assert.equal(c.fileName, 'interview-notes-harbour-master.md');
    });

    it('refuses bytes that are not UTF-8, naming the file', async () => {
      await assert.rejects(
        captureSource({ bytes: new Uint8Array([0xff, 0xfe, 0x00, 0x41]), name: 'data.bin' }, { retrieved: RETRIEVED }),
        /data\.bin is neither HTML, PDF nor UTF-8 text/,
      );
    });
  });

  it('detects the format from the bytes, the type and the name', () => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    assert.equal(detectFormat(enc('%PDF-1.4'), 'x'), 'pdf');
    assert.equal(detectFormat(enc('<!doctype html><p>x'), 'x.txt'), 'html');
    assert.equal(detectFormat(enc('hello'), 'page', 'text/html'), 'html');
    assert.equal(detectFormat(enc('hello'), 'a.md'), 'text');
    assert.equal(fileNameFor('Ça va? Über 100%!', 'x'), 'ca-va-uber-100.md');
    assert.equal(fileNameFor(undefined, 'https://x.example/path/report.html?x=1'), 'report.md');
  });

  describe('in the workspace', () => {
    it('keeps the original by its hash, writes the document, and adding it again changes nothing', async () => {
      const fs = new MemoryFs();
      const bytes = read('article.html');
      const c = await captureSource({ bytes, name: 'article.html' }, { retrieved: RETRIEVED });
      const added = await addSource(fs, c, bytes, 'sources');
      assert.deepEqual(added, { doc: 'sources/harbour-dredging-doubles-cargo.md', existed: false, original: `${ORIGINALS_DIR}/${c.sha256}` });
      assert.deepEqual(await fs.read(added.original), bytes);
      assert.equal(text((await fs.read(added.doc))!), c.document);
      const later = await captureSource({ bytes, name: 'article.html' }, { retrieved: '2026-02-01T00:00:00.000Z' });
      assert.deepEqual(await addSource(fs, later, bytes, 'sources'), { ...added, existed: true });
      assert.equal(text((await fs.read(added.doc))!), c.document, 'the first capture is kept');
    });

    it('gives another source with the same title a new name', async () => {
      const fs = new MemoryFs();
      const one = read('article.html');
      const two = new TextEncoder().encode(text(one).replace('14 metres', '15 metres'));
      await addSource(fs, await captureSource({ bytes: one, name: 'a.html' }, { retrieved: RETRIEVED }), one, '');
      const second = await addSource(fs, await captureSource({ bytes: two, name: 'b.html' }, { retrieved: RETRIEVED }), two, '');
      assert.equal(second.doc, 'harbour-dredging-doubles-cargo-2.md');
    });

    it('refuses a folder outside the workspace or in the store', async () => {
      const bytes = read('notes.txt');
      const c = await captureSource({ bytes, name: 'notes.txt' }, { retrieved: RETRIEVED });
      await assert.rejects(addSource(new MemoryFs(), c, bytes, '../elsewhere'), /must lie inside the workspace/);
      await assert.rejects(addSource(new MemoryFs(), c, bytes, '.marginalia/x'), /must lie inside the workspace/);
    });

    it('checks that originals give the same text again, and names what is wrong', async () => {
      const fs = new MemoryFs({ 'plain.txt': 'Not captured.\n' });
      const html = read('article.html');
      const pdf = await makePdf();
      const notes = read('notes.txt');
      const a = await addSource(fs, await captureSource({ bytes: html, name: 'article.html' }, { retrieved: RETRIEVED }), html, 'web');
      const b = await addSource(fs, await captureSource({ bytes: pdf, name: 'survey.pdf' }, { retrieved: RETRIEVED }), pdf, 'pdf');
      const c = await addSource(fs, await captureSource({ bytes: notes, name: 'notes.txt' }, { retrieved: RETRIEVED }), notes, 'notes');
      const docs = [a.doc, b.doc, c.doc, 'plain.txt'];
      assert.deepEqual(
        (await checkSources(fs, docs)).map((r) => [r.doc, r.status]),
        [
          [c.doc, 'ok'],
          [b.doc, 'ok'],
          [a.doc, 'ok'],
        ],
      );
      const edited = text((await fs.read(a.doc))!).replace('more than doubling', 'nearly tripling');
      await fs.writeAtomic(a.doc, new TextEncoder().encode(edited));
      await fs.delete(b.original);
      await fs.writeAtomic(c.original, new TextEncoder().encode('tampered'));
      const results = await checkSources(fs, docs);
      const byDoc = new Map(results.map((r) => [r.doc, r]));
      assert.equal(byDoc.get(a.doc)?.status, 'changed');
      assert.equal(byDoc.get(a.doc)?.line, edited.split('\n').findIndex((l) => l.includes('nearly tripling')) + 1);
      assert.match(byDoc.get(a.doc)!.message, /differs from what its original gives/);
      assert.equal(byDoc.get(b.doc)?.status, 'missing-original');
      assert.match(byDoc.get(b.doc)!.message, /is missing; add the source again/);
      assert.equal(byDoc.get(c.doc)?.status, 'corrupt-original');
    });
  });
});
