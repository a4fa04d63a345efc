/**
 * Tic-tac-toe as the app shell mounts it: the socket of namespace "/tictactoe" (shared Manager with
 * the other apps), its connection status, and the signed-in user.
 */
import { useEffect } from 'react';
import { useConnectionStatus, useSocket, type AppPageProps } from 'sio-common-web';
import { TicTacToeApp } from './TicTacToeApp';

export function TicTacToePage({ session, onLogout }: AppPageProps) {
  const socket = useSocket('/tictactoe', { token: session.token });
  const status = useConnectionStatus(socket);
  useEffect(() => {
    if (status.state === 'unauthorized') onLogout();
  }, [status.state, onLogout]);
  return (
    <TicTacToeApp
      socket={socket}
      connection={status.state}
      user={{ userId: Number(session.userId), username: session.username }}
      onUnauthorized={onLogout}
    />
  );
}
