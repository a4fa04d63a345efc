// The live auction's page, mounted by the app shell at /auction: the list with the create form,
// and one auction at /auction/<auctionId> (history.pushState, so back and forward work).
import { StatusLine, useIdRoute, type ConnectionStatus, type Session } from 'sio-common-web';
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

export function AuctionApp({ socket, session, status, basePath = '/auction', onUnauthorized }: AuctionAppProps) {
  const [auctionId, go] = useIdRoute(basePath);

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
      <StatusLine status={status} className="au-status" />
    </div>
  );
}
