/**
 * What one tab knows of the user's notifications, merged from the server's messages: the `unread`
 * snapshot of each connection, live `notification`s, `read` from the user's other connections (and
 * the acks of our own markRead), and the pages of `list`. Pure: a reducer and a few selectors.
 */
import type { ListPage, Notification, ReadEvent, UnreadSnapshot } from './types';

/** Most notifications a tab keeps (the server keeps 200 per user). */
export const MAX_KEPT = 200;

export interface NotificationsState {
  /** Every notification seen here, newest first (by id), at most MAX_KEPT. */
  items: Notification[];
  /** The user's unread total as the server last said it (lowered at once by our own markRead). */
  count: number;
  /** The current connection's `unread` snapshot has arrived. */
  synced: boolean;
  /** A `list` page has been merged (so read ones are here too, not only the unread). */
  listed: boolean;
  /** The oldest id of the pages listed so far, from the newest on: the next page is before it. */
  cursor: number | null;
  /** The server has older ones than the cursor. */
  more: boolean;
}

export const initialNotificationsState: NotificationsState = {
  items: [],
  count: 0,
  synced: false,
  listed: false,
  cursor: null,
  more: false,
};

export type NotificationsAction =
  | { type: 'unread'; snapshot: UnreadSnapshot }
  | { type: 'notification'; item: Notification }
  | { type: 'read'; event: ReadEvent }
  | { type: 'markedRead'; ids: number[] | 'all' }
  | { type: 'listed'; page: ListPage }
  | { type: 'disconnected' };

const newestFirst = (a: Notification, b: Notification) => b.id - a.id;

/** `items` with `incoming` put in (replacing the same ids), newest first, bounded. */
function merged(items: Notification[], incoming: Notification[]): Notification[] {
  const byId = new Map(items.map((n) => [n.id, n]));
  for (const n of incoming) byId.set(n.id, n);
  return [...byId.values()].sort(newestFirst).slice(0, MAX_KEPT);
}

/**
 * The snapshot is the newest unread ones: an unread one here that it leaves out was read elsewhere
 * meanwhile, when the snapshot is complete or the one is newer than the oldest it shows.
 */
function withSnapshot(state: NotificationsState, { items, count }: UnreadSnapshot): NotificationsState {
  const shown = new Set(items.map((n) => n.id));
  const complete = items.length >= count;
  const oldestShown = Math.min(...items.map((n) => n.id));
  const readElsewhere = (n: Notification) => !n.read && !shown.has(n.id) && (complete || n.id > oldestShown);
  const kept = state.items.map((n) => (readElsewhere(n) ? { ...n, read: true } : n));
  return { ...state, items: merged(kept, items), count, synced: true };
}

function withRead(state: NotificationsState, ids: ReadonlySet<number> | 'all', count?: number): NotificationsState {
  const hit = (n: Notification) => !n.read && (ids === 'all' || ids.has(n.id));
  const changed = state.items.filter(hit).length;
  return {
    ...state,
    items: state.items.map((n) => (hit(n) ? { ...n, read: true } : n)),
    count: count ?? (ids === 'all' ? 0 : Math.max(0, state.count - changed)),
  };
}

export function notificationsReducer(state: NotificationsState, action: NotificationsAction): NotificationsState {
  switch (action.type) {
    case 'unread':
      return withSnapshot(state, action.snapshot);
    case 'notification': {
      const { item } = action;
      if (state.items.some((n) => n.id === item.id)) return state; // in the snapshot already
      return { ...state, items: merged(state.items, [item]), count: state.count + (item.read ? 0 : 1) };
    }
    case 'read':
      return withRead(state, new Set(action.event.ids), action.event.count);
    case 'markedRead':
      return withRead(state, action.ids === 'all' ? 'all' : new Set(action.ids));
    case 'listed': {
      const { items, more } = action.page;
      const cursor = items.length ? items[items.length - 1].id : state.cursor;
      return { ...state, items: merged(state.items, items), listed: true, cursor, more };
    }
    case 'disconnected':
      return { ...state, synced: false };
  }
}

/** The badge's text: the count, "99+" above 99, nothing at 0. */
export const badgeText = (count: number): string => (count <= 0 ? '' : count > 99 ? '99+' : String(count));

/** The bell's accessible name, with the count. */
export const bellLabel = (count: number): string =>
  count <= 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;
