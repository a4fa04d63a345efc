// The notifications' REST call, through the shared request helper (same origin, the cookie or the
// JWT as credentials; a 429's message says when to retry).
import { request } from 'sio-common-web';
import { localPath, parseNotification } from './protocol';
import type { Notification } from './types';

export interface NewNotification {
  toUsername: string;
  title: string;
  body: string;
  url: string;
}

/** The limits the server checks too (apps/notifications/API.md). */
export const MAX_TITLE = 100;
export const MAX_BODY = 1000;
export const MAX_URL = 200;

/** The first problem with a notification to send, or null: what the server would refuse anyway. */
export function problemOf(n: NewNotification): string | null {
  if (!n.toUsername.trim()) return 'Whom to? Enter a username';
  const title = n.title.trim();
  if (!title) return 'A title is needed';
  if (title.length > MAX_TITLE) return `The title is at most ${MAX_TITLE} characters`;
  if (n.body.length > MAX_BODY) return `The message is at most ${MAX_BODY} characters`;
  const url = n.url.trim();
  if (url && (localPath(url) === null || url.length > MAX_URL))
    return `The link is a path of this site, like /chat (at most ${MAX_URL} characters)`;
  return null;
}

/** POST /api/notifications: the notification as stored. */
export async function sendNotification(token: string | null, n: NewNotification): Promise<Notification | null> {
  const body = { toUsername: n.toUsername.trim(), title: n.title.trim(), body: n.body, url: n.url.trim() };
  return parseNotification(await request<unknown>('POST', '/api/notifications', token, body));
}
