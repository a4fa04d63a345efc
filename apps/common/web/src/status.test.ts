import { describe, expect, it } from 'vitest';
import { connectionText } from './status';

describe('connectionText', () => {
  it('says how the connection is', () => {
    expect(connectionText('connected', null)).toBe('Connected · live');
    expect(connectionText('connecting', null)).toBe('Connecting…');
    expect(connectionText('reconnecting', 'transport close')).toBe('Reconnecting (transport close)…');
    expect(connectionText('reconnecting', null)).toBe('Reconnecting…');
    expect(connectionText('unauthorized', 'unauthorized')).toBe('Signed out: please log in again');
  });
});
