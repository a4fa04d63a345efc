/** REST client for sio-chat (same origin; the JWT goes as Bearer when we have it, else the cookie). */
import type { Id, Message, Room, User } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const FALLBACK: Record<number, string> = {
  400: 'Invalid request',
  401: 'Please log in',
  403: 'Access denied',
  404: 'Not found',
  409: 'Already exists',
  413: 'Request too large',
  429: 'Too many requests, try again later',
};

/** One request: the parsed JSON body and the response headers; throws ApiError when not ok. */
async function send<T>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ data: T; headers: Headers }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The server refuses state-changing requests without a JSON type (no cross-site forms).
  if (body !== undefined || method !== 'GET') headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the server');
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const msg =
      data && typeof data === 'object' && typeof (data as { error?: unknown }).error === 'string'
        ? (data as { error: string }).error
        : FALLBACK[res.status] ?? `Request failed (${res.status})`;
    throw new ApiError(res.status, msg);
  }
  return { data: data as T, headers: res.headers };
}

async function request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  return (await send<T>(method, path, token, body)).data;
}

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

export interface LoginResponse extends User {
  token: string;
}

export const api = {
  register: (username: string, password: string) =>
    request<User>('POST', '/api/register', null, { username, password }),
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/api/login', null, { username, password }),
  /** Best effort: the server may not offer it; the cookie is HttpOnly so only it can clear it. */
  logout: (token: string | null) => request<unknown>('POST', '/api/logout', token).catch(() => undefined),
  me: (token: string | null) => request<User>('GET', '/api/me', token),
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

export const USERNAME_RE = /^[A-Za-z0-9_.-]{3,32}$/;
export const MIN_PASSWORD = 8;
export const MAX_MESSAGE = 2000;
