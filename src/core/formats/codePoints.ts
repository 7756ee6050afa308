// UTF-16 code units (Marginalia's offsets) ↔ Unicode code points (the W3C model's and REFI-QDA's), for one text.
import { contentHash, isHighSurrogate, isLowSurrogate } from '../model';

/**
 * A document text with UTF-16 ↔ code point conversion in O(1) after one pass (utf16ToCodePoint in model/text.ts walks the
 * text each call, too slow for thousands of annotations on a long document). Agrees with model/text.ts: an offset inside
 * a surrogate pair counts the whole pair; a lone surrogate is one code point.
 */
export class CodePointText {
  private cpAt: Uint32Array | undefined;
  private unitAt: Uint32Array | undefined;
  readonly codePoints: number;
  private hashValue: string | undefined;
  constructor(readonly text: string) {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      this.codePoints = text.length;
      return;
    }
    const cpAt = new Uint32Array(text.length + 1);
    const unitAt = new Uint32Array(text.length + 1);
    let cp = 0;
    let i = 0;
    while (i < text.length) {
      cpAt[i] = cp;
      unitAt[cp] = i;
      if (isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
        cpAt[i + 1] = cp + 1;
        i += 2;
      } else {
        i++;
      }
      cp++;
    }
    cpAt[text.length] = cp;
    unitAt[cp] = text.length;
    this.cpAt = cpAt;
    this.unitAt = unitAt.subarray(0, cp + 1);
    this.codePoints = cp;
  }
  get hash(): string {
    this.hashValue ??= contentHash(this.text);
    return this.hashValue;
  }
  toCodePoint(utf16: number): number {
    return this.cpAt ? this.cpAt[utf16] : utf16;
  }
  /** UTF-16 offset of a code point offset, or undefined when it lies beyond the text. */
  toUtf16(cp: number): number | undefined {
    if (cp > this.codePoints) return undefined;
    return this.unitAt ? this.unitAt[cp] : cp;
  }
}
