// Recognising a document moved outside the editor (git mv, a file manager): the annotations of a document that
// vanished follow a new file whose text is a version they were anchored to.

/**
 * Pairs each missing document with the new document whose content hash is one of the versions its annotations were
 * anchored to. A new document matching several missing ones (copies) goes to none: a guess is worse than orphans.
 */
export function findMoves(missing: ReadonlyMap<string, ReadonlySet<string>>, created: ReadonlyMap<string, string>): [from: string, to: string][] {
  const byHash = new Map<string, string[]>();
  for (const [doc, hash] of created) byHash.set(hash, [...(byHash.get(hash) ?? []), doc]);
  const claims = new Map<string, string[]>();
  for (const [from, hashes] of missing) {
    const targets = new Set<string>();
    for (const h of hashes) for (const d of byHash.get(h) ?? []) targets.add(d);
    if (targets.size === 1) {
      const to = [...targets][0];
      claims.set(to, [...(claims.get(to) ?? []), from]);
    }
  }
  return [...claims].filter(([, froms]) => froms.length === 1).map(([to, [from]]) => [from, to]);
}
