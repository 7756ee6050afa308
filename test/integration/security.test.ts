// Issue 10, point 2, where the same paths run in the extension host: a committed sidecar naming a document that is
// no corpus document (.env) is reported and never read, and restore refuses to write into .git/hooks. The core half
// is test/unit/store/corpusFolder.test.ts; the CLI half test/cli/security.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contentHash } from '../../src/core/model';
import { serializeSidecar } from '../../src/core/store';
import { annotation } from '../support/annotations';
import { api, closeAll, eventually, folderModel, logged } from './support/helpers';

const DIR = 'security';
let root: string;
const abs = (rel: string): string => path.join(root, ...rel.split('/'));
const sidecarRel = (doc: string): string => `.marginalia/annotations/${doc}.yaml`;

function write(rel: string, data: string): void {
  fs.mkdirSync(path.dirname(abs(rel)), { recursive: true });
  fs.writeFileSync(abs(rel), data);
}

function sidecarFor(doc: string, text: string, quote: string): string {
  return serializeSidecar(doc, [annotation({ doc, text, phrase: quote, author: 'hostile', created: '2026-11-01T10:00:00.000Z' })]);
}

describe('issue 10: security in the extension host', function () {
  this.timeout(60_000);
  const ENV = `${DIR}/.env`;
  const HOOK = '.git/hooks/post-checkout';
  const HOOK_TEXT = '#!/bin/sh\necho owned > /tmp/marginalia-owned\n';
  const hookSnapshot = `.marginalia/snapshots/${contentHash(HOOK_TEXT).slice(7, 9)}/${contentHash(HOOK_TEXT).slice(7)}.txt`;

  before(async () => {
    root = folderModel(await api()).folder.uri.fsPath;
  });
  afterEach(closeAll);
  after(async () => {
    const f = folderModel(await api());
    for (const p of [DIR, `.marginalia/annotations/${DIR}`, `.marginalia/annotations/.git`, hookSnapshot]) fs.rmSync(abs(p), { recursive: true, force: true });
    await vscode.commands.executeCommand('marginalia.refresh');
    await eventually(
      () => !f.errors.some((e) => e.file.startsWith(`.marginalia/annotations/${DIR}/`) || e.file.startsWith('.marginalia/annotations/.git/')),
      20_000,
      'error items gone',
    );
  });

  it('a committed sidecar naming .env is an error item; .env is never read, re-anchored or copied into the store', async () => {
    const a = await api();
    const f = folderModel(a);
    const secret = 'TOKEN=ghp_SECRETSECRETSECRET0123456789 and the rest of it\n';
    write(ENV, secret);
    // Made against another text, so re-anchoring it would search .env for its quote.
    const hostile = sidecarFor(ENV, 'TOKEN=ghp_OLD and the rest of it\n', 'TOKEN');
    write(sidecarRel(ENV), hostile);
    const node = await eventually(
      () => a.tree.getChildren().find((n) => n.type === 'error' && n.file === sidecarRel(ENV)),
      15_000,
      'error item for the .env sidecar',
    );
    assert.match(String(a.tree.getTreeItem(node).tooltip), /security\/\.env is not a corpus document/);
    assert.ok(!f.documents().includes(ENV), '.env is not listed, not even as missing');
    await vscode.commands.executeCommand('marginalia.checkAnchors');
    assert.equal(fs.readFileSync(abs(sidecarRel(ENV)), 'utf8'), hostile, 'the sidecar is left as it was');
    const h = contentHash(secret).slice(7);
    assert.ok(!fs.existsSync(abs(`.marginalia/snapshots/${h.slice(0, 2)}/${h}.txt`)), 'no snapshot of .env');
  });

  it('Restore Deleted Document refuses .git/hooks/post-checkout named by a committed sidecar and snapshot; no hook is written', async () => {
    const a = await api();
    const f = folderModel(a);
    const hook = HOOK_TEXT;
    await f.store.putSnapshot(hook);
    write(sidecarRel(HOOK), sidecarFor(HOOK, hook, 'echo owned'));
    // A sidecar under a .git folder may escape the file watcher: a refresh loads every sidecar.
    await vscode.commands.executeCommand('marginalia.refresh');
    await eventually(() => f.errors.some((e) => e.file === sidecarRel(HOOK)), 15_000, 'the hook sidecar reported');
    await vscode.commands.executeCommand('marginalia.restoreDocument', f.folder.uri.toString(), HOOK);
    await logged(a, /\.git\/hooks\/post-checkout is not a corpus document/, 15_000);
    assert.equal(fs.existsSync(abs(HOOK)), false, 'no hook written');
  });
});
