// Tic-tac-toe on a cluster (deploy/cluster.sh): two sio-chat nodes on one Redis and one
// PostgreSQL database. Clients connect to the nodes directly. Players on different nodes play one
// game while a spectator on a third connection sees every state; the quick match pairs users on
// different nodes (both acknowledgements answered), a user's second request on the other node
// answers the first with Replaced; two moves of one player sent at once through both nodes:
// exactly one applies (the compare-and-set on the game's version); a player with a socket left on
// one node is not away, one gone from both forfeits once while both nodes sweep; the player to move
// is told it is their turn only when no socket of theirs on either node is visible.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { api, connectAs, newUser, request, waitFor } from "../interop/chat_helpers.mjs";
import { AWAY_MS, awayArgs, closeGameSockets, connectGame, illegal, ok, StateLog } from "../interop/tictactoe_helpers.mjs";
import { startCluster } from "./cluster_helpers.mjs";

let cluster;
let nodes;  // [{url}] per node, as the helpers take a server
before(async () => {
  cluster = await startCluster({ nodes: 2, args: awayArgs });
  nodes = cluster.nodeUrls.map((url) => ({ url }));
});
after(async () => {
  closeGameSockets();
  if (cluster) await cluster.stop();
});

describe("tic-tac-toe on two nodes", () => {
  test("players on different nodes play a game a spectator follows state by state", async () => {
    const alice = await newUser(nodes[0], "alice");
    const bob = await newUser(nodes[1], "bob");
    const carol = await newUser(nodes[0], "carol");
    const a = await connectGame(nodes[0], alice);
    const la = new StateLog(a);
    const { gameId } = await ok(a, "createGame");
    const b = await connectGame(nodes[1], bob);
    const lb = new StateLog(b);
    const joined = await ok(b, "joinGame", { gameId });
    assert.equal(joined.role, "O");
    const c = await connectGame(nodes[1], carol);
    const lc = new StateLog(c);
    const watching = await ok(c, "joinGame", { gameId });
    assert.equal(watching.role, "spectator");
    const moves = [[a, 4], [b, 0], [a, 2], [b, 6], [a, 3], [b, 5], [a, 8], [b, 1], [a, 7]];
    for (const [s, cell] of moves) {
      await ok(s, "move", { gameId, cell });
    }
    const end = await lc.wait(gameId, (s) => s.status !== "playing", 10000, "the end");
    assert.equal(end.status, "draw");
    await la.wait(gameId, (s) => s.version === end.version, 10000, "alice's last state");
    await lb.wait(gameId, (s) => s.version === end.version, 10000, "bob's last state");
    // The spectator saw one state per move, in order, each legal.
    const seen = lc.all.filter((s) => s.gameId === gameId && s.version > watching.state.version);
    assert.deepEqual(seen.map((s) => s.version).sort((x, y) => x - y),
      moves.map((_, i) => watching.state.version + i + 1));
    for (const s of seen) assert.equal(illegal(s), null, JSON.stringify(s));
    const stats = await api(nodes[1], "GET", "/api/games/stats", { token: alice.token });
    assert.equal(stats.body.me.draws, 1);
    assert.equal(stats.body.recent[0].gameId, gameId);
  });

  test("the quick match pairs users on different nodes", async () => {
    const u1 = await newUser(nodes[0], "quick");
    const u2 = await newUser(nodes[1], "quick");
    const s1 = await connectGame(nodes[0], u1);
    const s2 = await connectGame(nodes[1], u2);
    const first = request(s1, "quickMatch", undefined, 15000);
    const early = await Promise.race([first, new Promise((r) => setTimeout(() => r("held"), 300))]);
    assert.equal(early, "held");
    const second = await request(s2, "quickMatch", undefined, 15000);
    const a1 = await first;
    assert.equal(a1.success, true, JSON.stringify(a1));
    assert.equal(second.success, true, JSON.stringify(second));
    assert.equal(a1.gameId, second.gameId);
    assert.deepEqual([a1.role, second.role], ["X", "O"]);
    // Both sockets are in the game's room: each sees the other's move.
    const l1 = new StateLog(s1);
    const l2 = new StateLog(s2);
    await ok(s1, "move", { gameId: a1.gameId, cell: 0 });
    await l2.wait(a1.gameId, (s) => s.board[0] === "X", 10000, "X's move on the other node");
    await ok(s2, "move", { gameId: a1.gameId, cell: 1 });
    await l1.wait(a1.gameId, (s) => s.board[1] === "O", 10000, "O's move on the other node");
  });

  test("a user's second quick match on the other node replaces the first", async () => {
    const u = await newUser(nodes[0], "twice");
    const partner = await newUser(nodes[0], "partner");
    const s0 = await connectGame(nodes[0], u);
    const older = request(s0, "quickMatch", undefined, 15000);
    const s1 = await connectGame(nodes[1], u);
    const newer = request(s1, "quickMatch", undefined, 15000);
    assert.deepEqual(await older, { success: false, error: "Replaced" });
    const sp = await connectGame(nodes[0], partner);
    const paired = await request(sp, "quickMatch", undefined, 15000);
    assert.equal(paired.role, "O");
    const a = await newer;
    assert.deepEqual([a.success, a.role, a.gameId], [true, "X", paired.gameId]);
  });

  test("two moves of one player racing through both nodes: exactly one applies", async () => {
    const x = await newUser(nodes[0], "racer");
    const o = await newUser(nodes[1], "racer");
    const x0 = await connectGame(nodes[0], x);
    const x1 = await connectGame(nodes[1], x);
    const so = await connectGame(nodes[1], o);
    const { gameId } = await ok(x0, "createGame");
    await ok(so, "joinGame", { gameId });
    await ok(x1, "joinGame", { gameId });
    const lo = new StateLog(so);
    for (let round = 0; round < 3; ++round) {
      // Whichever of each pair applies, X makes no line: every round has two moves to race.
      const cells = [[0, 8], [1, 3], [5, 7]][round];
      const answers = await Promise.all([
        request(x0, "move", { gameId, cell: cells[0] }),
        request(x1, "move", { gameId, cell: cells[1] }),
      ]);
      assert.equal(answers.filter((r) => r.success).length, 1, JSON.stringify(answers));
      assert.deepEqual(answers.find((r) => !r.success), { success: false, error: "Not your turn" });
      const s = await lo.wait(gameId, (s) => s.board.filter((c) => c === "X").length === round + 1, 10000, "X's move");
      assert.equal(illegal(s), null);
      const free = s.board.findIndex((c, i) => c === null && ![0, 8, 1, 3, 5, 7].includes(i));
      if (s.status !== "playing") break;
      await ok(so, "move", { gameId, cell: free });
    }
  });

  test("presence counts every node; a player gone from both forfeits once", async () => {
    const x = await newUser(nodes[0], "stayer");
    const o = await newUser(nodes[1], "leaver");
    const x0 = await connectGame(nodes[0], x);
    const x1 = await connectGame(nodes[1], x);
    const so = await connectGame(nodes[1], o);
    const lx = new StateLog(x0);
    const { gameId } = await ok(x0, "createGame");
    await ok(so, "joinGame", { gameId });
    await ok(x1, "joinGame", { gameId });
    // X leaves the room on node 1 but is still there on node 0: not away.
    await ok(x1, "leaveGame", { gameId });
    so.disconnect();
    const away = await lx.wait(gameId, (s) => s.away.O !== undefined, 10000, "O away");
    assert.equal(away.away.X, undefined);
    const end = await lx.wait(gameId, (s) => s.status === "abandoned", AWAY_MS + 30000, "the forfeit");
    assert.equal(end.winner, "X");
    // Both nodes sweep; the round ended once.
    const stats = (await api(nodes[1], "GET", "/api/games/stats", { token: x.token })).body;
    assert.equal(stats.me.wins, 1);
    assert.deepEqual(stats.recent.map((r) => [r.gameId, r.status]), [[gameId, "abandoned"]]);
    const ended = new Set(lx.all.filter((s) => s.gameId === gameId && s.status === "abandoned").map((s) => s.version));
    assert.equal(ended.size, 1);
  });

  test("a turn notice only when no socket of the player on either node is visible", async () => {
    const alice = await newUser(nodes[0], "alice");
    const bob = await newUser(nodes[1], "bob");
    const a = await connectGame(nodes[0], alice);
    const { gameId } = await ok(a, "createGame");
    const bHidden = await connectGame(nodes[0], bob);
    const bShown = await connectGame(nodes[1], bob);
    await ok(bHidden, "joinGame", { gameId });
    await ok(bShown, "joinGame", { gameId });
    await ok(bHidden, "visibility", { hidden: true });
    await ok(bShown, "visibility", { hidden: false });
    const inbox = await connectAs(nodes[0], bob, {}, `/users/${bob.userId}`);
    const received = [];
    inbox.on("notification", (n) => received.push(n));
    // Applied on node 0: bob's visible socket is on node 1.
    await ok(a, "move", { gameId, cell: 4 });
    await ok(bShown, "move", { gameId, cell: 0 });
    await ok(bShown, "visibility", { hidden: true });
    const notice = waitFor(inbox, "notification", { timeout: 10000 });
    await ok(a, "move", { gameId, cell: 8 });
    const n = await notice;
    assert.equal(n.title, "Your turn");
    assert.equal(n.body, `${alice.username} played in game ${gameId}`);
    assert.equal(n.url, `/tictactoe/${gameId}`);
    assert.deepEqual(n.from, { userId: alice.userId, username: alice.username });
    const list = await request(inbox, "list", {});
    assert.equal(list.items.length, 1, JSON.stringify(list.items));
    assert.deepEqual(received.map((r) => r.id), [n.id]);
    inbox.disconnect();
  });
});
