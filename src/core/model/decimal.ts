// Numbers as people write them, kept exactly or refused: a value becomes a number only when it is written in decimal
// digits and a double holds it as written. "0x10" is not read as 16, 9007199254740993 is not rounded to …992, and
// .5e-400 does not become 0 without a word.

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Why the numeral `s` cannot be stored as a number without changing it, or undefined when it can. */
export function inexactNumberReason(s: string): string | undefined {
  if (!DECIMAL.test(s)) return `${JSON.stringify(s)} is not written in decimal digits`;
  const n = Number(s);
  if (!Number.isFinite(n)) return `${s} is too large for a number`;
  if (canonicalDecimal(s) !== canonicalDecimal(String(n))) return `${s} cannot be held exactly as a number (it would become ${String(n)})`;
  return undefined;
}

/** A decimal numeral as sign, significant digits and exponent ("-12e3" for -12000.0), so equal values compare equal. */
function canonicalDecimal(s: string): string {
  const m = /^([-+]?)(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?$/.exec(s) as RegExpExecArray;
  const digits = (m[2] + m[3]).replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  const exponent = Number(m[4] ?? 0) - m[3].length + (digits.length - significant.length);
  return `${m[1] === '-' ? '-' : ''}${significant}e${exponent}`;
}
