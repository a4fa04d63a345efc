/**
 * The page's side of the namespace "/auction": following one auction (joinAuction on every
 * connect, its room's events turned into actions) and placing bids. It talks through the few
 * methods of socket.io-client's Socket that it uses, so the tests drive it with a scripted socket.
 */
import { ACK_TIMEOUT_MS, call, NO_ANSWER, type AckSocket } from 'sio-common-web';
import type { AuctionAction } from './auctionState';
import { errorOf, parseAuctionWithBids, parseBidPlaced, parseClosed, priceOf, succeeded } from './protocol';
import type { Bid } from './types';

/** The socket the page talks through: socket.io-client's Socket fits. */
export type AuctionSocket = AckSocket;

export { ACK_TIMEOUT_MS, NO_ANSWER };
/** How long after a failed joinAuction (other than "Not found") the page tries again. */
export const REJOIN_DELAY_MS = 3_000;

/**
 * Follows auction `auctionId`: joins it now if connected and on every (re)connect, and turns its
 * room's events into actions for `dispatch`. An `auctionClosed` whose final price is not the newest
 * bid seen here (every accepted bid raises the price) joins again for the full history. Returns
 * the function that stops following (and leaves).
 */
export function followAuction(
  socket: AuctionSocket,
  auctionId: number,
  dispatch: (action: AuctionAction) => void,
): () => void {
  let stopped = false;
  let newest: Bid | null = null;
  const see = (bid: Bid | undefined) => {
    if (bid && (!newest || bid.seq > newest.seq)) newest = bid;
  };
  let retry: ReturnType<typeof setTimeout> | undefined;

  const join = async () => {
    clearTimeout(retry);
    const reply = await call(socket, 'joinAuction', { auctionId });
    if (stopped) return;
    const auction = succeeded(reply) ? parseAuctionWithBids(reply.auction) : null;
    if (auction) {
      see(auction.bids[0]);
      dispatch({ type: 'joined', auction });
    } else if (errorOf(reply, '') === 'Not found') {
      dispatch({ type: 'notFound' });
    } else {
      dispatch({ type: 'refused', error: errorOf(reply, 'Could not open the auction') });
      if (socket.connected) retry = setTimeout(() => void join(), REJOIN_DELAY_MS);
    }
  };
  const onBid = (m: unknown) => {
    const event = parseBidPlaced(m);
    if (!event || event.auctionId !== auctionId) return;
    see(event.bid);
    dispatch({ type: 'bidPlaced', event, receivedAt: Date.now() });
  };
  const onClosed = (m: unknown) => {
    const event = parseClosed(m);
    if (!event || event.auctionId !== auctionId) return;
    dispatch({ type: 'closed', event });
    if (event.winner !== null && newest?.amount !== event.finalPrice) void join();
  };
  const onConnect = () => void join();

  socket.on('connect', onConnect);
  socket.on('bidPlaced', onBid);
  socket.on('auctionClosed', onClosed);
  if (socket.connected) void join();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket.off('connect', onConnect);
    socket.off('bidPlaced', onBid);
    socket.off('auctionClosed', onClosed);
    if (socket.connected) socket.emit('leaveAuction', { auctionId }, () => undefined);
  };
}

export type BidOutcome = { ok: true } | { ok: false; error: string; currentPrice?: number };

/** placeBid: the room's `bidPlaced` shows an accepted bid; a refusal comes back here. */
export async function placeBid(socket: AuctionSocket, auctionId: number, amount: number): Promise<BidOutcome> {
  const reply = await call(socket, 'placeBid', { auctionId, amount });
  if (succeeded(reply)) return { ok: true };
  return { ok: false, error: errorOf(reply, 'Bid refused'), currentPrice: priceOf(reply) };
}
