// The summary cache in VS Code: after a load, the Corpus view's counts are kept in the extension's workspace storage
// (outside the workspace), and the next load draws the first level from them before reading the sidecars; a sidecar
// changed meanwhile is read, not taken from the cache.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { api, eventually, folderModel } from './support/helpers';
import { annotation } from '../support/annotations';
import { serializeSidecar, sidecarPathFor } from '../../src/core/store';

describe('Summary cache in VS Code', () => {
  it('a reload draws the first level from the cache kept outside the workspace, with a sidecar changed since counted as it is on disk', async () => {
    const a = await api();
    const f = folderModel(a);
    const root = f.folder.uri.fsPath;
    const doc = '003_9c64581d9f6d6d73.txt';
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    const sidecar = (d: string): string => path.join(root, ...sidecarPathFor(d).split('/'));
    const file = sidecar(doc);
    // Two sidecars written "long ago", so the cache may take them; one of them changes below.
    const other = '002_4d4efb0aba07dc3f.txt';
    const otherText = fs.readFileSync(path.join(root, other), 'utf8');
    const otherFile = sidecar(other);
    const hadOther = fs.existsSync(otherFile);
    fs.mkdirSync(path.dirname(otherFile), { recursive: true });
    if (!hadOther)
      fs.writeFileSync(otherFile, serializeSidecar(other, [annotation({ doc: other, text: otherText, phrase: 'Large language models', author: 'ana' })]));
    fs.writeFileSync(file, serializeSidecar(doc, [annotation({ doc, text, phrase: 'Expanding Research', author: 'ana' })]));
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(file, old, old);
    fs.utimesSync(otherFile, old, old);
    await f.load();
    await eventually(() => f.counts(doc).some((c) => c.author === 'ana' && c.anchored === 1), 10_000, 'the sidecar loaded');
    await f.saveSummaries();

    // Changed since it was counted: another coder's annotation added, the time moved on.
    fs.writeFileSync(
      file,
      serializeSidecar(doc, [
        annotation({ doc, text, phrase: 'Expanding Research', author: 'ana' }),
        annotation({ doc, text, phrase: 'Supercomputing Access', author: 'ben' }),
      ]),
    );
    const later = new Date(Date.now() - 1_800_000);
    fs.utimesSync(file, later, later);
    // The file watcher reloads it too; let that settle, so the reload below is the only thing going on.
    await eventually(() => f.counts(doc).some((c) => c.author === 'ben'), 10_000, 'the changed sidecar seen');

    const before = a.log.recent().length;
    let atFirstChange: string | undefined;
    const sub = a.workspace.onDidChange((c) => {
      if (c.folder === f && c.doc === undefined && atFirstChange === undefined)
        atFirstChange = JSON.stringify(
          f
            .counts(doc)
            .map((x) => [x.author, x.anchored])
            .sort(),
        );
    });
    try {
      await f.load();
    } finally {
      sub.dispose();
    }
    const lines = a.log.recent().slice(before).join('\n');
    // Sidecars changed since the cache was written (this one, other tests' fresh ones) are read; the rest are counted.
    const m = /first level of \d+ documents from the summary cache \((\d+) sidecars counted before, (\d+) read\)/.exec(lines);
    assert.ok(m, lines);
    assert.ok(Number(m[1]) >= 1, m[0]);
    assert.equal(
      atFirstChange,
      JSON.stringify([
        ['ana', 1],
        ['ben', 1],
      ]),
      'the changed sidecar is counted as it is now at the first level',
    );
    // Nothing of the cache lands in the workspace folder.
    const names = fs.readdirSync(path.join(root, '.marginalia'));
    assert.ok(!names.some((n) => /summary/.test(n)), names.join(', '));
    fs.rmSync(file, { force: true });
    if (!hadOther) fs.rmSync(otherFile, { force: true });
    await f.load();
  });
});
