import { describe, expect, it } from 'vitest';
import { nextLink } from './api';

describe('nextLink', () => {
  it('finds the next page of the room list', () => {
    expect(nextLink('</api/rooms?limit=100&after=42>; rel="next"')).toBe('/api/rooms?limit=100&after=42');
    expect(nextLink('</api/rooms?after=1>; rel="prev", </api/rooms?after=9>; rel=next')).toBe('/api/rooms?after=9');
  });
  it('ignores absent, other and foreign links', () => {
    expect(nextLink(null)).toBeNull();
    expect(nextLink('</api/rooms?after=1>; rel="prev"')).toBeNull();
    expect(nextLink('<https://evil.example/x>; rel="next"')).toBeNull();
  });
});
