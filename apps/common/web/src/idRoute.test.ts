import { describe, expect, it } from 'vitest';
import { idInPath } from './idRoute';

describe('idInPath', () => {
  it("reads an item's id under the page's path", () => {
    expect(idInPath('/editor', '/editor')).toBe(null);
    expect(idInPath('/editor/', '/editor')).toBe(null);
    expect(idInPath('/editor/42', '/editor')).toBe(42);
    expect(idInPath('/editor/42/', '/editor')).toBe(42);
    expect(idInPath('/editor/x', '/editor')).toBe(null);
    expect(idInPath('/editor/1/2', '/editor')).toBe(null);
    expect(idInPath('/editorial/1', '/editor')).toBe(null);
    expect(idInPath('/apps/auction/7', '/apps/auction')).toBe(7);
  });
});
