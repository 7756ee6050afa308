// An untrusted workspace (Restricted Mode): Marginalia shows annotations but writes nothing, and says why.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, eventually, logged, openAndSelect, treeLabels } from '../support/helpers';

const DOC = '000_66ca398fea36cc01.txt';

describe('issue 5: untrusted workspace', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('runs in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('read-only and tells why: the Corpus view still lists the corpus and says why it is read-only', async () => {
    const a = await api();
    assert.equal(treeLabels(a).length, 5);
    assert.equal(
      a.treeView.message,
      'Read-only: this workspace is not trusted, so Marginalia shows annotations but does not tag, edit or write files. Trust the folder to annotate.',
    );
  });

  it('read-only and tells why: tagging is refused with the reason shown, writing nothing', async () => {
    const a = await api();
    const f = a.workspace.all()[0];
    await openAndSelect(f, DOC, 'Vladimir Putin');
    // The command is disabled by its enablement clause; calling it directly still goes through the model's check.
    const result = await vscode.commands.executeCommand('marginalia.tagClaim', { attributes: {}, note: '' }).then(
      (r) => r,
      () => undefined,
    );
    assert.equal(result, undefined, 'nothing tagged');
    // The message the person is shown (a warning), as the log records it.
    await logged(
      a,
      /warn \[commands\] marginalia\.tagClaim: This workspace is not trusted, so Marginalia is read-only here\. Trust the folder \(Manage Workspace Trust\) to tag and edit\./,
    );
    await assert.rejects(() => f.add(DOC, [], 'text'), /not trusted, so Marginalia is read-only/);
    assert.equal(f.annotations(DOC).length, 0);
    assert.ok(!fs.existsSync(path.join(f.folder.uri.fsPath, '.marginalia')), 'no store written');
  });

  it('read-only and tells why: the status bar shows a lock and says read-only', async () => {
    const a = await api();
    await openAndSelect(a.workspace.all()[0], DOC, 'Putin');
    assert.match(a.status.item.text, /\$\(lock\)/);
    assert.match(String(a.status.item.tooltip), /Read-only/);
  });

  it('read-only and tells why: a conflicted sidecar is reported, and resolving it is refused with the reason, leaving it untouched', async () => {
    const a = await api();
    const f = a.workspace.all()[0];
    const file = path.join(f.folder.uri.fsPath, '.marginalia', 'annotations', DOC + '.yaml');
    const conflicted = `version: 1\ndocument: ${DOC}\n<<<<<<< HEAD\nannotations: []\n=======\nannotations: []\n>>>>>>> theirs\n`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, conflicted);
    try {
      const node = await eventually(() => a.tree.getChildren().find((n) => n.type === 'error'), 15_000, 'the conflicted sidecar listed');
      assert.equal(a.tree.getTreeItem(node).contextValue, 'error.conflict');
      assert.equal(await vscode.commands.executeCommand('marginalia.resolveConflict', node), undefined);
      await logged(a, /warn \[conflicts\] marginalia\.resolveConflict: This workspace is not trusted, so Marginalia is read-only here\./);
      assert.equal(fs.readFileSync(file, 'utf8'), conflicted, 'left untouched');
    } finally {
      fs.rmSync(path.join(f.folder.uri.fsPath, '.marginalia'), { recursive: true, force: true });
    }
  });
});
