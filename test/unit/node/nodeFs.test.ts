// NodeWorkspaceFs.read answers cached reads synchronously and goes through libuv's thread pool once reads turn slow
// (see SLOW_READ_MS in src/node/nodeFs.ts): both ways must read the same bytes and refuse the same paths.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeWorkspaceFs } from '../../../src/node';
import { PathError } from '../../../src/core/model';

describe('NodeWorkspaceFs.read', () => {
  let dir: string;
  let root: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marginalia-nodefs-'));
    root = path.join(dir, 'workspace');
    fs.mkdirSync(path.join(root, 'notes'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'outside'));
    fs.writeFileSync(path.join(root, 'notes', 'a.txt'), 'inside ✓\n');
    fs.writeFileSync(path.join(root, 'empty.txt'), '');
    fs.writeFileSync(path.join(root, 'big.txt'), 'x'.repeat(100_000));
    fs.writeFileSync(path.join(dir, 'outside', 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(root, 'notes', 'a.txt'), path.join(root, 'link-inside.txt'));
    fs.symlinkSync(path.join(dir, 'outside', 'secret.txt'), path.join(root, 'link-out.txt'));
    fs.symlinkSync(path.join(dir, 'outside'), path.join(root, 'folder-out'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const way of ['synchronously (cached)', 'through the thread pool (after slow reads)']) {
    const open = (): NodeWorkspaceFs => {
      const w = new NodeWorkspaceFs(root);
      if (way.startsWith('through')) (w as unknown as { cachedReads: boolean }).cachedReads = false;
      return w;
    };

    it(`reads files, and links that stay inside, ${way}`, async () => {
      const w = open();
      assert.equal(new TextDecoder().decode(await w.read('notes/a.txt')), 'inside ✓\n');
      assert.equal(new TextDecoder().decode(await w.read('link-inside.txt')), 'inside ✓\n');
      assert.equal((await w.read('empty.txt'))?.length, 0);
      assert.equal((await w.read('big.txt'))?.length, 100_000);
      assert.equal(await w.read('notes/missing.txt'), undefined);
    });

    it(`refuses a link to a file outside, and a file through a linked folder outside, ${way}`, async () => {
      const w = open();
      await assert.rejects(w.read('link-out.txt'), (e) => e instanceof PathError && /leads outside the workspace folder/.test(e.message));
      await assert.rejects(w.read('folder-out/secret.txt'), (e) => e instanceof PathError && /leads outside the workspace folder/.test(e.message));
      // Missing behind a link that leads out: refused as such, not reported missing.
      await assert.rejects(w.read('folder-out/missing.txt'), PathError);
    });
  }
});
