/**
 * One tab's notifications: the socket of "/users/<me>" (shared Manager with the apps' sockets), the
 * state merged from its events, desktop notifications while the tab is hidden, and the actions the
 * bell and the page offer. The shell provides it around its header and pages.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useConnectionStatus, useSocket, useToasts, type ConnectionStatus, type Session } from 'sio-common-web';
import {
  desktopPermission,
  requestDesktopPermission,
  showOnDesktop,
  showsOnDesktop,
  watchDesktopPermission,
  type DesktopPermission,
} from '../lib/desktop';
import { localPath, userNamespace } from '../lib/protocol';
import { followNotifications, listPage, markRead as sendMarkRead } from '../lib/session';
import { initialNotificationsState, notificationsReducer, type NotificationsState } from '../lib/state';
import type { Notification } from '../lib/types';

export interface NotificationsCenter {
  session: Session;
  state: NotificationsState;
  status: ConnectionStatus;
  permission: DesktopPermission;
  /** Asks the browser for desktop notifications (from a click). */
  enableDesktop: () => Promise<void>;
  /** Marks `item` read and goes to its link, if any. */
  open: (item: Notification) => void;
  markRead: (ids: number[] | 'all') => Promise<void>;
  /** The next `list` page: the newest one first, then older ones. */
  loadMore: () => Promise<void>;
  loading: boolean;
  /** Shows a path of the front end (the shell's client-side navigation). */
  navigate: (path: string) => void;
  /**
   * The caller shows the list (the bell's open panel, the page) until the returned function is
   * called: meanwhile a live notification gets no toast.
   */
  watch: () => () => void;
}

const CenterContext = createContext<NotificationsCenter | null>(null);

/** The notifications the shell provides, or null outside a NotificationsProvider. */
export const useNotificationsCenter = (): NotificationsCenter | null => useContext(CenterContext);

export interface NotificationsProviderProps {
  session: Session;
  /** The server refused the session (connect_error "unauthorized"). */
  onLogout: () => void;
  /** Client-side navigation to a path of the front end. */
  onNavigate: (path: string) => void;
  children: ReactNode;
}

export function NotificationsProvider({ session, onLogout, onNavigate, children }: NotificationsProviderProps) {
  const center = useCenter(session, onLogout, onNavigate);
  return <CenterContext.Provider value={center}>{children}</CenterContext.Provider>;
}

function useCenter(session: Session, onLogout: () => void, navigate: (path: string) => void): NotificationsCenter {
  const socket = useSocket(userNamespace(session.userId), { token: session.token });
  const status = useConnectionStatus(socket);
  const [state, dispatch] = useReducer(notificationsReducer, initialNotificationsState);
  const [permission, setPermission] = useState<DesktopPermission>(desktopPermission);
  const [loading, setLoading] = useState(false);
  const { push } = useToasts();
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    if (status.state === 'unauthorized') onLogout();
  }, [status.state, onLogout]);

  const markRead = useCallback(
    async (ids: number[] | 'all') => {
      dispatch({ type: 'markedRead', ids });
      const outcome = await sendMarkRead(socket, ids);
      if (outcome.ok) dispatch({ type: 'read', event: outcome.value });
      else push({ kind: 'error', text: outcome.error });
    },
    [socket, push],
  );

  const open = useCallback(
    (item: Notification) => {
      // A toast or a desktop notification holds the item as it arrived: it may be read by now.
      const now = stateRef.current.items.find((n) => n.id === item.id) ?? item;
      if (!now.read) void markRead([item.id]);
      const path = localPath(item.url);
      if (path) navigate(path);
    },
    [markRead, navigate],
  );

  const watchers = useRef(0);
  const watch = useCallback(() => {
    watchers.current += 1;
    return () => {
      watchers.current -= 1;
    };
  }, []);

  // The live handler reads the newest of these through a ref: it is registered once per socket.
  const live = useRef({ open, push });
  live.current = { open, push };
  useEffect(
    () =>
      followNotifications(socket, dispatch, (item) => {
        const hidden = document.visibilityState === 'hidden';
        if (showsOnDesktop(item, hidden, desktopPermission())) showOnDesktop(item, () => live.current.open(item));
        else if (!hidden && !item.read && watchers.current === 0)
          live.current.push({
            kind: 'info',
            text: `New notification: ${item.title}`,
            action: { label: 'Open', onClick: () => live.current.open(item) },
          });
      }),
    [socket],
  );

  // One page at a time; stable, so that effects may call it once without re-running.
  const busy = useRef(false);
  const loadMore = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    setLoading(true);
    const current = stateRef.current;
    const outcome = await listPage(socket, current.listed ? current.cursor : null);
    busy.current = false;
    setLoading(false);
    if (outcome.ok) dispatch({ type: 'listed', page: outcome.value });
    else push({ kind: 'error', text: outcome.error });
  }, [socket, push]);

  const enableDesktop = useCallback(async () => setPermission(await requestDesktopPermission()), []);
  useEffect(() => watchDesktopPermission(() => setPermission(desktopPermission())), []);

  return useMemo(
    () => ({ session, state, status, permission, enableDesktop, open, markRead, loadMore, loading, navigate, watch }),
    [session, state, status, permission, enableDesktop, open, markRead, loadMore, loading, navigate, watch],
  );
}
