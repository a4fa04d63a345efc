import { describe, expect, it } from 'vitest';
import { statusText } from './DocEditor';

describe('the page', () => {
  it('says how the connection is and how many edits are not confirmed', () => {
    expect(statusText('connected', true, 0)).toBe('Connected · all changes saved');
    expect(statusText('connected', true, 2)).toBe('Connected · saving 2 edits');
    expect(statusText('reconnecting', true, 1)).toBe('Reconnecting · 1 unsent edit');
    expect(statusText('reconnecting', false, 3)).toBe('Offline · 3 unsent edits');
    expect(statusText('connecting', true, 0)).toBe('Connecting…');
    expect(statusText('connecting', false, 0)).toBe('Offline · 0 unsent edits');
    expect(statusText('connected', false, 1)).toBe('Offline · 1 unsent edit');
  });
});
