// Randomized properties (seeded): transform converges, compose agrees with applying in sequence,
// cursors stay in the document and keep their order, JSON round-trips.
import { describe, expect, it } from 'vitest';
import { Random } from './random';
import { compose, TextOperation, transform, transformIndex } from './textOperation';

const iterations = 3000;

describe('OT properties', () => {
  it('transform converges', () => {
    const r = new Random(1);
    for (let i = 0; i < iterations; i++) {
      const d = r.text(24);
      const a = r.operation(d);
      const b = r.operation(d);
      const [a2, b2] = transform(a, b);
      expect(b2.apply(a.apply(d)), JSON.stringify({ d, a, b })).toBe(a2.apply(b.apply(d)));
    }
  });

  it('compose agrees with sequential apply', () => {
    const r = new Random(2);
    for (let i = 0; i < iterations; i++) {
      const d = r.text(24);
      const a = r.operation(d);
      const afterA = a.apply(d);
      const b = r.operation(afterA);
      const ab = compose(a, b);
      expect(ab.baseLength).toBe(a.baseLength);
      expect(ab.targetLength).toBe(b.targetLength);
      expect(ab.apply(d)).toBe(b.apply(afterA));
    }
  });

  it('transformIndex stays in the document and keeps order', () => {
    const r = new Random(3);
    for (let i = 0; i < iterations; i++) {
      const op = r.operation(r.text(24));
      let previous = 0;
      for (let index = 0; index <= op.baseLength; index++) {
        const moved = transformIndex(index, op);
        if (moved > op.targetLength || moved < previous) {
          expect({ op: op.toJSON(), index, moved, previous }).toBe('in bounds and in order');
        }
        previous = moved;
      }
    }
  });

  it('JSON round-trips', () => {
    const r = new Random(4);
    for (let i = 0; i < iterations; i++) {
      const op = r.operation(r.text(24));
      const back = TextOperation.fromJSON(JSON.parse(JSON.stringify(op)));
      expect(back.equals(op)).toBe(true);
      expect(back.baseLength).toBe(op.baseLength);
      expect(back.targetLength).toBe(op.targetLength);
    }
  });
});
