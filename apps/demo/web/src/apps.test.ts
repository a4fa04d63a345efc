import { describe, expect, it } from 'vitest';
import { appsOf } from './apps';
import { appPathOf } from './router';

describe('appsOf', () => {
  it('keeps the server order and every well-formed entry', () => {
    const chat = { id: 'chat', title: 'Chat', summary: 'Rooms', path: '/chat' };
    const editor = { id: 'editor', title: 'Editor', summary: 'Together', path: '/editor' };
    expect(appsOf([editor, chat])).toEqual([editor, chat]);
    expect(appsOf([{ id: 'x', title: 'X', path: '/x' }])).toEqual([{ id: 'x', title: 'X', summary: '', path: '/x' }]);
  });
  it('drops what is not an app list', () => {
    expect(appsOf(null)).toEqual([]);
    expect(appsOf({ apps: [] })).toEqual([]);
    expect(appsOf([null, 1, { id: 'x' }, { id: 'y', title: 'Y', path: 'https://elsewhere.example/' }, { id: 'z', title: 'Z', path: '//elsewhere.example/' }])).toEqual([]);
  });
});

describe('appPathOf', () => {
  it('is the first path segment', () => {
    expect(appPathOf('/')).toBe('/');
    expect(appPathOf('')).toBe('/');
    expect(appPathOf('/chat')).toBe('/chat');
    expect(appPathOf('/chat/')).toBe('/chat');
    expect(appPathOf('/editor/doc/1')).toBe('/editor');
  });
});
