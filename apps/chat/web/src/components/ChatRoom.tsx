/**
 * One room: the seed's ChatRoom, on the shared connection. Events, exactly the seed's contract:
 * emit joinRoom {roomId, userId, username} (on mount and after every reconnect that did not recover
 * the socket; the ack brings the history), sendMessage {roomId, message} (ack {success, id}), typing
 * {roomId, isTyping} (volatile), leaveRoom {roomId}; listen to receiveMessage, onlineUsers, typing
 * and error ("Access denied"). The server has connection state recovery on: a socket that comes back
 * recovered (socket.recovered) is still in the room and was sent the messages it missed, so it
 * neither rejoins nor reloads the history.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type FormEvent, type KeyboardEvent } from 'react';
import { api, MAX_MESSAGE } from '../api';
import { useChat } from '../context';
import {
  applyAck,
  makePending,
  markFailed,
  mergeServerMessages,
  newTempId,
  typingText,
} from '../lib/messages';
import {
  sameId,
  type ChatMessage,
  type Id,
  type JoinRoomAck,
  type Message,
  type SendMessageAck,
  type TypingEvent,
} from '../types';
import { AlertIcon, BackIcon, CheckIcon, ClockIcon, HashIcon, LockIcon, SendIcon, UsersIcon } from './Icons';

export interface ChatRoomProps {
  roomId: Id;
  userId: Id;
  username: string;
  roomName?: string;
  isPrivate?: boolean;
  onBack?: () => void;
}

const ACK_TIMEOUT_MS = 15000;
const TYPING_THROTTLE_MS = 2000; // at most one "typing: true" per this interval
const TYPING_IDLE_MS = 2500; // "typing: false" after this long without a keystroke
const TYPING_EXPIRY_MS = 6000; // forget a typist we heard nothing from (the event is volatile)
const HISTORY_PAGE = 50;

type JoinState = 'joining' | 'joined' | 'denied';

interface Typist {
  username: string;
  until: number;
}

export function ChatRoom({ roomId, userId, username, roomName, isPrivate, onBack }: ChatRoomProps) {
  const { socket, session } = useChat();
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [onlineUsers, setOnlineUsers] = useState<number | null>(null);
  const [joinState, setJoinState] = useState<JoinState>('joining');
  const [roomError, setRoomError] = useState<string | null>(null);
  const [typists, setTypists] = useState<Record<string, Typist>>({});
  const [draft, setDraft] = useState('');
  const [olderState, setOlderState] = useState<'idle' | 'loading' | 'done'>('idle');
  const listRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const uid = useId();
  // Messages are only emitted once the (re)join is acknowledged: socket.io-client would otherwise
  // flush sends buffered while offline before our rejoin, and the server refuses them (not joined).
  const joinedRef = useRef(false);
  const outboxRef = useRef<{ tempId: string; text: string }[]>([]);
  const flushRef = useRef<() => void>(() => undefined);

  /* ---- join, live events, rejoin on reconnect, leave ---- */
  useEffect(() => {
    let active = true;
    let joinedOnce = false; // this room was joined on the socket at least once

    const join = () => {
      socket.emit('joinRoom', { roomId, userId, username }, (ack: JoinRoomAck) => {
        if (!active) return;
        if (ack && ack.success) {
          joinedOnce = true;
          joinedRef.current = true;
          setJoinState('joined');
          setRoomError(null);
          const history = Array.isArray(ack.history) ? ack.history : [];
          setMessages((prev) => mergeServerMessages(prev, history, userId));
          if (history.length < HISTORY_PAGE) setOlderState((s) => (s === 'idle' ? 'done' : s));
          flushRef.current();
        } else {
          setJoinState('denied');
          setRoomError((ack && typeof ack.error === 'string' && ack.error) || 'Could not join this room');
        }
      });
    };

    const onReceive = (msg: Message) => {
      if (!msg || !sameId(msg.roomId, roomId)) return;
      setMessages((prev) => mergeServerMessages(prev, [msg], userId));
      setTypists((t) => {
        const k = String(msg.userId);
        if (!(k in t)) return t;
        const next = { ...t };
        delete next[k];
        return next;
      });
    };

    const onOnline = (count: unknown) => {
      if (typeof count === 'number') setOnlineUsers(count);
      else if (count && typeof count === 'object') {
        const o = count as { roomId?: Id; count?: unknown };
        if (typeof o.count === 'number' && (o.roomId == null || sameId(o.roomId, roomId))) setOnlineUsers(o.count);
      }
    };

    // sio-chat also sends a room-tagged twin; exact even when a socket is in several rooms.
    const onOnlineInRoom = (ev: { roomId?: Id; count?: unknown }) => {
      if (ev && sameId(ev.roomId, roomId) && typeof ev.count === 'number') setOnlineUsers(ev.count);
    };

    const onTyping = (ev: TypingEvent) => {
      if (!ev || !sameId(ev.roomId, roomId) || sameId(ev.userId, userId)) return;
      const k = String(ev.userId);
      setTypists((t) => {
        if (ev.isTyping) return { ...t, [k]: { username: ev.username || 'Someone', until: Date.now() + TYPING_EXPIRY_MS } };
        if (!(k in t)) return t;
        const next = { ...t };
        delete next[k];
        return next;
      });
    };

    const onError = (err: unknown) => {
      const text = typeof err === 'string' ? err : (err as { message?: string })?.message ?? 'Error';
      if (/access denied/i.test(text)) setJoinState('denied');
      setRoomError(text);
    };

    const onDisconnect = () => {
      joinedRef.current = false;
      // Nobody's typing state survives a reconnect; the count is re-sent after the rejoin.
      setTypists({});
    };

    // A recovered socket is still in the room, and the messages it missed came just before this
    // "connect": only a fresh socket joins again and reloads the history.
    const onConnect = () => {
      if (!(socket.recovered && joinedOnce)) return join();
      joinedRef.current = true;
      setJoinState('joined');
      flushRef.current();
    };

    socket.on('connect', onConnect);
    socket.on('receiveMessage', onReceive);
    socket.on('onlineUsers', onOnline);
    socket.on('onlineUsersInRoom', onOnlineInRoom);
    socket.on('typing', onTyping);
    socket.on('error', onError);
    socket.on('disconnect', onDisconnect);
    if (socket.connected) join();

    return () => {
      active = false;
      joinedRef.current = false;
      socket.off('connect', onConnect);
      socket.off('receiveMessage', onReceive);
      socket.off('onlineUsers', onOnline);
      socket.off('onlineUsersInRoom', onOnlineInRoom);
      socket.off('typing', onTyping);
      socket.off('error', onError);
      socket.off('disconnect', onDisconnect);
      // Also while offline (socket.io-client sends it on reconnection): a recovered socket would
      // otherwise still be in this room.
      socket.emit('leaveRoom', { roomId });
    };
  }, [socket, roomId, userId, username]);

  /* ---- expire typists we stopped hearing from ---- */
  const typistCount = Object.keys(typists).length;
  useEffect(() => {
    if (typistCount === 0) return;
    const t = window.setInterval(() => {
      const now = Date.now();
      setTypists((cur) => {
        const entries = Object.entries(cur).filter(([, v]) => v.until > now);
        return entries.length === Object.keys(cur).length ? cur : Object.fromEntries(entries);
      });
    }, 1000);
    return () => window.clearInterval(t);
  }, [typistCount]);

  /* ---- our own typing: throttled "true", "false" after idle or on send ---- */
  const typingRef = useRef({ active: false, lastEmit: 0, idle: 0 });
  const stopTyping = useCallback(() => {
    const t = typingRef.current;
    window.clearTimeout(t.idle);
    if (t.active) {
      t.active = false;
      socket.volatile.emit('typing', { roomId, isTyping: false });
    }
  }, [socket, roomId]);

  const noteTyping = (value: string) => {
    if (!value.trim()) {
      stopTyping();
      return;
    }
    const t = typingRef.current;
    const now = Date.now();
    if (!t.active || now - t.lastEmit >= TYPING_THROTTLE_MS) {
      t.active = true;
      t.lastEmit = now;
      socket.volatile.emit('typing', { roomId, isTyping: true });
    }
    window.clearTimeout(t.idle);
    t.idle = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  useEffect(() => stopTyping, [stopTyping]);

  /* ---- sending with a pending → sent mark driven by the ack ---- */
  const emitNow = useCallback(
    (tempId: string, text: string) => {
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit('sendMessage', { roomId, message: text }, (err: Error | null, ack: SendMessageAck) => {
          if (err) setMessages((prev) => markFailed(prev, tempId, 'No confirmation from the server'));
          else setMessages((prev) => applyAck(prev, tempId, ack));
        });
    },
    [socket, roomId],
  );

  const emitMessage = useCallback(
    (tempId: string, text: string) => {
      if (socket.connected && joinedRef.current) emitNow(tempId, text);
      else outboxRef.current.push({ tempId, text });
    },
    [socket, emitNow],
  );

  flushRef.current = () => {
    const queued = outboxRef.current;
    outboxRef.current = [];
    for (const q of queued) emitNow(q.tempId, q.text);
  };

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const text = draft.trim();
    if (!text || text.length > MAX_MESSAGE || joinState === 'denied') return;
    const tempId = newTempId();
    stickToBottom.current = true;
    setMessages((prev) => [...prev, makePending(tempId, roomId, userId, username, text)]);
    setDraft('');
    stopTyping();
    emitMessage(tempId, text);
    inputRef.current?.focus();
  };

  const retry = (m: ChatMessage) => {
    if (!m.tempId) return;
    const tempId = m.tempId;
    setMessages((prev) => prev.map((x) => (x.tempId === tempId ? { ...x, status: 'pending', error: undefined } : x)));
    emitMessage(tempId, m.message);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  /* ---- older history (REST) ---- */
  const loadOlder = async () => {
    const oldest = messages.find((m) => m.id !== null);
    if (!oldest || oldest.id === null) return;
    setOlderState('loading');
    try {
      const older = await api.messages(session.token, roomId, HISTORY_PAGE, oldest.id);
      stickToBottom.current = false;
      setMessages((prev) => mergeServerMessages(prev, Array.isArray(older) ? older : [], userId));
      setOlderState(Array.isArray(older) && older.length >= HISTORY_PAGE ? 'idle' : 'done');
    } catch (err) {
      setRoomError((err as Error).message);
      setOlderState('idle');
    }
  };

  /* ---- scrolling: follow new messages when already at the bottom ---- */
  const onScroll = () => {
    const el = listRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  const typingNames = useMemo(() => Object.values(typists).map((t) => t.username), [typists]);
  const tooLong = draft.length > MAX_MESSAGE;
  const title = roomName ?? `Room ${String(roomId)}`;

  return (
    <section className="chat" aria-label={`Room ${title}`} data-testid="chat-room" data-room-id={String(roomId)}>
      <header className="chat-head">
        {onBack && (
          <button type="button" className="icon-btn back-btn" aria-label="Back to rooms" data-testid="back-to-rooms" onClick={onBack}>
            <BackIcon />
          </button>
        )}
        <div className="chat-title">
          <h2 data-testid="room-title">
            <span className="room-icon">{isPrivate ? <LockIcon /> : <HashIcon />}</span>
            {title}
          </h2>
          {isPrivate && <span className="badge">Private</span>}
        </div>
        {joinState !== 'denied' && (
        <span
          className={`online${onlineUsers !== null && onlineUsers > 0 ? ' is-live' : ''}`}
          data-testid="online-count"
          data-count={onlineUsers ?? ''}
          aria-live="polite"
          title="People in this room now"
        >
          <UsersIcon />
          {onlineUsers === null ? '–' : onlineUsers} online
        </span>
        )}
      </header>

      {roomError && (
        <div className="alert alert-error room-error" role="alert" data-testid="room-error">
          <AlertIcon />
          <span>{roomError}</span>
        </div>
      )}

      <ol
        className="messages"
        ref={listRef}
        onScroll={onScroll}
        data-testid="message-list"
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-label={`Messages in ${title}`}
        tabIndex={0}
      >
        {joinState === 'joined' && olderState !== 'done' && messages.length >= HISTORY_PAGE && (
          <li className="older">
            <button type="button" className="btn btn-ghost btn-small" data-testid="load-older" onClick={() => void loadOlder()} disabled={olderState === 'loading'}>
              {olderState === 'loading' ? 'Loading…' : 'Load earlier messages'}
            </button>
          </li>
        )}
        {joinState === 'joining' && messages.length === 0 && (
          <li className="empty" data-testid="room-joining">
            Joining…
          </li>
        )}
        {joinState === 'denied' && messages.length === 0 && (
          <li className="empty denied" data-testid="room-denied">
            <LockIcon />
            <strong>You are not a member of this room.</strong>
            <span>Ask one of its members to invite you.</span>
          </li>
        )}
        {joinState === 'joined' && messages.length === 0 && (
          <li className="empty" data-testid="room-empty">
            No messages yet. Say hello!
          </li>
        )}
        {messages.map((m, i) => {
          const prev = messages[i - 1];
          const mine = sameId(m.userId, userId);
          const grouped =
            !!prev &&
            sameId(prev.userId, m.userId) &&
            (m.createdAt ?? Date.now()) - (prev.createdAt ?? Date.now()) < 5 * 60 * 1000;
          return (
            <MessageItem key={m.key} m={m} mine={mine} grouped={grouped} onRetry={retry} />
          );
        })}
      </ol>

      <div className="typing" data-testid="typing-indicator" aria-live="polite">
        {typingNames.length > 0 && (
          <>
            <span className="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
            {typingText(typingNames)}
          </>
        )}
      </div>

      <form className="composer" onSubmit={send} data-testid="message-form" aria-label="Send a message">
        <label htmlFor={`${uid}-msg`} className="visually-hidden">
          Message
        </label>
        <textarea
          id={`${uid}-msg`}
          ref={inputRef}
          rows={1}
          data-testid="message-input"
          placeholder={joinState === 'denied' ? 'You cannot post in this room' : `Message ${isPrivate ? '' : '#'}${title}`}
          value={draft}
          disabled={joinState === 'denied'}
          aria-invalid={tooLong || undefined}
          aria-describedby={tooLong ? `${uid}-toolong` : undefined}
          onChange={(e) => {
            setDraft(e.target.value);
            noteTyping(e.target.value);
          }}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
          autoFocus
        />
        <button
          type="submit"
          className="btn btn-primary send-btn"
          data-testid="send-button"
          aria-label="Send"
          disabled={!draft.trim() || tooLong || joinState === 'denied'}
        >
          <SendIcon />
          <span className="send-label">Send</span>
        </button>
        {tooLong && (
          <p id={`${uid}-toolong`} className="composer-hint" role="alert">
            {draft.length}/{MAX_MESSAGE} characters — too long
          </p>
        )}
      </form>
    </section>
  );
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function hue(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
  return h;
}

function MessageItem({
  m,
  mine,
  grouped,
  onRetry,
}: {
  m: ChatMessage;
  mine: boolean;
  grouped: boolean;
  onRetry: (m: ChatMessage) => void;
}) {
  const when = m.createdAt !== null ? new Date(m.createdAt) : null;
  return (
    <li
      className={`msg${mine ? ' mine' : ''}${grouped ? ' grouped' : ''} status-${m.status}`}
      data-testid="message"
      data-id={m.id !== null ? String(m.id) : undefined}
      data-temp-id={m.tempId ?? undefined}
      data-status={m.status}
      data-mine={mine ? 'true' : 'false'}
      data-author={m.username}
    >
      {!grouped && (
        <span className="avatar" aria-hidden="true" style={{ '--h': hue(m.username) } as CSSProperties}>
          {m.username.slice(0, 1).toUpperCase()}
        </span>
      )}
      <div className="msg-body">
        {!grouped && (
          <div className="msg-meta">
            <span className="msg-author" data-testid="message-author">
              {m.username}
            </span>
            {when && (
              <time dateTime={when.toISOString()} className="msg-time">
                {timeFmt.format(when)}
              </time>
            )}
          </div>
        )}
        {grouped && <span className="visually-hidden">{m.username}: </span>}
        <div className="msg-line">
          <p className="msg-text" data-testid="message-text">
            {m.message}
          </p>
          {mine && <StatusMark m={m} onRetry={onRetry} />}
        </div>
      </div>
    </li>
  );
}

function StatusMark({ m, onRetry }: { m: ChatMessage; onRetry: (m: ChatMessage) => void }) {
  if (m.status === 'pending')
    return (
      <span className="mark mark-pending" data-testid="message-status" data-status="pending" role="img" aria-label="Sending" title="Sending…">
        <ClockIcon />
      </span>
    );
  if (m.status === 'sent')
    return (
      <span className="mark mark-sent" data-testid="message-status" data-status="sent" role="img" aria-label="Sent" title="Delivered to the server">
        <CheckIcon />
      </span>
    );
  return (
    <span className="mark mark-failed" data-testid="message-status" data-status="failed">
      <AlertIcon />
      <span>{m.error ?? 'Not sent'}</span>
      <button type="button" className="link-btn" data-testid="message-retry" onClick={() => onRetry(m)}>
        Retry
      </button>
    </span>
  );
}
