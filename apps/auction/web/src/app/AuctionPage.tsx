/**
 * The auction as the app shell mounts it: the socket of namespace "/auction" (shared Manager with
 * the other apps), its connection status, and the signed-in user.
 */
import { useEffect } from 'react';
import { useConnectionStatus, useSocket, type AppPageProps } from 'sio-common-web';
import { AuctionApp } from './AuctionApp';

export function AuctionPage({ session, onLogout }: AppPageProps) {
  const socket = useSocket('/auction', { token: session.token });
  const status = useConnectionStatus(socket);
  useEffect(() => {
    if (status.state === 'unauthorized') onLogout();
  }, [status.state, onLogout]);
  return <AuctionApp socket={socket} session={session} status={status} onUnauthorized={onLogout} />;
}
