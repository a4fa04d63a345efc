import { describe, expect, it } from 'vitest';
import {
  auctionReducer,
  HISTORY_LIMIT,
  inExtensionWindow,
  initialAuctionState,
  nextValidAmount,
  outbidText,
  refusalText,
  resultText,
  timeLeft,
  type AuctionAction,
  type AuctionState,
} from './auctionState';
import type { AuctionWithBids, Bid, BidPlaced, Bidder } from './types';

const seller: Bidder = { userId: 1, username: 'sam' };
const alice: Bidder = { userId: 2, username: 'alice' };
const bob: Bidder = { userId: 3, username: 'bob' };
const T0 = 1_700_000_000_000;

const snapshot = (over: Partial<AuctionWithBids> = {}): AuctionWithBids => ({
  id: 7,
  title: 'Old bike',
  startingPrice: 1000,
  currentPrice: 1000,
  minIncrement: 50,
  highestBidder: null,
  endsAt: T0 + 120_000,
  status: 'open',
  bidCount: 0,
  sellerId: seller.userId,
  bids: [],
  ...over,
});

const bid = (seq: number, who: Bidder, amount: number): Bid => ({
  id: 100 + seq,
  amount,
  userId: who.userId,
  username: who.username,
  at: T0 + seq * 1000,
  seq,
});

const placed = (seq: number, who: Bidder, amount: number, endsAt = T0 + 120_000): AuctionAction => {
  const event: BidPlaced = {
    auctionId: 7,
    bid: bid(seq, who, amount),
    currentPrice: amount,
    endsAt,
    highestBidder: who,
  };
  return { type: 'bidPlaced', event, receivedAt: event.bid.at };
};

const run = (me: Bidder, ...actions: AuctionAction[]): AuctionState =>
  actions.reduce(auctionReducer(me.userId), initialAuctionState);

describe('one auction on the page', () => {
  it('takes the joinAuction snapshot with its bids', () => {
    const s = run(alice, {
      type: 'joined',
      auction: snapshot({
        bidCount: 2,
        currentPrice: 1050,
        highestBidder: bob,
        bids: [bid(2, bob, 1050), bid(1, alice, 1000)],
      }),
    });
    expect(s.auction?.currentPrice).toBe(1050);
    expect(s.bids.map((b) => b.seq)).toEqual([2, 1]);
    expect(s.lastSeq).toBe(2);
    expect(s.auction).not.toHaveProperty('bids');
  });

  it('applies bids in seq order, newest first, and ignores one not newer', () => {
    const s = run(
      alice,
      { type: 'joined', auction: snapshot() },
      placed(1, bob, 1000),
      placed(2, alice, 1100),
      placed(2, alice, 1100),
      placed(1, bob, 1000),
    );
    expect(s.bids.map((b) => b.seq)).toEqual([2, 1]);
    expect(s.auction?.currentPrice).toBe(1100);
    expect(s.auction?.highestBidder).toEqual(alice);
    expect(s.auction?.bidCount).toBe(2);
  });

  it('ignores events of another auction and events before the snapshot', () => {
    const other: AuctionAction = {
      type: 'bidPlaced',
      event: { ...(placed(1, bob, 1000) as { event: BidPlaced }).event, auctionId: 8 },
      receivedAt: T0,
    };
    expect(run(alice, placed(1, bob, 1000))).toEqual(initialAuctionState);
    expect(run(alice, { type: 'joined', auction: snapshot() }, other).bids).toEqual([]);
  });

  it('keeps newer bids when the snapshot arrives after them', () => {
    const s = run(alice, { type: 'joined', auction: snapshot() }, placed(1, bob, 1000), placed(2, alice, 1100), {
      type: 'joined',
      auction: snapshot({ bidCount: 1, currentPrice: 1000, highestBidder: bob, bids: [bid(1, bob, 1000)] }),
    });
    expect(s.auction?.currentPrice).toBe(1100);
    expect(s.auction?.highestBidder).toEqual(alice);
    expect(s.bids.map((b) => b.seq)).toEqual([2, 1]);
    expect(s.lastSeq).toBe(2);
  });

  it('fills in missed bids from a later snapshot', () => {
    const s = run(alice, { type: 'joined', auction: snapshot() }, placed(1, bob, 1000), {
      type: 'joined',
      auction: snapshot({
        bidCount: 3,
        currentPrice: 1200,
        highestBidder: bob,
        bids: [bid(3, bob, 1200), bid(2, alice, 1100), bid(1, bob, 1000)],
      }),
    });
    expect(s.bids.map((b) => b.seq)).toEqual([3, 2, 1]);
    expect(s.auction?.currentPrice).toBe(1200);
    expect(s.lastSeq).toBe(3);
  });

  it('keeps a bounded history', () => {
    const actions: AuctionAction[] = [{ type: 'joined', auction: snapshot() }];
    for (let i = 1; i <= HISTORY_LIMIT + 10; i++) actions.push(placed(i, i % 2 ? bob : alice, 1000 + i * 50));
    const s = run(alice, ...actions);
    expect(s.bids).toHaveLength(HISTORY_LIMIT);
    expect(s.bids[0].seq).toBe(HISTORY_LIMIT + 10);
  });

  it('tells the leader that someone outbid them, and forgets it when they lead again', () => {
    const outbid = run(alice, { type: 'joined', auction: snapshot() }, placed(1, alice, 1000), placed(2, bob, 1100));
    expect(outbid.outbid).toEqual({ by: 'bob', amount: 1100 });
    expect(outbidText(outbid.outbid!)).toBe('You have been outbid by bob: $11.00');
    const back = auctionReducer(alice.userId)(outbid, placed(3, alice, 1200));
    expect(back.outbid).toBe(null);
    // bob, who never led before, is not "outbid"; the seller neither.
    expect(run(bob, { type: 'joined', auction: snapshot() }, placed(1, alice, 1000)).outbid).toBe(null);
    expect(
      run(seller, { type: 'joined', auction: snapshot() }, placed(1, alice, 1000), placed(2, bob, 1100)).outbid,
    ).toBe(null);
  });

  it('tells the leader who took the lead while they were away (a rejoin after a reconnect)', () => {
    const away = run(alice, { type: 'joined', auction: snapshot() }, placed(1, alice, 1000));
    const back = auctionReducer(alice.userId)(away, {
      type: 'joined',
      auction: snapshot({
        bidCount: 2,
        currentPrice: 1100,
        highestBidder: bob,
        endsAt: T0 + 150_000,
        bids: [bid(2, bob, 1100), bid(1, alice, 1000)],
      }),
    });
    expect(back.outbid).toEqual({ by: 'bob', amount: 1100 });
    expect(back.extended).toBe(true);
    // The first snapshot tells nothing about who led before.
    const first = run(alice, {
      type: 'joined',
      auction: snapshot({ bidCount: 1, currentPrice: 1100, highestBidder: bob }),
    });
    expect(first.outbid).toBe(null);
    expect(first.extended).toBe(false);
  });

  it('follows endsAt and says when a late bid extended it', () => {
    const s1 = run(alice, { type: 'joined', auction: snapshot() }, placed(1, bob, 1000));
    expect(s1.extended).toBe(false);
    const s2 = auctionReducer(alice.userId)(s1, placed(2, alice, 1100, T0 + 150_000));
    expect(s2.auction?.endsAt).toBe(T0 + 150_000);
    expect(s2.extended).toBe(true);
  });

  it('keeps the anti-sniping window the server tells, and says when a bid now extends', () => {
    const untold = run(alice, { type: 'joined', auction: snapshot() });
    expect(untold.extensionMs).toBe(null);
    expect(inExtensionWindow(untold, 1000)).toBe(false);
    const told = run(alice, { type: 'joined', auction: snapshot({ extensionMs: 4000 }) });
    expect(told.extensionMs).toBe(4000);
    expect(told.auction).not.toHaveProperty('extensionMs');
    expect(inExtensionWindow(told, 3999)).toBe(true);
    expect(inExtensionWindow(told, 4000)).toBe(false);
    // A later snapshot without it keeps what the server said.
    expect(auctionReducer(alice.userId)(told, { type: 'joined', auction: snapshot() }).extensionMs).toBe(4000);
    const closed = auctionReducer(alice.userId)(told, {
      type: 'closed',
      event: { auctionId: 7, winner: null, finalPrice: null, seq: 1 },
    });
    expect(inExtensionWindow(closed, 1000)).toBe(false);
  });

  it("counts down on the server's clock as the bids show it", () => {
    const late = (action: AuctionAction, by: number): AuctionAction =>
      action.type === 'bidPlaced' ? { ...action, receivedAt: action.event.bid.at - by } : action;
    const before = run(alice, { type: 'joined', auction: snapshot() });
    expect(before.clockOffset).toBe(null);
    expect(timeLeft(before, T0)).toBe(120_000);
    // This browser's clock is 5 s behind the server's; the second bid took 200 ms longer to arrive.
    const s = run(
      alice,
      { type: 'joined', auction: snapshot() },
      late(placed(1, bob, 1000), 5000),
      late(placed(2, bob, 1100), 4800),
    );
    expect(s.clockOffset).toBe(5000);
    expect(timeLeft(s, T0 - 5000)).toBe(120_000);
    expect(timeLeft(initialAuctionState, T0)).toBe(0);
  });

  it('closes with the winner and the final price', () => {
    const base: AuctionAction[] = [
      { type: 'joined', auction: snapshot() },
      placed(1, alice, 1000),
      placed(2, bob, 1100),
    ];
    const close: AuctionAction = { type: 'closed', event: { auctionId: 7, winner: bob, finalPrice: 1100, seq: 2 } };
    const s = run(alice, ...base, close);
    expect(s.auction?.status).toBe('closed');
    expect(resultText(s.auction!, alice.userId)).toBe('Sold to bob for $11.00');
    expect(resultText(s.auction!, bob.userId)).toBe('You won this auction for $11.00');
    const none = run(
      alice,
      { type: 'joined', auction: snapshot() },
      { type: 'closed', event: { auctionId: 7, winner: null, finalPrice: null, seq: 0 } },
    );
    expect(resultText(none.auction!, alice.userId)).toBe('Closed without bids');
    expect(none.auction?.currentPrice).toBe(1000);
  });

  it('stays closed when a stale snapshot says open', () => {
    const s = run(
      alice,
      { type: 'joined', auction: snapshot() },
      placed(1, bob, 1000),
      { type: 'closed', event: { auctionId: 7, winner: bob, finalPrice: 1000, seq: 1 } },
      {
        type: 'joined',
        auction: snapshot({ bidCount: 1, currentPrice: 1000, highestBidder: bob, bids: [bid(1, bob, 1000)] }),
      },
    );
    expect(s.auction?.status).toBe('closed');
    expect(s.auction?.highestBidder).toEqual(bob);
  });

  it('asks the starting price first, then the price plus the increment', () => {
    expect(nextValidAmount(snapshot())).toBe(1000);
    expect(nextValidAmount(snapshot({ startingPrice: 0, currentPrice: 0 }))).toBe(0);
    const s = run(alice, { type: 'joined', auction: snapshot() }, placed(1, bob, 1000));
    expect(nextValidAmount(s.auction!)).toBe(1050);
  });

  it('shows a refusal with the price it was measured against, until dismissed', () => {
    expect(refusalText('Bid too low', 1250)).toBe('Bid too low (current price $12.50)');
    expect(refusalText('Invalid amount')).toBe('Invalid amount');
    const s = run(
      alice,
      { type: 'joined', auction: snapshot() },
      { type: 'refused', error: 'Bid too low', currentPrice: 1250 },
    );
    expect(s.error).toBe('Bid too low (current price $12.50)');
    expect(auctionReducer(alice.userId)(s, { type: 'dismiss' }).error).toBe(null);
    expect(auctionReducer(alice.userId)(s, placed(1, alice, 1300)).error).toBe(null);
  });

  it('marks an unknown auction', () => {
    expect(run(alice, { type: 'notFound' }).notFound).toBe(true);
  });
});
