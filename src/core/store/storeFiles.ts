// The files of the store that people edit by hand (the codebook, the entity register, the sidecars), recognised by
// their workspace-relative path and checked with the same reader that loads them, so an editor can show a problem
// where it is, before the store refuses the file.
import { CODEBOOK_PATH, parseCodebook } from './codebook';
import { ENTITIES_PATH, parseEntities } from './entities';
import { REVIEWED_DIR, docForPathIn, docForSidecarPath, parseSidecar } from './sidecar';
import { docForDecisionsPath, parseDecisions } from './decisions';
import { YamlFileError } from '../yaml';

export type StoreFileKind = 'codebook' | 'entities' | 'sidecar' | 'reviewed' | 'decisions';

/** Which store file a workspace-relative path is, if any. */
export function storeFileKind(rel: string): StoreFileKind | undefined {
  if (rel === CODEBOOK_PATH) return 'codebook';
  if (rel === ENTITIES_PATH) return 'entities';
  if (docForSidecarPath(rel) !== undefined) return 'sidecar';
  if (docForPathIn(REVIEWED_DIR, rel) !== undefined) return 'reviewed';
  if (docForDecisionsPath(rel) !== undefined) return 'decisions';
  return undefined;
}

/**
 * Checks the text of a store file as the store would load it. Returns the problem (with its 1-based line and column
 * where it has a place), or undefined when the file loads; undefined too for a path that is not a store file.
 * Errors other than a YamlFileError are bugs and are thrown.
 */
export function checkStoreFile(rel: string, text: string): YamlFileError | undefined {
  const kind = storeFileKind(rel);
  if (!kind) return undefined;
  try {
    if (kind === 'codebook') parseCodebook(text, rel);
    else if (kind === 'entities') parseEntities(text, rel);
    else if (kind === 'decisions') parseDecisions(text, rel);
    else parseSidecar(text, rel, { fastPath: false });
    return undefined;
  } catch (e) {
    if (e instanceof YamlFileError) return e;
    throw e;
  }
}
