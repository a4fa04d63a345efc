/**
 * REST client of the demo's server (same origin; the JWT goes as Bearer when we have it, else the
 * cookie): the request helpers every app uses and the account endpoints.
 */
import type { User } from './types';

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
export async function send<T>(
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
    const retry = res.headers.get('Retry-After');
    throw new ApiError(res.status, res.status === 429 && retry ? `${msg} (retry in ${retry} s)` : msg);
  }
  return { data: data as T, headers: res.headers };
}

export async function request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  return (await send<T>(method, path, token, body)).data;
}

export interface LoginResponse extends User {
  token: string;
}

/** Accounts: register, log in, log out, who am I. */
export const accounts = {
  register: (username: string, password: string) =>
    request<User>('POST', '/api/register', null, { username, password }),
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/api/login', null, { username, password }),
  /** Best effort: the server may not offer it; the cookie is HttpOnly so only it can clear it. */
  logout: (token: string | null) => request<unknown>('POST', '/api/logout', token).catch(() => undefined),
  me: (token: string | null) => request<User>('GET', '/api/me', token),
};

export const USERNAME_RE = /^[A-Za-z0-9_.-]{3,32}$/;
export const MIN_PASSWORD = 8;
