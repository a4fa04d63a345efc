/** The notifications' wire shapes (apps/notifications/API.md): ids are integers, times epoch ms. */
import type { Id } from 'sio-common-web';

export interface Sender {
  userId: Id;
  username: string;
}

export interface Notification {
  id: number;
  /** Null for a notice of the server itself or of a backend job. */
  from: Sender | null;
  title: string;
  body: string;
  /** A path of the front end ("/auction/3"), or "". */
  url: string;
  createdAt: number;
  read: boolean;
}

/** `unread` on connect: the newest unread ones (at most 50) and the user's total unread. */
export interface UnreadSnapshot {
  items: Notification[];
  count: number;
}

/** `read` (another connection of the user marked these) and the ack of `markRead`. */
export interface ReadEvent {
  ids: number[];
  count: number;
}

/** The ack of `list`: newest first, read and unread. */
export interface ListPage {
  items: Notification[];
  more: boolean;
}
