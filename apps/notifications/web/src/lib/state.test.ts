import { describe, expect, it } from 'vitest';
import {
  badgeText,
  bellLabel,
  initialNotificationsState,
  MAX_KEPT,
  notificationsReducer,
  type NotificationsAction,
  type NotificationsState,
} from './state';
import type { Notification } from './types';

const T0 = 1_700_000_000_000;

const note = (id: number, read = false): Notification => ({
  id,
  from: { userId: 2, username: 'alice' },
  title: `Title ${id}`,
  body: `Body ${id}`,
  url: '',
  createdAt: T0 + id * 1000,
  read,
});

const run = (...actions: NotificationsAction[]): NotificationsState =>
  actions.reduce(notificationsReducer, initialNotificationsState);

const unread = (count: number, ...ids: number[]): NotificationsAction => ({
  type: 'unread',
  snapshot: { items: ids.map((id) => note(id)), count },
});
const live = (id: number): NotificationsAction => ({ type: 'notification', item: note(id) });
const readElsewhere = (count: number, ...ids: number[]): NotificationsAction => ({ type: 'read', event: { ids, count } });
const listed = (more: boolean, ...items: Notification[]): NotificationsAction => ({ type: 'listed', page: { items, more } });

const ids = (s: NotificationsState) => s.items.map((n) => n.id);
const unreadIds = (s: NotificationsState) => s.items.filter((n) => !n.read).map((n) => n.id);

describe('the unread count', () => {
  it('starts at the snapshot of the connection, which may count more than it lists', () => {
    const s = run(unread(73, 9, 8, 7));
    expect(s.count).toBe(73);
    expect(ids(s)).toEqual([9, 8, 7]);
    expect(s.synced).toBe(true);
  });

  it('goes up with each live notification, once per id', () => {
    const s = run(unread(1, 3), live(4), live(5), live(5), live(3));
    expect(s.count).toBe(3);
    expect(ids(s)).toEqual([5, 4, 3]);
  });

  it('does not count a live notification that arrives read', () => {
    const s = run(unread(0), { type: 'notification', item: note(4, true) });
    expect(s.count).toBe(0);
    expect(ids(s)).toEqual([4]);
  });

  it('takes the count of `read` from another connection, and marks those ids read', () => {
    const s = run(unread(5, 5, 4, 3, 2, 1), readElsewhere(3, 4, 2));
    expect(s.count).toBe(3);
    expect(unreadIds(s)).toEqual([5, 3, 1]);
  });

  it('drops at once with our own markRead, before the server answers', () => {
    const s = run(unread(10, 5, 4, 3), { type: 'markedRead', ids: [4, 99] });
    expect(s.count).toBe(9); // 99 is not here: the ack will say
    expect(unreadIds(s)).toEqual([5, 3]);
    const again = notificationsReducer(s, { type: 'markedRead', ids: [4] });
    expect(again.count).toBe(9); // read already
    expect(notificationsReducer(s, { type: 'read', event: { ids: [4], count: 8 } }).count).toBe(8);
  });

  it('is 0 after "mark all read", every one read', () => {
    const s = run(unread(60, 5, 4, 3), { type: 'markedRead', ids: 'all' });
    expect(s.count).toBe(0);
    expect(unreadIds(s)).toEqual([]);
  });
});

describe('merging the snapshot of a new connection', () => {
  it('marks read what another tab read while this one was away (a complete snapshot)', () => {
    const s = run(unread(3, 3, 2, 1), { type: 'disconnected' }, unread(1, 3));
    expect(s.count).toBe(1);
    expect(unreadIds(s)).toEqual([3]);
    expect(ids(s)).toEqual([3, 2, 1]);
  });

  it('keeps unread what is older than a partial snapshot shows', () => {
    // 100 unread, the snapshot lists 60..11 (the newest 50): 5 may still be unread, 55 was read.
    const first = run(listed(false, note(55), note(5)));
    const s = notificationsReducer(first, {
      type: 'unread',
      snapshot: { items: Array.from({ length: 50 }, (_, i) => note(60 - i)).filter((n) => n.id !== 55), count: 100 },
    });
    expect(s.items.find((n) => n.id === 55)?.read).toBe(true);
    expect(s.items.find((n) => n.id === 5)?.read).toBe(false);
    expect(s.count).toBe(100);
  });

  it('takes the server word for what is unread, and keeps live ones that came meanwhile', () => {
    const s = run(listed(false, note(2, true)), unread(2, 2), live(3));
    expect(unreadIds(s)).toEqual([3, 2]);
    expect(s.count).toBe(3);
  });

  it('counts once a live one that comes before the snapshot listing it', () => {
    const s = run(live(7), unread(3, 7, 6, 5));
    expect(s.count).toBe(3);
    expect(ids(s)).toEqual([7, 6, 5]);
  });

  it('reports not synced while disconnected', () => {
    expect(run(unread(0), { type: 'disconnected' }).synced).toBe(false);
  });
});

describe('the pages of `list`', () => {
  it('merge read and unread ones in order, the newest first', () => {
    const s = run(unread(2, 9, 4), listed(true, note(9), note(8, true), note(7, true)));
    expect(ids(s)).toEqual([9, 8, 7, 4]);
    expect(s.listed).toBe(true);
    expect(s.count).toBe(2);
  });

  it('page on from the oldest listed one, whatever older unread ones the snapshot brought', () => {
    let s = run(unread(1, 3), listed(true, note(12, true), note(11, true)));
    expect(s.cursor).toBe(11); // not 3: 10..4 are still to list
    expect(s.more).toBe(true);
    s = notificationsReducer(s, listed(false, note(10, true), note(3), note(2, true)));
    expect(s.cursor).toBe(2);
    expect(s.more).toBe(false);
    expect(ids(s)).toEqual([12, 11, 10, 3, 2]);
    s = notificationsReducer(s, listed(false));
    expect(s.cursor).toBe(2);
  });

  it('correct the read flag of what is here', () => {
    const s = run(unread(1, 3), listed(false, note(3, true)));
    expect(unreadIds(s)).toEqual([]);
  });

  it('keep at most MAX_KEPT, the newest', () => {
    const many = Array.from({ length: MAX_KEPT + 20 }, (_, i) => note(i + 1, true));
    const s = run(listed(true, ...many.reverse()));
    expect(s.items).toHaveLength(MAX_KEPT);
    expect(s.items[0].id).toBe(MAX_KEPT + 20);
    expect(s.items[MAX_KEPT - 1].id).toBe(21);
  });
});

describe('the bell', () => {
  it('shows the count, 99+ above 99, nothing at 0', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
  });

  it('says the count in its accessible name', () => {
    expect(bellLabel(0)).toBe('Notifications, none unread');
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
  });
});
