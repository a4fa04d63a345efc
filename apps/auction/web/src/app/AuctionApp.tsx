// The live auction's page, mounted by the app shell at /auction: the list with the create form,
// and one auction at /auction/<auctionId> (history.pushState, so back and forward work).
import { useCallback, useEffect, useState } from 'react';
import type { ConnectionStatus, Session } from 'sio-common-web';
import { connectionText } from '../lib/status';
import type { AuctionSocket } from '../lib/session';
import { AuctionList } from './AuctionList';
import { AuctionRoom } from './AuctionRoom';
import './auction.css';

export interface AuctionAppProps {
  /** Connected to the namespace "/auction". */
  socket: AuctionSocket;
  session: Session;
  status: ConnectionStatus;
  /** Where the shell mounts the page; default "/auction". */
  basePath?: string;
  /** Called when the server answers 401 (the shell's log-out); the page shows the error either way. */
  onUnauthorized?: () => void;
}

/** The auction id in `pathname` under `basePath`, or null for the list. */
export function auctionIdOf(pathname: string, basePath = '/auction'): number | null {
  if (!pathname.startsWith(basePath + '/')) return null;
  const rest = pathname.slice(basePath.length + 1).replace(/\/$/, '');
  return /^\d{1,15}$/.test(rest) ? Number(rest) : null;
}

export function AuctionApp({ socket, session, status, basePath = '/auction', onUnauthorized }: AuctionAppProps) {
  const [auctionId, setAuctionId] = useState(() => auctionIdOf(window.location.pathname, basePath));

  useEffect(() => {
    const onPop = () => setAuctionId(auctionIdOf(window.location.pathname, basePath));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [basePath]);

  const go = useCallback(
    (id: number | null) => {
      const path = id === null ? basePath : `${basePath}/${id}`;
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      setAuctionId(id);
    },
    [basePath],
  );

  return (
    <div className="au-app">
      {auctionId === null ? (
        <AuctionList session={session} onOpen={go} onUnauthorized={onUnauthorized} />
      ) : (
        <AuctionRoom
          key={auctionId}
          socket={socket}
          auctionId={auctionId}
          me={session.userId}
          connected={status.state === 'connected'}
          onBack={() => go(null)}
        />
      )}
      <footer
        className={`au-status au-status-${status.state}`}
        role="status"
        aria-live="polite"
        data-testid="connection-status"
      >
        <span className="au-status-dot" aria-hidden="true" />
        {connectionText(status.state, status.detail)}
      </footer>
    </div>
  );
}
