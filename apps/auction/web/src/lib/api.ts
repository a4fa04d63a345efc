// The auction's REST calls, through the shared request helper (same origin, the cookie or the JWT
// as credentials; a 429's message says when to retry).
import { request } from 'sio-common-web';
import { parseAuction } from './protocol';
import type { Auction } from './types';

export { ApiError } from 'sio-common-web';

export interface NewAuction {
  title: string;
  /** Cents. */
  startingPrice: number;
  /** Cents. */
  minIncrement: number;
  /** Epoch ms. */
  endsAt: number;
}

/** GET /api/auctions: open ones first (soonest end first), then closed ones. */
export async function listAuctions(token: string | null): Promise<Auction[]> {
  const data = await request<unknown>('GET', '/api/auctions', token);
  if (!Array.isArray(data)) return [];
  return data.map(parseAuction).filter((a): a is Auction => a !== null);
}

/** POST /api/auctions: the new auction's id. */
export async function createAuction(token: string | null, auction: NewAuction): Promise<number> {
  const data = await request<{ auctionId: unknown }>('POST', '/api/auctions', token, auction);
  return Number(data.auctionId);
}
