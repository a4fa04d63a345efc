// Tic-tac-toe's REST calls, through the shared request helper (same origin, the cookie as
// credentials), and the checks of what they answer.
import { request } from 'sio-common-web';
import { isObject, parsePlayer, toId, type Mark, type Player } from './game';

export { ApiError } from 'sio-common-web';

export interface GameSummary {
  gameId: number;
  status: 'waiting' | 'playing';
  players: { X: Player | null; O: Player | null };
  createdAt: number;
}

export interface PlayerStats extends Player {
  wins: number;
  losses: number;
  draws: number;
}

export interface RecentGame {
  gameId: number;
  round: number;
  players: { X: Player | null; O: Player | null };
  status: 'won' | 'draw' | 'abandoned';
  winner: Mark | null;
  endedAt: number;
}

export interface Stats {
  me: PlayerStats | null;
  top: PlayerStats[];
  recent: RecentGame[];
}

const count = (v: unknown): number => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : 0);
const time = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function parsePlayers(v: unknown): { X: Player | null; O: Player | null } {
  const p = isObject(v) ? v : {};
  return { X: parsePlayer(p.X), O: parsePlayer(p.O) };
}

export function parseGameSummary(v: unknown): GameSummary | null {
  if (!isObject(v)) return null;
  const gameId = toId(v.gameId);
  if (gameId === null || (v.status !== 'waiting' && v.status !== 'playing')) return null;
  return { gameId, status: v.status, players: parsePlayers(v.players), createdAt: time(v.createdAt) };
}

function parsePlayerStats(v: unknown): PlayerStats | null {
  const player = parsePlayer(v);
  if (!player || !isObject(v)) return null;
  return { ...player, wins: count(v.wins), losses: count(v.losses), draws: count(v.draws) };
}

function parseRecent(v: unknown): RecentGame | null {
  if (!isObject(v)) return null;
  const gameId = toId(v.gameId);
  if (gameId === null || (v.status !== 'won' && v.status !== 'draw' && v.status !== 'abandoned')) return null;
  return {
    gameId,
    round: count(v.round) || 1,
    players: parsePlayers(v.players),
    status: v.status,
    winner: v.winner === 'X' || v.winner === 'O' ? v.winner : null,
    endedAt: time(v.endedAt),
  };
}

const parseList = <T>(v: unknown, parse: (item: unknown) => T | null): T[] =>
  Array.isArray(v) ? v.map(parse).filter((x): x is T => x !== null) : [];

export function parseStats(v: unknown): Stats {
  const s = isObject(v) ? v : {};
  return {
    me: parsePlayerStats(s.me),
    top: parseList(s.top, parsePlayerStats),
    recent: parseList(s.recent, parseRecent),
  };
}

/** GET /api/games: open games (newest first), then games being played. */
export async function listGames(): Promise<GameSummary[]> {
  return parseList(await request<unknown>('GET', '/api/games', null), parseGameSummary);
}

/** GET /api/games/stats: the caller's record, the top players and the caller's recent rounds. */
export async function getStats(): Promise<Stats> {
  return parseStats(await request<unknown>('GET', '/api/games/stats', null));
}

/** A finished round as the user who played it sees it: "Won against bob", "Draw with bob", ... */
export function recentText(g: RecentGame, userId: number): string {
  const mine: Mark | null = g.players.X?.userId === userId ? 'X' : g.players.O?.userId === userId ? 'O' : null;
  const them = mine ? g.players[mine === 'X' ? 'O' : 'X'] : null;
  const opponent = them?.username ?? 'nobody';
  if (g.status === 'draw') return `Draw with ${opponent}`;
  const won = mine !== null && g.winner === mine;
  const how = g.status === 'abandoned' ? ' (forfeit)' : '';
  return `${won ? 'Won against' : 'Lost to'} ${opponent}${how}`;
}
