// Where an export may be written inside a workspace folder: never over Marginalia's own files or the corpus.
import { STORE_DIR } from '../../constants';
import { docForSidecarPath } from '../store';

/**
 * Why writing an export's files at these workspace-relative paths would overwrite what the workspace keeps, or
 * undefined when none does: anything in the store folder (sidecars, snapshots, the codebook, the entity register)
 * and any document of the corpus or with annotations (`isDocument`). Checked for every file before the first is
 * written, so a refused export writes nothing. Paths outside the workspace are not passed in.
 */
export function exportCollision(files: readonly string[], isDocument: (rel: string) => boolean): string | undefined {
  for (const rel of files) {
    if (docForSidecarPath(rel) !== undefined) return `${rel} is the sidecar of ${docForSidecarPath(rel)}`;
    if (rel === STORE_DIR || rel.startsWith(`${STORE_DIR}/`))
      return `${rel} is inside ${STORE_DIR}, where Marginalia keeps sidecars, snapshots and the codebook`;
    if (isDocument(rel)) return `${rel} is a document of the corpus`;
  }
  return undefined;
}

/** The message for a refused export target: what it would overwrite and what to do instead. */
export function exportCollisionMessage(problem: string): string {
  return `refusing to export there: ${problem}, and the export would overwrite it. Choose a file or folder outside ${STORE_DIR} that is no corpus document (for a folder export, one that does not hold the corpus)`;
}
