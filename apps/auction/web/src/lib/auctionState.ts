/**
 * One auction as the page shows it, changed only by what the server says: the joinAuction
 * snapshot, `bidPlaced` (applied in seq order, an old or repeated one ignored), `auctionClosed`,
 * and the answers to our own bids. Pure, so the page's rules are tested without a browser.
 */
import { sameId, type Id } from 'sio-common-web';
import { formatMoney } from './money';
import type { Auction, AuctionClosed, AuctionWithBids, Bid, BidPlaced, Bidder } from './types';

/** How many bids the history keeps. */
export const HISTORY_LIMIT = 50;

export interface Outbid {
  by: string;
  amount: number;
}

export interface AuctionState {
  auction: Auction | null;
  /** Newest first, in seq order. */
  bids: Bid[];
  /** The seq of the newest bid applied (0: none). */
  lastSeq: number;
  /** A bid moved the end time (anti-sniping) since the page opened the auction. */
  extended: boolean;
  /** The server's anti-sniping window (ms): a bid with less time left extends. Null until told. */
  extensionMs: number | null;
  /** Set when someone else took the lead from us; cleared when we lead again. */
  outbid: Outbid | null;
  /** The last refusal of our bid, or of joining. */
  error: string | null;
  notFound: boolean;
  /**
   * The server's clock minus this browser's, as the bids received show it (`bid.at` against the
   * time each arrived; the largest, since a bid's delivery time only makes it smaller): the
   * countdown reads the server's time with it. Null before any bid arrived.
   */
  clockOffset: number | null;
}

export type AuctionAction =
  | { type: 'joined'; auction: AuctionWithBids }
  | { type: 'notFound' }
  /** `receivedAt`: this browser's time when the event arrived. */
  | { type: 'bidPlaced'; event: BidPlaced; receivedAt: number }
  | { type: 'closed'; event: AuctionClosed }
  | { type: 'refused'; error: string; currentPrice?: number }
  | { type: 'dismiss' };

export const initialAuctionState: AuctionState = {
  auction: null,
  bids: [],
  lastSeq: 0,
  extended: false,
  extensionMs: null,
  outbid: null,
  error: null,
  notFound: false,
  clockOffset: null,
};

/** The newest seq an auction snapshot has seen. */
const seqOf = (a: AuctionWithBids) => Math.max(a.bidCount, ...a.bids.map((b) => b.seq));

/** Both lists' bids, each seq once, newest first. */
function mergeBids(a: Bid[], b: Bid[]): Bid[] {
  const bySeq = new Map<number, Bid>();
  for (const bid of [...a, ...b]) bySeq.set(bid.seq, bid);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq).slice(0, HISTORY_LIMIT);
}

function joined(state: AuctionState, snapshot: AuctionWithBids, me: Id): AuctionState {
  const { bids, extensionMs, ...auction } = snapshot;
  const before = state.auction;
  // A bidPlaced may arrive before the answer to joinAuction: the snapshot never takes us back.
  const newer = !before || seqOf(snapshot) >= state.lastSeq;
  const base = newer ? auction : { ...auction, ...pickLive(before) };
  const closed = before?.status === 'closed' ? pickClosed(before) : {};
  // Bids missed while away (a rejoin after a reconnect) may have taken our lead or moved the end.
  const missed = newer && before !== null;
  return {
    ...state,
    auction: { ...base, ...closed },
    bids: mergeBids(state.bids, bids),
    lastSeq: Math.max(state.lastSeq, seqOf(snapshot)),
    extended: state.extended || (missed && auction.endsAt > before.endsAt),
    extensionMs: extensionMs ?? state.extensionMs,
    outbid: missed
      ? outbidAfter(state, me, before.highestBidder, auction.highestBidder, auction.currentPrice)
      : state.outbid,
    notFound: false,
    error: null,
  };
}

const pickLive = (a: Auction) => ({
  currentPrice: a.currentPrice,
  highestBidder: a.highestBidder,
  endsAt: a.endsAt,
  bidCount: a.bidCount,
});

const pickClosed = (a: Auction) => ({ ...pickLive(a), status: a.status });

/** The outbid notice once the lead went from `before` to `next` at `price`. */
function outbidAfter(state: AuctionState, me: Id, before: Bidder | null, next: Bidder | null, price: number) {
  if (next === null) return state.outbid;
  if (sameId(next.userId, me)) return null;
  return before !== null && sameId(before.userId, me) ? { by: next.username, amount: price } : state.outbid;
}

function bidPlaced(state: AuctionState, e: BidPlaced, receivedAt: number, me: Id): AuctionState {
  const a = state.auction;
  if (!a || e.auctionId !== a.id || e.bid.seq <= state.lastSeq) return state;
  const offset = e.bid.at - receivedAt;
  const leading = e.highestBidder !== null && sameId(e.highestBidder.userId, me);
  return {
    ...state,
    auction: {
      ...a,
      currentPrice: e.currentPrice,
      highestBidder: e.highestBidder,
      endsAt: e.endsAt,
      bidCount: Math.max(a.bidCount, e.bid.seq),
    },
    bids: mergeBids([e.bid], state.bids),
    lastSeq: e.bid.seq,
    extended: state.extended || e.endsAt > a.endsAt,
    outbid: outbidAfter(state, me, a.highestBidder, e.highestBidder, e.currentPrice),
    clockOffset: state.clockOffset === null ? offset : Math.max(state.clockOffset, offset),
    error: leading ? null : state.error,
  };
}

function closed(state: AuctionState, e: AuctionClosed): AuctionState {
  const a = state.auction;
  if (!a || e.auctionId !== a.id) return state;
  const sold = e.winner !== null && e.finalPrice !== null;
  return {
    ...state,
    auction: {
      ...a,
      status: 'closed',
      highestBidder: e.winner,
      currentPrice: sold ? e.finalPrice! : a.currentPrice,
    },
  };
}

/** The page's reducer; `me` is the signed-in user's id (the outbid notice is about them). */
export function auctionReducer(me: Id) {
  return (state: AuctionState, action: AuctionAction): AuctionState => {
    switch (action.type) {
      case 'joined':
        return joined(state, action.auction, me);
      case 'notFound':
        return { ...state, notFound: true };
      case 'bidPlaced':
        return bidPlaced(state, action.event, action.receivedAt, me);
      case 'closed':
        return closed(state, action.event);
      case 'refused':
        return { ...state, error: refusalText(action.error, action.currentPrice) };
      case 'dismiss':
        return { ...state, error: null };
    }
  };
}

/** A refused bid, with the price it was measured against when the server gives it. */
export function refusalText(error: string, currentPrice?: number): string {
  const known = typeof currentPrice === 'number' && Number.isFinite(currentPrice);
  return known ? `${error} (current price ${formatMoney(currentPrice)})` : error;
}

/** What is left of the auction at this browser's time `now`, on the server's clock when known. */
export const timeLeft = (state: AuctionState, now: number) =>
  state.auction ? state.auction.endsAt - (now + (state.clockOffset ?? 0)) : 0;

/** An open auction with `left` ms left is in its last moments: a bid now extends it. */
export const inExtensionWindow = (state: AuctionState, left: number) =>
  state.auction?.status === 'open' && state.extensionMs !== null && left < state.extensionMs;

/** The smallest bid the server accepts now: the starting price first, then the price plus the step. */
export function nextValidAmount(a: Auction): number {
  return a.bidCount === 0 && a.highestBidder === null ? a.startingPrice : a.currentPrice + a.minIncrement;
}

/** The result line of a closed auction, as `me` reads it. */
export function resultText(a: Auction, me: Id): string {
  if (a.highestBidder === null) return 'Closed without bids';
  if (sameId(a.highestBidder.userId, me)) return `You won this auction for ${formatMoney(a.currentPrice)}`;
  return `Sold to ${a.highestBidder.username} for ${formatMoney(a.currentPrice)}`;
}

/** The outbid notice. */
export const outbidText = (o: Outbid) => `You have been outbid by ${o.by}: ${formatMoney(o.amount)}`;
