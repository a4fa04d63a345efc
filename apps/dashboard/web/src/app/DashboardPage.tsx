/**
 * The dashboard as the app shell mounts it: the socket of namespace "/dashboard" (shared Manager
 * with the other apps) and its connection status.
 */
import { useEffect } from 'react';
import { useConnectionStatus, useSocket, type AppPageProps } from 'sio-common-web';
import { DashboardApp } from './DashboardApp';

export function DashboardPage({ session, onLogout }: AppPageProps) {
  const socket = useSocket('/dashboard', { token: session.token });
  const status = useConnectionStatus(socket);
  useEffect(() => {
    if (status.state === 'unauthorized') onLogout();
  }, [status.state, onLogout]);
  return <DashboardApp socket={socket} status={status} />;
}
