// The live auction on a cluster (deploy/cluster.sh): sio-chat nodes on one Redis and one
// PostgreSQL database. Clients connect to the nodes directly. 50 clients on two nodes bidding as
// fast as they may see one gapless order, the same on every client; auctions ending while three
// nodes' closers race are closed once: every client, whatever its node, gets one auctionClosed;
// an auction whose node was killed is closed by the others.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { api, newUser, request, waitFor } from "../interop/chat_helpers.mjs";
import {
  EXTENSION_MS, auctionWindowArgs, biddingRun, closeAuctionSockets, connectAuction, createAuction,
} from "../interop/auction_helpers.mjs";
import { startCluster } from "./cluster_helpers.mjs";

let cluster;
let nodes;  // [{url}] per node, as the helpers take a server
before(async () => {
  cluster = await startCluster({ nodes: 3, args: auctionWindowArgs });
  nodes = cluster.nodeUrls.map((url) => ({ url }));
});
after(async () => {
  closeAuctionSockets();
  if (cluster) await cluster.stop();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Auctions that should end soon end this long after their creation: less than the extension, so
// that a bid moves their end, and long enough for the clients to join and bid before it.
const LATE_END_MS = EXTENSION_MS - 500;

describe("the auction on several nodes", () => {
  test("a bid on one node reaches the room on the others", async () => {
    const seller = await newUser(nodes[0], "seller");
    const alice = await newUser(nodes[1], "alice");
    const bob = await newUser(nodes[2], "bob");
    const auctionId = await createAuction(nodes[0], seller);
    const a = await connectAuction(nodes[1], alice);
    const b = await connectAuction(nodes[2], bob);
    assert.equal((await request(a, "joinAuction", { auctionId })).success, true);
    assert.equal((await request(b, "joinAuction", { auctionId })).success, true);
    const seen = waitFor(b, "bidPlaced", { timeout: 10000 });
    const ack = await request(a, "placeBid", { auctionId, amount: 1000 });
    assert.equal(ack.success, true);
    assert.deepEqual((await seen).bid, ack.bid);
    assert.deepEqual(await request(b, "placeBid", { auctionId, amount: 1000 }),
      { success: false, error: "Bid too low", currentPrice: 1000 });
  });

  test("50 clients on two nodes bidding as fast as they may see one gapless order", async () => {
    const users = [];
    for (let i = 0; i < 10; ++i) users.push(await newUser(nodes[i % 2], "bidder"));
    const seller = await newUser(nodes[0], "seller");
    const auctionId = await createAuction(nodes[0], seller, { startingPrice: 100, minIncrement: 10, endsAt: Date.now() + 180000 });
    const run = await biddingRun({ servers: nodes.slice(0, 2), users, count: 50, auctionId, ms: 4000 });
    console.log(`auction run (2 workers, 2 nodes): attempted ${run.attempted}, accepted ${run.accepted}, ` +
      `refused ${JSON.stringify(run.refused)}`);
    assert.ok(run.accepted > 0);
    assert.equal(run.accepted, run.stored.bidCount);
    for (const reason of Object.keys(run.refused)) assert.ok(["Bid too low", "Too many requests"].includes(reason), reason);
  });

  test("auctions ending while three nodes close are closed once, to every node's clients", async () => {
    const seller = await newUser(nodes[0], "seller");
    const watchers = [];
    for (let i = 0; i < 3; ++i) watchers.push(await newUser(nodes[i], "watcher"));
    // Less than the extension away: the bids below move the end of the auction they are on.
    const endsAt = Date.now() + LATE_END_MS;
    const ids = [];
    for (let i = 0; i < 5; ++i) ids.push(await createAuction(nodes[i % 3], seller, { endsAt }));
    // One auction with bids (placed on two nodes), which the last bid extends.
    const sold = ids[0];
    const clients = [];
    for (let i = 0; i < 6; ++i) {
      const socket = await connectAuction(nodes[i % 3], watchers[i % 3]);
      const closes = [];
      socket.on("auctionClosed", (e) => closes.push({ ...e, lag: Date.now() - endsAt }));
      for (const auctionId of ids) assert.equal((await request(socket, "joinAuction", { auctionId })).success, true);
      clients.push({ socket, closes });
    }
    assert.equal((await request(clients[0].socket, "placeBid", { auctionId: sold, amount: 1000 })).success, true);
    assert.equal((await request(clients[1].socket, "placeBid", { auctionId: sold, amount: 1200 })).success, true);
    const deadline = Date.now() + EXTENSION_MS + 30000;
    while (clients.some((c) => c.closes.length < ids.length) && Date.now() < deadline) await sleep(50);
    await sleep(1500);  // a second close would show by now
    const lags = clients.flatMap((c) => c.closes.filter((e) => e.auctionId !== sold).map((e) => e.lag));
    console.log(`auction close on 3 nodes: received ${Math.min(...lags)}-${Math.max(...lags)} ms after endsAt`);
    for (const c of clients) {
      assert.deepEqual(c.closes.map((e) => e.auctionId).sort((x, y) => x - y), [...ids].sort((x, y) => x - y),
        "one auctionClosed per auction on every client");
    }
    for (const auctionId of ids) {
      const stored = (await api(nodes[1], "GET", `/api/auctions/${auctionId}`, { token: seller.token })).body;
      assert.equal(stored.status, "closed");
      assert.equal(stored.seq, stored.bidCount + 1, "the close took the seq after the last bid");
      assert.ok(stored.bids.every((b) => b.seq < stored.seq));
      if (auctionId === sold) assert.equal(stored.endsAt, stored.bids[0].at + EXTENSION_MS, "the last bid moved the end");
      for (const c of clients) {
        const { lag, ...e } = c.closes.find((x) => x.auctionId === auctionId);
        assert.equal(e.seq, stored.seq);
        if (auctionId === sold) {
          assert.deepEqual(e.winner, { userId: watchers[1].userId, username: watchers[1].username });
          assert.equal(e.finalPrice, 1200);
        } else {
          assert.deepEqual([e.winner, e.finalPrice], [null, null]);
        }
      }
    }
  });

  // Last: it stops a node.
  test("an auction whose node is gone still closes, on the other nodes", async () => {
    const seller = await newUser(nodes[2], "seller");
    const bidder = await newUser(nodes[2], "bidder");
    const watchers = [await newUser(nodes[0], "watcher"), await newUser(nodes[1], "watcher")];
    const auctionId = await createAuction(nodes[2], seller, { endsAt: Date.now() + LATE_END_MS });
    const closes = [];
    for (let i = 0; i < 2; ++i) {
      const socket = await connectAuction(nodes[i], watchers[i]);
      socket.on("auctionClosed", (e) => closes.push({ node: i, e }));
      assert.equal((await request(socket, "joinAuction", { auctionId })).success, true);
    }
    const placed = await connectAuction(nodes[2], bidder);
    const ack = await request(placed, "placeBid", { auctionId, amount: 1500 });
    assert.equal(ack.success, true);
    process.kill(cluster.nodePids[2], "SIGKILL");
    const deadline = Date.now() + EXTENSION_MS + 30000;
    while (closes.length < 2 && Date.now() < deadline) await sleep(50);
    await sleep(1500);  // a second close would show by now
    assert.deepEqual(closes.map((c) => c.node).sort(), [0, 1]);
    for (const { e } of closes) {
      assert.deepEqual(e, {
        auctionId, winner: { userId: bidder.userId, username: bidder.username }, finalPrice: 1500, seq: 2,
      });
    }
  });
});
