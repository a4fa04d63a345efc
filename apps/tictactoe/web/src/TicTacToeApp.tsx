// Tic-tac-toe's page, mounted by the app shell at /tictactoe: the lobby, and one game at
// /tictactoe/<gameId> (history.pushState, so back and forward work).
import { useIdRoute, type ConnectionState } from 'sio-common-web';
import type { Player } from './game';
import { GameView } from './GameView';
import { Lobby } from './Lobby';
import type { GameSocket } from './session';
import './tictactoe.css';

export interface TicTacToeAppProps {
  /** A socket of the namespace "/tictactoe" (cookie-authenticated, same origin). */
  socket: GameSocket;
  connection: ConnectionState;
  user: Player;
  /** Where the shell mounts the page; default "/tictactoe". */
  basePath?: string;
  /** Called when the server answers 401 (the shell's log-out); the page shows the error either way. */
  onUnauthorized?: () => void;
}

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out',
};

export const connectionText = (state: ConnectionState): string => CONNECTION_TEXT[state];

export function TicTacToeApp({ socket, connection, user, basePath = '/tictactoe', onUnauthorized }: TicTacToeAppProps) {
  const [gameId, go] = useIdRoute(basePath);

  const connected = connection === 'connected';
  return (
    <div className="ttt-app">
      {gameId === null ? (
        <Lobby socket={socket} user={user} connected={connected} onOpen={go} onUnauthorized={onUnauthorized} />
      ) : (
        <GameView
          key={gameId}
          socket={socket}
          gameId={gameId}
          user={user}
          connected={connected}
          onBack={() => go(null)}
        />
      )}
      <footer
        className={`ttt-conn ttt-conn-${connection}`}
        data-testid="ttt-connection"
        role="status"
        aria-live="polite"
      >
        <span className="ttt-conn-dot" aria-hidden="true" />
        {connectionText(connection)}
      </footer>
    </div>
  );
}
