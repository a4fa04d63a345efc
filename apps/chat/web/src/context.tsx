import { createContext, useContext } from 'react';
import type { Socket } from 'socket.io-client';
import type { Session } from './types';

/* ---- The chat page's connection (namespace "/") and the signed-in user, for its components ---- */

export interface ChatContextValue {
  socket: Socket;
  session: Session;
}

export const ChatContext = createContext<ChatContextValue | null>(null);

export const useChat = (): ChatContextValue => {
  const v = useContext(ChatContext);
  if (!v) throw new Error('useChat outside <ChatContext.Provider>');
  return v;
};
