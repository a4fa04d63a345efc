import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, Logo, useConnectionStatus, useSocket, useToasts, type AppPageProps } from 'sio-common-web';
import { api } from './api';
import { ChatRoom } from './components/ChatRoom';
import { RoomList } from './components/RoomList';
import { ChatContext } from './context';
import { SeedChatRoom } from './seed/SeedChatRoom';
import { sameId, type Id, type Room, type RoomInviteNotification, type Session } from './types';
import './chat.css';

/**
 * The chat's page in the demo shell (at /chat): rooms and the open room, or the seed component at
 * #/seed/<roomId>. The shell owns the login; a rejected session ends it through onLogout.
 */
export function ChatApp({ session, onLogout }: AppPageProps) {
  const seedRoom = useSeedRoute();
  if (seedRoom !== null) return <SeedPage roomId={seedRoom} session={session} />;
  return <ChatShell key={`${String(session.userId)}:${session.token ?? ''}`} session={session} onLogout={onLogout} />;
}

/* ---- #/room/<roomId> selects a room (deep links, back button) ---- */
function readHashRoom(): string | null {
  const m = /^#\/room\/(.+)$/.exec(window.location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function useHashRoom(): [string | null, (id: Id | null) => void] {
  const [roomId, setRoomId] = useState<string | null>(readHashRoom);
  useEffect(() => {
    const onHash = () => setRoomId(readHashRoom());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const select = useCallback((id: Id | null) => {
    const hash = id === null ? '' : `#/room/${encodeURIComponent(String(id))}`;
    if (window.location.hash !== hash) {
      if (hash) window.location.hash = hash;
      else history.pushState(null, '', window.location.pathname + window.location.search);
    }
    setRoomId(id === null ? null : String(id));
  }, []);
  return [roomId, select];
}

function ChatShell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const socket = useSocket('/', { token: session.token });
  const status = useConnectionStatus(socket);
  const toasts = useToasts();
  const [rooms, setRooms] = useState<Room[]>([]);
  const [roomsLoading, setRoomsLoading] = useState(true);
  const [roomsLoaded, setRoomsLoaded] = useState(false);
  const [roomsError, setRoomsError] = useState<string | null>(null);
  const [selectedId, select] = useHashRoom();

  const loadRooms = useCallback(async () => {
    setRoomsLoading(true);
    try {
      const list = await api.rooms(session.token);
      setRooms(list);
      setRoomsError(null);
    } catch (e) {
      if ((e as ApiError).status === 401) onLogout();
      else setRoomsError((e as Error).message);
    } finally {
      setRoomsLoading(false);
      setRoomsLoaded(true);
    }
  }, [session.token, onLogout]);

  useEffect(() => {
    void loadRooms();
  }, [loadRooms]);

  // Invites to private rooms arrive on the per-user room.
  useEffect(() => {
    const onNotification = (n: RoomInviteNotification) => {
      if (!n || n.type !== 'roomInvite') return;
      setRooms((list) =>
        list.some((r) => sameId(r.roomId, n.roomId)) ? list : [...list, { roomId: n.roomId, name: n.name, private: true }],
      );
      toasts.push(
        {
          kind: 'info',
          text: `You were invited to the private room “${n.name}”.`,
          action: { label: 'Open', onClick: () => select(n.roomId) },
        },
        10000,
      );
      void loadRooms();
    };
    socket.on('notification', onNotification);
    return () => {
      socket.off('notification', onNotification);
    };
  }, [socket, toasts, select, loadRooms]);

  // A rejected token is final: back to the login screen.
  useEffect(() => {
    if (status.state === 'unauthorized') {
      toasts.push({ kind: 'error', text: 'Your session has expired — please log in again.' });
      onLogout();
    }
  }, [status.state, toasts, onLogout]);

  const ctx = useMemo(() => ({ socket, session }), [socket, session]);
  const selectedRoom = rooms.find((r) => sameId(r.roomId, selectedId));
  // A deep link to a room that is not in our list (e.g. someone else's private room): send its id
  // with the type the server uses for ids (numbers when the listed rooms have numeric ids).
  const resolvedRoomId: Id | null =
    selectedRoom?.roomId ??
    (selectedId !== null && /^\d{1,15}$/.test(selectedId) && (rooms.length === 0 || typeof rooms[0].roomId === 'number')
      ? Number(selectedId)
      : selectedId);

  return (
    <ChatContext.Provider value={ctx}>
      <div className={`app${selectedId !== null ? ' has-room' : ''}`} data-testid="chat-app">
        <div className="topbar app-bar">
          <h1 className="app-title">Chat</h1>
          <span className={`conn conn-${status.state}`} data-testid="connection-status" data-state={status.state} data-recovered={status.recovered}>
            <span className="conn-dot" aria-hidden="true" />
            {status.state === 'connected' ? 'Online' : status.state === 'connecting' ? 'Connecting…' : 'Offline'}
          </span>
        </div>

        {status.state === 'reconnecting' && (
          <div className="banner" role="status" data-testid="reconnect-banner">
            <span className="spinner" aria-hidden="true" />
            Connection lost — reconnecting…
            {status.detail && <span className="banner-detail"> ({status.detail})</span>}
          </div>
        )}

        <div className="layout">
          <aside className="sidebar">
            <RoomList
              rooms={rooms}
              loading={roomsLoading}
              error={roomsError}
              selectedId={selectedId}
              onSelect={(r) => select(r.roomId)}
              onCreated={(r) => {
                setRooms((list) => (list.some((x) => sameId(x.roomId, r.roomId)) ? list : [...list, r]));
                toasts.push({ kind: 'success', text: `Room “${r.name}” created.` });
                select(r.roomId);
              }}
              onLeave={(r) => {
                api
                  .leaveRoom(session.token, r.roomId)
                  .then(() => {
                    setRooms((list) => list.filter((x) => !sameId(x.roomId, r.roomId)));
                    if (sameId(r.roomId, selectedId)) select(null);
                    toasts.push({ kind: 'info', text: `You left “${r.name}”.` });
                  })
                  .catch((e: Error) => toasts.push({ kind: 'error', text: e.message }));
              }}
            />
          </aside>
          <main className="main">
            {selectedId !== null && resolvedRoomId !== null && !roomsLoaded && !selectedRoom ? (
              <div className="placeholder" data-testid="room-loading">
                <p className="muted">Loading…</p>
              </div>
            ) : selectedId !== null && resolvedRoomId !== null ? (
              <ChatRoom
                key={selectedId}
                roomId={resolvedRoomId}
                userId={session.userId}
                username={session.username}
                roomName={selectedRoom?.name}
                isPrivate={selectedRoom?.private}
                onBack={() => select(null)}
              />
            ) : (
              <div className="placeholder" data-testid="no-room">
                <Logo />
                <h2>Welcome, {session.username}</h2>
                <p className="muted">Pick a room on the left, or create one — public for everyone, private for the people you invite.</p>
              </div>
            )}
          </main>
        </div>
      </div>
    </ChatContext.Provider>
  );
}

/* ---- #/seed/<roomId>: the seed's ChatRoom component, unchanged, on the same server ---- */
function useSeedRoute(): string | null {
  const read = () => {
    const m = /^#\/seed\/(.+)$/.exec(window.location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  };
  const [room, setRoom] = useState<string | null>(read);
  useEffect(() => {
    const onHash = () => setRoom(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return room;
}

function SeedPage({ roomId, session }: { roomId: string; session: Session }) {
  const id: Id = /^\d{1,15}$/.test(roomId) ? Number(roomId) : roomId;
  return (
    <main className="seed-page" data-testid="seed-page">
      <h1>Seed component</h1>
      <p className="muted">
        The React <code>ChatRoom</code> from the seed document, unchanged, joined to room {roomId} as {session.username}.
      </p>
      <div className="seed-box" data-testid="seed-chat-room">
        <SeedChatRoom roomId={id} userId={session.userId} username={session.username} />
      </div>
      <a href={`#/room/${encodeURIComponent(roomId)}`}>Open this room in the full app</a>
    </main>
  );
}
