// The project's documents checked like code: every relative link and picture of README.md, CONTRIBUTING.md and
// docs/*.md leads to a file (and heading) that exists, and so does every repository path they name in code; every
// test the failure-case matrix of docs/testing.md names exists, by its title, in the file it names; and the user's
// documents carry no issue numbers or session history.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const md = new MarkdownIt({ html: true });

/** README.md, CONTRIBUTING.md and every Markdown file of docs/, as paths relative to the repository. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs.sort()];
}

const read = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), 'utf8');

/** Every token of a document, inline children included. */
function tokens(text: string): MarkdownIt.Token[] {
  return md.parse(text, {}).flatMap((t) => [t, ...(t.children ?? [])]);
}

/** The targets of a document's links and pictures (Markdown and HTML `<img>`), in order. */
export function linkTargets(text: string): string[] {
  const out: string[] = [];
  for (const t of tokens(text)) {
    if (t.type === 'link_open') out.push(t.attrGet('href') ?? '');
    else if (t.type === 'image') out.push(t.attrGet('src') ?? '');
    else if (t.type === 'html_block' || t.type === 'html_inline') {
      for (const m of t.content.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]*)"/g)) out.push(m[1]);
    }
  }
  return out;
}

/** The anchor GitHub (and VS Code's Markdown preview) gives a heading: lower case, punctuation dropped, spaces as -. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

function headingSlugs(text: string): Set<string> {
  const all = md.parse(text, {});
  const slugs = new Set<string>();
  all.forEach((t, i) => {
    if (t.type === 'heading_open') slugs.add(headingSlug(all[i + 1].content));
  });
  return slugs;
}

/** What is wrong with one relative link of `doc`, or undefined when it resolves. */
function brokenLink(doc: string, target: string): string | undefined {
  const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = rawPath === '' ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), decodeURIComponent(rawPath)));
  if (file.startsWith('..') || path.posix.isAbsolute(file)) return `${target} leads out of the repository`;
  const abs = path.join(ROOT, file);
  if (!fs.existsSync(abs)) return `${target}: ${file} does not exist`;
  if (anchor !== undefined && file.endsWith('.md') && !headingSlugs(read(file)).has(anchor)) return `${target}: ${file} has no heading #${anchor}`;
  return undefined;
}

/** A code span that names a file or folder of the repository, e.g. `src/core/store` or `test/unit/faults.test.ts`. */
const REPO_PATH = /^(src|test|bench|scripts|docs|schemas|sample|media)\/[\w./-]*$/;

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

// ---------------------------------------------------------------------------------------------------------------
// The failure-case matrix

interface MatrixRow {
  line: number;
  testCase: string;
  file: string;
  title: string;
}

/** The rows of the table under the heading "Failure cases and their tests" of docs/testing.md. */
export function matrixRows(text: string): MatrixRow[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^##+ Failure cases and their tests\s*$/.test(l));
  assert.ok(start >= 0, 'docs/testing.md has a heading "Failure cases and their tests"');
  const rows: MatrixRow[] = [];
  for (let i = start + 1; i < lines.length && !/^##? /.test(lines[i]); i++) {
    const l = lines[i];
    if (!l.startsWith('|') || /^\|\s*-/.test(l)) continue;
    const cells = l
      .slice(1, l.trimEnd().length - 1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    if (cells[0] === 'Case') continue;
    assert.equal(cells.length, 3, `docs/testing.md:${i + 1} has three cells (case, test file, test)`);
    const file = /^`([^`]+)`$/.exec(cells[1]);
    assert.ok(file, `docs/testing.md:${i + 1}: the test file is a path in backticks, not ${cells[1]}`);
    rows.push({ line: i + 1, testCase: cells[0], file: file[1], title: cells[2] });
  }
  return rows;
}

/** A string literal's value (`\\` → `\`, `\'` → `'`, `\n` → newline …). */
function unescapeJs(s: string): string {
  return s.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) => {
    if (e[0] === 'u') return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\n': '' } as Record<string, string>)[e] ?? e;
  });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The titles of a test file's `it(…)` calls, as patterns: a quoted title matches itself; a template literal's
 * `${…}` parts match any text (the matrix names the test with its parameter filled in).
 */
export function testTitlePatterns(source: string): RegExp[] {
  const out: RegExp[] = [];
  for (const m of source.matchAll(/\bit(?:\.only)?\(\s*(['"`])/g)) {
    const quote = m[1];
    let i = m.index + m[0].length;
    let literal = '';
    let pattern = '';
    for (; i < source.length && source[i] !== quote; i++) {
      if (source[i] === '\\') {
        literal += source.slice(i, i + 2);
        i++;
      } else if (quote === '`' && source.startsWith('${', i)) {
        pattern += escapeRegExp(unescapeJs(literal)) + '(.*?)';
        literal = '';
        let depth = 0;
        for (i += 2; i < source.length && !(source[i] === '}' && depth === 0); i++) depth += source[i] === '{' ? 1 : source[i] === '}' ? -1 : 0;
      } else literal += source[i];
    }
    out.push(new RegExp(`^${pattern}${escapeRegExp(unescapeJs(literal))}$`, 's'));
  }
  return out;
}

/** Where `title` is a test of `source`: undefined when it is, else why not. */
function missingTest(source: string, title: string): string | undefined {
  for (const p of testTitlePatterns(source)) {
    const m = p.exec(title);
    // A filled-in parameter must be text the file holds (the case's name in its table of cases).
    if (m && m.slice(1).every((part) => source.includes(part.trim()))) return undefined;
  }
  return `no it(…) titled "${title}"`;
}

describe('documents', () => {
  it('every relative link and picture of README.md, CONTRIBUTING.md and docs/*.md resolves, headings included', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const doc of documents()) {
      for (const target of linkTargets(read(doc))) {
        if (isExternal(target)) continue;
        checked++;
        const why = brokenLink(doc, target);
        if (why) broken.push(`${doc}: ${why}`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked >= 10, `only ${checked} relative links found: is the link extraction broken?`);
  });

  it('every path of the repository a document names in code (`src/…`, `test/…`, `bench/…` …) exists', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const doc of documents()) {
      for (const t of tokens(read(doc))) {
        if (t.type !== 'code_inline' || !REPO_PATH.test(t.content)) continue;
        checked++;
        if (!fs.existsSync(path.join(ROOT, t.content))) missing.push(`${doc}: ${t.content}`);
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(checked >= 20, `only ${checked} paths found: is the extraction broken?`);
  });

  it('the README shows the screenshots of the user story from docs/screenshots', () => {
    const pictures = tokens(read('README.md'))
      .filter((t) => t.type === 'image')
      .map((t) => t.attrGet('src'));
    for (const shot of ['1-corpus-view.png', '3-tree.png', '4-hover.png', '5-exported.png']) {
      assert.ok(pictures.includes(`docs/screenshots/${shot}`), `README.md shows docs/screenshots/${shot}`);
    }
  });

  it('the link checker finds broken links and headings, and leaves external ones alone', () => {
    const text = '# A title\n\n[ok](#a-title) [bad](#nope) ![pic](docs/screenshots/none.png) [web](https://example.com) <img src="x/y.png">\n';
    assert.deepEqual(linkTargets(text), ['#a-title', '#nope', 'docs/screenshots/none.png', 'https://example.com', 'x/y.png']);
    assert.equal(brokenLink('README.md', '#a-title'), '#a-title: README.md has no heading #a-title');
    assert.equal(brokenLink('README.md', 'docs/screenshots/none.png'), 'docs/screenshots/none.png: docs/screenshots/none.png does not exist');
    assert.equal(brokenLink('docs/testing.md', '../../x.md'), '../../x.md leads out of the repository');
    assert.equal(brokenLink('docs/testing.md', 'performance.md#the-last-run'), undefined);
    assert.equal(headingSlug('Failure cases and their tests'), 'failure-cases-and-their-tests');
    assert.equal(headingSlug('Commands, keys and settings'), 'commands-keys-and-settings');
    assert.ok(isExternal('https://example.com') && isExternal('command:marginalia.tag') && !isExternal('docs/x.md'));
  });

  it('every test the failure-case matrix of docs/testing.md names exists, by its title, in the file it names', () => {
    const rows = matrixRows(read('docs/testing.md'));
    assert.ok(rows.length >= 50, `the matrix has ${rows.length} rows`);
    const problems: string[] = [];
    for (const r of rows) {
      const abs = path.join(ROOT, r.file);
      if (!fs.existsSync(abs)) problems.push(`docs/testing.md:${r.line}: ${r.file} does not exist`);
      else {
        const why = missingTest(fs.readFileSync(abs, 'utf8'), r.title);
        if (why) problems.push(`docs/testing.md:${r.line}: ${r.file} has ${why}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the matrix check finds quoted and template titles, and names a test that is not there', () => {
    const source = [
      "it('a plain title, with a \\'quote\\' and C:\\\\x', () => {});",
      "const cases = [{ name: 'a YAML syntax error' }];",
      "for (const c of cases) it(`broken sidecar, ${c.name}: the rest loads${c.line ? ' and line' : ''}`, async () => {});",
    ].join('\n');
    assert.equal(missingTest(source, "a plain title, with a 'quote' and C:\\x"), undefined);
    assert.equal(missingTest(source, 'broken sidecar, a YAML syntax error: the rest loads and line'), undefined);
    assert.equal(missingTest(source, 'broken sidecar, a typo: the rest loads'), 'no it(…) titled "broken sidecar, a typo: the rest loads"');
    assert.equal(missingTest(source, 'a plain title'), 'no it(…) titled "a plain title"');
  });

  it('README.md, CONTRIBUTING.md and docs/ carry no issue numbers or session history', () => {
    const found: string[] = [];
    for (const doc of documents()) {
      read(doc)
        .split('\n')
        .forEach((l, i) => {
          const m = /\b(issue|bug|ticket|PR) #?\d+|#\d{1,4}\b(?![-\w])|\b(this|last|previous|the next) session\b/i.exec(l);
          if (m) found.push(`${doc}:${i + 1}: "${m[0]}"`);
        });
    }
    assert.deepEqual(found, []);
  });
});
