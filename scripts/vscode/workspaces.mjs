// @ts-check
// The workspace a run opens: a writable copy of a folder or of a .code-workspace and its folders.
import fs from 'node:fs';
import path from 'node:path';
import { parseJsonc } from './settings.mjs';

/** @param {string} p */
export function isWorkspaceFile(p) {
  return p.endsWith('.code-workspace');
}

/**
 * Copies a folder, or a .code-workspace file and each of its folders, under `destRoot`, so a run may
 * write into it (sample/corpus is read-only) and leaves the repo untouched. Returns the path to open.
 * A copied .code-workspace lists its copied folders by relative path, in the same order and with the same names.
 * @param {string} source
 * @param {string} destRoot
 */
export function copyWorkspace(source, destRoot) {
  source = path.resolve(source);
  if (!fs.existsSync(source)) throw new Error(`workspace ${source} does not exist`);
  fs.mkdirSync(destRoot, { recursive: true });
  /** @param {string} from @param {string} to */
  const copyDir = (from, to) => fs.cpSync(from, to, { recursive: true, mode: fs.constants.COPYFILE_FICLONE });
  if (!isWorkspaceFile(source)) {
    const dest = path.join(destRoot, path.basename(source));
    copyDir(source, dest);
    makeWritable(dest);
    return dest;
  }
  const ws = parseJsonc(fs.readFileSync(source, 'utf8'), source);
  const used = new Set();
  ws.folders = (ws.folders ?? []).map((/** @type {{ path?: string }} */ f) => {
    if (!f.path) return f; // a uri folder (e.g. another scheme) is left as it is
    const from = path.resolve(path.dirname(source), f.path);
    let name = path.basename(from);
    for (let n = 2; used.has(name); n++) name = `${path.basename(from)}-${n}`;
    used.add(name);
    copyDir(from, path.join(destRoot, name));
    makeWritable(path.join(destRoot, name));
    return { ...f, path: name };
  });
  const dest = path.join(destRoot, path.basename(source));
  fs.writeFileSync(dest, JSON.stringify(ws, null, 2) + '\n');
  return dest;
}

/** @param {string} p */
function makeWritable(p) {
  const st = fs.statSync(p);
  fs.chmodSync(p, st.mode | (st.isDirectory() ? 0o700 : 0o600));
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
}
