// Cohen's kappa (Cohen 1960, two coders) and Fleiss' kappa (Fleiss 1971, any number of coders), chance-corrected
// agreement on nominal categories: (observed - expected) / (1 - expected). Undefined (null) when chance agreement is
// already complete (every rating in one category), so there is nothing to correct for, or when there is nothing
// rated.

/**
 * Cohen's kappa from a square contingency table: `table[i][j]` counts the items the first coder put in category i
 * and the second in category j (counts or proportions). Chance agreement is the product of the two coders' own
 * margins, as Cohen defines it.
 */
export function cohenKappa(table: readonly (readonly number[])[]): number | null {
  const k = table.length;
  if (table.some((row) => row.length !== k)) throw new RangeError('Cohen’s kappa needs a square table, one row and one column per category');
  let total = 0;
  let diagonal = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const x = table[i][j];
      if (!(x >= 0)) throw new RangeError(`a count must be a number of 0 or more, not ${x}`);
      total += x;
      rows[i] += x;
      cols[j] += x;
      if (i === j) diagonal += x;
    }
  }
  if (total === 0) return null;
  const observed = diagonal / total;
  let chance = 0;
  for (let i = 0; i < k; i++) chance += (rows[i] / total) * (cols[i] / total);
  return chanceCorrected(observed, chance);
}

/**
 * Fleiss' kappa from `counts[i][j]`, the number of coders who put item i in category j; every item is rated by the
 * same number of coders (at least two). Chance agreement uses the pooled category shares of all ratings.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number | null {
  if (counts.length === 0) return null;
  const raters = sum(counts[0]);
  if (raters < 2) throw new RangeError('Fleiss’ kappa needs at least two ratings per item');
  const k = counts[0].length;
  const shares = new Array<number>(k).fill(0);
  let agreement = 0;
  for (const row of counts) {
    if (row.length !== k || sum(row) !== raters)
      throw new RangeError('Fleiss’ kappa needs every item rated by the same number of coders, in the same categories');
    let pairs = 0;
    for (let j = 0; j < k; j++) {
      pairs += row[j] * (row[j] - 1);
      shares[j] += row[j];
    }
    agreement += pairs / (raters * (raters - 1));
  }
  const items = counts.length;
  let chance = 0;
  for (const s of shares) chance += (s / (items * raters)) ** 2;
  return chanceCorrected(agreement / items, chance);
}

/**
 * Fleiss' kappa for a yes/no category from a histogram: `weights[r]` is how many items exactly r of the `raters`
 * coders marked (r = 0 … raters). The same value as fleissKappa on the table [[raters - r, r], …] with one row per
 * item, without building it: the agreement report counts code units by the million.
 */
export function fleissKappaBinary(weights: readonly number[]): number | null {
  const raters = weights.length - 1;
  if (raters < 2) throw new RangeError('Fleiss’ kappa needs at least two coders');
  let items = 0;
  let marked = 0;
  let agreement = 0;
  for (let r = 0; r <= raters; r++) {
    const w = weights[r];
    items += w;
    marked += w * r;
    agreement += (w * (r * (r - 1) + (raters - r) * (raters - r - 1))) / (raters * (raters - 1));
  }
  if (items === 0) return null;
  const p = marked / (items * raters);
  return chanceCorrected(agreement / items, p * p + (1 - p) * (1 - p));
}

function chanceCorrected(observed: number, chance: number): number | null {
  // Rounding can leave chance a hair below 1 when every rating is in one category.
  if (chance >= 1 - 1e-12) return null;
  return (observed - chance) / (1 - chance);
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
