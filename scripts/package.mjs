#!/usr/bin/env node
// @ts-check
// `npm run package`: packs the built extension as a VSIX with @vscode/vsce, holding the files .vscodeignore lets
// through (the same files the tests and `npm start` install).
//
//   node scripts/package.mjs [--out FILE.vsix]   (default .run/<name>-<version>.vsix)
import { parseArgs } from './vscode/args.mjs';
import { packageVsix } from './vscode/extension.mjs';

try {
  const { out } = parseArgs(process.argv.slice(2), { out: 'string' });
  console.log(`packed ${packageVsix(out)}`);
} catch (e) {
  console.error(`package: ${/** @type {Error} */ (e).message}`);
  process.exit(1);
}
