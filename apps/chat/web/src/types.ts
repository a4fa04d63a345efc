/** Shapes of the chat's HTTP API and Socket.IO events (see apps/chat/API.md and the seed component). */
import type { Id } from 'sio-common-web';

export { sameId, type Id, type Session } from 'sio-common-web';

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
