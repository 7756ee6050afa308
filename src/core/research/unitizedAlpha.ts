// Krippendorff's unitized alpha (α_u) for one category on a continuum: how far coders agree on where the units of
// that category lie (Krippendorff 1995, "On the reliability of unitizing continuous data", Sociological Methodology
// 25; 2004, Content Analysis, 2nd ed., section 12.4). Each coder's continuum [0, length) is cut into units of the
// category and the gaps between them; α_u = 1 - D_o / D_e.
//
//   D_o = 2 Σ_{coder pairs i<j} Σ_{sections g of i, h of j} δ²(g, h) / (m (m - 1) L²), where δ² is, for two
//         overlapping units, (start_g - start_h)² + (end_g - end_h)²; for a unit lying wholly inside the other
//         coder's gap, its length squared; otherwise 0.
//   D_e = (2 / L) Σ_{units u} [ (N - 1) l_u (l_u - 1) (2 l_u - 1) / 3 + l_u² Σ_{gaps g with l_g ≥ l_u} (l_g - l_u + 1) ]
//         / ( m L (m L - 1) - Σ_u l_u (l_u - 1) ), over the units and gaps of all m coders, N units in all.
//
// Written as the sums read, D_o compares every section with every other and D_e every unit with every gap: quadratic
// in the number of units. Here D_o walks each pair of coders' sorted units together (a unit overlaps few others) and
// D_e sorts the gap lengths once and reads Σ (l_g - l_u + 1) over the long-enough gaps from suffix sums, so the whole
// is O(n log n) in the number of units.
import type { Span } from '../model';

/** The two disagreements of α_u for one category, kept apart so categories and continua can be summed. */
export interface UnitizedDisagreement {
  observed: number;
  expected: number;
}

/**
 * One coder's units of one category, ready for α_u: clipped to [0, length), empty ones dropped, sorted, and units
 * that overlap merged into one (α_u assumes a coder's units of a category do not overlap). Units that only touch
 * stay two units.
 */
export function normaliseUnits(spans: readonly Span[], length: number): Span[] {
  const clipped: Span[] = [];
  for (const s of spans) {
    const start = Math.max(0, s.start);
    const end = Math.min(length, s.end);
    if (end > start) clipped.push({ start, end });
  }
  clipped.sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const s of clipped) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * D_o and D_e of one category on a continuum of `length` code units; `coders` holds each coder's units as
 * normaliseUnits returns them (sorted, not overlapping). Both are 0 when no coder marked a unit.
 */
export function unitizedDisagreement(length: number, coders: readonly (readonly Span[])[]): UnitizedDisagreement {
  const m = coders.length;
  if (m < 2) throw new RangeError('α_u needs at least two coders');
  let units = 0;
  for (const c of coders) units += c.length;
  if (units === 0 || length <= 0) return { observed: 0, expected: 0 };

  let pairs = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs += pairDisagreement(coders[i], coders[j]);
  const observed = (2 * pairs) / (m * (m - 1) * length * length);

  // Gap lengths of all coders, ascending, with suffix sums: count and total length of the gaps at least l long.
  const gaps: number[] = [];
  for (const c of coders) {
    let at = 0;
    for (const u of c) {
      if (u.start > at) gaps.push(u.start - at);
      at = u.end;
    }
    if (length > at) gaps.push(length - at);
  }
  const gapLengths = Float64Array.from(gaps).sort();
  const suffix = new Float64Array(gapLengths.length + 1);
  for (let g = gapLengths.length - 1; g >= 0; g--) suffix[g] = suffix[g + 1] + gapLengths[g];

  const unitLengths = new Float64Array(units);
  let k = 0;
  for (const c of coders) for (const u of c) unitLengths[k++] = u.end - u.start;
  unitLengths.sort();

  let sum = 0;
  let selfPairs = 0;
  let g = 0;
  for (let u = 0; u < units; u++) {
    const l = unitLengths[u];
    while (g < gapLengths.length && gapLengths[g] < l) g++;
    const longEnough = gapLengths.length - g;
    sum += ((units - 1) * l * (l - 1) * (2 * l - 1)) / 3 + l * l * (suffix[g] - (l - 1) * longEnough);
    selfPairs += l * (l - 1);
  }
  const expected = ((2 / length) * sum) / (m * length * (m * length - 1) - selfPairs);
  return { observed, expected };
}

/** α_u of one category, or of several summed (1 - Σ D_o / Σ D_e); null when no coder marked any unit. */
export function unitizedAlpha(parts: UnitizedDisagreement | readonly UnitizedDisagreement[]): number | null {
  const list = Array.isArray(parts) ? (parts as readonly UnitizedDisagreement[]) : [parts as UnitizedDisagreement];
  let observed = 0;
  let expected = 0;
  for (const p of list) {
    observed += p.observed;
    expected += p.expected;
  }
  return expected > 0 ? 1 - observed / expected : null;
}

/**
 * Σ δ² over the sections of two coders: overlapping units by their start and end differences, and each unit that
 * overlaps no unit of the other coder (so lies inside one of their gaps) by its length squared. Both lists sorted and
 * free of overlaps, so their ends are sorted too and one forward pointer finds each unit's overlaps.
 */
function pairDisagreement(a: readonly Span[], b: readonly Span[]): number {
  let sum = 0;
  const matched = new Uint8Array(b.length);
  let first = 0;
  for (const x of a) {
    while (first < b.length && b[first].end <= x.start) first++;
    let overlapped = false;
    for (let j = first; j < b.length && b[j].start < x.end; j++) {
      const y = b[j];
      sum += (x.start - y.start) ** 2 + (x.end - y.end) ** 2;
      overlapped = true;
      matched[j] = 1;
    }
    if (!overlapped) sum += (x.end - x.start) ** 2;
  }
  for (let j = 0; j < b.length; j++) if (!matched[j]) sum += (b[j].end - b[j].start) ** 2;
  return sum;
}
