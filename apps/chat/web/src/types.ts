/** Shapes of the sio-chat HTTP API and Socket.IO events (see apps/chat/API.md and the seed component). */

/** Ids are kept exactly as the server sends them (string or number) and compared with sameId(). */
export type Id = string | number;

export const sameId = (a: Id | null | undefined, b: Id | null | undefined): boolean =>
  a != null && b != null && String(a) === String(b);

export interface User {
  userId: Id;
  username: string;
}

export interface Session extends User {
  /** JWT from POST /api/login; null after a reload (the HttpOnly cookie carries the session then). */
  token: string | null;
}

export interface Room {
  roomId: Id;
  name: string;
  private: boolean;
  [extra: string]: unknown;
}

/** A message as the server sends it (receiveMessage, joinRoom history, GET .../messages). */
export interface Message {
  id: Id;
  roomId: Id;
  userId: Id;
  username: string;
  message: string;
  createdAt: string | number;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** A message in the view: server messages plus our own optimistic ones awaiting their ack. */
export interface ChatMessage {
  /** Stable React key: the temp id for messages we sent, else the server id. */
  key: string;
  /** Server id, once known. */
  id: Id | null;
  tempId: string | null;
  roomId: Id;
  userId: Id;
  username: string;
  message: string;
  /** Milliseconds since the epoch; null while pending. */
  createdAt: number | null;
  status: DeliveryStatus;
  error?: string;
}

export interface JoinRoomAck {
  success: boolean;
  history?: Message[];
  error?: string;
}

export interface SendMessageAck {
  success: boolean;
  id?: Id | number;
  error?: string;
}

export interface TypingEvent {
  roomId: Id;
  userId: Id;
  username: string;
  isTyping: boolean;
}

export interface RoomInviteNotification {
  type: 'roomInvite';
  roomId: Id;
  name: string;
}
