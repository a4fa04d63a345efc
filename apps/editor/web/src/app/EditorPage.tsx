/**
 * The editor as the app shell mounts it: the socket of namespace "/editor" (shared Manager with
 * the other apps), kept connected after a server-side disconnect, and the signed-in user.
 */
import { useEffect } from 'react';
import { useConnectionStatus, useSocket, type AppPageProps } from 'sio-common-web';
import { EditorApp } from './EditorApp';

export function EditorPage({ session, onLogout }: AppPageProps) {
  const socket = useSocket('/editor', { token: session.token });
  const status = useConnectionStatus(socket);
  useEffect(() => {
    if (status.state === 'unauthorized') onLogout();
  }, [status.state, onLogout]);
  return (
    <EditorApp
      socket={socket}
      user={{ userId: Number(session.userId), username: session.username }}
      onUnauthorized={onLogout}
    />
  );
}
