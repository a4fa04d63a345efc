import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_TIMEOUT_MS, NO_ANSWER } from 'sio-common-web';
import { ScriptedSocket } from 'sio-common-web/testing';
import { followNotifications, listPage, markRead, MAX_MARK, PAGE_SIZE } from './session';
import type { NotificationsAction } from './state';
import type { Notification } from './types';

const note = (id: number): Notification => ({
  id,
  from: null,
  title: `Title ${id}`,
  body: '',
  url: '/chat',
  createdAt: 1_700_000_000_000 + id,
  read: false,
});

describe('following /users/<me>', () => {
  it('turns unread, notification and read into actions; live ones reach onLive too', () => {
    const socket = new ScriptedSocket(() => undefined);
    const actions: NotificationsAction[] = [];
    const live: number[] = [];
    const stop = followNotifications(socket, (a) => actions.push(a), (n) => live.push(n.id));
    socket.fire('connect');
    socket.fire('unread', { items: [note(2)], count: 5 });
    socket.fire('notification', note(3));
    socket.fire('read', { ids: [2], count: 4 });
    socket.fire('disconnect', 'transport close');
    expect(actions).toEqual([
      { type: 'unread', snapshot: { items: [note(2)], count: 5 } },
      { type: 'notification', item: note(3) },
      { type: 'read', event: { ids: [2], count: 4 } },
      { type: 'disconnected' },
    ]);
    expect(live).toEqual([3]);
    stop();
    expect(socket.listenerCount()).toBe(0);
  });

  it('ignores malformed messages', () => {
    const socket = new ScriptedSocket(() => undefined);
    const actions: NotificationsAction[] = [];
    followNotifications(socket, (a) => actions.push(a));
    socket.fire('unread', { items: [] });
    socket.fire('notification', { id: 'x' });
    socket.fire('read', 'all');
    expect(actions).toEqual([]);
  });
});

describe('markRead', () => {
  it('sends the ids, at most MAX_MARK, and returns what changed', async () => {
    const socket = new ScriptedSocket((_, arg) => ({ success: true, ids: arg.ids.slice(0, 2), count: 7 }));
    const ids = Array.from({ length: MAX_MARK + 5 }, (_, i) => i + 1);
    expect(await markRead(socket, ids)).toEqual({ ok: true, value: { ids: [1, 2], count: 7 } });
    expect(socket.sent).toEqual([{ event: 'markRead', arg: { ids: ids.slice(0, MAX_MARK) } }]);
  });

  it('sends {all: true} for every one', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, ids: [4, 5], count: 0 }));
    expect(await markRead(socket, 'all')).toEqual({ ok: true, value: { ids: [4, 5], count: 0 } });
    expect(socket.sent).toEqual([{ event: 'markRead', arg: { all: true } }]);
  });

  it('reports the server refusal', async () => {
    const socket = new ScriptedSocket(() => ({ success: false, error: 'Invalid ids' }));
    expect(await markRead(socket, [1])).toEqual({ ok: false, error: 'Invalid ids' });
  });
});

describe('list', () => {
  it('asks for the newest page, then for the page before an id', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, items: [note(9), { bad: 1 }], more: true }));
    expect(await listPage(socket, null)).toEqual({ ok: true, value: { items: [note(9)], more: true } });
    await listPage(socket, 9, 5);
    expect(socket.sent).toEqual([
      { event: 'list', arg: { limit: PAGE_SIZE } },
      { event: 'list', arg: { before: 9, limit: 5 } },
    ]);
  });

  it('reports a refusal', async () => {
    const socket = new ScriptedSocket(() => ({ success: false }));
    expect(await listPage(socket, null)).toEqual({ ok: false, error: 'Could not load the notifications' });
  });

  describe('without an answer', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('gives up after the ack timeout', async () => {
      const socket = new ScriptedSocket(() => undefined);
      const outcome = listPage(socket, null);
      await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS);
      expect(await outcome).toEqual({ ok: false, error: NO_ANSWER });
    });
  });
});
