// Nothing lost when a save is interrupted: the CLI killed at random moments while it writes, and a crash between
// the temporary write and the rename.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BIN, cli, spanOf, tempWorkspace } from './cliHarness';
import { NodeWorkspaceFs, atomicSteps } from '../../src/core/nodeFs';
import { mulberry32 } from '../support/editGenerator';

const DOC = 'corpus/000_66ca398fea36cc01.txt';

function sidecarIds(ws: string): string[] {
  const file = path.join(ws, '.marginalia', 'annotations', DOC + '.yaml');
  if (!fs.existsSync(file)) return [];
  const parsed = parse(fs.readFileSync(file, 'utf8')); // throws on a partial file
  return parsed.annotations.map((a: { id: string }) => a.id);
}

/** Runs `marginalia add` and kills it with SIGKILL after `delayMs`; resolves with its exit code (null when killed). */
function addAndKill(ws: string, start: number, end: number, delayMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'add', DOC, '--kind', 'claim', '--start', String(start), '--end', String(end), '--author', 'killer'], { cwd: ws, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('interrupted saves', function () {
  this.timeout(180_000);

  it('the CLI killed at random moments while adding: the sidecar is always the old or the new version, nothing lost', async () => {
    const ws = tempWorkspace();
    // Seed a few annotations so that every write rewrites a sidecar that already holds data.
    for (const q of ['Vladimir Putin', 'Global Times', 'Moscow']) {
      const s = spanOf(ws, DOC, q);
      assert.equal(cli(ws, 'add', DOC, '--kind', 'entity', '--start', String(s.start), '--end', String(s.end)).code, 0);
    }
    let known = sidecarIds(ws);
    const rng = mulberry32(20261123);
    const text = fs.readFileSync(path.join(ws, DOC), 'utf8');
    let killed = 0;
    let completed = 0;
    for (let i = 0; i < 60; i++) {
      const start = Math.floor(rng() * (text.length - 40));
      // The CLI needs ~100-200 ms to start and write: delays across that window hit every phase of the save.
      const code = await addAndKill(ws, start, start + 20, Math.floor(rng() * 250));
      const now = sidecarIds(ws);
      for (const id of known) assert.ok(now.includes(id), `annotation ${id} survived run ${i}`);
      assert.ok(now.length === known.length || now.length === known.length + 1, `run ${i}: old or new version, got ${now.length} after ${known.length}`);
      if (code === null) killed++;
      else completed++;
      known = now;
    }
    const leftovers = fs.readdirSync(path.join(ws, '.marginalia', 'annotations', 'corpus')).filter((f) => f.endsWith('.tmp'));
    assert.ok(killed > 5 && completed > 5, `both outcomes happened (killed ${killed}, completed ${completed})`);
    // A killed writer may leave its temporary file; it is never mistaken for a sidecar.
    assert.equal(cli(ws, 'list').code, 0);
    assert.ok(leftovers.every((f) => f.startsWith('.')), 'temporary files are hidden dot-files');
  });

  it('a crash between the temporary write and the rename leaves the old sidecar as it was, and no temporary file', async () => {
    const ws = tempWorkspace();
    const nfs = new NodeWorkspaceFs(ws);
    await nfs.writeAtomic('notes/a.yaml', Buffer.from('old\n'));
    const realRename = atomicSteps.rename;
    atomicSteps.rename = async () => {
      throw Object.assign(new Error('simulated crash before rename'), { code: 'EIO' });
    };
    try {
      await assert.rejects(() => nfs.writeAtomic('notes/a.yaml', Buffer.from('new\n')), /simulated crash/);
    } finally {
      atomicSteps.rename = realRename;
    }
    assert.equal(fs.readFileSync(path.join(ws, 'notes', 'a.yaml'), 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(path.join(ws, 'notes')), ['a.yaml']);
  });
});
