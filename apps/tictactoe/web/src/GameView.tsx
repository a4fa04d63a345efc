// One game: the board, the players, the status line, the away banner and the rematch, following the
// server's `state` events through a GameSession.
import { useEffect, useRef, useState } from 'react';
import {
  awayLines,
  canMove,
  cellLabel,
  isFinished,
  rematchText,
  roleOf,
  statusText,
  type GameState,
  type Mark,
  type Player,
  type Role,
} from './game';
import { GameSession, type GameSocket } from './session';

/** How long a refused move's error stays on screen. */
const ERROR_MS = 3000;

export interface GameViewProps {
  socket: GameSocket;
  gameId: number;
  user: Player;
  connected: boolean;
  onBack: () => void;
}

/** The game's session for the life of the view, its newest state and the join refusal. */
function useGameSession(socket: GameSocket, gameId: number) {
  const [state, setState] = useState<GameState | null>(null);
  const [joinError, setJoinError] = useState<string | null>(null);
  const session = useRef<GameSession | null>(null);
  useEffect(() => {
    const s = new GameSession(socket, gameId, {
      onState: (next) => {
        setJoinError(null);
        setState(next);
      },
      onJoinError: setJoinError,
    });
    session.current = s;
    return () => s.close();
  }, [socket, gameId]);
  return { state, joinError, session };
}

/** A message that clears itself after `ms`. */
function useFlash(ms: number): [string | null, (text: string) => void] {
  const [flash, setFlash] = useState<{ text: string; n: number } | null>(null);
  useEffect(() => {
    if (!flash) return;
    const timer = window.setTimeout(() => setFlash(null), ms);
    return () => window.clearTimeout(timer);
  }, [flash, ms]);
  return [flash?.text ?? null, (text) => setFlash((f) => ({ text, n: (f?.n ?? 0) + 1 }))];
}

/** The current time, ticking every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [on]);
  return now;
}

export function GameView({ socket, gameId, user, connected, onBack }: GameViewProps) {
  const { state, joinError, session } = useGameSession(socket, gameId);
  const [error, flashError] = useFlash(ERROR_MS);
  const [pending, setPending] = useState(false);
  // The version a move was accepted at: the board stays locked until the state after it arrives.
  const [movedAt, setMovedAt] = useState(-1);
  const now = useNow(!!state && Object.keys(state.away).length > 0);

  const send = async (action: (s: GameSession) => Promise<string | null>): Promise<boolean> => {
    if (!session.current || pending) return false;
    setPending(true);
    const refused = await action(session.current);
    setPending(false);
    if (refused) flashError(refused);
    return refused === null;
  };
  const move = async (cell: number) => {
    const version = state?.version ?? -1;
    if (await send((s) => s.move(cell))) setMovedAt(version);
  };

  const role: Role = state ? roleOf(state, user.userId) : 'spectator';
  return (
    <section className="ttt-game" data-testid="ttt-game" aria-labelledby="ttt-game-title">
      <header className="ttt-game-header">
        <button type="button" className="btn btn-ghost" onClick={onBack}>
          ← Lobby
        </button>
        <h1 id="ttt-game-title">
          Game {gameId}
          {state && state.round > 1 && <span className="ttt-muted"> · round {state.round}</span>}
        </h1>
        {state && role === 'spectator' && (
          <span className="ttt-badge" data-testid="ttt-spectator">
            Spectating
          </span>
        )}
      </header>
      {joinError && (
        <p className="ttt-alert" role="alert">
          {joinError === 'Not found' ? 'This game does not exist (any more).' : joinError}
        </p>
      )}
      {!state && !joinError && <p className="ttt-muted">Opening the game…</p>}
      {state && (
        <GameBody
          state={state}
          role={role}
          now={now}
          busy={pending || !connected || state.version <= movedAt}
          error={error}
          onMove={(cell) => void move(cell)}
          onRematch={() => void send((s) => s.rematch())}
        />
      )}
    </section>
  );
}

interface GameBodyProps {
  state: GameState;
  role: Role;
  now: number;
  busy: boolean;
  error: string | null;
  onMove: (cell: number) => void;
  onRematch: () => void;
}

function GameBody({ state, role, now, busy, error, onMove, onRematch }: GameBodyProps) {
  const away = awayLines(state, role, now);
  const finished = isFinished(state);
  return (
    <div className="ttt-game-body">
      <div className="ttt-board-column">
        <p
          className={`ttt-status ttt-status-${state.status}`}
          data-testid="ttt-status"
          role="status"
          aria-live="polite"
        >
          {statusText(state, role)}
        </p>
        {away.map((line) => (
          <p key={line} className="ttt-away" data-testid="ttt-away">
            {line}
          </p>
        ))}
        <Board state={state} role={role} busy={busy} onMove={onMove} />
        <p className="ttt-error" data-testid="ttt-error" role="alert">
          {error}
        </p>
      </div>
      <aside className="ttt-side">
        <Players state={state} role={role} />
        {state.status === 'waiting' && role === 'X' && <ShareLink />}
        {finished && role !== 'spectator' && (
          <Rematch
            text={rematchText(state, role)}
            asked={state.rematch.includes(role)}
            busy={busy}
            onRematch={onRematch}
          />
        )}
      </aside>
    </div>
  );
}

function Board({
  state,
  role,
  busy,
  onMove,
}: {
  state: GameState;
  role: Role;
  busy: boolean;
  onMove: (cell: number) => void;
}) {
  const line = state.line ?? [];
  return (
    <div className="ttt-board" data-testid="ttt-board" role="group" aria-label="Board">
      {state.board.map((mark, cell) => {
        const winning = line.includes(cell);
        return (
          <button
            key={cell}
            type="button"
            className={`ttt-cell${mark ? ` ttt-cell-${mark}` : ''}${winning ? ' ttt-cell-win' : ''}`}
            aria-label={cellLabel(cell, mark)}
            data-winning={winning || undefined}
            disabled={busy || !canMove(state, role, cell)}
            onClick={() => onMove(cell)}
          >
            {mark}
          </button>
        );
      })}
    </div>
  );
}

function Players({ state, role }: { state: GameState; role: Role }) {
  const marks: Mark[] = ['X', 'O'];
  return (
    <ul className="ttt-players" data-testid="ttt-players" aria-label="Players">
      {marks.map((m) => {
        const p = state.players[m];
        const toMove = state.status === 'playing' && state.turn === m;
        return (
          <li key={m} data-role={m} className={toMove ? 'ttt-to-move' : undefined}>
            <span className={`ttt-mark ttt-mark-${m}`} aria-hidden="true">
              {m}
            </span>
            <span className="ttt-player-name">
              {p ? p.username : 'waiting…'}
              {role === m && <span className="ttt-muted"> (you)</span>}
            </span>
            <span className="visually-hidden">plays {m}</span>
          </li>
        );
      })}
    </ul>
  );
}

function ShareLink() {
  const [copied, setCopied] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const link = window.location.href;
  // Without the clipboard API (a page not served securely) the link is selected for copying by hand.
  const select = () => input.current?.select();
  const copy = () => {
    if (!navigator.clipboard) return select();
    navigator.clipboard.writeText(link).then(() => setCopied(true), select);
  };
  return (
    <div className="ttt-share">
      <label htmlFor="ttt-link">Link to this game</label>
      <div className="ttt-share-row">
        <input id="ttt-link" ref={input} readOnly value={link} onFocus={select} />
        <button type="button" className="btn btn-secondary btn-small" data-testid="ttt-copy-link" onClick={copy}>
          {copied ? 'Copied' : 'Copy link'}
        </button>
      </div>
    </div>
  );
}

function Rematch({
  text,
  asked,
  busy,
  onRematch,
}: {
  text: string | null;
  asked: boolean;
  busy: boolean;
  onRematch: () => void;
}) {
  return (
    <div className="ttt-rematch">
      <button
        type="button"
        className="btn btn-primary"
        data-testid="ttt-rematch"
        disabled={asked || busy}
        onClick={onRematch}
      >
        Rematch
      </button>
      {text && (
        <p className="ttt-muted" data-testid="ttt-rematch-text" aria-live="polite">
          {text}
        </p>
      )}
    </div>
  );
}
