import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuctionAction } from './auctionState';
import { ScriptedSocket } from 'sio-common-web/testing';
import { ACK_TIMEOUT_MS, followAuction, NO_ANSWER, placeBid, REJOIN_DELAY_MS } from './session';

const auction = (over: object = {}) => ({
  id: 7,
  title: 'Old bike',
  startingPrice: 1000,
  currentPrice: 1000,
  minIncrement: 50,
  highestBidder: null,
  endsAt: 2_000_000,
  status: 'open',
  bidCount: 0,
  sellerId: 1,
  bids: [],
  ...over,
});
const bidPlaced = (seq: number, auctionId = 7) => ({
  auctionId,
  bid: { id: seq, amount: 1000 + seq * 50, userId: 3, username: 'bob', at: 1_000_000 + seq, seq },
  currentPrice: 1000 + seq * 50,
  endsAt: 2_000_000,
  highestBidder: { userId: 3, username: 'bob' },
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('following an auction', () => {
  let actions: AuctionAction[];
  beforeEach(() => {
    actions = [];
  });

  it('joins on every connect, and dispatches its snapshot', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    followAuction(socket, 7, (a) => actions.push(a));
    expect(socket.count('joinAuction')).toBe(0);
    socket.fire('connect');
    await flush();
    socket.fire('disconnect');
    socket.fire('connect');
    await flush();
    expect(socket.sent.filter((m) => m.event === 'joinAuction').map((m) => m.arg)).toEqual([
      { auctionId: 7 },
      { auctionId: 7 },
    ]);
    expect(actions.map((a) => a.type)).toEqual(['joined', 'joined']);
  });

  it('joins at once when already connected', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    socket.connected = true;
    followAuction(socket, 7, (a) => actions.push(a));
    await flush();
    expect(actions.map((a) => a.type)).toEqual(['joined']);
  });

  it('reports an unknown auction', async () => {
    const socket = new ScriptedSocket(() => ({ success: false, error: 'Not found' }));
    socket.connected = true;
    followAuction(socket, 9, (a) => actions.push(a));
    await flush();
    expect(actions).toEqual([{ type: 'notFound' }]);
  });

  it("passes on this auction's well-formed events only", async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    followAuction(socket, 7, (a) => actions.push(a));
    socket.fire('bidPlaced', bidPlaced(1));
    socket.fire('bidPlaced', bidPlaced(2, 8));
    socket.fire('bidPlaced', { ...bidPlaced(3), bid: { seq: 'x' } });
    socket.fire('bidPlaced', 'nonsense');
    socket.fire('auctionClosed', { auctionId: 8, winner: null, finalPrice: null, seq: 0 });
    socket.fire('auctionClosed', { auctionId: 7, winner: { userId: 3, username: 'bob' }, finalPrice: 1050, seq: 1 });
    expect(actions.map((a) => a.type)).toEqual(['bidPlaced', 'closed']);
    expect(actions[0]).toMatchObject({ receivedAt: expect.any(Number) });
    expect(socket.count('joinAuction')).toBe(0);
  });

  it('joins again when the final price is not the newest bid it has seen', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction({ status: 'closed', bidCount: 2 }) }));
    followAuction(socket, 7, (a) => actions.push(a));
    const bob = { userId: 3, username: 'bob' };
    socket.fire('bidPlaced', bidPlaced(1));
    socket.fire('auctionClosed', { auctionId: 7, winner: bob, finalPrice: 1100, seq: 3 });
    await flush();
    expect(socket.count('joinAuction')).toBe(1);
    expect(actions.map((a) => a.type)).toEqual(['bidPlaced', 'closed', 'joined']);
  });

  it('does not join again when it has seen every bid', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    followAuction(socket, 7, (a) => actions.push(a));
    socket.fire('bidPlaced', bidPlaced(2));
    socket.fire('bidPlaced', bidPlaced(1));
    socket.fire('auctionClosed', { auctionId: 7, winner: { userId: 3, username: 'bob' }, finalPrice: 1100, seq: 3 });
    const unsold = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    followAuction(unsold, 7, (a) => actions.push(a));
    unsold.fire('auctionClosed', { auctionId: 7, winner: null, finalPrice: null, seq: 1 });
    await flush();
    expect(socket.count('joinAuction') + unsold.count('joinAuction')).toBe(0);
  });

  it('stops listening and leaves when the page closes the auction', async () => {
    const socket = new ScriptedSocket(() => ({ success: true, auction: auction() }));
    socket.connected = true;
    const stop = followAuction(socket, 7, (a) => actions.push(a));
    await flush();
    stop();
    await flush();
    socket.fire('bidPlaced', bidPlaced(1));
    socket.fire('connect');
    expect(socket.listenerCount()).toBe(0);
    expect(socket.sent.at(-1)).toEqual({ event: 'leaveAuction', arg: { auctionId: 7 } });
    expect(actions.map((a) => a.type)).toEqual(['joined']);
  });

  describe('with a clock', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('tries again after a join that got no answer', async () => {
      let answers = 0;
      const socket = new ScriptedSocket(() => (answers++ === 0 ? undefined : { success: true, auction: auction() }));
      socket.connected = true;
      followAuction(socket, 7, (a) => actions.push(a));
      await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS);
      expect(actions).toEqual([{ type: 'refused', error: NO_ANSWER }]);
      await vi.advanceTimersByTimeAsync(REJOIN_DELAY_MS);
      expect(actions.map((a) => a.type)).toEqual(['refused', 'joined']);
    });

    it('gives up on a bid without an answer', async () => {
      const socket = new ScriptedSocket(() => undefined);
      const outcome = placeBid(socket, 7, 1000);
      await vi.advanceTimersByTimeAsync(ACK_TIMEOUT_MS);
      expect(await outcome).toEqual({ ok: false, error: NO_ANSWER, currentPrice: undefined });
    });
  });
});

describe('placing a bid', () => {
  it('sends the amount in cents and reads the answer', async () => {
    const socket = new ScriptedSocket((_e, arg) =>
      arg.amount >= 1050 ? { success: true, bid: {} } : { success: false, error: 'Bid too low', currentPrice: 1000 },
    );
    expect(await placeBid(socket, 7, 1050)).toEqual({ ok: true });
    expect(await placeBid(socket, 7, 1000)).toEqual({ ok: false, error: 'Bid too low', currentPrice: 1000 });
    expect(socket.sent.map((m) => m.arg)).toEqual([
      { auctionId: 7, amount: 1050 },
      { auctionId: 7, amount: 1000 },
    ]);
  });

  it('reads a refusal without a price', async () => {
    const socket = new ScriptedSocket(() => ({ success: false, error: 'Not found' }));
    expect(await placeBid(socket, 7, 1000)).toEqual({ ok: false, error: 'Not found', currentPrice: undefined });
    const odd = new ScriptedSocket(() => 'what');
    expect(await placeBid(odd, 7, 1000)).toEqual({ ok: false, error: 'Bid refused', currentPrice: undefined });
  });
});
