// The messages of the editor's namespace ("/editor") as the page reads them. Everything from the
// network is checked here before the session uses it.
import { TextOperation, type Component } from '../ot';

export interface DocInfo {
  id: number;
  title: string;
  text: string;
  revision: number;
}

/** A user with the document open, as `users` and `userJoined` list them. */
export interface PresenceUser {
  userId: number;
  username: string;
  color: string;
}

/** Another editor's cursor or selection, in this page's document (UTF-16 indices). */
export interface RemoteCursor extends PresenceUser {
  index: number;
  selectionEnd?: number;
}

export interface MissedEntry {
  revision: number;
  op: TextOperation;
  own: boolean;
}

export interface OpenDocReply {
  doc: DocInfo;
  users: PresenceUser[];
  /** Absent when the server no longer keeps the revision the page asked from. */
  missed?: MissedEntry[];
}

/** The socket the session talks through: socket.io-client's Socket fits. */
export interface SessionSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
  /** socket.io-client's: emits that are dropped rather than queued (used for cursors). */
  readonly volatile?: { emit(event: string, ...args: any[]): unknown };
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON number or numeric string as an id; NaN otherwise. */
export function toId(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return NaN;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The `error` text of a failed ack, or a fallback. */
export function errorOf(reply: unknown, fallback: string): string {
  return isObject(reply) && typeof reply.error === 'string' ? reply.error : fallback;
}

export function parseUser(v: unknown): PresenceUser | null {
  if (!isObject(v)) return null;
  const userId = toId(v.userId);
  if (Number.isNaN(userId) || typeof v.username !== 'string') return null;
  return { userId, username: v.username, color: typeof v.color === 'string' ? v.color : '' };
}

function parseDoc(v: unknown): DocInfo | null {
  if (!isObject(v) || typeof v.text !== 'string' || !isCount(v.revision)) return null;
  return {
    id: toId(v.id),
    title: typeof v.title === 'string' ? v.title : '',
    text: v.text,
    revision: v.revision,
  };
}

function parseMissed(v: unknown): MissedEntry[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: MissedEntry[] = [];
  for (const m of v) {
    if (!isObject(m) || !isCount(m.revision)) return undefined;
    try {
      out.push({ revision: m.revision, op: TextOperation.fromJSON(m.ops), own: m.own === true });
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The openDoc ack, or null when it is not a success. */
export function parseOpenDocReply(v: unknown): OpenDocReply | null {
  if (!isObject(v) || v.success !== true) return null;
  const doc = parseDoc(v.doc);
  if (!doc) return null;
  const users = Array.isArray(v.users) ? v.users.map(parseUser).filter((u) => u !== null) : [];
  return { doc, users, missed: parseMissed(v.missed) };
}

/** An `op` event: the operation that made `revision`. */
export function parseOpEvent(v: unknown): { docId: number; revision: number; op: TextOperation } | null {
  if (!isObject(v) || !isCount(v.revision)) return null;
  try {
    return { docId: toId(v.docId), revision: v.revision, op: TextOperation.fromJSON(v.ops) };
  } catch {
    return null;
  }
}

export function parseCursorEvent(v: unknown): (RemoteCursor & { docId: number }) | null {
  const user = parseUser(v);
  if (!user || !isObject(v) || !isCount(v.index)) return null;
  const cursor: RemoteCursor & { docId: number } = { ...user, docId: toId(v.docId), index: v.index };
  if (isCount(v.selectionEnd)) cursor.selectionEnd = v.selectionEnd;
  return cursor;
}

export function opPayload(docId: number, revision: number, op: TextOperation): Json {
  const ops: Component[] = op.toJSON();
  return { docId, revision, ops };
}
