import { describe, expect, it } from 'vitest';
import { parseGameSummary, parseStats, recentText } from './api';
import { recordText } from './Lobby';

const alice = { userId: 1, username: 'alice' };
const bob = { userId: 2, username: 'bob' };

describe('the lobby', () => {
  it('reads the open games and drops malformed ones', () => {
    expect(parseGameSummary({ gameId: 4, status: 'waiting', players: { X: alice, O: null }, createdAt: 5 })).toEqual({
      gameId: 4,
      status: 'waiting',
      players: { X: alice, O: null },
      createdAt: 5,
    });
    expect(parseGameSummary({ gameId: 4, status: 'won', players: {} })).toBe(null);
    expect(parseGameSummary({ status: 'waiting' })).toBe(null);
  });

  it('reads the stats, with zeros where the server says nothing', () => {
    const stats = parseStats({
      me: { ...alice, wins: 2, losses: 1 },
      top: [{ ...bob, wins: 3, losses: 0, draws: 1 }, { wins: 1 }],
      recent: [{ gameId: 4, round: 2, players: { X: alice, O: bob }, status: 'won', winner: 'O', endedAt: 9 }],
    });
    expect(stats.me).toEqual({ ...alice, wins: 2, losses: 1, draws: 0 });
    expect(stats.top).toEqual([{ ...bob, wins: 3, losses: 0, draws: 1 }]);
    expect(stats.recent).toHaveLength(1);
    expect(parseStats(null)).toEqual({ me: null, top: [], recent: [] });
  });

  it('says how a recent round went for the user', () => {
    const players = { X: alice, O: bob };
    const base = { gameId: 1, round: 1, players, endedAt: 0 };
    expect(recentText({ ...base, status: 'won', winner: 'X' }, 1)).toBe('Won against bob');
    expect(recentText({ ...base, status: 'won', winner: 'X' }, 2)).toBe('Lost to alice');
    expect(recentText({ ...base, status: 'draw', winner: null }, 2)).toBe('Draw with alice');
    expect(recentText({ ...base, status: 'abandoned', winner: 'O' }, 2)).toBe('Won against alice (forfeit)');
  });

  it('writes a record', () => {
    expect(recordText({ wins: 1, losses: 1, draws: 1 })).toBe('1 win · 1 loss · 1 draw');
    expect(recordText({ wins: 0, losses: 2, draws: 3 })).toBe('0 wins · 2 losses · 3 draws');
  });
});
