// Helpers of the auction contract tests (namespace /auction of sio-chat): a socket.io-client on
// /auction, creating auctions, and a swarm of clients bidding on one auction as fast as the rate
// limits let them, recording what each client received, with the invariants every run must keep.
import assert from "node:assert/strict";
import { api, request, withTimeout, connectAs, closeSockets } from "./chat_helpers.mjs";

/** A socket on /auction authenticated as `user`; resolves once connected. */
export function connectAuction(server, user, options = {}) {
  return connectAs(server, user, options, "/auction");
}

export const closeAuctionSockets = closeSockets;

/**
 * The time windows the tests start sio-chat with (--auction-extension, --auction-min-duration),
 * short so that auctions end within seconds: a bid with less than EXTENSION_MS left sets endsAt to
 * its time + EXTENSION_MS; a new auction ends at least MIN_DURATION_MS after its creation.
 */
export const EXTENSION_MS = 5000;
export const MIN_DURATION_MS = 2000;
export const auctionWindowArgs = [
  "--auction-extension", String(EXTENSION_MS / 1000), "--auction-min-duration", String(MIN_DURATION_MS / 1000),
];

/** POST /api/auctions as `seller`; resolves with the new auction's id. */
export async function createAuction(server, seller, fields = {}) {
  const body = {
    title: "Lot",
    startingPrice: 1000,
    minIncrement: 100,
    endsAt: Date.now() + 60000,
    ...fields,
  };
  const r = await api(server, "POST", "/api/auctions", { token: seller.token, body });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.body.auctionId, "number");
  return r.body.auctionId;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One bidder: a socket joined to the auction that records every bidPlaced and auctionClosed it
 * receives, and bids (currentPrice + minIncrement + a random step) after every event and every
 * answer of its own, one bid in flight at a time, until stop(). "Too many requests" makes it wait.
 */
export class Bidder {
  constructor(socket, auction) {
    this.socket = socket;
    this.auctionId = auction.id;
    this.minIncrement = auction.minIncrement;
    this.startingPrice = auction.startingPrice;
    this.current = auction.bidCount > 0 ? auction.currentPrice : null;
    this.received = [];  // bidPlaced events, in arrival order
    this.closed = [];    // auctionClosed events
    this.accepted = [];  // bids this client placed and had accepted
    this.refused = {};   // error text -> count
    this.attempted = 0;
    this.inFlight = false;
    this.running = false;
    socket.on("bidPlaced", (e) => {
      if (e.auctionId !== this.auctionId) return;
      this.received.push(e);
      this.current = Math.max(this.current ?? 0, e.currentPrice);
      this.bid();
    });
    socket.on("auctionClosed", (e) => {
      if (e.auctionId === this.auctionId) this.closed.push(e);
    });
  }
  start() {
    this.running = true;
    this.bid();
  }
  stop() {
    this.running = false;
  }
  nextAmount() {
    const step = Math.floor(Math.random() * 3 * this.minIncrement);
    return this.current === null ? this.startingPrice + step : this.current + this.minIncrement + step;
  }
  bid() {
    if (!this.running || this.inFlight) return;
    this.inFlight = true;
    this.attempted += 1;
    this.socket.emit("placeBid", { auctionId: this.auctionId, amount: this.nextAmount() }, async (ack) => {
      if (ack.success) {
        this.accepted.push(ack.bid);
        this.current = Math.max(this.current ?? 0, ack.bid.amount);
      } else {
        this.refused[ack.error] = (this.refused[ack.error] ?? 0) + 1;
        if (typeof ack.currentPrice === "number") this.current = Math.max(this.current ?? 0, ack.currentPrice);
        if (ack.error === "Too many requests") await sleep(120);
      }
      this.inFlight = false;
      this.bid();
    });
  }
}

/**
 * Joins `count` bidders (users taken in turn, each socket on servers[i % servers.length]) to one
 * auction, lets them bid for `ms`, waits until every client received every accepted bid, and
 * checks the invariants: on every client bidPlaced seq 1..n without gaps or repeats, amounts
 * strictly increasing, the same sequence everywhere, matching the accepted acks and storage.
 * Resolves with the figures of the run.
 */
export async function biddingRun({ servers, users, count, auctionId, ms = 3000 }) {
  const bidders = [];
  for (let i = 0; i < count; ++i) {
    const server = servers[i % servers.length];
    const socket = await connectAuction(server, users[i % users.length]);
    const ack = await request(socket, "joinAuction", { auctionId });
    assert.equal(ack.success, true, JSON.stringify(ack));
    bidders.push(new Bidder(socket, ack.auction));
  }
  for (const b of bidders) b.start();
  await sleep(ms);
  for (const b of bidders) b.stop();
  await withTimeout(
    (async () => {
      while (bidders.some((b) => b.inFlight)) await sleep(20);
    })(),
    20000,
    "the last answers",
  );
  const stored = (await api(servers[0], "GET", `/api/auctions/${auctionId}`, { token: users[0].token })).body;
  const n = stored.bidCount;
  await withTimeout(
    (async () => {
      while (bidders.some((b) => b.received.length < n)) await sleep(20);
    })(),
    20000,
    () => `every client to receive ${n} bids: ${bidders.map((b) => b.received.length).join(",")}`,
  );
  await sleep(200);  // anything beyond n would be a repeat: give it time to show
  checkSequences(bidders, stored);
  const refused = {};
  for (const b of bidders) {
    for (const [k, v] of Object.entries(b.refused)) refused[k] = (refused[k] ?? 0) + v;
  }
  return {
    bidders,
    stored,
    attempted: bidders.reduce((s, b) => s + b.attempted, 0),
    accepted: bidders.reduce((s, b) => s + b.accepted.length, 0),
    refused,
  };
}

/** The invariants of the bidPlaced sequences the clients received, against storage. */
export function checkSequences(bidders, stored) {
  const n = stored.bidCount;
  const reference = bidders[0].received.map((e) => [e.bid.seq, e.bid.amount, e.bid.userId]);
  for (const b of bidders) {
    const seqs = b.received.map((e) => e.bid.seq);
    assert.deepEqual(seqs, Array.from({ length: n }, (_, i) => i + 1), "seq 1..n without gaps or repeats");
    for (let i = 1; i < b.received.length; ++i) {
      assert.ok(b.received[i].bid.amount > b.received[i - 1].bid.amount, "amounts strictly increasing");
      assert.equal(b.received[i].currentPrice, b.received[i].bid.amount);
    }
    assert.deepEqual(b.received.map((e) => [e.bid.seq, e.bid.amount, e.bid.userId]), reference, "one order for all");
  }
  const accepted = bidders.flatMap((b) => b.accepted).sort((x, y) => x.seq - y.seq);
  assert.deepEqual(accepted.map((a) => [a.seq, a.amount, a.userId]), reference, "the accepted acks are the events");
  if (n > 0) {
    const max = Math.max(...accepted.map((a) => a.amount));
    assert.equal(stored.currentPrice, max, "the stored price is the highest accepted bid");
    assert.equal(stored.bids[0].seq, n);
    assert.equal(stored.bids[0].amount, max);
  }
}
