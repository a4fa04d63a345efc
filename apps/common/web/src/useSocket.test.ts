import { describe, expect, it } from 'vitest';
import { createSocket } from './useSocket';

const noAuth = (cb: (data: object) => void) => cb({});

describe('createSocket', () => {
  it('gives each namespace its socket on one shared Manager, not connected', () => {
    const url = 'http://127.0.0.1:9';
    const chat = createSocket('/', url, noAuth);
    const editor = createSocket('/editor', url, noAuth);
    expect(editor).not.toBe(chat);
    expect(editor.io).toBe(chat.io);
    expect(chat.connected || chat.active || editor.active).toBe(false);
  });
});
