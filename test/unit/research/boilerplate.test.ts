import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { boilerplateLines } from '../../../src/core/research';

// Compiled to out/test/unit/research; the sample corpus stays in the source tree.
const CORPUS = path.resolve(__dirname, '../../../../sample/corpus');
const lines = (text: string): string[] => boilerplateLines(text).map((l) => l.text);

describe('boilerplate: navigation and boilerplate lines', () => {
  it('finds the links, subscription and comment lines of sample document 004, and nothing of its article', () => {
    const text = readFileSync(path.join(CORPUS, '004_93f4aeba23e3ae0c.txt'), 'utf8');
    assert.deepEqual(lines(text), [
      'See also\u00a0 Biden authorizes $571 million in military assistance for Taiwan',
      'Discover more from Defence Talks | Defense News Military Pictures',
      'Subscribe to get the latest posts sent to your email.',
      'Leave a Reply',
      'Your email address will not be published. Required fields are marked *',
    ]);
    for (const l of boilerplateLines(text)) assert.equal(text.slice(l.start, l.end), l.text);
  });

  it('finds the "Read More" links of 003 and keeps the credit lines and headings of the other samples', () => {
    const read = (f: string): string => readFileSync(path.join(CORPUS, f), 'utf8');
    assert.deepEqual(lines(read('003_9c64581d9f6d6d73.txt')), [
      'Read More \u00a0 Emmett Shear: Know All about CEO at OpenAI',
      "Read More \u00a0 Microsoft's Future Prospects with Sam Altman",
    ]);
    for (const f of ['000_66ca398fea36cc01.txt', '001_7b613edff552618b.txt', '002_4d4efb0aba07dc3f.txt']) assert.deepEqual(lines(read(f)), [], f);
  });

  it('takes the short lines under a cue that stands alone, up to the next prose', () => {
    const text = [
      'The minister resigned on Friday after a vote of no confidence in the parliament of the country.',
      '',
      'Related Stories',
      'Minister survives first vote',
      '  Opposition calls for early election  ',
      '',
      'Leave a comment',
      'Comment *',
      'Name *',
      'Website',
      'A second article starts here and it is a long sentence of prose with many words in it.',
    ].join('\n');
    assert.deepEqual(lines(text), [
      'Related Stories',
      'Minister survives first vote',
      '  Opposition calls for early election  ',
      'Leave a comment',
      'Comment *',
      'Name *',
      'Website',
    ]);
  });

  it('finds comment counts, share rows, menus and breadcrumbs, whatever their case', () => {
    const text = [
      '12 Comments',
      'No comments yet.',
      '3 thoughts on “Putin and AI”',
      'Facebook  Twitter  LinkedIn  WhatsApp',
      'Share on Facebook | Share on X',
      'Home » World » Europe',
      'News | Sport | Business | Culture',
      'RELATED:',
      'ADVERTISEMENT',
      'Tags: Russia, AI, BRICS',
      'Copyright © 2024 Defence Talks. All rights reserved.',
    ].join('\n');
    assert.equal(lines(text).length, 11, JSON.stringify(lines(text)));
  });

  it('leaves prose alone, even when it starts with a word of a cue', () => {
    const text = [
      'Share prices fell 5% on Monday.',
      'Latest figures show a rise of 3%.',
      'Related party transactions rose.',
      'More Russians are leaving the country.',
      'Home Secretary James Cleverly said so.',
      'Comments by the minister were noted.',
      'Print media lost 10% of its readers | a trend since 2010.',
      'Most popular apps come from China.',
    ].join('\n');
    assert.deepEqual(lines(text), []);
  });

  it('handles CRLF line ends and text without any line end', () => {
    const text = 'Prose first.\r\nSee also: another story\r\nMore prose.';
    const found = boilerplateLines(text);
    assert.deepEqual(
      found.map((l) => l.text),
      ['See also: another story'],
    );
    assert.equal(text.slice(found[0].start, found[0].end), 'See also: another story');
    assert.deepEqual(lines('Subscribe'), ['Subscribe']);
    assert.deepEqual(lines(''), []);
  });
});
