/** The live auction's wire shapes (apps/auction/API.md): ids are integers, times epoch ms, prices cents. */
import type { Id } from 'sio-common-web';

export interface Bidder {
  userId: Id;
  username: string;
}

export interface Auction {
  id: number;
  title: string;
  startingPrice: number;
  currentPrice: number;
  minIncrement: number;
  highestBidder: Bidder | null;
  endsAt: number;
  status: 'open' | 'closed';
  bidCount: number;
  sellerId: Id;
}

export interface Bid {
  id: number;
  amount: number;
  userId: Id;
  username: string;
  at: number;
  /** 1, 2, ... per auction, in the order the server accepted the bids. */
  seq: number;
}

/** joinAuction's answer: the auction with its last bids, newest first. */
export interface AuctionWithBids extends Auction {
  bids: Bid[];
  /** Anti-sniping: a bid with less than this left (ms) moves endsAt to its time + this. */
  extensionMs?: number;
}

/** Event `bidPlaced`, sent to the auction's room for every accepted bid. */
export interface BidPlaced {
  auctionId: number;
  bid: Bid;
  currentPrice: number;
  endsAt: number;
  highestBidder: Bidder | null;
}

/** Event `auctionClosed`, once per auction after its last bidPlaced. */
export interface AuctionClosed {
  auctionId: number;
  winner: Bidder | null;
  finalPrice: number | null;
  seq: number;
}
