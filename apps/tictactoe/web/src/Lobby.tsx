// The lobby: a new game, a quick match, the open games to join and the games to watch (refreshed
// every few seconds), and the user's stats.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, getStats, listGames, recentText, type GameSummary, type Stats } from './api';
import type { Player } from './game';
import { createGame, quickMatch, type GameSocket } from './session';

/** How often the lists are fetched again while the lobby is shown. */
export const REFRESH_MS = 3000;

export interface LobbyProps {
  socket: GameSocket;
  user: Player;
  connected: boolean;
  onOpen: (gameId: number) => void;
  /** The server no longer takes the session (401). */
  onUnauthorized?: () => void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 wins · 1 loss · 0 draws" */
export const recordText = (s: { wins: number; losses: number; draws: number }): string =>
  `${plural(s.wins, 'win')} · ${s.losses} ${s.losses === 1 ? 'loss' : 'losses'} · ${plural(s.draws, 'draw')}`;

const name = (p: Player | null) => p?.username ?? '…';

/** The lists and stats, fetched now and every REFRESH_MS while mounted and visible. */
function useLobbyData(onUnauthorized?: () => void) {
  const [games, setGames] = useState<GameSummary[] | null>(null);
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const refresh = () =>
      Promise.all([listGames(), getStats()])
        .then(([g, s]) => {
          if (!live) return;
          setGames(g);
          setStats(s);
          setError(null);
        })
        .catch((e: Error) => {
          if (!live) return;
          setError(e.message);
          if (e instanceof ApiError && e.status === 401) onUnauthorized?.();
        });
    // A hidden tab does not poll; it catches up when shown again.
    const poll = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    void refresh();
    const timer = window.setInterval(poll, REFRESH_MS);
    document.addEventListener('visibilitychange', poll);
    return () => {
      live = false;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', poll);
    };
  }, [onUnauthorized]);

  return { games, stats, error };
}

export function Lobby({ socket, user, connected, onOpen, onUnauthorized }: LobbyProps) {
  const { games, stats, error: loadError } = useLobbyData(onUnauthorized);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [matching, setMatching] = useState(false);
  const [rejoining, setRejoining] = useState(false);
  const cancelMatch = useRef<(() => void) | null>(null);

  // Leaving the lobby while waiting takes the user out of the queue.
  useEffect(() => () => cancelMatch.current?.(), []);

  const newGame = async () => {
    setBusy(true);
    setError(null);
    try {
      onOpen(await createGame(socket));
    } catch (e) {
      setBusy(false);
      setError((e as Error).message);
    }
  };

  const startMatch = () => {
    setError(null);
    setMatching(true);
    cancelMatch.current = quickMatch(socket, {
      onPaired: (gameId) => {
        cancelMatch.current = null;
        onOpen(gameId);
      },
      onError: (e) => {
        cancelMatch.current = null;
        setMatching(false);
        setError(e === 'Replaced' ? 'Quick match started in another tab' : e);
      },
    });
  };

  const cancel = useCallback(() => {
    cancelMatch.current?.();
    cancelMatch.current = null;
    setMatching(false);
    setRejoining(!socket.connected);
  }, [socket]);

  // A cancel reconnects the socket: nothing new is asked before it is back.
  useEffect(() => {
    if (!rejoining) return;
    const done = () => setRejoining(false);
    socket.on('connect', done);
    if (socket.connected) done();
    return () => {
      socket.off('connect', done);
    };
  }, [rejoining, socket]);

  const open = games?.filter((g) => g.status === 'waiting') ?? [];
  const playing = games?.filter((g) => g.status === 'playing') ?? [];
  return (
    <div className="ttt-lobby" data-testid="ttt-lobby">
      <section className="ttt-panel" aria-labelledby="ttt-lobby-title">
        <h1 id="ttt-lobby-title">Tic-tac-toe</h1>
        {matching ? (
          <div className="ttt-matching" data-testid="ttt-matching" role="status" aria-live="polite">
            <span className="spinner" aria-hidden="true" />
            <span>Looking for an opponent…</span>
            <button type="button" className="btn btn-secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="ttt-actions">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || !connected || rejoining}
              onClick={newGame}
            >
              New game
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              disabled={busy || !connected || rejoining}
              onClick={startMatch}
            >
              Quick match
            </button>
          </div>
        )}
        {(error ?? loadError) && (
          <p className="ttt-alert" role="alert">
            {error ?? loadError}
          </p>
        )}
        <GameList
          title="Open games"
          testId="ttt-open-games"
          empty="No open games: start one."
          games={games === null ? null : open}
          label={(g) => `${name(g.players.X)}'s game`}
          action={(g) => (g.players.X?.userId === user.userId ? 'Open' : 'Join')}
          disabled={matching}
          onOpen={onOpen}
        />
        <GameList
          title="Being played"
          testId="ttt-playing-games"
          empty="No games being played."
          games={games === null ? null : playing}
          label={(g) => `${name(g.players.X)} vs ${name(g.players.O)}`}
          action={(g) =>
            g.players.X?.userId === user.userId || g.players.O?.userId === user.userId ? 'Resume' : 'Watch'
          }
          disabled={matching}
          onOpen={onOpen}
        />
      </section>
      <StatsPanel stats={stats} user={user} />
    </div>
  );
}

interface GameListProps {
  title: string;
  testId: string;
  empty: string;
  games: GameSummary[] | null;
  label: (g: GameSummary) => string;
  action: (g: GameSummary) => string;
  disabled: boolean;
  onOpen: (gameId: number) => void;
}

function GameList({ title, testId, empty, games, label, action, disabled, onOpen }: GameListProps) {
  const headingId = `${testId}-title`;
  return (
    <section className="ttt-list" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {games === null && <p className="ttt-muted">Loading…</p>}
      {games?.length === 0 && <p className="ttt-muted">{empty}</p>}
      {games && games.length > 0 && (
        <ul data-testid={testId}>
          {games.map((g) => (
            <li key={g.gameId} data-game-id={g.gameId}>
              <span className="ttt-game-name">{label(g)}</span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                disabled={disabled}
                aria-label={`${action(g)}: ${label(g)}`}
                onClick={() => onOpen(g.gameId)}
              >
                {action(g)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function StatsPanel({ stats, user }: { stats: Stats | null; user: Player }) {
  const me = stats?.me ?? { wins: 0, losses: 0, draws: 0 };
  return (
    <section className="ttt-panel ttt-stats" aria-labelledby="ttt-stats-title">
      <h2 id="ttt-stats-title">Your games</h2>
      <p
        className="ttt-record"
        data-testid="ttt-record"
        data-wins={me.wins}
        data-losses={me.losses}
        data-draws={me.draws}
      >
        {stats ? recordText(me) : 'Loading…'}
      </p>
      {stats && stats.recent.length > 0 && (
        <ol className="ttt-recent" data-testid="ttt-recent" aria-label="Your recent games">
          {stats.recent.map((g) => (
            <li key={`${g.gameId}:${g.round}`}>
              <span>{recentText(g, user.userId)}</span>
              <time className="ttt-muted" dateTime={new Date(g.endedAt).toISOString()}>
                {new Date(g.endedAt).toLocaleString()}
              </time>
            </li>
          ))}
        </ol>
      )}
      <h2>Top players</h2>
      {stats && stats.top.length === 0 && <p className="ttt-muted">Nobody has finished a game yet.</p>}
      {stats && stats.top.length > 0 && (
        <table className="ttt-top" data-testid="ttt-top">
          <thead>
            <tr>
              <th scope="col">Player</th>
              <th scope="col">Wins</th>
              <th scope="col">Losses</th>
              <th scope="col">Draws</th>
            </tr>
          </thead>
          <tbody>
            {stats.top.map((p) => (
              <tr key={p.userId} className={p.userId === user.userId ? 'ttt-me' : undefined}>
                <th scope="row">{p.username}</th>
                <td>{p.wins}</td>
                <td>{p.losses}</td>
                <td>{p.draws}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
