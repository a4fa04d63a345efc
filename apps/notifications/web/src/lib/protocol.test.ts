import { describe, expect, it } from 'vitest';
import { localPath, parseListPage, parseNotification, parseRead, parseUnread, userNamespace } from './protocol';

const wire = {
  id: 12,
  from: { userId: 2, username: 'alice' },
  title: 'Hello',
  body: 'A line',
  url: '/chat',
  createdAt: 1_700_000_000_000,
  read: false,
};

describe('the messages of /users/<me>', () => {
  it('names the namespace after the user', () => {
    expect(userNamespace(42)).toBe('/users/42');
    expect(userNamespace('7')).toBe('/users/7');
  });

  it('reads a notification, from a user or from the server', () => {
    expect(parseNotification(wire)).toEqual(wire);
    expect(parseNotification({ ...wire, from: null })?.from).toBeNull();
    expect(parseNotification({ ...wire, url: undefined })?.url).toBe('');
  });

  it('refuses a malformed notification', () => {
    for (const bad of [
      null,
      [],
      { ...wire, id: '12' },
      { ...wire, id: 0 },
      { ...wire, id: 1.5 },
      { ...wire, title: 3 },
      { ...wire, body: null },
      { ...wire, createdAt: 'now' },
      { ...wire, read: 'no' },
      { ...wire, from: { userId: 2 } },
    ])
      expect(parseNotification(bad)).toBeNull();
  });

  it('reads `unread`, leaving out malformed items', () => {
    expect(parseUnread({ items: [wire, { id: 'x' }], count: 60 })).toEqual({ items: [wire], count: 60 });
    expect(parseUnread({ items: [], count: -1 })).toBeNull();
    expect(parseUnread({ count: 0 })).toEqual({ items: [], count: 0 });
  });

  it('reads `read` and the ack of markRead', () => {
    expect(parseRead({ success: true, ids: [1, 2, 'x', -3], count: 4 })).toEqual({ ids: [1, 2], count: 4 });
    expect(parseRead({ ids: [1] })).toBeNull();
  });

  it('reads the ack of list', () => {
    expect(parseListPage({ success: true, items: [wire], more: true })).toEqual({ items: [wire], more: true });
    expect(parseListPage({ success: true, items: [] })).toEqual({ items: [], more: false });
    expect(parseListPage({ success: true })).toBeNull();
  });

  it('follows a link only to a path of this site', () => {
    expect(localPath('/auction/3')).toBe('/auction/3');
    for (const url of ['', 'https://elsewhere.example/', '//elsewhere.example/', '/\\elsewhere.example', 'javascript:alert(1)'])
      expect(localPath(url)).toBeNull();
  });
});
