// What activation loads, checked first (this file sorts before the others, which run the commands that load chunks):
// dist/extension.js, and none of the chunks of our own code (esbuild.mjs: FEATURE_CHUNKS, SOURCE_CHUNKS), which load
// at their first use. test/cli/bundle.test.ts checks the production build's size and what its chunks share.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api } from './support/helpers';

const EXTENSION_ID = 'marginalia.marginalia';
/** The export formats, research (figures, names, suggestions, tag questions, headers, agreement, review), capture, the
 *  agreement report, the Review view's and Suggestions' workings. */
const LAZY = ['formats.js', 'research.js', 'capture.js', 'report.js', 'review.js', 'suggestions.js'];

describe('activation', () => {
  it('loads dist/extension.js and none of the chunks our own code loads at first use', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext?.isActive);
    const dist = path.join(ext.extensionPath, 'dist');
    const loaded = Object.keys(require.cache)
      .filter((f) => path.dirname(f) === dist)
      .map((f) => path.basename(f));
    assert.ok(loaded.includes('extension.js'), `the extension runs from ${dist}: ${loaded.join(', ')}`);
    assert.deepEqual(
      LAZY.filter((f) => loaded.includes(f)),
      [],
      `loaded at activation: ${loaded.join(', ')}`,
    );
    assert.equal(a.suggestions.loaded, false, "Suggestions' workings wait for the first Suggest");
  });
});
