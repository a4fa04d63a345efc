// The other apps' notices, as their users receive them on /users/<userId> of sio-chat (the
// notifications app): the members invited to a new private chat room, the tic-tac-toe player to
// move when none of their sockets in the game is visible (and not when one is), the auction bidder
// who was outbid (not for a first bid, nor for raising one's own bid).
//
// Absence is checked against a later notice of the same user: once that one has arrived, an
// unwanted notice pushed before it has had its turn on the host's pool too, so the user's list
// (`list`) must hold exactly the expected ones. (A test that could still miss one; it never fails
// a correct server.)
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, request, withTimeout, connectAs, closeSockets } from "./chat_helpers.mjs";
import { newPlayer as newUser, ok, connectGame, StateLog } from "./tictactoe_helpers.mjs";
import { connectAuction, createAuction } from "./auction_helpers.mjs";

let server;
before(async () => {
  server = await startChat({ args: ["--trust-proxy", "127.0.0.1"] });
});
afterEach(() => closeSockets());
after(async () => {
  closeSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

/** The user's socket on /users/<userId>, with the notices it receives, in order. */
async function inbox(user) {
  const socket = await connectAs(server, user, {}, `/users/${user.userId}`);
  const received = [];
  const waiters = new Set();
  socket.on("notification", (n) => {
    received.push(n);
    for (const w of [...waiters]) {
      if (received.length > w.index) {
        waiters.delete(w);
        w.resolve(received[w.index]);
      }
    }
  });
  return {
    socket,
    received,
    /** The `index`-th notice this socket receives (0: the first). */
    nth(index, timeout = 10000) {
      if (received.length > index) return Promise.resolve(received[index]);
      let w;
      const p = new Promise((resolve) => {
        w = { index, resolve };
        waiters.add(w);
      });
      return withTimeout(p, timeout, `notice #${index + 1} of ${user.username}`).finally(() => waiters.delete(w));
    },
    /** The user's stored notices, newest first. */
    async list() {
      const ack = await request(socket, "list", { limit: 50 });
      assert.equal(ack.success, true, JSON.stringify(ack));
      return ack.items;
    },
  };
}

/** Asserts a notice's fields (and that it is a well-formed unread notification). */
function assertNotice(n, { from, title, body, url }) {
  assert.equal(typeof n.id, "number");
  assert.deepEqual(n.from, from ? { userId: from.userId, username: from.username } : null);
  assert.equal(n.title, title);
  assert.equal(n.body, body);
  assert.equal(n.url, url);
  assert.equal(typeof n.createdAt, "number");
  assert.equal(n.read, false);
}

describe("chat", () => {
  it("tells each invited member of a new private room, not its creator", async () => {
    const [alice, bob, carol] = [await newUser(server, "alice"), await newUser(server, "bob"), await newUser(server, "carol")];
    const [ia, ib, ic] = [await inbox(alice), await inbox(bob), await inbox(carol)];
    const name = `plans-${alice.userId}`;
    const r = await api(server, "POST", "/api/rooms", {
      token: alice.token,
      body: { name, private: true, members: [bob.username, carol.username] },
    });
    assert.equal(r.status, 201, r.text);
    const expected = {
      from: alice,
      title: `Invitation to ${name}`,
      body: `${alice.username} added you to the private room ${name}`,
      url: `/chat#/room/${r.body.roomId}`,
    };
    assertNotice(await ib.nth(0), expected);
    assertNotice(await ic.nth(0), expected);

    // A public room tells nobody; then a notice to alice is the first she gets.
    const pub = await api(server, "POST", "/api/rooms", {
      token: alice.token,
      body: { name: `open-${alice.userId}`, members: [bob.username] },
    });
    assert.equal(pub.status, 201, pub.text);
    const direct = await api(server, "POST", "/api/notifications", {
      token: bob.token,
      body: { toUserId: alice.userId, title: "Thanks", body: "for the invitation" },
    });
    assert.equal(direct.status, 201, direct.text);
    assert.equal((await ia.nth(0)).title, "Thanks");
    assert.deepEqual((await ia.list()).map((n) => n.title), ["Thanks"]);
    const next = await api(server, "POST", "/api/notifications", {
      token: alice.token,
      body: { toUserId: bob.userId, title: "Welcome", body: "" },
    });
    assert.equal(next.status, 201, next.text);
    assert.equal((await ib.nth(1)).title, "Welcome");
    assert.deepEqual((await ib.list()).map((n) => n.title), ["Welcome", expected.title]);
  });
});

describe("tic-tac-toe", () => {
  /** X and O of a started game, each with a game socket and an inbox. */
  async function startedGame() {
    const [ux, uo] = [await newUser(server, "tx"), await newUser(server, "to")];
    const [sx, so] = [await connectGame(server, ux), await connectGame(server, uo)];
    const [ix, io] = [await inbox(ux), await inbox(uo)];
    const lx = new StateLog(sx);
    const { gameId } = await ok(sx, "createGame", {});
    await ok(so, "joinGame", { gameId });
    return { gameId, ux, uo, sx, so, ix, io, lx };
  }
  const turnNotice = (mover, gameId) => ({
    from: mover,
    title: "Your turn",
    body: `${mover.username} played in game ${gameId}`,
    url: `/tictactoe/${gameId}`,
  });

  it("tells the player to move whose sockets in the game are all hidden, not one who is looking", async () => {
    const g = await startedGame();
    await ok(g.sx, "visibility", { hidden: false });
    await ok(g.so, "visibility", { hidden: false });
    await ok(g.sx, "move", { gameId: g.gameId, cell: 4 }); // O is looking: no notice
    await ok(g.so, "visibility", { hidden: true });
    await ok(g.so, "move", { gameId: g.gameId, cell: 0 }); // X is looking: no notice
    await ok(g.sx, "move", { gameId: g.gameId, cell: 8 }); // O's only socket is hidden
    assertNotice(await g.io.nth(0), turnNotice(g.ux, g.gameId));

    // A second, visible socket of O in the game: no notice any more.
    const so2 = await connectGame(server, g.uo);
    await ok(so2, "joinGame", { gameId: g.gameId });
    await ok(so2, "visibility", { hidden: false });
    await ok(g.so, "move", { gameId: g.gameId, cell: 2 });
    await ok(g.sx, "move", { gameId: g.gameId, cell: 6 });
    // X hides: the next move of O tells X.
    await ok(g.sx, "visibility", { hidden: true });
    await ok(so2, "move", { gameId: g.gameId, cell: 3 });
    assertNotice(await g.ix.nth(0), turnNotice(g.uo, g.gameId));
    // Then O, whose visible socket leaves the game: the hidden one does not count.
    await ok(so2, "leaveGame", { gameId: g.gameId });
    await ok(g.sx, "move", { gameId: g.gameId, cell: 5 });
    assertNotice(await g.io.nth(1), turnNotice(g.ux, g.gameId));
    assert.equal((await g.io.list()).length, 2);
    assert.equal((await g.ix.list()).length, 1);
  });

  it("tells a player with no socket in the game at all", async () => {
    const g = await startedGame();
    await ok(g.sx, "move", { gameId: g.gameId, cell: 0 });
    await ok(g.so, "move", { gameId: g.gameId, cell: 1 });
    g.so.disconnect(); // O's inbox stays connected, the game page is gone
    await g.lx.wait(g.gameId, (s) => s.away.O !== undefined, 10000, "O away");
    await ok(g.sx, "move", { gameId: g.gameId, cell: 4 });
    assertNotice(await g.io.nth(0), turnNotice(g.ux, g.gameId));
  });
});

describe("auction", () => {
  it("tells the previous highest bidder once another user outbids them", async () => {
    const [seller, ann, bob, carol] = [
      await newUser(server, "seller"), await newUser(server, "ann"), await newUser(server, "bob"), await newUser(server, "carol"),
    ];
    const auctionId = await createAuction(server, seller, { title: "Old clock" });
    const [ia, ib] = [await inbox(ann), await inbox(bob)];
    const bid = async (user, amount) => {
      const s = await connectAuction(server, user);
      const ack = await request(s, "placeBid", { auctionId, amount });
      assert.equal(ack.success, true, JSON.stringify(ack));
      s.disconnect();
    };
    const outbid = (by, body) => ({ from: by, title: "Outbid on Old clock", body, url: `/auction/${auctionId}` });

    await bid(ann, 1000); // the first bid outbids nobody
    await bid(bob, 123456);
    assertNotice(await ia.nth(0), outbid(bob, `${bob.username} bid $1,234.56`));
    await bid(bob, 200000); // raising one's own bid tells nobody
    await bid(carol, 300000);
    assertNotice(await ib.nth(0), outbid(carol, `${carol.username} bid $3,000.00`));
    assert.equal((await ia.list()).length, 1);
    assert.equal((await ib.list()).length, 1);
  });
});
