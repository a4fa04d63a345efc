// The case table shared with the C++ server's tests (tests/editor/ot_cases.json): the TypeScript
// results must be the ones the C++ core gives.
import { describe, expect, it } from 'vitest';
import table from '../../../../../tests/editor/ot_cases.json';
import {
  compose,
  defaultLimits,
  OtError,
  TextOperation,
  transform,
  transformIndex,
  type Limits,
} from './textOperation';

interface Case {
  name?: string;
  error?: string;
  [key: string]: unknown;
}

const cases = table as unknown as Record<
  'parse' | 'apply' | 'compose' | 'transform' | 'transform_index',
  Case[]
>;

const op = (json: unknown) => TextOperation.fromJSON(json);

function limitsOf(c: Case): Partial<Limits> {
  const l = (c.limits ?? {}) as Record<string, number>;
  return {
    maxComponents: l.max_components ?? defaultLimits.maxComponents,
    maxInsertBytes: l.max_insert_bytes ?? defaultLimits.maxInsertBytes,
    maxLength: l.max_length ?? defaultLimits.maxLength,
  };
}

// Runs `f`; the case expects either its value (checked by `check`) or an OtError with its code.
function expectCase<T>(c: Case, f: () => T, check: (v: T) => void): void {
  if (c.error !== undefined) {
    let code: string | undefined;
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(OtError);
      code = (e as OtError).code;
    }
    expect(code).toBe(c.error);
  } else {
    check(f());
  }
}

const label = (c: Case) => c.name ?? JSON.stringify(c);

describe('shared OT cases', () => {
  it('has cases in every section', () => {
    for (const key of Object.keys(cases) as (keyof typeof cases)[]) {
      if (key !== ('description' as string)) expect(cases[key].length).toBeGreaterThanOrEqual(10);
    }
  });

  it.each(cases.parse.map((c) => [label(c), c] as const))('parse: %s', (_, c) => {
    expectCase(
      c,
      () => TextOperation.fromJSON(c.json, limitsOf(c)),
      (o) => expect(o.toJSON()).toEqual(c.result),
    );
  });

  it.each(cases.apply.map((c) => [label(c), c] as const))('apply: %s', (_, c) => {
    expectCase(
      c,
      () => op(c.op).apply(c.doc as string),
      (s) => expect(s).toBe(c.result),
    );
  });

  it.each(cases.compose.map((c) => [label(c), c] as const))('compose: %s', (_, c) => {
    expectCase(
      c,
      () => compose(op(c.a), op(c.b)),
      (o) => expect(o.toJSON()).toEqual(c.result),
    );
  });

  it.each(cases.transform.map((c) => [label(c), c] as const))('transform: %s', (_, c) => {
    expectCase(
      c,
      () => transform(op(c.a), op(c.b)),
      ([a2, b2]) => {
        expect(a2.toJSON()).toEqual(c.a_prime);
        expect(b2.toJSON()).toEqual(c.b_prime);
      },
    );
  });

  it('transformIndex', () => {
    for (const c of cases.transform_index) {
      expect(transformIndex(c.index as number, op(c.op)), JSON.stringify(c)).toBe(c.result);
    }
  });
});

describe('input the server would refuse', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as OtError).code;
    }
    return 'ok';
  };

  it('rejects lone surrogates, which have no UTF-8 form', () => {
    expect(code(() => TextOperation.fromJSON(['\ud83d']))).toBe('invalid_text');
    expect(code(() => TextOperation.fromJSON([1, 'a\ude00']))).toBe('invalid_text');
    expect(code(() => new TextOperation().insert('\ud83d'))).toBe('invalid_text');
    expect(code(() => TextOperation.fromJSON(['\ud83d\ude00']))).toBe('ok');
  });

  it('rejects NaN, infinities and too many components by default', () => {
    expect(code(() => TextOperation.fromJSON([NaN]))).toBe('not_an_integer');
    expect(code(() => TextOperation.fromJSON([-Infinity]))).toBe('not_an_integer');
    const many = Array.from({ length: 10_001 }, (_, i) => (i % 2 ? 1 : -1));
    expect(code(() => TextOperation.fromJSON(many))).toBe('too_many_components');
    expect(code(() => TextOperation.fromJSON(many.slice(1)))).toBe('ok');
  });
});
