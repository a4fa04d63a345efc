// Contract tests of the live auction (REST /api/auctions and namespace /auction of sio-chat) with
// the npm socket.io-client: creation and its refusals, joinAuction, every placeBid refusal,
// anti-sniping, the close (auctionClosed once to the room, later bids refused), and 50 clients
// bidding as fast as they may on one auction, every client receiving one gapless order.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, newUser, request, waitFor } from "./chat_helpers.mjs";
import {
  EXTENSION_MS, MIN_DURATION_MS, auctionWindowArgs, biddingRun, closeAuctionSockets, connectAuction, createAuction,
} from "./auction_helpers.mjs";
import { io } from "../js/index.mjs";

let server;
let seller;
let alice;
let bob;
before(async () => {
  server = await startChat({ args: auctionWindowArgs });
  seller = await newUser(server, "seller");
  alice = await newUser(server, "alice");
  bob = await newUser(server, "bob");
});
afterEach(() => closeAuctionSockets());
after(async () => {
  closeAuctionSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

async function joined(user, auctionId) {
  const socket = await connectAuction(server, user);
  const ack = await request(socket, "joinAuction", { auctionId });
  assert.equal(ack.success, true, JSON.stringify(ack));
  return { socket, ack };
}

describe("REST /api/auctions", () => {
  it("creates an auction and lists it with its fields", async () => {
    const endsAt = Date.now() + 120000;
    const id = await createAuction(server, seller, { title: "  Lamp  ", startingPrice: 0, minIncrement: 5, endsAt });
    const one = await api(server, "GET", `/api/auctions/${id}`, { token: alice.token });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, {
      id, title: "Lamp", startingPrice: 0, currentPrice: 0, minIncrement: 5, highestBidder: null,
      endsAt, status: "open", bidCount: 0, sellerId: seller.userId, seq: 0, bids: [], extensionMs: EXTENSION_MS,
    });
    const list = await api(server, "GET", "/api/auctions", { token: alice.token });
    assert.equal(list.status, 200);
    assert.ok(list.body.some((a) => a.id === id && a.title === "Lamp" && !("bids" in a) && !("extensionMs" in a)));
  });

  it("lists open auctions by soonest end, then closed ones by latest end", async () => {
    const later = await createAuction(server, seller, { endsAt: Date.now() + 50 * 60000 });
    const sooner = await createAuction(server, seller, { endsAt: Date.now() + 40 * 60000 });
    const list = (await api(server, "GET", "/api/auctions", { token: alice.token })).body;
    assert.ok(list.length <= 100);
    const ids = list.map((a) => a.id);
    assert.ok(ids.indexOf(sooner) < ids.indexOf(later));
    const open = list.filter((a) => a.status === "open");
    for (let i = 1; i < open.length; ++i) assert.ok(open[i - 1].endsAt <= open[i].endsAt);
    const firstClosed = list.findIndex((a) => a.status === "closed");
    if (firstClosed >= 0) assert.ok(list.slice(firstClosed).every((a) => a.status === "closed"));
  });

  it("refuses what the contract refuses", async () => {
    assert.equal((await api(server, "GET", "/api/auctions")).status, 401);
    assert.equal((await api(server, "POST", "/api/auctions", { body: { title: "x" } })).status, 401);
    const now = Date.now();
    const good = { title: "Ok", startingPrice: 100, minIncrement: 10, endsAt: now + 60000 };
    const bad = [
      {}, { ...good, title: undefined }, { ...good, title: "" }, { ...good, title: "   " }, { ...good, title: 7 },
      { ...good, title: "x".repeat(101) },
      { ...good, startingPrice: -1 }, { ...good, startingPrice: 1.5 }, { ...good, startingPrice: "100" },
      { ...good, startingPrice: 1e12 + 1 }, { ...good, startingPrice: undefined },
      { ...good, minIncrement: 0 }, { ...good, minIncrement: 1e12 + 1 }, { ...good, minIncrement: null },
      { ...good, endsAt: now + MIN_DURATION_MS - 1000 }, { ...good, endsAt: now + 31 * 24 * 3600 * 1000 }, { ...good, endsAt: "soon" },
    ];
    for (const body of bad) {
      const r = await api(server, "POST", "/api/auctions", { token: alice.token, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.body.error, "string");
    }
    // Too soon: the refusal names the minimum duration the server runs with.
    const soon = await api(server, "POST", "/api/auctions", { token: alice.token, body: { ...good, endsAt: now + 1000 } });
    assert.equal(soon.status, 400);
    assert.deepEqual(soon.body,
      { error: `endsAt must be epoch milliseconds from now + ${MIN_DURATION_MS / 1000} s to now + 30 days` });
    const notJson = await api(server, "POST", "/api/auctions", { token: alice.token, raw: "[1,2]" });
    assert.equal(notJson.status, 400);
    for (const id of ["999999999", "abc", "0", "-3"]) {
      assert.equal((await api(server, "GET", `/api/auctions/${id}`, { token: alice.token })).status, 404, id);
    }
    assert.equal((await api(server, "DELETE", "/api/auctions", { token: alice.token })).status, 405);
    const forged = await api(server, "POST", "/api/auctions", {
      cookie: alice.cookie, body: good, headers: { origin: "https://evil.example" },
    });
    assert.equal(forged.status, 403);
  });

  it("answers 429 with Retry-After beyond the creation quota", async () => {
    const carol = await newUser(server, "carol");
    let r;
    for (let i = 0; i < 20; ++i) {
      r = await api(server, "POST", "/api/auctions", {
        token: carol.token, body: { title: `t${i}`, startingPrice: 1, minIncrement: 1, endsAt: Date.now() + 60000 },
      });
      if (r.status !== 201) break;
    }
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get("retry-after")) >= 1);
  });
});

describe("namespace /auction", () => {
  it("refuses a connection without a valid token", async () => {
    const socket = io(`${server.url}/auction`, { transports: ["websocket"], reconnection: false, forceNew: true });
    const err = await waitFor(socket, "connect_error");
    assert.equal(err.message, "unauthorized");
    socket.disconnect();
  });

  it("ends a user's sockets when the user logs out", async () => {
    const erin = await newUser(server, "erin");
    const socket = await connectAuction(server, erin);
    const refused = waitFor(socket, "error");
    const gone = waitFor(socket, "disconnect");
    assert.equal((await api(server, "POST", "/api/logout", { token: erin.token, body: {} })).status, 204);
    assert.equal(await refused, "unauthorized");
    assert.equal(await gone, "io server disconnect");
  });

  it("joins an auction with its last bids, and leaves it", async () => {
    const auctionId = await createAuction(server, seller);
    const a = await joined(alice, auctionId);
    assert.equal(a.ack.auction.id, auctionId);
    assert.equal(a.ack.auction.status, "open");
    assert.deepEqual(a.ack.auction.bids, []);
    assert.equal(a.ack.auction.extensionMs, EXTENSION_MS);
    const ok = await request(a.socket, "placeBid", { auctionId, amount: 1000 });
    assert.equal(ok.success, true, JSON.stringify(ok));
    const b = await joined(bob, String(auctionId));  // numeric strings are ids too
    assert.equal(b.ack.auction.bidCount, 1);
    assert.equal(b.ack.auction.currentPrice, 1000);
    assert.deepEqual(b.ack.auction.highestBidder, { userId: alice.userId, username: alice.username });
    assert.deepEqual(b.ack.auction.bids, [ok.bid]);
    assert.deepEqual(await request(b.socket, "leaveAuction", { auctionId }), { success: true });
    // Bob left: the next bid reaches Alice, not him. (The first bid's event may still reach him:
    // its seq is not above the seq of his join's answer.)
    let bobGot = 0;
    b.socket.on("bidPlaced", (e) => { if (e.bid.seq > b.ack.auction.seq) ++bobGot; });
    const seen = waitFor(a.socket, "bidPlaced", { filter: (e) => e.bid.seq === 2 });
    assert.equal((await request(a.socket, "placeBid", { auctionId, amount: 1100 })).success, true);
    await seen;
    // The event went to Bob's worker before Alice had it: his next answer comes after it.
    const check = await request(b.socket, "joinAuction", { auctionId });
    assert.equal(check.auction.bidCount, 2);
    assert.equal(bobGot, 0);
    for (const auctionId of [999999999, "x", null, -1]) {
      assert.deepEqual(await request(a.socket, "joinAuction", { auctionId }), { success: false, error: "Not found" });
    }
  });

  it("accepts a bid and sends bidPlaced to the room, the bidder included", async () => {
    const auctionId = await createAuction(server, seller, { startingPrice: 500, minIncrement: 50 });
    const a = await joined(alice, auctionId);
    const b = await joined(bob, auctionId);
    const toAlice = waitFor(a.socket, "bidPlaced");
    const toBob = waitFor(b.socket, "bidPlaced");
    const ack = await request(a.socket, "placeBid", { auctionId, amount: 500 });
    assert.equal(ack.success, true);
    assert.equal(ack.bid.amount, 500);
    assert.equal(ack.bid.seq, 1);
    assert.equal(ack.bid.userId, alice.userId);
    assert.equal(ack.bid.username, alice.username);
    assert.equal(typeof ack.bid.id, "number");
    assert.equal(typeof ack.bid.at, "number");
    const event = await toBob;
    assert.deepEqual(await toAlice, event);
    assert.deepEqual(event.bid, ack.bid);
    assert.equal(event.auctionId, auctionId);
    assert.equal(event.currentPrice, 500);
    assert.deepEqual(event.highestBidder, { userId: alice.userId, username: alice.username });
    assert.equal(typeof event.endsAt, "number");
  });

  it("refuses each bad bid with the contract's error", async () => {
    const auctionId = await createAuction(server, seller, { startingPrice: 1000, minIncrement: 100 });
    const a = await joined(alice, auctionId);
    const b = await joined(bob, auctionId);
    for (const amount of ["1000", 0, -5, 1000.5, 1e12 + 1, null, undefined, true]) {
      assert.deepEqual(await request(a.socket, "placeBid", { auctionId, amount }), { success: false, error: "Invalid amount" },
        String(amount));
    }
    assert.deepEqual(await request(a.socket, "placeBid", { auctionId: 999999999, amount: 5000 }),
      { success: false, error: "Not found" });
    assert.deepEqual(await request(a.socket, "placeBid", { auctionId: "nope", amount: 5000 }),
      { success: false, error: "Not found" });
    assert.deepEqual(await request(a.socket, "placeBid", { auctionId, amount: 999 }),
      { success: false, error: "Bid too low", currentPrice: 1000 });
    assert.equal((await request(a.socket, "placeBid", { auctionId, amount: 1000 })).success, true);
    for (const amount of [1000, 1099]) {  // equal to the current price, under the increment
      assert.deepEqual(await request(b.socket, "placeBid", { auctionId, amount }),
        { success: false, error: "Bid too low", currentPrice: 1000 });
    }
    assert.equal((await request(b.socket, "placeBid", { auctionId, amount: 1100 })).success, true);
    const own = await connectAuction(server, seller);
    assert.deepEqual(await request(own, "placeBid", { auctionId, amount: 5000 }),
      { success: false, error: "Own auction", currentPrice: 1100 });
    const stored = (await api(server, "GET", `/api/auctions/${auctionId}`, { token: alice.token })).body;
    assert.equal(stored.bidCount, 2);
    assert.equal(stored.currentPrice, 1100);
  });

  it("answers Too many requests beyond the bid rate", async () => {
    const dave = await newUser(server, "dave");
    const auctionId = await createAuction(server, seller, { startingPrice: 1, minIncrement: 1 });
    const socket = await connectAuction(server, dave);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(socket, "placeBid", { auctionId, amount: 1 + i })));
    const limited = answers.filter((a) => a.error === "Too many requests");
    assert.ok(limited.length > 0, JSON.stringify(answers.slice(-3)));
    for (const a of limited) assert.deepEqual(a, { success: false, error: "Too many requests" });
  });

  it("extends a bid with less than the extension left, closes once, and refuses later bids", async () => {
    // Two auctions ending in 3 s (less than the extension away): one without bids, one with a bid
    // (which moves its end).
    const quietEnd = Date.now() + MIN_DURATION_MS + 1000;
    const quiet = await createAuction(server, seller, { endsAt: quietEnd });
    const sold = await createAuction(server, seller, { endsAt: Date.now() + MIN_DURATION_MS + 1000 });
    const a = await joined(alice, quiet);
    assert.equal((await request(a.socket, "joinAuction", { auctionId: sold })).success, true);
    const b = await joined(bob, sold);
    const closes = { a: [], b: [] };
    a.socket.on("auctionClosed", (e) => closes.a.push(e));
    b.socket.on("auctionClosed", (e) => closes.b.push(e));
    const placed = waitFor(b.socket, "bidPlaced");
    const ack = await request(b.socket, "placeBid", { auctionId: sold, amount: 2000 });
    assert.equal(ack.success, true);
    const event = await placed;
    assert.equal(event.endsAt, ack.bid.at + EXTENSION_MS, "anti-sniping: endsAt = the bid's time + the extension");
    const quietClosed = await waitFor(a.socket, "auctionClosed", { timeout: 20000, filter: (e) => e.auctionId === quiet });
    const quietLag = Date.now() - quietEnd;
    assert.deepEqual(quietClosed, { auctionId: quiet, winner: null, finalPrice: null, seq: 1 });
    const soldClosed = await waitFor(b.socket, "auctionClosed", { timeout: EXTENSION_MS + 15000, filter: (e) => e.auctionId === sold });
    console.log(`auction close: received ${quietLag} ms and ${Date.now() - event.endsAt} ms after endsAt`);
    assert.deepEqual(soldClosed, {
      auctionId: sold, winner: { userId: bob.userId, username: bob.username }, finalPrice: 2000, seq: 2,
    });
    const late = await request(a.socket, "placeBid", { auctionId: sold, amount: 9000 });
    assert.deepEqual(late, { success: false, error: "Auction closed", currentPrice: 2000 });
    const stored = (await api(server, "GET", `/api/auctions/${sold}`, { token: alice.token })).body;
    assert.equal(stored.status, "closed");
    assert.equal(stored.bidCount, 1);
    assert.equal(stored.seq, 2);
    assert.equal(stored.currentPrice, 2000);
    const rejoin = await request(a.socket, "joinAuction", { auctionId: sold });  // a closed auction too
    assert.equal(rejoin.auction.status, "closed");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Exactly once to every socket of the room (Alice is in both rooms).
    assert.deepEqual(closes.a.map((e) => e.auctionId).sort(), [quiet, sold].sort());
    assert.deepEqual(closes.b.map((e) => e.auctionId), [sold]);
  });

  it("gives 50 clients bidding as fast as they may one gapless order", async () => {
    const users = [];
    for (let i = 0; i < 10; ++i) users.push(await newUser(server, "bidder"));
    const auctionId = await createAuction(server, seller, { startingPrice: 100, minIncrement: 10, endsAt: Date.now() + 120000 });
    const run = await biddingRun({ servers: [server], users, count: 50, auctionId, ms: 3000 });
    console.log(`auction run (${process.env.SIO_CHAT_TEST_WORKERS ?? 2} workers, 1 node): attempted ${run.attempted}, ` +
      `accepted ${run.accepted}, refused ${JSON.stringify(run.refused)}`);
    assert.ok(run.accepted > 0);
    assert.equal(run.accepted, run.stored.bidCount);
    for (const reason of Object.keys(run.refused)) assert.ok(["Bid too low", "Too many requests"].includes(reason), reason);
  });
});
