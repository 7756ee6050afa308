// Krippendorff's alpha for values that coders gave to the same units (Krippendorff 2004, Content Analysis, 2nd ed.,
// chapter 11; "Computing Krippendorff's alpha-reliability", 2011): any number of coders, missing values allowed, at
// the nominal, ordinal, interval or ratio level. Alpha = 1 - D_o / D_e, computed from the coincidence of values
// within units. Undefined (null) when no unit has two values to pair, or when all paired values are the same
// (no variation, so nothing to measure agreement against).
import type { AttributeValue } from '../model';
import type { MeasurementLevel } from '../store';

/** A value one coder gave to a unit; null or undefined when the coder gave none. */
export type CodedValue = AttributeValue | null | undefined;

export interface AlphaOptions {
  /** For the ordinal level: the values in their order (an enum's declared values). Without it, numbers sort
   *  numerically, then strings by code point. */
  order?: readonly AttributeValue[];
}

/**
 * Krippendorff's alpha over `units`, each the list of values the coders gave to that unit (in any coder order; a
 * missing value is null or undefined). Units with fewer than two values are not pairable and are left out.
 * Interval and ratio need numbers, and ratio needs numbers ≥ 0 (throws RangeError otherwise). The expected
 * disagreement is computed from the value totals in one pass for the nominal, ordinal and interval levels; the
 * ratio level compares every pair of distinct values.
 */
export function krippendorffAlpha(units: readonly (readonly CodedValue[])[], level: MeasurementLevel, options: AlphaOptions = {}): number | null {
  // Distinct values and, per unit, the indices of its pairable values.
  // One map per type, so 1, '1' and true stay three values without building a key string per value.
  const index = { number: new Map<AttributeValue, number>(), string: new Map<AttributeValue, number>(), boolean: new Map<AttributeValue, number>() };
  const values: AttributeValue[] = [];
  const pairable: number[][] = [];
  for (const unit of units) {
    const ids: number[] = [];
    for (const v of unit) {
      if (v === null || v === undefined) continue;
      checkValue(v, level);
      const ofType = index[typeof v as 'number' | 'string' | 'boolean'];
      let id = ofType.get(v);
      if (id === undefined) {
        id = values.length;
        ofType.set(v, id);
        values.push(v);
      }
      ids.push(id);
    }
    if (ids.length >= 2) pairable.push(ids);
  }
  if (pairable.length === 0) return null;

  // n_c: how often each value is paired (the margins of the coincidence matrix); n: all pairable values.
  const totals = new Float64Array(values.length);
  let n = 0;
  for (const ids of pairable) {
    for (const id of ids) totals[id]++;
    n += ids.length;
  }
  const position = positions(values, totals, level, options.order);
  const delta = (c: number, k: number): number => distance(c, k, values, position, level);

  // D_o · n: within each unit, every ordered pair of values from different coders, weighted 1 / (m_u - 1).
  let observed = 0;
  for (const ids of pairable) {
    let sum = 0;
    for (let i = 0; i < ids.length; i++) for (let j = 0; j < ids.length; j++) if (i !== j) sum += delta(ids[i], ids[j]);
    observed += sum / (ids.length - 1);
  }

  // D_e · n (n - 1): every ordered pair of pairable values.
  let expected: number;
  if (level === 'nominal') {
    let squares = 0;
    for (const t of totals) squares += t * t;
    expected = n * n - squares;
  } else if (level === 'ratio') {
    expected = 2 * ratioPairs(position, totals);
  } else {
    // Σ_c Σ_k n_c n_k (x_c - x_k)² = 2 n Σ_c n_c (x_c - mean)², centred so large values do not cancel.
    let mean = 0;
    for (let c = 0; c < values.length; c++) mean += totals[c] * position[c];
    mean /= n;
    let spread = 0;
    for (let c = 0; c < values.length; c++) spread += totals[c] * (position[c] - mean) ** 2;
    expected = 2 * n * spread;
  }
  if (expected === 0) return null;
  return 1 - ((n - 1) * observed) / expected;
}

function checkValue(v: AttributeValue, level: MeasurementLevel): void {
  if (level !== 'interval' && level !== 'ratio') return;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`the ${level} level needs numbers, not ${JSON.stringify(v)}`);
  if (level === 'ratio' && v < 0) throw new RangeError(`the ratio level needs numbers of 0 or more, not ${v}`);
}

/**
 * Where each value sits on the line the metric measures: the number itself (interval, ratio), or for the ordinal
 * level its mid-rank among the paired values (Σ of the totals of lower values plus half its own total), since
 * Krippendorff's ordinal distance (Σ_{g=c..k} n_g - (n_c + n_k) / 2)² is the squared difference of mid-ranks.
 */
function positions(values: readonly AttributeValue[], totals: Float64Array, level: MeasurementLevel, order?: readonly AttributeValue[]): Float64Array {
  const out = new Float64Array(values.length);
  if (level === 'interval' || level === 'ratio') {
    values.forEach((v, i) => (out[i] = v as number));
  } else if (level === 'ordinal') {
    const rank = ordinalRank(values, order);
    const sorted = values.map((_, i) => i).sort((a, b) => rank(a) - rank(b));
    let below = 0;
    for (const i of sorted) {
      out[i] = below + totals[i] / 2;
      below += totals[i];
    }
  }
  return out;
}

function ordinalRank(values: readonly AttributeValue[], order?: readonly AttributeValue[]): (i: number) => number {
  if (order) {
    const at = new Map(order.map((v, i) => [typeof v + ':' + String(v), i]));
    for (const v of values) {
      if (!at.has(typeof v + ':' + String(v)))
        throw new RangeError(`${JSON.stringify(v)} is not one of the ordered values ${order.map((o) => JSON.stringify(o)).join(', ')}`);
    }
    return (i) => at.get(typeof values[i] + ':' + String(values[i])) as number;
  }
  const sorted = values
    .map((_, i) => i)
    .sort((a, b) => {
      const x = values[a];
      const y = values[b];
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'number') return -1;
      if (typeof y === 'number') return 1;
      const sx = String(x);
      const sy = String(y);
      return sx < sy ? -1 : sx > sy ? 1 : 0;
    });
  const rank = new Map(sorted.map((id, r) => [id, r]));
  return (i) => rank.get(i) as number;
}

/** The squared distance δ² of two distinct values (by index); 0 for the same value at every level. */
function distance(c: number, k: number, values: readonly AttributeValue[], position: Float64Array, level: MeasurementLevel): number {
  if (c === k) return 0;
  switch (level) {
    case 'nominal':
      return 1;
    case 'ordinal':
    case 'interval':
      return (position[c] - position[k]) ** 2;
    case 'ratio': {
      const x = values[c] as number;
      const y = values[k] as number;
      return x + y === 0 ? 0 : ((x - y) / (x + y)) ** 2;
    }
  }
}

/**
 * Σ_{c<k} n_c n_k δ²_ratio(x_c, x_k) over the distinct values: every pair, as the ratio metric does not split into
 * per-value sums. A tight loop over typed arrays (no call per pair): a corpus's figures have thousands of distinct
 * values, so this is the alpha's costliest part.
 */
function ratioPairs(x: Float64Array, totals: Float64Array): number {
  let sum = 0;
  for (let c = 0; c < x.length; c++) {
    const xc = x[c];
    let row = 0;
    for (let k = c + 1; k < x.length; k++) {
      const s = xc + x[k];
      if (s !== 0) {
        const r = (xc - x[k]) / s;
        row += totals[k] * r * r;
      }
    }
    sum += totals[c] * row;
  }
  return sum;
}
