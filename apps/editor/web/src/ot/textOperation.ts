// A text operation as ot.js defines it, in its JSON form: an array covering a whole document of
// retain (positive integer), insert (string) and delete (negative integer) components. Lengths and
// indexes are UTF-16 code units, JavaScript's own. Operations are normalised as ot.js's builder
// leaves them (adjacent components merged, no empty ones, an insert before a delete), so equal
// edits have equal JSON. The C++ server (editor::ot) implements the same semantics; both are
// checked against one case table.

export type Component = number | string;

export type OtErrorCode =
  | 'not_an_array'
  | 'invalid_component'
  | 'zero_length'
  | 'not_an_integer'
  | 'invalid_text'
  | 'too_many_components'
  | 'insert_too_long'
  | 'operation_too_long'
  | 'length_mismatch'
  | 'splits_surrogate_pair';

export class OtError extends Error {
  readonly code: OtErrorCode;
  constructor(code: OtErrorCode, message: string = code) {
    super(message);
    this.name = 'OtError';
    this.code = code;
  }
}

/** Bounds on what fromJSON accepts; the defaults are the server's. */
export interface Limits {
  maxComponents: number; // array elements
  maxInsertBytes: number; // UTF-8 bytes inserted, all inserts together
  maxLength: number; // base and target length, UTF-16 units
}

export const defaultLimits: Readonly<Limits> = {
  maxComponents: 10_000,
  maxInsertBytes: 1 << 20,
  maxLength: 1 << 20,
};

const isRetain = (c: Component): c is number => typeof c === 'number' && c > 0;
const isInsert = (c: Component): c is string => typeof c === 'string';
const isDelete = (c: Component): c is number => typeof c === 'number' && c < 0;

const isHigh = (u: number) => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number) => u >= 0xdc00 && u <= 0xdfff;

/** True when index `i` of `s` falls between the two halves of a surrogate pair. */
export function splitsPair(s: string, i: number): boolean {
  return i > 0 && i < s.length && isHigh(s.charCodeAt(i - 1)) && isLow(s.charCodeAt(i));
}

/** True when `s` has no lone surrogate, i.e. it has a UTF-8 form. */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (isHigh(u) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) i++;
    else if (isHigh(u) || isLow(u)) return false;
  }
  return true;
}

/** The UTF-8 size of a well-formed string, as the server counts inserted bytes. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    n += u < 0x80 ? 1 : u < 0x800 ? 2 : isHigh(u) || isLow(u) ? 2 : 3;
  }
  return n;
}

export class TextOperation {
  readonly ops: Component[] = [];
  /** The length of the document the operation applies to. */
  baseLength = 0;
  /** The length of the document it leaves. */
  targetLength = 0;

  retain(n: number): this {
    if (n === 0) return this;
    this.baseLength += n;
    this.targetLength += n;
    const last = this.ops.length - 1;
    if (last >= 0 && isRetain(this.ops[last])) (this.ops[last] as number) += n;
    else this.ops.push(n);
    return this;
  }

  /** Throws OtError('invalid_text') on a lone surrogate (text the server cannot hold). */
  insert(str: string): this {
    if (!isWellFormed(str)) throw new OtError('invalid_text');
    if (str === '') return this;
    this.targetLength += str.length;
    const ops = this.ops;
    let at = ops.length;
    if (at > 0 && isDelete(ops[at - 1])) at--; // an insert goes before a trailing delete
    if (at > 0 && isInsert(ops[at - 1])) ops[at - 1] += str;
    else ops.splice(at, 0, str);
    return this;
  }

  delete(n: number): this {
    if (n === 0) return this;
    if (n > 0) n = -n;
    this.baseLength -= n;
    const last = this.ops.length - 1;
    if (last >= 0 && isDelete(this.ops[last])) (this.ops[last] as number) += n;
    else this.ops.push(n);
    return this;
  }

  /** True when it leaves every document as it was. */
  isNoop(): boolean {
    return this.ops.every(isRetain);
  }

  equals(other: TextOperation): boolean {
    return (
      this.ops.length === other.ops.length && this.ops.every((c, i) => c === other.ops[i])
    );
  }

  toJSON(): Component[] {
    return [...this.ops];
  }

  /** The operation of a JSON array; throws OtError on anything else (checked as the server does). */
  static fromJSON(json: unknown, limits: Partial<Limits> = {}): TextOperation {
    const lim = { ...defaultLimits, ...limits };
    if (!Array.isArray(json)) throw new OtError('not_an_array');
    if (json.length > lim.maxComponents) throw new OtError('too_many_components');
    const op = new TextOperation();
    let inserted = 0;
    for (const c of json as unknown[]) {
      if (typeof c === 'string') {
        inserted += utf8Bytes(c);
        if (inserted > lim.maxInsertBytes) throw new OtError('insert_too_long');
        op.insert(c);
      } else if (typeof c === 'number') {
        if (!Number.isSafeInteger(c)) throw new OtError('not_an_integer');
        if (c === 0) throw new OtError('zero_length');
        if (c > 0) op.retain(c);
        else op.delete(c);
      } else {
        throw new OtError('invalid_component');
      }
      if (op.baseLength > lim.maxLength || op.targetLength > lim.maxLength) {
        throw new OtError('operation_too_long');
      }
    }
    return op;
  }

  /** The document this operation makes of `doc` (one pass). */
  apply(doc: string): string {
    const parts: string[] = [];
    let pos = 0;
    for (const c of this.ops) {
      if (isInsert(c)) {
        parts.push(c);
        continue;
      }
      const end = pos + Math.abs(c);
      if (end > doc.length) throw new OtError('length_mismatch');
      if (splitsPair(doc, end)) throw new OtError('splits_surrogate_pair');
      if (isRetain(c)) parts.push(doc.slice(pos, end));
      pos = end;
    }
    if (pos !== doc.length) throw new OtError('length_mismatch');
    return parts.join('');
  }
}

/** Reads an operation's components some units at a time. */
class Reader {
  private i = 0;
  private used = 0;
  constructor(private readonly ops: readonly Component[]) {}

  done(): boolean {
    return this.i === this.ops.length;
  }
  peek(): Component {
    return this.ops[this.i];
  }
  left(): number {
    const c = this.ops[this.i];
    return (isInsert(c) ? c.length : Math.abs(c)) - this.used;
  }
  /** Consumes n units; for an insert returns their text (never half a surrogate pair). */
  take(n: number): string {
    const c = this.ops[this.i];
    let text = '';
    if (isInsert(c)) {
      if (splitsPair(c, this.used + n)) throw new OtError('splits_surrogate_pair');
      text = c.slice(this.used, this.used + n);
    }
    this.used += n;
    if (this.left() === 0) {
      this.i++;
      this.used = 0;
    }
    return text;
  }
  takeAll(): string {
    return this.take(this.left());
  }
}

/** One operation with the effect of `a` then `b`. */
export function compose(a: TextOperation, b: TextOperation): TextOperation {
  if (a.targetLength !== b.baseLength) throw new OtError('length_mismatch');
  const ca = new Reader(a.ops);
  const cb = new Reader(b.ops);
  const out = new TextOperation();
  while (!ca.done() || !cb.done()) {
    if (!ca.done() && isDelete(ca.peek())) {
      out.delete(ca.left());
      ca.takeAll();
    } else if (!cb.done() && isInsert(cb.peek())) {
      out.insert(cb.takeAll());
    } else if (ca.done() || cb.done()) {
      throw new OtError('length_mismatch');
    } else {
      const n = Math.min(ca.left(), cb.left());
      const ta = ca.peek();
      const tb = cb.peek();
      const text = ca.take(n);
      cb.take(n);
      if (isDelete(tb)) {
        if (isRetain(ta)) out.delete(n); // an insert of a deleted by b leaves nothing
      } else if (isRetain(ta)) {
        out.retain(n);
      } else {
        out.insert(text);
      }
    }
  }
  return out;
}

/**
 * For concurrent `a` and `b` on one document, [a', b'] with b'(a(d)) === a'(b(d)). When both
 * insert at one place, a's text goes first (ot.js's rule: the client passes its own op as `a`).
 */
export function transform(a: TextOperation, b: TextOperation): [TextOperation, TextOperation] {
  if (a.baseLength !== b.baseLength) throw new OtError('length_mismatch');
  const ca = new Reader(a.ops);
  const cb = new Reader(b.ops);
  const a2 = new TextOperation();
  const b2 = new TextOperation();
  while (!ca.done() || !cb.done()) {
    if (!ca.done() && isInsert(ca.peek())) {
      b2.retain(ca.left());
      a2.insert(ca.takeAll());
    } else if (!cb.done() && isInsert(cb.peek())) {
      a2.retain(cb.left());
      b2.insert(cb.takeAll());
    } else if (ca.done() || cb.done()) {
      throw new OtError('length_mismatch');
    } else {
      const n = Math.min(ca.left(), cb.left());
      const ta = ca.peek();
      const tb = cb.peek();
      ca.take(n);
      cb.take(n);
      if (isRetain(ta) && isRetain(tb)) {
        a2.retain(n);
        b2.retain(n);
      } else if (isDelete(ta) && isRetain(tb)) {
        a2.delete(n);
      } else if (isRetain(ta) && isDelete(tb)) {
        b2.delete(n);
      } // both delete the same text: neither has to any more
    }
  }
  return [a2, b2];
}

/**
 * Where a cursor at `index` of op's base document lands in its target (ot.js's transformIndex:
 * an insert exactly at the cursor moves it right). An index past the base length counts as its end.
 */
export function transformIndex(index: number, op: TextOperation): number {
  let left = Math.min(index, op.baseLength);
  let moved = left;
  for (const c of op.ops) {
    if (isInsert(c)) {
      moved += c.length;
      continue;
    }
    const n = Math.abs(c);
    if (n > left) {
      if (isDelete(c)) moved -= left;
      break;
    }
    if (isDelete(c)) moved -= n;
    left -= n;
  }
  return moved;
}

/** A cursor or selection in the editor: `selectionEnd` when a range is selected. */
export interface Cursor {
  index: number;
  selectionEnd?: number;
}

/** The cursor moved by `op`, so that it stays beside the same text. */
export function transformCursor(cursor: Cursor, op: TextOperation): Cursor {
  const index = transformIndex(cursor.index, op);
  if (cursor.selectionEnd === undefined) return { index };
  return { index, selectionEnd: transformIndex(cursor.selectionEnd, op) };
}
