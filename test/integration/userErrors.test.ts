// Errors meant for people, raised inside a command in the real extension host: the command wrapper shows them as a
// plain message (a warning, logged as such) and never as a bug ("details in the Marginalia log", logged with a stack).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Annotation } from '../../src/core/model';
import { api, closeAll, eventually, folderModel, logged, openAndSelect } from './support/helpers';

const DIR = 'usererrors';
const DOC = `${DIR}/locked.txt`;
const TEXT = 'Another process holds the lock of this document. Tag this passage.\n';

describe('user errors in commands', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('a LockTimeoutError raised by a command (a live process never releases the lock) is shown as a plain message, not as a bug', async () => {
    const a = await api();
    const f = folderModel(a);
    const abs = (rel: string): string => path.join(f.folder.uri.fsPath, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs(DOC)), { recursive: true });
    fs.writeFileSync(abs(DOC), TEXT);
    await eventually(() => f.isCorpus(DOC), 15_000, `${DOC} in the corpus`);
    await openAndSelect(f, DOC, 'Tag this passage');
    // A live holder: this very process (the extension host), under another lock record.
    const lock = abs(`.marginalia/annotations/${DIR}/.locked.txt.yaml.lock`);
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'held-by-someone-else' }));
    const before = a.log.recent().length;
    const saved = process.env.MARGINALIA_LOCK_TIMEOUT_MS;
    process.env.MARGINALIA_LOCK_TIMEOUT_MS = '1000';
    let created: Annotation[] | undefined;
    try {
      created = (await vscode.commands.executeCommand('marginalia.tagClaim', { note: '', attributes: {} })) as Annotation[] | undefined;
    } finally {
      if (saved === undefined) delete process.env.MARGINALIA_LOCK_TIMEOUT_MS;
      else process.env.MARGINALIA_LOCK_TIMEOUT_MS = saved;
      fs.rmSync(lock, { force: true });
    }
    assert.equal(created, undefined, 'the command stopped');
    const line = await logged(
      a,
      new RegExp(
        `^warn \\[commands\\] marginalia\\.tagClaim: locked\\.txt\\.yaml is locked by process ${process.pid}, which is still running, and it has held the lock for over 1 s without finishing its save; wait for that process to finish \\(or stop it\\), then try again\\.`,
      ),
    );
    assert.match(line, /If it is not a Marginalia process, delete .*\.locked\.txt\.yaml\.lock$/);
    const errors = a.log
      .recent()
      .slice(before)
      .filter((l) => l.startsWith('error '));
    assert.deepEqual(errors, [], 'not logged as a bug (with a stack), so not shown as "details in the Marginalia log"');
    assert.equal(fs.existsSync(abs(`.marginalia/annotations/${DOC}.yaml`)), false, 'nothing saved');
    // Leaves the corpus as the suites after this one expect it.
    await closeAll();
    fs.rmSync(abs(DIR), { recursive: true, force: true });
    fs.rmSync(abs(`.marginalia/annotations/${DIR}`), { recursive: true, force: true });
    await eventually(() => !f.documents().some((d) => d.startsWith(DIR + '/')), 20_000, `${DIR}/ gone from the model`);
  });
});
