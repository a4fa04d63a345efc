import { describe, expect, it } from 'vitest';
import { Random } from '../ot/random';
import { diffOperation } from './diff';

describe('diffOperation', () => {
  it('keeps what the texts share', () => {
    const grown = diffOperation('hello world', 'Oh, hello world!');
    expect(grown.apply('hello world')).toBe('Oh, hello world!');
    expect(grown.ops.filter((c) => typeof c === 'number')).toEqual([1, 10]); // all 11 kept
    expect(diffOperation('abc', 'abc').toJSON()).toEqual([3]);
    expect(diffOperation('', 'x').toJSON()).toEqual(['x']);
    expect(diffOperation('a big cat', 'a cat sat').apply('a big cat')).toBe('a cat sat');
  });

  it('never cuts a surrogate pair', () => {
    const op = diffOperation('x😀y', 'x😁y');
    expect(op.toJSON()).toEqual([1, '😁', -2, 1]);
  });

  it('turns random texts into each other', () => {
    const rng = new Random(11);
    for (let i = 0; i < 300; i++) {
      const from = rng.text(30);
      const to = rng.below(2) ? rng.operation(from).apply(from) : rng.text(30);
      expect(diffOperation(from, to).apply(from)).toBe(to);
    }
  });

  it('replaces the middle whole when the texts differ too much to compare', () => {
    const from = 'a'.repeat(3000);
    const to = 'b'.repeat(3000);
    expect(diffOperation(from, to).toJSON()).toEqual(['b'.repeat(3000), -3000]);
  });
});
