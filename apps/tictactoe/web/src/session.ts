// The page's side of the namespace "/tictactoe": one game followed through reconnects
// (GameSession), a quick match waiting to be paired, and acks that always settle.
import { errorOf, isObject, newerState, parseState, toId, type GameState } from './game';

/** The socket the page talks through: socket.io-client's Socket fits. */
export interface GameSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/** How long an ack may take before the call counts as failed. */
export const ACK_TIMEOUT_MS = 10000;
const NO_ANSWER = 'No answer from the server';

/**
 * Emits `event` with `payload` and resolves with the ack, or with {success:false, error} when none
 * comes within `timeoutMs` (an ack that comes later is dropped).
 */
export function call(
  socket: GameSocket,
  event: string,
  payload: unknown,
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ success: false, error: NO_ANSWER }), timeoutMs);
    socket.emit(event, payload, (reply: unknown) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

/** null when the ack says success, else its error text. */
const refusal = (reply: unknown): string | null =>
  isObject(reply) && reply.success === true ? null : errorOf(reply, 'Refused by the server');

/** Whether the page is hidden, and when that changes: the document's by default. */
export interface PageVisibility {
  hidden(): boolean;
  /** Calls `listener` on every change; returns what stops it. */
  watch(listener: () => void): () => void;
}

export const documentVisibility: PageVisibility = {
  hidden: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
  watch: (listener) => {
    if (typeof document === 'undefined') return () => undefined;
    document.addEventListener('visibilitychange', listener);
    return () => document.removeEventListener('visibilitychange', listener);
  },
};

export interface GameSessionHandlers {
  /** A newer state of the game (from the joinGame ack or a `state` event). */
  onState: (state: GameState) => void;
  /** joinGame was refused ("Not found", ...). */
  onJoinError: (error: string) => void;
}

/**
 * One game as the page shows it: joinGame on every (re)connection of the socket (the server gives a
 * returning player their role back), the newest state of the game kept, older ones ignored. The
 * server hears whether the page is hidden (`visibility`) after every join and on every change, so
 * that a player who is not looking gets a notice when it is their turn.
 */
export class GameSession {
  private current: GameState | null = null;
  private closed = false;
  private readonly unwatch: () => void;

  constructor(
    private readonly socket: GameSocket,
    readonly gameId: number,
    private readonly handlers: GameSessionHandlers,
    private readonly page: PageVisibility = documentVisibility,
  ) {
    socket.on('connect', this.join);
    socket.on('state', this.onStateEvent);
    this.unwatch = page.watch(this.tellVisibility);
    if (socket.connected) this.join();
  }

  get state(): GameState | null {
    return this.current;
  }

  /** Puts the player's mark on `cell` (0-8); resolves with the refusal, or null when accepted. */
  async move(cell: number): Promise<string | null> {
    return refusal(await call(this.socket, 'move', { gameId: this.gameId, cell }));
  }

  /** Asks for a rematch of the finished round; resolves with the refusal, or null. */
  async rematch(): Promise<string | null> {
    return refusal(await call(this.socket, 'rematch', { gameId: this.gameId }));
  }

  /** Stops following the game and leaves its room. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.socket.off('connect', this.join);
    this.socket.off('state', this.onStateEvent);
    if (this.socket.connected) this.socket.emit('leaveGame', { gameId: this.gameId }, () => undefined);
  }

  private readonly join = (): void => {
    void call(this.socket, 'joinGame', { gameId: this.gameId }).then((reply) => {
      if (this.closed) return;
      const error = refusal(reply);
      if (error === null) {
        this.tellVisibility();
        this.accept(isObject(reply) ? reply.state : null);
      } else if (error !== NO_ANSWER) this.handlers.onJoinError(error);
    });
  };

  private readonly tellVisibility = (): void => {
    if (this.closed || !this.socket.connected) return;
    this.socket.emit('visibility', { hidden: this.page.hidden() });
  };

  private readonly onStateEvent = (payload: unknown): void => {
    if (!this.closed) this.accept(payload);
  };

  private accept(payload: unknown): void {
    const incoming = parseState(payload);
    if (!incoming || incoming.gameId !== this.gameId) return;
    const next = newerState(this.current, incoming);
    if (next === this.current) return;
    this.current = next;
    this.handlers.onState(next!);
  }
}

export interface QuickMatchHandlers {
  onPaired: (gameId: number) => void;
  onError: (error: string) => void;
}

/**
 * Asks for a quick match; the ack comes when someone is paired with us. Returns the cancel: the
 * server takes a user out of the queue when their socket disconnects, so cancelling reconnects the
 * socket. Losing the connection while waiting ends the wait too (onError).
 */
export function quickMatch(socket: GameSocket, handlers: QuickMatchHandlers): () => void {
  let done = false;
  const finish = () => {
    done = true;
    socket.off('disconnect', onDisconnect);
  };
  const onDisconnect = () => {
    if (done) return;
    finish();
    handlers.onError('Connection lost — quick match cancelled');
  };
  socket.on('disconnect', onDisconnect);
  socket.emit('quickMatch', (reply: unknown) => {
    if (done) return;
    finish();
    const error = refusal(reply);
    const gameId = isObject(reply) ? toId(reply.gameId) : null;
    if (error === null && gameId !== null) handlers.onPaired(gameId);
    else handlers.onError(error ?? 'Refused by the server');
  });
  return () => {
    if (done) return;
    finish();
    // Not connected: the server has dropped the queued call already (or the page is going away).
    if (!socket.connected) return;
    socket.disconnect();
    socket.connect();
  };
}

/** Creates a game (the caller is X); resolves with its id, or throws the refusal. */
export async function createGame(socket: GameSocket): Promise<number> {
  const reply = await call(socket, 'createGame', {});
  const gameId = isObject(reply) ? toId(reply.gameId) : null;
  const error = refusal(reply);
  if (error !== null || gameId === null) throw new Error(error ?? 'Refused by the server');
  return gameId;
}
