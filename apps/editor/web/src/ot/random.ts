// Seeded random documents and operations for the property and simulation tests: text with ASCII,
// combining marks, CJK and characters beyond U+FFFF; operations cut only between characters.
import { TextOperation } from './textOperation';

const alphabet = ['a', 'b', ' ', '\n', 'é', '\u0301', '中', '€', '😀', '\u{1F3FD}', '𐐷'];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
export class Random {
  constructor(private seed: number) {}

  next(): number {
    let t = (this.seed = (this.seed + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  text(max: number): string {
    let s = '';
    for (let n = this.below(max + 1); n > 0; n--) s += alphabet[this.below(alphabet.length)];
    return s;
  }

  /** A random operation on `doc`, cutting only between characters (code points). */
  operation(doc: string): TextOperation {
    const chars = Array.from(doc);
    const op = new TextOperation();
    let i = 0;
    while (i < chars.length) {
      const n = 1 + this.below(Math.min(chars.length - i, 4));
      const units = chars.slice(i, i + n).join('').length;
      const kind = this.below(4);
      if (kind === 0) {
        op.insert(this.text(3));
        continue;
      }
      if (kind === 1) op.delete(units);
      else op.retain(units);
      i += n;
    }
    if (this.below(2) === 0) op.insert(this.text(3));
    return op;
  }
}
