// A game of the namespace "/tictactoe" as the page reads it, and what the page says about it. Pure:
// everything from the network is checked here before the page uses it.

export type Mark = 'X' | 'O';
export type Role = Mark | 'spectator';
export type GameStatus = 'waiting' | 'playing' | 'won' | 'draw' | 'abandoned';

export interface Player {
  userId: number;
  username: string;
}

export interface GameState {
  gameId: number;
  board: (Mark | null)[];
  turn: Mark;
  players: { X: Player | null; O: Player | null };
  status: GameStatus;
  winner: Mark | null;
  line: number[] | null;
  version: number;
  round: number;
  /** When each disconnected player forfeits (epoch ms). */
  away: Partial<Record<Mark, number>>;
  /** Who asked for a rematch of this finished round. */
  rematch: Mark[];
}

type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON integer or a string of digits as an id; null otherwise. */
export function toId(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/** The `error` text of a failed ack, or `fallback`. */
export function errorOf(reply: unknown, fallback: string): string {
  return isObject(reply) && typeof reply.error === 'string' ? reply.error : fallback;
}

const isMark = (v: unknown): v is Mark => v === 'X' || v === 'O';
const STATUSES: readonly GameStatus[] = ['waiting', 'playing', 'won', 'draw', 'abandoned'];
export const MARKS: readonly Mark[] = ['X', 'O'];

export function parsePlayer(v: unknown): Player | null {
  if (!isObject(v)) return null;
  const userId = toId(v.userId);
  if (userId === null || typeof v.username !== 'string') return null;
  return { userId, username: v.username };
}

function parseAway(v: unknown): Partial<Record<Mark, number>> {
  const away: Partial<Record<Mark, number>> = {};
  if (!isObject(v)) return away;
  for (const m of MARKS) if (typeof v[m] === 'number' && Number.isFinite(v[m])) away[m] = v[m] as number;
  return away;
}

function parseLine(v: unknown): number[] | null {
  if (!Array.isArray(v) || v.length !== 3) return null;
  return v.every((c) => Number.isInteger(c) && c >= 0 && c < 9) ? (v as number[]) : null;
}

/** A `state` payload, or null when it is not one. */
export function parseState(v: unknown): GameState | null {
  if (!isObject(v)) return null;
  const gameId = toId(v.gameId);
  const { board, status, version } = v;
  if (gameId === null || !Array.isArray(board) || board.length !== 9) return null;
  if (!board.every((c) => c === null || isMark(c))) return null;
  if (!STATUSES.includes(status as GameStatus) || !Number.isSafeInteger(version)) return null;
  const players = isObject(v.players) ? v.players : {};
  return {
    gameId,
    board: board as (Mark | null)[],
    turn: isMark(v.turn) ? v.turn : 'X',
    players: { X: parsePlayer(players.X), O: parsePlayer(players.O) },
    status: status as GameStatus,
    winner: isMark(v.winner) ? v.winner : null,
    line: parseLine(v.line),
    version: version as number,
    round: Number.isSafeInteger(v.round) ? (v.round as number) : 1,
    away: parseAway(v.away),
    rematch: Array.isArray(v.rematch) ? v.rematch.filter(isMark) : [],
  };
}

/** The state to show after `incoming` arrives: it replaces `current` only when newer. */
export function newerState(current: GameState | null, incoming: GameState | null): GameState | null {
  if (!incoming) return current;
  if (!current || current.gameId !== incoming.gameId) return incoming;
  return incoming.version > current.version ? incoming : current;
}

/** The user's role in the game: a player's mark, or spectator. */
export function roleOf(state: GameState, userId: number): Role {
  for (const m of MARKS) if (state.players[m]?.userId === userId) return m;
  return 'spectator';
}

export const other = (m: Mark): Mark => (m === 'X' ? 'O' : 'X');

const nameOf = (state: GameState, m: Mark): string => state.players[m]?.username ?? m;

export const isFinished = (s: GameState): boolean =>
  s.status === 'won' || s.status === 'draw' || s.status === 'abandoned';

/** True when `role` may put a mark on `cell` now. */
export function canMove(state: GameState, role: Role, cell: number): boolean {
  return state.status === 'playing' && role === state.turn && state.board[cell] === null;
}

/** The status line: whose turn it is, or how the round ended, from `role`'s point of view. */
export function statusText(state: GameState, role: Role): string {
  const me = role !== 'spectator';
  switch (state.status) {
    case 'waiting':
      return role === 'X' ? 'Waiting for an opponent — share this link' : 'Waiting for an opponent';
    case 'playing':
      if (role === state.turn) return 'Your turn';
      return me ? `Waiting for ${nameOf(state, state.turn)}` : `${nameOf(state, state.turn)} to move`;
    case 'draw':
      return 'Draw';
    case 'won':
      if (!state.winner) return 'Game over';
      return role === state.winner ? 'You won!' : `${nameOf(state, state.winner)} won`;
    case 'abandoned': {
      if (!state.winner) return 'Game over';
      const loser = nameOf(state, other(state.winner));
      if (role === state.winner) return `${loser} left — you win by forfeit`;
      if (me) return `You left — ${nameOf(state, state.winner)} wins by forfeit`;
      return `${loser} left — ${nameOf(state, state.winner)} wins by forfeit`;
    }
  }
}

/** Whole seconds left until `at` (epoch ms), never negative. */
export const secondsLeft = (at: number, now: number): number => Math.max(0, Math.ceil((at - now) / 1000));

/**
 * The away banner's lines: each other disconnected player and when they forfeit (a waiting game
 * closes instead when its creator stays away).
 */
export function awayLines(state: GameState, role: Role, now: number): string[] {
  if (state.status !== 'playing' && state.status !== 'waiting') return [];
  const outcome = state.status === 'playing' ? 'they forfeit' : 'the game closes';
  return MARKS.filter((m) => m !== role && state.away[m] !== undefined).map(
    (m) => `${nameOf(state, m)} disconnected — ${outcome} in ${secondsLeft(state.away[m]!, now)} s`,
  );
}

/** What the rematch area says to `role`, or null when there is nothing to say. */
export function rematchText(state: GameState, role: Role): string | null {
  if (!isFinished(state) || role === 'spectator') return null;
  const opponent = nameOf(state, other(role));
  if (state.rematch.includes(role)) return `Rematch asked — waiting for ${opponent}`;
  if (state.rematch.includes(other(role))) return `${opponent} wants a rematch`;
  return null;
}

/** The accessible name of a cell: "cell 1, X", "cell 5, empty" (cells count from 1). */
export const cellLabel = (cell: number, mark: Mark | null): string => `cell ${cell + 1}, ${mark ?? 'empty'}`;
