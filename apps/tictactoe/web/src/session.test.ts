import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GameState } from './game';
import {
  ACK_TIMEOUT_MS,
  GameSession,
  createGame,
  quickMatch,
  type GameSocket,
  type PageVisibility,
} from './session';

type Listener = (...args: any[]) => void;

interface Sent {
  event: string;
  payload: unknown;
  ack?: (reply: unknown) => void;
}

/** A socket whose server side the test plays: it records what the page sends and answers by hand. */
class FakeSocket implements GameSocket {
  connected = false;
  sent: Sent[] = [];
  private listeners = new Map<string, Set<Listener>>();

  on(event: string, fn: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
  }
  off(event: string, fn: Listener) {
    this.listeners.get(event)?.delete(fn);
  }
  emit(event: string, ...args: any[]) {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
    this.sent.push({ event, payload: args[0], ack });
  }
  connect() {
    this.connected = true;
    this.fire('connect');
  }
  disconnect() {
    this.drop('io client disconnect');
  }
  /** The connection goes away. */
  drop(reason = 'transport close') {
    this.connected = false;
    this.fire('disconnect', reason);
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }
  listening(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
  /** The last message `event` sent, taken off the list. */
  take(event: string): Sent {
    const i = this.sent.map((s) => s.event).lastIndexOf(event);
    expect(i, `a ${event} was sent`).toBeGreaterThanOrEqual(0);
    return this.sent.splice(i, 1)[0];
  }
}

/** A page whose visibility the test sets. */
class FakePage implements PageVisibility {
  isHidden = false;
  private listeners = new Set<() => void>();
  hidden() {
    return this.isHidden;
  }
  watch(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(hidden: boolean) {
    this.isHidden = hidden;
    for (const fn of [...this.listeners]) fn();
  }
  get watching(): number {
    return this.listeners.size;
  }
}

const alice = { userId: 1, username: 'alice' };
const bob = { userId: 2, username: 'bob' };

function wire(version: number, over: Record<string, unknown> = {}) {
  return {
    gameId: 7,
    board: [null, null, null, null, null, null, null, null, null],
    turn: 'X',
    players: { X: alice, O: bob },
    status: 'playing',
    winner: null,
    line: null,
    version,
    round: 1,
    away: {},
    rematch: [],
    ...over,
  };
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('GameSession', () => {
  let socket: FakeSocket;
  let states: GameState[];
  let errors: string[];
  const open = () => new GameSession(socket, 7, { onState: (s) => states.push(s), onJoinError: (e) => errors.push(e) });

  beforeEach(() => {
    socket = new FakeSocket();
    states = [];
    errors = [];
  });

  it('joins the game on every connection and shows the state of the ack', async () => {
    const session = open();
    expect(socket.sent).toEqual([]);
    socket.connect();
    const join = socket.take('joinGame');
    expect(join.payload).toEqual({ gameId: 7 });
    join.ack!({ success: true, role: 'X', state: wire(1) });
    await flush();
    expect(states.map((s) => s.version)).toEqual([1]);
    expect(session.state?.version).toBe(1);

    socket.drop();
    socket.connect();
    socket.take('joinGame').ack!({ success: true, role: 'X', state: wire(2, { away: {} }) });
    await flush();
    expect(states.map((s) => s.version)).toEqual([1, 2]);
  });

  it('joins at once on a socket already connected', () => {
    socket.connected = true;
    open();
    expect(socket.take('joinGame').payload).toEqual({ gameId: 7 });
  });

  it('shows only states newer than the one it has, of its own game', async () => {
    socket.connect();
    open();
    socket.fire('state', wire(5));
    socket.fire('state', wire(4));
    socket.fire('state', wire(5));
    socket.fire('state', wire(9, { gameId: 8 }));
    socket.fire('state', { gameId: 7, board: 'garbage', version: 10 });
    socket.fire('state', wire(6));
    // The join's answer comes after the events: older, so ignored.
    socket.take('joinGame').ack!({ success: true, role: 'O', state: wire(5) });
    await flush();
    expect(states.map((s) => s.version)).toEqual([5, 6]);
  });

  it('reports a refused join', async () => {
    socket.connect();
    open();
    socket.take('joinGame').ack!({ success: false, error: 'Not found' });
    await flush();
    expect(errors).toEqual(['Not found']);
    expect(states).toEqual([]);
  });

  it('sends moves and rematches and resolves with the refusal or null', async () => {
    socket.connect();
    const session = open();
    const accepted = session.move(4);
    const move = socket.take('move');
    expect(move.payload).toEqual({ gameId: 7, cell: 4 });
    move.ack!({ success: true });
    expect(await accepted).toBe(null);

    const refused = session.move(4);
    socket.take('move').ack!({ success: false, error: 'Cell taken' });
    expect(await refused).toBe('Cell taken');

    const rematch = session.rematch();
    const sent = socket.take('rematch');
    expect(sent.payload).toEqual({ gameId: 7 });
    sent.ack!({ success: false, error: 'Game not finished' });
    expect(await rematch).toBe('Game not finished');
  });

  it('leaves the game when closed and hears nothing more', async () => {
    socket.connect();
    const session = open();
    const join = socket.take('joinGame');
    session.close();
    expect(socket.take('leaveGame').payload).toEqual({ gameId: 7 });
    join.ack!({ success: true, role: 'X', state: wire(1) });
    socket.fire('state', wire(2));
    await flush();
    expect(states).toEqual([]);
    expect(socket.listening('state')).toBe(0);
    expect(socket.listening('connect')).toBe(0);
    session.close();
    expect(socket.sent.filter((s) => s.event === 'leaveGame')).toEqual([]);
  });

  it('tells the server whether the page is hidden after each join and on every change', async () => {
    const page = new FakePage();
    page.isHidden = true;
    const session = new GameSession(socket, 7, { onState: (s) => states.push(s), onJoinError: () => {} }, page);
    page.set(true); // not connected: nothing to tell
    expect(socket.sent).toEqual([]);
    socket.connect();
    socket.take('joinGame').ack!({ success: true, role: 'X', state: wire(1) });
    await flush();
    expect(socket.take('visibility').payload).toEqual({ hidden: true });
    page.set(false);
    expect(socket.take('visibility').payload).toEqual({ hidden: false });

    socket.drop();
    socket.connect();
    socket.take('joinGame').ack!({ success: true, role: 'X', state: wire(2) });
    await flush();
    expect(socket.take('visibility').payload).toEqual({ hidden: false });

    session.close();
    expect(page.watching).toBe(0);
    page.set(true);
    expect(socket.sent.filter((s) => s.event === 'visibility')).toEqual([]);
  });

  it('says nothing of its visibility after a refused join', async () => {
    const page = new FakePage();
    socket.connect();
    new GameSession(socket, 7, { onState: () => {}, onJoinError: (e) => errors.push(e) }, page);
    socket.take('joinGame').ack!({ success: false, error: 'Not found' });
    await flush();
    expect(errors).toEqual(['Not found']);
    expect(socket.sent.filter((s) => s.event === 'visibility')).toEqual([]);
  });

  describe('without an answer', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('gives up on an ack after the timeout', async () => {
      socket.connect();
      const session = open();
      const move = session.move(0);
      vi.advanceTimersByTime(ACK_TIMEOUT_MS);
      expect(await move).toBe('No answer from the server');
      // A join left unanswered is retried by the next connection, not reported.
      await flush();
      expect(errors).toEqual([]);
    });
  });
});

describe('quickMatch', () => {
  let socket: FakeSocket;
  let paired: number[];
  let errors: string[];
  const handlers = () => ({ onPaired: (id: number) => paired.push(id), onError: (e: string) => errors.push(e) });

  beforeEach(() => {
    socket = new FakeSocket();
    socket.connect();
    paired = [];
    errors = [];
  });

  it('goes to the game once paired', () => {
    quickMatch(socket, handlers());
    socket.take('quickMatch').ack!({ success: true, gameId: 12, role: 'O', state: wire(1, { gameId: 12 }) });
    expect(paired).toEqual([12]);
    expect(socket.listening('disconnect')).toBe(0);
  });

  it('cancels by reconnecting the socket (the server drops a disconnected caller) and ignores a late answer', () => {
    const cancel = quickMatch(socket, handlers());
    const sent = socket.take('quickMatch');
    const seen: string[] = [];
    socket.on('disconnect', () => seen.push('disconnect'));
    socket.on('connect', () => seen.push('connect'));
    cancel();
    expect(seen).toEqual(['disconnect', 'connect']);
    sent.ack!({ success: true, gameId: 12, role: 'X' });
    expect(paired).toEqual([]);
    expect(errors).toEqual([]);
    cancel();
    expect(seen).toEqual(['disconnect', 'connect']);
  });

  it('ends the wait when the connection drops, and a cancel then does not reconnect', () => {
    const cancel = quickMatch(socket, handlers());
    socket.drop();
    expect(errors).toEqual(['Connection lost — quick match cancelled']);
    cancel();
    expect(socket.connected).toBe(false);
  });

  it('reports a refusal', () => {
    quickMatch(socket, handlers());
    socket.take('quickMatch').ack!({ success: false, error: 'Replaced' });
    expect(errors).toEqual(['Replaced']);
  });
});

describe('createGame', () => {
  it('resolves with the new game or throws the refusal', async () => {
    const socket = new FakeSocket();
    socket.connect();
    const made = createGame(socket);
    const sent = socket.take('createGame');
    expect(sent.payload).toEqual({});
    sent.ack!({ success: true, gameId: 3 });
    expect(await made).toBe(3);
    const refused = createGame(socket);
    socket.take('createGame').ack!({ success: false, error: 'Too many requests' });
    await expect(refused).rejects.toThrow('Too many requests');
  });
});
