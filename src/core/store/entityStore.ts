// Reading and writing the entity register file of a workspace folder (.marginalia/entities.yaml).
import type { WorkspaceFs } from './ports';
import { ENTITIES_PATH, emptyRegister, parseEntitiesBytes, serializeEntities, type EntityRegister } from './entities';
import type { AnnotationStore } from './store';
import type { AnnotationRewrite } from './entities';

/** The register, or an empty one when the file does not exist. Throws EntitiesError when it is broken. */
export async function loadEntities(fs: WorkspaceFs): Promise<EntityRegister> {
  const bytes = await fs.read(ENTITIES_PATH);
  return bytes === undefined ? emptyRegister() : parseEntitiesBytes(bytes, ENTITIES_PATH);
}

export async function saveEntities(fs: WorkspaceFs, register: EntityRegister): Promise<void> {
  await fs.writeAtomic(ENTITIES_PATH, new TextEncoder().encode(serializeEntities(register)));
}

/** Applies a register change: the annotation rewrites first (each sidecar re-read and merged), the register last. */
export async function applyRegisterChange(
  fs: WorkspaceFs,
  store: AnnotationStore,
  register: EntityRegister,
  rewrites: readonly AnnotationRewrite[],
): Promise<void> {
  const byDoc = new Map<string, AnnotationRewrite[]>();
  for (const r of rewrites) byDoc.set(r.doc, [...(byDoc.get(r.doc) ?? []), r]);
  for (const [doc, list] of byDoc) await store.update(doc, { upsert: list.map((r) => r.annotation) });
  await saveEntities(fs, register);
}
