// Runs inside a real VS Code extension host. The runners tell it what they opened:
//   MARGINALIA_TEST_WORKSPACE         the folder or .code-workspace file opened (a copy made for this run)
//   MARGINALIA_TEST_WORKSPACE_SOURCE  what that copy was made from (default: sample/corpus)
//   MARGINALIA_TEST_TRUST             off | untrusted | prompt (see scripts/vscode/settings.mjs)
//   MARGINALIA_TEST_EXTENSION         development (loaded from this repo) | installed (a copy in the extensions dir)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'marginalia.marginalia';
const REPO = path.resolve(__dirname, '..', '..', '..'); // out/test/integration -> repo root
const SAMPLE_CORPUS = path.join(REPO, 'sample', 'corpus');
const opened = process.env.MARGINALIA_TEST_WORKSPACE;
const source = process.env.MARGINALIA_TEST_WORKSPACE_SOURCE ?? SAMPLE_CORPUS;
const trust = process.env.MARGINALIA_TEST_TRUST ?? 'off';
const installed = process.env.MARGINALIA_TEST_EXTENSION === 'installed';

interface Manifest {
  version: string;
  engines: { vscode: string };
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited' } };
}
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function corpusFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
}

describe('smoke: Marginalia in a real VS Code', () => {
  it('runs in the VS Code the manifest asks for', () => {
    const [wantMajor, wantMinor] = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const [major, minor] = vscode.version.split('.').map(Number);
    assert.ok(major > wantMajor || (major === wantMajor && minor >= wantMinor), `VS Code ${vscode.version} < ${manifest.engines.vscode}`);
  });

  it('opened the workspace the runner asked for', function () {
    assert.ok(opened, 'the runner names the workspace it opened (MARGINALIA_TEST_WORKSPACE)');
    if (opened.endsWith('.code-workspace')) {
      assert.equal(vscode.workspace.workspaceFile?.fsPath, opened);
      assert.ok((vscode.workspace.workspaceFolders?.length ?? 0) >= 1, 'a multi-root workspace has folders');
    } else {
      assert.deepEqual(
        vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
        [opened],
      );
    }
  });

  it('finds every document of the sample corpus through the workspace', async function () {
    assert.equal(path.resolve(source), SAMPLE_CORPUS, 'this suite runs on a copy of the sample corpus');
    const found = await vscode.workspace.findFiles('**/*.txt', '**/.marginalia/**');
    assert.deepEqual(found.map((u) => path.basename(u.fsPath)).sort(), corpusFiles(SAMPLE_CORPUS));
  });

  it(`is ${trust === 'untrusted' ? 'not ' : ''}trusted, as the runner asked`, () => {
    assert.equal(vscode.workspace.isTrusted, trust !== 'untrusted');
  });

  it(`loads Marginalia ${installed ? 'as installed' : 'from this repository'} and activates it when a corpus document opens`, async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    if (installed && trust === 'untrusted' && !manifest.capabilities?.untrustedWorkspaces?.supported) {
      // Restricted Mode disables an installed extension that does not declare untrusted-workspace support
      // (a development extension is exempt, so only the installed mode can see this).
      assert.equal(ext, undefined, `${EXTENSION_ID} should be disabled in Restricted Mode`);
      return;
    }
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    if (installed) assert.equal(path.basename(ext.extensionUri.fsPath), `${EXTENSION_ID}-${manifest.version}`);
    else assert.equal(ext.extensionUri.fsPath, REPO);
    const [doc] = await vscode.workspace.findFiles('**/*.txt', undefined, 1);
    assert.ok(doc, 'the workspace has a .txt document to open');
    await vscode.window.showTextDocument(doc);
    assert.ok(await waitFor(() => ext.isActive, 15_000), `${EXTENSION_ID} did not activate within 15 s of opening ${doc.fsPath}`);
  });
});
