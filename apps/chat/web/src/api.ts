/** The chat's REST endpoints (rooms, messages) on the shared request helpers of sio-common-web. */
import { request, send } from 'sio-common-web';
import type { Id } from 'sio-common-web';
import type { Message, Room } from './types';

/** The target of a `Link: <...>; rel="next"` header, when there is one. */
export function nextLink(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /^\s*<([^>]*)>\s*;\s*rel="?next"?\s*$/.exec(part);
    if (m && m[1].startsWith('/api/')) return m[1];
  }
  return null;
}

/** Rooms of one page of GET /api/rooms (an array, or {rooms: [...]} from other servers). */
function roomsOf(data: unknown): Room[] {
  const list = Array.isArray(data)
    ? data
    : data && typeof data === 'object' && Array.isArray((data as { rooms?: unknown }).rooms)
      ? (data as { rooms: unknown[] }).rooms
      : [];
  return list.filter(
    (r): r is Room =>
      !!r && typeof r === 'object' && (typeof r.roomId === 'string' || typeof r.roomId === 'number'),
  );
}

/** Pages of the room list followed at most; the server sends up to 100 rooms a page. */
const MAX_ROOM_PAGES = 50;

export const api = {
  /** Every room the user sees, all pages of the list. */
  rooms: async (token: string | null): Promise<Room[]> => {
    const all: Room[] = [];
    let path: string | null = '/api/rooms?limit=100';
    for (let page = 0; path && page < MAX_ROOM_PAGES; page++) {
      const { data, headers } = await send<unknown>('GET', path, token);
      all.push(...roomsOf(data));
      path = nextLink(headers.get('Link'));
    }
    return all;
  },
  createRoom: (token: string | null, name: string, isPrivate: boolean, members: string[]) =>
    request<Room>('POST', '/api/rooms', token, { name, private: isPrivate, members }),
  /** Leaves a private room: it is no longer in the user's list. */
  leaveRoom: (token: string | null, roomId: Id) =>
    request<unknown>('POST', `/api/rooms/${encodeURIComponent(String(roomId))}/leave`, token, {}),
  messages: (token: string | null, roomId: Id, limit = 50, before?: Id) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before != null) q.set('before', String(before));
    return request<Message[]>('GET', `/api/rooms/${encodeURIComponent(String(roomId))}/messages?${q}`, token);
  },
};

export const MAX_MESSAGE = 2000;
