/**
 * The reusable Socket.IO connection (the seed's useSocket hook): the socket of one namespace is
 * created once per mounted component with autoConnect off, connected in an effect and disconnected
 * on cleanup. Sockets of several namespaces share one Manager, hence one Engine.IO connection.
 * It sends the cookie (withCredentials) and, when we have it, the JWT as auth.token — read anew on
 * every (re)connection attempt.
 */
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';

export interface UseSocketOptions {
  token?: string | null;
  /** Origin of the server; default VITE_API_BASE_URL at build time, empty meaning this page's. */
  url?: string;
}

const DEFAULT_URL: string = import.meta.env.VITE_API_BASE_URL ?? '';

/**
 * A socket of `namespace` on the server at `url` (empty: this page's origin), not connected yet.
 * Sockets of several namespaces on one server share socket.io-client's cached Manager.
 */
export const createSocket = (namespace: string, url: string, auth: (cb: (data: object) => void) => void): Socket =>
  io(url + namespace, {
    withCredentials: true,
    autoConnect: false, // Don't connect until we call connect()
    auth,
  });

/** The socket of `namespace` ("/" for the chat, "/editor" for the editor). */
export const useSocket = (namespace: string, options: UseSocketOptions = {}): Socket => {
  const tokenRef = useRef<string | null>(options.token ?? null);
  tokenRef.current = options.token ?? null;

  const socketRef = useRef<Socket | null>(null);
  if (!socketRef.current) {
    socketRef.current = createSocket(namespace, options.url ?? DEFAULT_URL, (cb) =>
      cb(tokenRef.current ? { token: tokenRef.current } : {}),
    );
  }

  useEffect(() => {
    const socket = socketRef.current!;
    socket.connect();
    return () => {
      socket.disconnect();
    };
  }, []);

  return socketRef.current;
};

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Last connect_error / disconnect reason, for the banner. */
  detail: string | null;
  /** The last (re)connection recovered the socket: its rooms kept, missed messages delivered. */
  recovered: boolean;
}

/**
 * Tracks the connection for the "reconnecting…" banner. A disconnect the server asked for is not
 * retried by socket.io-client, so it reconnects by hand; a connect_error "unauthorized" (bad or
 * expired token) is final and reported as such.
 */
export const useConnectionStatus = (socket: Socket): ConnectionStatus => {
  const [status, setStatus] = useState<ConnectionStatus>(() => ({
    state: socket.connected ? 'connected' : 'connecting',
    detail: null,
    recovered: false,
  }));

  useEffect(() => {
    let retry: number | undefined;
    const onConnect = () => {
      setStatus({ state: 'connected', detail: null, recovered: socket.recovered });
    };
    const onDisconnect = (reason: Socket.DisconnectReason) => {
      if (reason === 'io client disconnect') return; // our own cleanup
      setStatus({ state: 'reconnecting', detail: reason, recovered: false });
      if (reason === 'io server disconnect') socket.connect();
    };
    const onConnectError = (err: Error) => {
      if (err.message === 'unauthorized') {
        setStatus({ state: 'unauthorized', detail: err.message, recovered: false });
        return;
      }
      setStatus({ state: 'reconnecting', detail: err.message, recovered: false });
      // Refused by a middleware for another reason: socket.io-client will not retry by itself.
      if (!socket.active) {
        window.clearTimeout(retry);
        retry = window.setTimeout(() => socket.connect(), 2000);
      }
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    if (socket.connected) onConnect();
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      window.clearTimeout(retry);
    };
  }, [socket]);

  return status;
};
