/**
 * The page's side of the namespace "/users/<me>": its events turned into actions, and the two
 * requests (markRead, list). It talks through the few methods of socket.io-client's Socket that it
 * uses, so the tests drive it with a scripted socket.
 */
import { call, errorOf, succeeded, type AckSocket } from 'sio-common-web';
import { parseListPage, parseNotification, parseRead, parseUnread } from './protocol';
import type { NotificationsAction } from './state';
import type { ListPage, Notification, ReadEvent } from './types';

/** Most ids one markRead carries (the server refuses more). */
export const MAX_MARK = 100;
/** The size of a `list` page. */
export const PAGE_SIZE = 20;

/**
 * Turns the namespace's events into actions for `dispatch`; `onLive` also hears each live
 * notification (for the desktop notification). Returns the function that stops listening.
 */
export function followNotifications(
  socket: AckSocket,
  dispatch: (action: NotificationsAction) => void,
  onLive: (item: Notification) => void = () => undefined,
): () => void {
  const onUnread = (m: unknown) => {
    const snapshot = parseUnread(m);
    if (snapshot) dispatch({ type: 'unread', snapshot });
  };
  const onNotification = (m: unknown) => {
    const item = parseNotification(m);
    if (!item) return;
    dispatch({ type: 'notification', item });
    onLive(item);
  };
  const onRead = (m: unknown) => {
    const event = parseRead(m);
    if (event) dispatch({ type: 'read', event });
  };
  const onDisconnect = () => dispatch({ type: 'disconnected' });
  const handlers: [string, (m: unknown) => void][] = [
    ['unread', onUnread],
    ['notification', onNotification],
    ['read', onRead],
    ['disconnect', onDisconnect],
  ];
  for (const [event, handler] of handlers) socket.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) socket.off(event, handler);
  };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** markRead of `ids` (at most MAX_MARK of them) or of every one: what changed and the count now. */
export async function markRead(socket: AckSocket, ids: number[] | 'all'): Promise<Outcome<ReadEvent>> {
  const reply = await call(socket, 'markRead', ids === 'all' ? { all: true } : { ids: ids.slice(0, MAX_MARK) });
  const event = succeeded(reply) ? parseRead(reply) : null;
  return event ? { ok: true, value: event } : { ok: false, error: errorOf(reply, 'Could not mark as read') };
}

/** One `list` page: the newest ones, or those older than `before` (an id). */
export async function listPage(socket: AckSocket, before: number | null, limit = PAGE_SIZE): Promise<Outcome<ListPage>> {
  const reply = await call(socket, 'list', before === null ? { limit } : { before, limit });
  const page = succeeded(reply) ? parseListPage(reply) : null;
  return page ? { ok: true, value: page } : { ok: false, error: errorOf(reply, 'Could not load the notifications') };
}
