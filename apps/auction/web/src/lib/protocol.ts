/**
 * The namespace "/auction" as the page reads it: every message from the network is checked here
 * (integers where the contract says integers) before the page's state sees it.
 */
import type { Id } from 'sio-common-web';
import type { Auction, AuctionClosed, AuctionWithBids, Bid, BidPlaced, Bidder } from './types';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isId = (v: unknown): v is Id => isInt(v) || (typeof v === 'string' && /^\d{1,16}$/.test(v));

export function parseBidder(v: unknown): Bidder | null {
  if (!isObject(v) || !isId(v.userId) || typeof v.username !== 'string') return null;
  return { userId: v.userId, username: v.username };
}

export function parseBid(v: unknown): Bid | null {
  if (!isObject(v)) return null;
  const { id, amount, userId, username, at, seq } = v;
  if (!isInt(id) || !isInt(amount) || !isId(userId) || typeof username !== 'string') return null;
  if (!isInt(at) || !isInt(seq) || seq < 1) return null;
  return { id, amount, userId, username, at, seq };
}

export function parseAuction(v: unknown): Auction | null {
  if (!isObject(v)) return null;
  const { id, title, startingPrice, currentPrice, minIncrement, endsAt, status, bidCount, sellerId } = v;
  if (!isInt(id) || typeof title !== 'string' || !isId(sellerId)) return null;
  if (!isInt(startingPrice) || !isInt(currentPrice) || !isInt(minIncrement)) return null;
  if (!isInt(endsAt) || !isInt(bidCount) || (status !== 'open' && status !== 'closed')) return null;
  const highestBidder = v.highestBidder === null ? null : parseBidder(v.highestBidder);
  if (highestBidder === null && v.highestBidder !== null) return null;
  return { id, title, startingPrice, currentPrice, minIncrement, highestBidder, endsAt, status, bidCount, sellerId };
}

/**
 * An auction with its `bids` (a malformed bid is left out; a missing list is empty) and the
 * server's `extensionMs` (left out unless a positive integer).
 */
export function parseAuctionWithBids(v: unknown): AuctionWithBids | null {
  const auction = parseAuction(v);
  if (!auction || !isObject(v)) return null;
  const list = Array.isArray(v.bids) ? v.bids : [];
  const bids = list.map(parseBid).filter((b): b is Bid => b !== null);
  return isInt(v.extensionMs) && v.extensionMs > 0 ? { ...auction, bids, extensionMs: v.extensionMs } : { ...auction, bids };
}

export function parseBidPlaced(v: unknown): BidPlaced | null {
  if (!isObject(v) || !isInt(v.auctionId) || !isInt(v.currentPrice) || !isInt(v.endsAt)) return null;
  const bid = parseBid(v.bid);
  const highestBidder = v.highestBidder == null ? null : parseBidder(v.highestBidder);
  if (!bid) return null;
  return { auctionId: v.auctionId, bid, currentPrice: v.currentPrice, endsAt: v.endsAt, highestBidder };
}

export function parseClosed(v: unknown): AuctionClosed | null {
  if (!isObject(v) || !isInt(v.auctionId)) return null;
  const winner = v.winner == null ? null : parseBidder(v.winner);
  const finalPrice = isInt(v.finalPrice) ? v.finalPrice : null;
  const seq = isInt(v.seq) ? v.seq : 0;
  return { auctionId: v.auctionId, winner, finalPrice, seq };
}

export { errorOf, succeeded } from 'sio-common-web';

/** The current price a refusal reports, if any. */
export const priceOf = (reply: unknown): number | undefined =>
  isObject(reply) && isInt(reply.currentPrice) ? reply.currentPrice : undefined;
