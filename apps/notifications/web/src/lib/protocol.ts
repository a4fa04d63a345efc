/**
 * The namespace "/users/<me>" as the page reads it: every message from the network is checked here
 * (integers where the contract says integers) before the state sees it.
 */
import type { Id } from 'sio-common-web';
import type { ListPage, Notification, ReadEvent, Sender, UnreadSnapshot } from './types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isCount = (v: unknown): v is number => isInt(v) && v >= 0;
const isId = (v: unknown): v is Id => isInt(v) || (typeof v === 'string' && /^\d{1,16}$/.test(v));

/** The namespace of one user's notifications. */
export const userNamespace = (userId: Id): string => `/users/${String(userId)}`;

function parseSender(v: unknown): Sender | null {
  if (!isObject(v) || !isId(v.userId) || typeof v.username !== 'string') return null;
  return { userId: v.userId, username: v.username };
}

export function parseNotification(v: unknown): Notification | null {
  if (!isObject(v)) return null;
  const { id, title, body, url, createdAt, read } = v;
  if (!isInt(id) || id < 1 || typeof title !== 'string' || typeof body !== 'string') return null;
  if (!isInt(createdAt) || typeof read !== 'boolean') return null;
  const from = v.from == null ? null : parseSender(v.from);
  if (from === null && v.from != null) return null;
  return { id, from, title, body, url: typeof url === 'string' ? url : '', createdAt, read };
}

/** The well-formed notifications of a list (a malformed one is left out; a missing list is empty). */
const parseItems = (v: unknown): Notification[] =>
  (Array.isArray(v) ? v : []).map(parseNotification).filter((n): n is Notification => n !== null);

const parseIds = (v: unknown): number[] => (Array.isArray(v) ? v.filter((id): id is number => isInt(id) && id > 0) : []);

export function parseUnread(v: unknown): UnreadSnapshot | null {
  if (!isObject(v) || !isCount(v.count)) return null;
  return { items: parseItems(v.items), count: v.count };
}

/** `read {ids, count}`, and the ack of a successful `markRead` (the same two fields). */
export function parseRead(v: unknown): ReadEvent | null {
  if (!isObject(v) || !isCount(v.count)) return null;
  return { ids: parseIds(v.ids), count: v.count };
}

/** The ack of a successful `list`. */
export function parseListPage(v: unknown): ListPage | null {
  if (!isObject(v) || !Array.isArray(v.items)) return null;
  return { items: parseItems(v.items), more: v.more === true };
}

/**
 * The path a notification leads to, or null: only a path of this origin ("/auction/3"), never
 * "//elsewhere" or "https://…", whatever the sender put in it.
 */
export const localPath = (url: string): string | null => (/^\/(?![/\\])/.test(url) ? url : null);
