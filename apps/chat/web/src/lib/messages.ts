/**
 * Pure message-list logic: merging server history and live messages with our optimistic ones,
 * deduplicated by server id. Order: server messages by (createdAt, id), pending ones after them
 * in the order they were sent.
 */
import { sameId, type ChatMessage, type Id, type Message, type SendMessageAck } from '../types';

/** Parses createdAt as sent by the server: epoch seconds/ms, ISO 8601, or SQLite "YYYY-MM-DD HH:MM:SS" (UTC). */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return value < 1e11 ? value * 1000 : value;
  }
  if (typeof value === 'string' && value.length > 0) {
    if (/^\d+(\.\d+)?$/.test(value)) return parseTimestamp(Number(value));
    let s = value.trim();
    // SQLite's datetime('now') has no zone and is UTC.
    if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

export function fromServer(m: Message): ChatMessage {
  return {
    key: `m:${String(m.id)}`,
    id: m.id,
    tempId: null,
    roomId: m.roomId,
    userId: m.userId,
    username: m.username,
    message: m.message,
    createdAt: parseTimestamp(m.createdAt) ?? Date.now(),
    status: 'sent',
  };
}

/** A message we are about to emit, shown at once as pending. */
export function makePending(
  tempId: string,
  roomId: Id,
  userId: Id,
  username: string,
  text: string,
): ChatMessage {
  return {
    key: `t:${tempId}`,
    id: null,
    tempId,
    roomId,
    userId,
    username,
    message: text,
    createdAt: null,
    status: 'pending',
  };
}

/** Validates one server message loosely (the server is trusted, but never crash on junk). */
export function isServerMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  const idOk = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  return idOk(o.id) && idOk(o.roomId) && typeof o.message === 'string';
}

function compare(a: ChatMessage, b: ChatMessage): number {
  if (a.createdAt === null || b.createdAt === null) {
    if (a.createdAt === null && b.createdAt === null) return 0; // stable: send order
    return a.createdAt === null ? 1 : -1;
  }
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return String(a.id).localeCompare(String(b.id));
}

function sorted(list: ChatMessage[]): ChatMessage[] {
  return [...list].sort(compare);
}

/**
 * Adds server messages (history or live), skipping ids already present. A server message of our
 * own that matches a still-pending optimistic one (same author and text, oldest first) takes its
 * place instead of being added: receiveMessage may arrive before the ack.
 */
export function mergeServerMessages(
  list: ChatMessage[],
  incoming: readonly Message[],
  selfUserId: Id | null,
): ChatMessage[] {
  let next = list;
  let changed = false;
  for (const raw of incoming) {
    if (!isServerMessage(raw)) continue;
    const existing = next.findIndex((m) => sameId(m.id, raw.id));
    if (existing >= 0) {
      const cur = next[existing];
      const at = parseTimestamp(raw.createdAt) ?? cur.createdAt;
      if (cur.status !== 'sent' || cur.createdAt !== at) {
        next = next.slice();
        next[existing] = { ...cur, status: 'sent', error: undefined, createdAt: at };
        changed = true;
      }
      continue;
    }
    const server = fromServer(raw);
    const pendingIdx =
      selfUserId !== null && sameId(raw.userId, selfUserId)
        ? next.findIndex((m) => m.id === null && m.tempId !== null && m.message === raw.message)
        : -1;
    next = next.slice();
    if (pendingIdx >= 0) {
      // Keep the temp key so React does not remount the row.
      next[pendingIdx] = { ...server, key: next[pendingIdx].key, tempId: next[pendingIdx].tempId };
    } else {
      next.push(server);
    }
    changed = true;
  }
  return changed ? sorted(next) : list;
}

/** Applies the sendMessage ack to the optimistic message with this temp id. */
export function applyAck(list: ChatMessage[], tempId: string, ack: SendMessageAck | undefined): ChatMessage[] {
  const idx = list.findIndex((m) => m.tempId === tempId);
  if (idx < 0) return list;
  const cur = list[idx];
  if (!ack || typeof ack !== 'object' || !ack.success) {
    if (cur.status === 'sent') return list; // receiveMessage already confirmed it
    const next = list.slice();
    next[idx] = { ...cur, status: 'failed', error: (ack && typeof ack.error === 'string' && ack.error) || 'Not delivered' };
    return next;
  }
  const id = ack.id ?? cur.id;
  if (id != null) {
    // The same server message may already be in the list (delivered by receiveMessage to a
    // different row): keep that one, drop the optimistic copy.
    const dup = list.findIndex((m, i) => i !== idx && sameId(m.id, id));
    if (dup >= 0) {
      const next = list.filter((_, i) => i !== idx);
      return next;
    }
  }
  const next = list.slice();
  next[idx] = { ...cur, id: id ?? null, status: 'sent', createdAt: cur.createdAt ?? Date.now() };
  return sorted(next);
}

/** Marks a pending message as failed (e.g. the ack timed out). */
export function markFailed(list: ChatMessage[], tempId: string, error: string): ChatMessage[] {
  const idx = list.findIndex((m) => m.tempId === tempId && m.status === 'pending');
  if (idx < 0) return list;
  const next = list.slice();
  next[idx] = { ...list[idx], status: 'failed', error };
  return next;
}

/** Names of the people typing, as a sentence, or "" when nobody is. */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names.length} people are typing…`;
}

let tempCounter = 0;
/** A client-side id for an optimistic message, unique within this page. */
export function newTempId(): string {
  tempCounter += 1;
  const rnd =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID().slice(0, 8)
      : Math.random().toString(36).slice(2, 10);
  return `tmp-${Date.now().toString(36)}-${tempCounter}-${rnd}`;
}
