import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocumentMetadata } from '../../../src/core/research';

const CORPUS = path.join(__dirname, '../../../../sample/corpus');
function corpus(name: string): string {
  return fs.readFileSync(path.join(CORPUS, name), 'utf8');
}
const BODY = 'Russia has invested billions of dollars in AI. It faces obstacles.\n';

describe('document metadata', () => {
  describe('sample corpus', () => {
    it('000: Article Source, Author and Editor header, body right after it', () => {
      const text = corpus('000_66ca398fea36cc01.txt');
      const m = parseDocumentMetadata(text, 'sample/corpus/000_66ca398fea36cc01.txt');
      assert.equal(m.convention, 'header');
      assert.deepEqual(m.fields, { 'Article Source': 'TMTPOST', Author: 'Lin Zhijia', Editor: 'Ma Jinman' });
      assert.deepEqual(Object.keys(m.fields), ['Article Source', 'Author', 'Editor'], 'document order');
      assert.equal(m.headerEnd, text.indexOf('Currently, Russia'));
      assert.equal(m.title, undefined, 'the first body line is a sentence, not a title');
      assert.ok(!('Image Source' in m.fields), '"Image Source:" in the body is not header');
    });
    it('001: a single "Credited from" line', () => {
      const text = corpus('001_7b613edff552618b.txt');
      const m = parseDocumentMetadata(text, 'sample/corpus/001_7b613edff552618b.txt');
      assert.equal(m.convention, 'header');
      assert.deepEqual(m.fields, { 'Credited from': 'SCMP' });
      assert.equal(m.headerEnd, text.indexOf('Russian President'));
      assert.equal(m.title, undefined);
    });
    it('002: no header; the title line and a subtitle with a colon are not taken as fields', () => {
      const text = corpus('002_4d4efb0aba07dc3f.txt');
      const m = parseDocumentMetadata(text, 'sample/corpus/002_4d4efb0aba07dc3f.txt');
      assert.equal(m.convention, 'none');
      assert.deepEqual(m.fields, {});
      assert.equal(m.headerEnd, 0);
      assert.equal(m.title, 'Russia\u2019s Ambitious Plan to Develop AI Technology');
      assert.equal(m.titleSource, 'first-line');
    });
    it('003: no header, no title (starts with a paragraph)', () => {
      const m = parseDocumentMetadata(corpus('003_9c64581d9f6d6d73.txt'), 'sample/corpus/003_9c64581d9f6d6d73.txt');
      assert.deepEqual(m, { convention: 'none', fields: {}, headerEnd: 0 });
    });
    it('004: no header; the short standalone first line is guessed as the title', () => {
      const m = parseDocumentMetadata(corpus('004_93f4aeba23e3ae0c.txt'), 'sample/corpus/004_93f4aeba23e3ae0c.txt');
      assert.equal(m.convention, 'none');
      assert.deepEqual(m.fields, {});
      assert.equal(m.headerEnd, 0);
      // A photo caption in this scrape: the guess is marked as one so consumers can tell it from a Title field.
      assert.equal(m.title, 'Russian President Vladimir Putin attends a press conference');
      assert.equal(m.titleSource, 'first-line');
    });
    it('000 with CRLF line ends and a BOM gives the same fields; headerEnd counts \\r and the BOM', () => {
      const text = '\ufeff' + corpus('000_66ca398fea36cc01.txt').replace(/\n/g, '\r\n');
      const m = parseDocumentMetadata(text, 'a.txt');
      assert.deepEqual(m.fields, { 'Article Source': 'TMTPOST', Author: 'Lin Zhijia', Editor: 'Ma Jinman' });
      assert.equal(m.headerEnd, text.indexOf('Currently, Russia'));
      assert.equal(text.slice(m.headerEnd - 2, m.headerEnd), '\r\n');
    });
  });

  describe('header lines', () => {
    it('takes known keys in any capitalisation, values with colons (URLs) and a full-width colon', () => {
      const text = 'SOURCE: Reuters\nurl: https://example.com/a:b\nPublished：2023-11-27\nByline: Jane Doe\n' + BODY;
      const m = parseDocumentMetadata(text, 'a.txt');
      assert.deepEqual(m.fields, { SOURCE: 'Reuters', url: 'https://example.com/a:b', Published: '2023-11-27', Byline: 'Jane Doe' });
    });
    it('wants unknown keys in Title Case: "Wire desk: …" and "wire Desk: …" are body', () => {
      assert.equal(parseDocumentMetadata('Wire desk: Moscow Bureau\n' + BODY, 'a.txt').convention, 'none');
      assert.equal(parseDocumentMetadata('wire Desk: Moscow Bureau\n' + BODY, 'a.txt').convention, 'none');
    });
    it('allows blank lines before the header and stops at the first blank line after it', () => {
      const text = '\n\nAuthor: A. Writer\n\nEditor: Not Header\n' + BODY;
      const m = parseDocumentMetadata(text, 'a.txt');
      assert.deepEqual(m.fields, { Author: 'A. Writer' });
      assert.equal(m.headerEnd, text.indexOf('\nEditor'));
    });
    it('joins a repeated key with ", "', () => {
      const m = parseDocumentMetadata('Author: Ann\nAuthor: Bob\n' + BODY, 'a.txt');
      assert.deepEqual(m.fields, { Author: 'Ann, Bob' });
    });
    it('takes a Title field as the title', () => {
      const m = parseDocumentMetadata('Title: Putin and AI\nAuthor: Ann\n\n' + BODY, 'a.txt');
      assert.equal(m.title, 'Putin and AI');
      assert.equal(m.titleSource, 'field');
    });
    it('takes unknown Title-Case keys at the head when body text follows', () => {
      const m = parseDocumentMetadata('Article Source: TMTPOST\nWire Desk: Moscow Bureau\n' + BODY, 'a.txt');
      assert.deepEqual(m.fields, { 'Article Source': 'TMTPOST', 'Wire Desk': 'Moscow Bureau' });
      const alone = parseDocumentMetadata('Wire Desk: Moscow Bureau\n\n' + BODY, 'a.txt');
      assert.deepEqual(alone.fields, { 'Wire Desk': 'Moscow Bureau' });
    });
    it('refuses an unknown key when nothing follows it (a one-line document is not a header)', () => {
      assert.equal(parseDocumentMetadata('Wire Desk: Moscow Bureau\n', 'a.txt').convention, 'none');
      assert.deepEqual(parseDocumentMetadata('Author: Ann\n', 'a.txt').fields, { Author: 'Ann' }, 'a known key may stand alone');
    });
    it('does not take a first sentence with a colon for a header', () => {
      for (const first of [
        "Putin's hope for AI: increase information control, end Western tech dependence",
        'Breaking news: Russia announces a new AI strategy',
        'Note: this is a developing story and will be updated.',
        'In 2023: Russia invested billions',
        'Russia Plans Big AI Push: A Look At The Numbers And What They Mean For The Global Race In Technology',
        '  Author: indented lines are body text',
        'The Kremlin Said: Moscow will not accept a Western monopoly on artificial intelligence.',
      ]) {
        const m = parseDocumentMetadata(first + '\n' + BODY, 'a.txt');
        assert.equal(m.convention, 'none', first);
        assert.deepEqual(m.fields, {}, first);
      }
    });
    it('does not take "Note:" or "Image Source:" lines in the body', () => {
      const text = 'Author: Ann\n' + BODY + 'Note: this is not metadata.\nImage Source: Generated by Wujie AI\nEditor: Bob\n';
      const m = parseDocumentMetadata(text, 'a.txt');
      assert.deepEqual(m.fields, { Author: 'Ann' });
    });
    it('ends the header at an image credit, which belongs to the body', () => {
      const text = 'Author: Ann\nImage Source: Generated by Wujie AI\nEditor: Bob\n' + BODY;
      const m = parseDocumentMetadata(text, 'a.txt');
      assert.deepEqual(m.fields, { Author: 'Ann' });
      assert.equal(m.headerEnd, text.indexOf('Image Source'));
    });
    it('refuses a known key whose value is a whole paragraph', () => {
      const m = parseDocumentMetadata('Source: ' + 'word '.repeat(80) + '\n' + BODY, 'a.txt');
      assert.equal(m.convention, 'none');
    });
    it('refuses a key of more than four words and empty values', () => {
      assert.equal(parseDocumentMetadata('The Name Of The Source: Reuters\n' + BODY, 'a.txt').convention, 'none');
      assert.equal(parseDocumentMetadata('Author:\n' + BODY, 'a.txt').convention, 'none');
    });
    it('reads an empty document and a blank one as having no metadata', () => {
      assert.deepEqual(parseDocumentMetadata('', 'a.txt'), { convention: 'none', fields: {}, headerEnd: 0 });
      assert.deepEqual(parseDocumentMetadata('\n \n', 'a.txt'), { convention: 'none', fields: {}, headerEnd: 0 });
    });
    it('guesses a title after a header only when the line stands alone', () => {
      const m = parseDocumentMetadata('Author: Ann\n\nRussia Builds an AI Alliance\n\n' + BODY, 'a.txt');
      assert.equal(m.title, 'Russia Builds an AI Alliance');
      const n = parseDocumentMetadata('Russia Builds an AI Alliance\n' + BODY, 'a.txt');
      assert.equal(n.title, undefined, 'no blank line after it: the first line of a paragraph');
    });
  });

  describe('front matter', () => {
    it('reads YAML front matter in Markdown, keeping scalars as written and joining lists', () => {
      const text = [
        '---',
        'title: "Putin: AI and the West"',
        'date: 2023-11-27',
        'version: 1.0',
        'draft: false',
        'tags: [ai, russia, 2023]',
        'empty:',
        'nested: {a: 1}',
        'authors:',
        '  - Ann',
        '  - Bob',
        '---',
        '# Heading',
        'Body.',
      ].join('\n');
      const m = parseDocumentMetadata(text, 'notes/a.md');
      assert.equal(m.convention, 'front-matter');
      assert.deepEqual(m.fields, {
        title: 'Putin: AI and the West',
        date: '2023-11-27',
        version: '1.0',
        draft: 'false',
        tags: 'ai, russia, 2023',
        authors: 'Ann, Bob',
      });
      assert.equal(m.title, 'Putin: AI and the West');
      assert.equal(m.titleSource, 'field');
      assert.equal(m.headerEnd, text.indexOf('# Heading'));
      assert.equal(m.warning, undefined);
    });
    it('takes a Markdown heading as the title when the front matter has none', () => {
      const m = parseDocumentMetadata('---\nauthor: Ann\n---\n\n# Russia and AI #\n\nBody.\n', 'a.md');
      assert.deepEqual(m.fields, { author: 'Ann' });
      assert.equal(m.title, 'Russia and AI');
      assert.equal(m.titleSource, 'heading');
    });
    it('tolerates CRLF, a BOM and "..." as the closing line', () => {
      const text = '\ufeff---\r\nauthor: Ann\r\n...\r\nBody.\r\n';
      const m = parseDocumentMetadata(text, 'a.markdown');
      assert.deepEqual(m.fields, { author: 'Ann' });
      assert.equal(m.headerEnd, text.indexOf('Body'));
    });
    it('keeps a "__proto__" key as an ordinary field', () => {
      const m = parseDocumentMetadata('---\n__proto__: x\nb: y\n---\nBody\n', 'a.md');
      assert.deepEqual(Object.keys(m.fields), ['__proto__', 'b']);
      assert.equal(Object.getPrototypeOf(m.fields), Object.prototype);
      assert.equal(m.fields['__proto__'], 'x');
    });
    it('reads front matter only in Markdown when the path is known', () => {
      const text = '---\nauthor: Ann\n---\nBody\n';
      assert.equal(parseDocumentMetadata(text, 'a.txt').convention, 'none');
      assert.equal(parseDocumentMetadata(text).convention, 'front-matter');
    });
    it('ignores front matter that is not valid YAML, with a warning naming the file and line', () => {
      const m = parseDocumentMetadata('---\ntitle: ok\nbad: [unclosed\n---\nBody\n', 'notes/a.md');
      assert.equal(m.convention, 'none');
      assert.deepEqual(m.fields, {});
      assert.match(m.warning ?? '', /^notes\/a\.md:\d+:\d+: front matter is not valid YAML/);
    });
    it('ignores front matter with custom tags, aliases beyond the cap, or no closing line', () => {
      const tagged = parseDocumentMetadata('---\nx: !!js/function "f"\n---\nBody\n', 'a.md');
      assert.equal(tagged.convention, 'none');
      assert.match(tagged.warning ?? '', /^a\.md:2:\d+: .*tag/i);
      const laughs = ['---', 'a: &a [x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a]', 'c: [*b, *b, *b, *b, *b, *b, *b, *b]', '---', 'Body'];
      const bomb = parseDocumentMetadata(laughs.join('\n'), 'a.md');
      assert.equal(bomb.convention, 'none');
      assert.match(bomb.warning ?? '', /alias/i);
      const open = parseDocumentMetadata('---\nauthor: Ann\nBody\n', 'a.md');
      assert.equal(open.convention, 'none');
      assert.match(open.warning ?? '', /never closed/);
    });
    it('ignores front matter that is a list, not a mapping', () => {
      const m = parseDocumentMetadata('---\n- a\n- b\n---\nBody\n', 'a.md');
      assert.equal(m.convention, 'none');
      assert.match(m.warning ?? '', /not a mapping/);
    });
  });
});
