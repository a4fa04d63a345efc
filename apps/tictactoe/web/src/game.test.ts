import { describe, expect, it } from 'vitest';
import {
  awayLines,
  canMove,
  cellLabel,
  newerState,
  parseState,
  rematchText,
  roleOf,
  secondsLeft,
  statusText,
  type GameState,
} from './game';

const alice = { userId: 1, username: 'alice' };
const bob = { userId: 2, username: 'bob' };

/** A state as the server sends it, with `over` replacing fields. */
function wire(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gameId: 7,
    board: [null, null, null, null, null, null, null, null, null],
    turn: 'X',
    players: { X: alice, O: bob },
    status: 'playing',
    winner: null,
    line: null,
    version: 3,
    round: 1,
    away: {},
    rematch: [],
    ...over,
  };
}

const state = (over: Record<string, unknown> = {}): GameState => parseState(wire(over))!;

describe('parseState', () => {
  it('reads a state of the contract', () => {
    const s = state({ board: ['X', null, 'O', null, null, null, null, null, null], away: { O: 1000 }, rematch: ['X'] });
    expect(s.gameId).toBe(7);
    expect(s.board[0]).toBe('X');
    expect(s.players.O).toEqual(bob);
    expect(s.away).toEqual({ O: 1000 });
    expect(s.rematch).toEqual(['X']);
  });

  it('refuses what is not a state', () => {
    expect(parseState(null)).toBe(null);
    expect(parseState('x')).toBe(null);
    expect(parseState(wire({ gameId: 'abc' }))).toBe(null);
    expect(parseState(wire({ board: [null] }))).toBe(null);
    expect(parseState(wire({ board: ['Z', null, null, null, null, null, null, null, null] }))).toBe(null);
    expect(parseState(wire({ status: 'paused' }))).toBe(null);
    expect(parseState(wire({ version: 1.5 }))).toBe(null);
  });

  it('drops malformed parts it can do without', () => {
    const s = state({
      players: { X: alice, O: { userId: 'x' } },
      line: [0, 1, 9],
      away: { X: 'soon' },
      rematch: ['X', 'Y'],
    });
    expect(s.players).toEqual({ X: alice, O: null });
    expect(s.line).toBe(null);
    expect(s.away).toEqual({});
    expect(s.rematch).toEqual(['X']);
  });
});

describe('newerState', () => {
  it('keeps the newest version of a game and takes any version of another game', () => {
    const v3 = state({ version: 3 });
    const v4 = state({ version: 4 });
    expect(newerState(null, v3)).toBe(v3);
    expect(newerState(v3, v4)).toBe(v4);
    expect(newerState(v4, v3)).toBe(v4);
    expect(newerState(v4, state({ version: 4 }))).toBe(v4);
    const other = state({ gameId: 8, version: 1 });
    expect(newerState(v4, other)).toBe(other);
    expect(newerState(v4, null)).toBe(v4);
  });
});

describe('what the page says', () => {
  it('gives each user their role', () => {
    const s = state();
    expect(roleOf(s, 1)).toBe('X');
    expect(roleOf(s, 2)).toBe('O');
    expect(roleOf(s, 3)).toBe('spectator');
  });

  it('lets only the player to move use an empty cell of a game being played', () => {
    const s = state({ board: ['X', null, null, null, 'O', null, null, null, null] });
    expect(canMove(s, 'X', 1)).toBe(true);
    expect(canMove(s, 'X', 0)).toBe(false);
    expect(canMove(s, 'O', 1)).toBe(false);
    expect(canMove(s, 'spectator', 1)).toBe(false);
    expect(canMove(state({ status: 'won', winner: 'X' }), 'X', 1)).toBe(false);
    expect(canMove(state({ status: 'waiting', players: { X: alice, O: null } }), 'X', 1)).toBe(false);
  });

  it('says whose turn it is', () => {
    const waiting = state({ status: 'waiting', players: { X: alice, O: null } });
    expect(statusText(waiting, 'X')).toBe('Waiting for an opponent — share this link');
    expect(statusText(waiting, 'spectator')).toBe('Waiting for an opponent');
    expect(statusText(state(), 'X')).toBe('Your turn');
    expect(statusText(state(), 'O')).toBe('Waiting for alice');
    expect(statusText(state({ turn: 'O' }), 'X')).toBe('Waiting for bob');
    expect(statusText(state(), 'spectator')).toBe('alice to move');
  });

  it('says how the round ended', () => {
    const won = state({ status: 'won', winner: 'O', line: [2, 4, 6] });
    expect(statusText(won, 'O')).toBe('You won!');
    expect(statusText(won, 'X')).toBe('bob won');
    expect(statusText(won, 'spectator')).toBe('bob won');
    expect(statusText(state({ status: 'draw' }), 'X')).toBe('Draw');
    const forfeit = state({ status: 'abandoned', winner: 'X' });
    expect(statusText(forfeit, 'X')).toBe('bob left — you win by forfeit');
    expect(statusText(forfeit, 'O')).toBe('You left — alice wins by forfeit');
    expect(statusText(forfeit, 'spectator')).toBe('bob left — alice wins by forfeit');
  });

  it('counts down to a forfeit of the other player', () => {
    expect(secondsLeft(30000, 3000)).toBe(27);
    expect(secondsLeft(30000, 2500)).toBe(28);
    expect(secondsLeft(30000, 31000)).toBe(0);
    const s = state({ away: { O: 30000 } });
    expect(awayLines(s, 'X', 3000)).toEqual(['bob disconnected — they forfeit in 27 s']);
    expect(awayLines(s, 'spectator', 3000)).toEqual(['bob disconnected — they forfeit in 27 s']);
    expect(awayLines(s, 'O', 3000)).toEqual([]);
    expect(awayLines(state({ status: 'won', winner: 'X', away: { O: 30000 } }), 'X', 3000)).toEqual([]);
    const waiting = state({ status: 'waiting', players: { X: alice, O: null }, away: { X: 30000 } });
    expect(awayLines(waiting, 'spectator', 3000)).toEqual(['alice disconnected — the game closes in 27 s']);
  });

  it('tells who asked for a rematch', () => {
    const over = { status: 'won', winner: 'X', line: [0, 1, 2] };
    expect(rematchText(state(over), 'X')).toBe(null);
    expect(rematchText(state({ ...over, rematch: ['X'] }), 'X')).toBe('Rematch asked — waiting for bob');
    expect(rematchText(state({ ...over, rematch: ['X'] }), 'O')).toBe('alice wants a rematch');
    expect(rematchText(state({ ...over, rematch: ['X'] }), 'spectator')).toBe(null);
    expect(rematchText(state({ rematch: ['X'] }), 'O')).toBe(null);
  });

  it('names the cells from 1', () => {
    expect(cellLabel(0, 'X')).toBe('cell 1, X');
    expect(cellLabel(8, null)).toBe('cell 9, empty');
  });
});
