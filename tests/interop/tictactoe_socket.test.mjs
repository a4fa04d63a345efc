// Contract tests of tic-tac-toe (namespace /tictactoe and REST /api/games of sio-chat) with the
// npm socket.io-client: creating, joining and spectating, every refusal in the contract's order,
// the page's visibility, rematches, the quick match, statistics, many games played at once by
// concurrent players, and the forfeit of a player who does not come back within the away window
// (short here: --tictactoe-away).
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, request, waitFor } from "./chat_helpers.mjs";
import {
  AWAY_MS, awayArgs, connectGame, closeGameSockets, newPlayer as newUser, ok, StateLog, illegal, judge,
} from "./tictactoe_helpers.mjs";
import { io } from "../js/index.mjs";

let server;
before(async () => {
  server = await startChat({ args: ["--trust-proxy", "127.0.0.1", ...awayArgs] });
});
afterEach(() => closeGameSockets());
after(async () => {
  closeGameSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

/** Two players (new users) with a game started: X created it, O joined. */
async function startedGame() {
  const [ux, uo] = [await newUser(server, "px"), await newUser(server, "po")];
  const [sx, so] = [await connectGame(server, ux), await connectGame(server, uo)];
  const [lx, lo] = [new StateLog(sx), new StateLog(so)];
  const { gameId } = await ok(sx, "createGame", {});
  const joined = await ok(so, "joinGame", { gameId });
  assert.equal(joined.role, "O");
  return { gameId, ux, uo, sx, so, lx, lo, state: joined.state };
}

/** Plays `cells` alternately (`first` first), each move acknowledged before the next. */
async function play(g, cells, first = "X") {
  let turn = first;
  for (const cell of cells) {
    await ok(turn === "X" ? g.sx : g.so, "move", { gameId: g.gameId, cell });
    turn = turn === "X" ? "O" : "X";
  }
}

describe("connecting", () => {
  it("refuses a socket without a valid token", async () => {
    for (const auth of [{}, { token: "not-a-jwt" }]) {
      const socket = io(`${server.url}/tictactoe`, { transports: ["websocket"], reconnection: false, forceNew: true, auth });
      const err = await waitFor(socket, "connect_error");
      assert.match(String(err.message), /unauthorized/i);
      socket.disconnect();
    }
  });
});

describe("create, join, spectate", () => {
  it("makes the creator X, the first other user O, anyone else a spectator", async () => {
    const [alice, bob, carol] = [await newUser(server, "alice"), await newUser(server, "bob"), await newUser(server, "carol")];
    const sa = await connectGame(server, alice);
    const la = new StateLog(sa);
    const created = await ok(sa, "createGame");
    assert.equal(typeof created.gameId, "number");
    const gameId = created.gameId;

    const again = await ok(sa, "joinGame", { gameId });
    assert.equal(again.role, "X");
    assert.equal(again.state.status, "waiting");
    assert.deepEqual(again.state.players.X, { userId: alice.userId, username: alice.username });
    assert.equal(again.state.players.O, null);

    const sb = await connectGame(server, bob);
    const jb = await ok(sb, "joinGame", { gameId });
    assert.equal(jb.role, "O");
    assert.equal(jb.state.status, "playing");
    assert.equal(jb.state.turn, "X");
    assert.deepEqual(jb.state.board, Array(9).fill(null));
    assert.deepEqual(jb.state.players.O, { userId: bob.userId, username: bob.username });
    assert.equal(jb.state.round, 1);
    assert.deepEqual(jb.state.away, {});
    assert.deepEqual(jb.state.rematch, []);
    // The creator's socket is in the room without joining again.
    const seen = await la.wait(gameId, (s) => s.status === "playing");
    assert.equal(seen.version, jb.state.version);

    const sc = await connectGame(server, carol);
    const lc = new StateLog(sc);
    const jc = await ok(sc, "joinGame", { gameId });
    assert.equal(jc.role, "spectator");
    await ok(sa, "move", { gameId, cell: 4 });
    const after = await lc.wait(gameId, (s) => s.board[4] === "X");
    assert.equal(after.turn, "O");
    assert.equal(after.version, jb.state.version + 1);

    for (const gameId of [999999999, "abc", null, -3]) {
      assert.deepEqual(await request(sc, "joinGame", { gameId }), { success: false, error: "Not found" });
    }
  });
});

describe("moves", () => {
  it("refuses every illegal move with the contract's error, in the contract's order", async () => {
    const g = await startedGame();
    const carol = await connectGame(server, await newUser(server, "carol"));
    const dave = await connectGame(server, await newUser(server, "dave"));
    const refused = async (socket, payload, error) =>
      assert.deepEqual(await request(socket, "move", payload), { success: false, error }, JSON.stringify(payload));
    for (const cell of [9, -1, 1.5, "3", null, undefined, true, [1]]) {
      await refused(carol, { gameId: g.gameId, cell }, "Invalid cell");  // before "Not a player"
      await refused(dave, { gameId: 999999999, cell }, "Invalid cell");  // before "Not found"
    }
    await refused(g.sx, undefined, "Invalid cell");
    for (const gameId of [999999999, "nope", null, undefined, 0]) {
      await refused(g.sx, { gameId, cell: 0 }, "Not found");
    }
    await refused(carol, { gameId: g.gameId, cell: 0 }, "Not a player");
    await refused(g.so, { gameId: g.gameId, cell: 0 }, "Not your turn");
    await ok(g.sx, "move", { gameId: g.gameId, cell: 0 });
    await refused(g.sx, { gameId: g.gameId, cell: 1 }, "Not your turn");
    await refused(g.so, { gameId: g.gameId, cell: 0 }, "Cell taken");
    await refused(carol, { gameId: g.gameId, cell: 0 }, "Not a player");  // before "Cell taken"
    await play(g, [3, 1, 4, 2], "O");  // O 3, X 1, O 4, X 2: X wins on 0 1 2
    const won = await g.lo.wait(g.gameId, (s) => s.status !== "playing");
    assert.equal(won.status, "won");
    assert.equal(won.winner, "X");
    assert.deepEqual(won.line, [0, 1, 2]);
    await refused(g.so, { gameId: g.gameId, cell: 8 }, "Game over");
    await refused(g.so, { gameId: g.gameId, cell: 0 }, "Game over");  // before "Cell taken"
    await refused(carol, { gameId: g.gameId, cell: 8 }, "Not a player");  // before "Game over"
    // A waiting game: nobody's turn yet.
    const sx2 = await connectGame(server, g.ux);
    const { gameId } = await ok(sx2, "createGame");
    await refused(sx2, { gameId, cell: 0 }, "Not your turn");
    // Refusals changed nothing.
    const now = (await ok(carol, "joinGame", { gameId: g.gameId })).state;
    assert.deepEqual(now, won);
  });

  it("ends a full board without a line in a draw", async () => {
    const g = await startedGame();
    // X O X / X O O / O X X
    await play(g, [0, 1, 2, 4, 3, 5, 7, 6, 8]);
    const s = await g.lx.wait(g.gameId, (s) => s.status !== "playing");
    assert.equal(s.status, "draw");
    assert.equal(s.winner, null);
    assert.equal(s.line, null);
    assert.equal(illegal(s), null);
  });

  it("answers too many moves with Too many requests", async () => {
    const g = await startedGame();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => request(g.so, "move", { gameId: g.gameId, cell: 0 })),
    );
    assert.ok(answers.some((a) => a.error === "Too many requests"), JSON.stringify(answers));
    assert.ok(answers.every((a) => a.error === "Too many requests" || a.error === "Not your turn"));
  });
});

describe("visibility", () => {
  it("takes a boolean `hidden` and refuses anything else", async () => {
    const g = await startedGame();
    for (const hidden of [true, false]) {
      assert.deepEqual(await request(g.so, "visibility", { hidden }), { success: true });
    }
    for (const bad of [undefined, null, {}, { hidden: "yes" }, { hidden: 1 }, [true]]) {
      assert.deepEqual(await request(g.so, "visibility", bad), { success: false, error: "Invalid visibility" });
    }
    // Without an ack (as the page sends it), then the game goes on.
    g.so.emit("visibility", { hidden: true });
    g.so.emit("visibility", "garbage");
    await play(g, [4, 0]);
    const s = await g.lx.wait(g.gameId, (st) => st.board[0] === "O");
    assert.equal(s.turn, "X");
  });
});

describe("rematch", () => {
  it("starts the next round with the roles swapped once both players asked", async () => {
    const g = await startedGame();
    const carol = await connectGame(server, await newUser(server, "carol"));
    assert.deepEqual(await request(g.sx, "rematch", { gameId: g.gameId }), { success: false, error: "Game not finished" });
    await play(g, [0, 3, 1, 4, 2]);
    assert.deepEqual(await request(carol, "rematch", { gameId: g.gameId }), { success: false, error: "Not a player" });
    assert.deepEqual(await request(carol, "rematch", { gameId: 999999999 }), { success: false, error: "Not found" });
    await ok(g.so, "rematch", { gameId: g.gameId });
    const asked = await g.lx.wait(g.gameId, (s) => s.rematch.length === 1);
    assert.deepEqual(asked.rematch, ["O"]);
    assert.equal(asked.status, "won");
    await ok(g.sx, "rematch", { gameId: g.gameId });
    const next = await g.lx.wait(g.gameId, (s) => s.round === 2);
    assert.equal(next.status, "playing");
    assert.equal(next.turn, "X");
    assert.deepEqual(next.board, Array(9).fill(null));
    assert.deepEqual(next.rematch, []);
    assert.equal(next.winner, null);
    assert.equal(next.players.X.userId, g.uo.userId);  // the previous O moves first
    assert.equal(next.players.O.userId, g.ux.userId);
    assert.deepEqual(await request(g.sx, "move", { gameId: g.gameId, cell: 0 }), { success: false, error: "Not your turn" });
    await ok(g.so, "move", { gameId: g.gameId, cell: 0 });
  });
});

describe("quick match", () => {
  it("pairs two waiting users: both acknowledgements name the game", async () => {
    const [u1, u2] = [await newUser(server, "q"), await newUser(server, "q")];
    const [s1, s2] = [await connectGame(server, u1), await connectGame(server, u2)];
    const first = request(s1, "quickMatch", undefined, 10000);
    // The first caller is held until someone comes.
    const early = await Promise.race([first, new Promise((r) => setTimeout(() => r("held"), 300))]);
    assert.equal(early, "held");
    const second = await request(s2, "quickMatch", undefined, 10000);
    const a1 = await first;
    assert.equal(a1.success, true, JSON.stringify(a1));
    assert.equal(second.success, true, JSON.stringify(second));
    assert.equal(a1.gameId, second.gameId);
    assert.equal(a1.role, "X");
    assert.equal(second.role, "O");
    assert.equal(a1.state.status, "playing");
    assert.equal(a1.state.players.X.userId, u1.userId);
    assert.equal(a1.state.players.O.userId, u2.userId);
    // Both are in the room.
    const l1 = new StateLog(s1);
    await ok(s1, "move", { gameId: a1.gameId, cell: 4 });
    const l2 = new StateLog(s2);
    await ok(s2, "move", { gameId: a1.gameId, cell: 0 });
    await l1.wait(a1.gameId, (s) => s.board[0] === "O");
    await l2.wait(a1.gameId, (s) => s.board[0] === "O");
    // Quick games are not open games.
    const list = await api(server, "GET", "/api/games", { token: u1.token });
    assert.ok(!list.body.some((g) => g.gameId === a1.gameId && g.status === "waiting"));
  });

  it("answers an older request of the same user with Replaced, and forgets a caller who left", async () => {
    const [u1, u2, u3] = [await newUser(server, "q"), await newUser(server, "q"), await newUser(server, "q")];
    const s1 = await connectGame(server, u1);
    const older = request(s1, "quickMatch", undefined, 10000);
    const s1b = await connectGame(server, u1);
    // s1b is also X of a game with u3: its away state tells u3 when the server handled its
    // disconnection (the queue entry goes first).
    const { gameId } = await ok(s1b, "createGame");
    const s3 = await connectGame(server, u3);
    const l3 = new StateLog(s3);
    await ok(s3, "joinGame", { gameId });
    s1b.emit("quickMatch");  // never answered: its socket leaves the queue by disconnecting
    assert.deepEqual(await older, { success: false, error: "Replaced" });
    s1b.disconnect();
    await l3.wait(gameId, (s) => s.away.X !== undefined, 10000, "X away");
    const s2 = await connectGame(server, u2);
    // u1 is not in the queue any more: u2 and u3 are paired together.
    const [a2, a3] = await Promise.all([
      request(s2, "quickMatch", undefined, 10000),
      request(s3, "quickMatch", undefined, 10000),
    ]);
    assert.equal(a2.gameId, a3.gameId);
    assert.deepEqual([a2.role, a3.role].sort(), ["O", "X"]);
    const players = [a3.state.players.X.userId, a3.state.players.O.userId].sort();
    assert.deepEqual(players, [u2.userId, u3.userId].sort());
  });
});

describe("REST /api/games", () => {
  it("lists open games first (newest first), then games being played", async () => {
    const u = await newUser(server, "lister");
    const s = await connectGame(server, u);
    const a = (await ok(s, "createGame")).gameId;
    const b = (await ok(s, "createGame")).gameId;
    const g = await startedGame();
    const list = await api(server, "GET", "/api/games", { token: u.token });
    assert.equal(list.status, 200);
    const ids = list.body.map((x) => x.gameId);
    assert.ok(ids.indexOf(b) < ids.indexOf(a), JSON.stringify(ids));
    const firstPlaying = list.body.findIndex((x) => x.status === "playing");
    const lastWaiting = list.body.findLastIndex((x) => x.status === "waiting");
    assert.ok(firstPlaying === -1 || lastWaiting < firstPlaying);
    const entry = list.body.find((x) => x.gameId === g.gameId);
    assert.equal(entry.status, "playing");
    assert.deepEqual(entry.players.O, { userId: g.uo.userId, username: g.uo.username });
    assert.equal(typeof list.body.find((x) => x.gameId === a).createdAt, "number");
    assert.ok(list.body.length <= 50);
    assert.equal((await api(server, "GET", "/api/games")).status, 401);
    assert.equal((await api(server, "GET", "/api/games/stats")).status, 401);
  });

  it("counts wins, losses and draws, and lists the caller's last rounds newest first", async () => {
    const g = await startedGame();
    await play(g, [0, 3, 1, 4, 2]);  // X wins
    await ok(g.sx, "rematch", { gameId: g.gameId });
    await ok(g.so, "rematch", { gameId: g.gameId });
    await g.lx.wait(g.gameId, (s) => s.round === 2);
    // Round 2: the former O is X now, and it is a draw.
    const swapped = { ...g, sx: g.so, so: g.sx };
    await play(swapped, [0, 1, 2, 4, 3, 5, 7, 6, 8]);
    await g.lx.wait(g.gameId, (s) => s.status === "draw");
    const st = await api(server, "GET", "/api/games/stats", { token: g.ux.token });
    assert.equal(st.status, 200);
    assert.deepEqual(st.body.me, { userId: g.ux.userId, username: g.ux.username, wins: 1, losses: 0, draws: 1 });
    const other = (await api(server, "GET", "/api/games/stats", { token: g.uo.token })).body.me;
    assert.deepEqual([other.wins, other.losses, other.draws], [0, 1, 1]);
    assert.deepEqual(st.body.recent.map((r) => [r.gameId, r.round, r.status, r.winner]),
      [[g.gameId, 2, "draw", null], [g.gameId, 1, "won", "X"]]);
    assert.equal(st.body.recent[1].players.X.userId, g.ux.userId);
    assert.equal(typeof st.body.recent[0].endedAt, "number");
    assert.ok(st.body.top.length <= 10);
    for (let i = 1; i < st.body.top.length; ++i) assert.ok(st.body.top[i - 1].wins >= st.body.top[i].wins);
    const fresh = await newUser(server, "fresh");
    const none = (await api(server, "GET", "/api/games/stats", { token: fresh.token })).body;
    assert.deepEqual(none.me, { userId: fresh.userId, username: fresh.username, wins: 0, losses: 0, draws: 0 });
    assert.deepEqual(none.recent, []);
  });
});

describe("many games at once", () => {
  it("keeps 20 games legal while both players send legal and illegal moves concurrently", async () => {
    const figures = { games: 0, moves: 0, accepted: 0, refused: 0, errors: {} };
    const games = await Promise.all(Array.from({ length: 20 }, () => startedGame()));
    const rnd = (n) => Math.floor(Math.random() * n);
    const pause = (ms) => new Promise((r) => setTimeout(r, ms));

    // One player: until the game ends, a move on a free cell of the newest state it has, or an
    // illegal one (a cell outside 0-8, a taken cell), every answer checked against the rules.
    async function player(g, socket, log, accepted) {
      for (let i = 0; i < 60; ++i) {
        const s = log.latest.get(g.gameId) ?? g.state;
        if (s.status !== "playing") return;
        const free = s.board.flatMap((c, k) => (c === null ? [k] : []));
        const taken = s.board.flatMap((c, k) => (c === null ? [] : [k]));
        const kind = rnd(10);
        let cell;
        if (kind === 0) cell = [9, -1, 2.5, "4", null][rnd(5)];
        else if (kind === 1 && taken.length) cell = taken[rnd(taken.length)];
        else cell = free[rnd(free.length)];
        figures.moves += 1;
        const ack = await request(socket, "move", { gameId: g.gameId, cell }, 10000);
        if (ack.success) {
          figures.accepted += 1;
          accepted.push(cell);
        } else {
          figures.refused += 1;
          figures.errors[ack.error] = (figures.errors[ack.error] ?? 0) + 1;
          if (!Number.isInteger(cell) || cell < 0 || cell > 8) {
            assert.equal(ack.error, "Invalid cell");
          } else if (taken.includes(cell)) {
            assert.ok(["Cell taken", "Not your turn", "Game over"].includes(ack.error), ack.error);
          } else {
            // A free cell as this player last saw it: refused only for the turn, the end of the
            // game, or a cell the other player took meanwhile.
            assert.ok(["Not your turn", "Game over", "Cell taken"].includes(ack.error), ack.error);
          }
        }
        await pause(100 + rnd(40));  // under the move rate (10 per second after a burst of 20)
      }
    }

    await Promise.all(games.map(async (g) => {
      const ax = [], ao = [];
      await Promise.all([player(g, g.sx, g.lx, ax), player(g, g.so, g.lo, ao)]);
      const end = await g.lx.wait(g.gameId, (s) => s.status === "won" || s.status === "draw", 15000, "the end");
      await g.lo.wait(g.gameId, (s) => s.version === end.version);
      figures.games += 1;
      // Every state either player received is a legal position, and each newer one only adds.
      for (const log of [g.lx, g.lo]) {
        const seen = [...log.all].filter((s) => s.gameId === g.gameId).sort((a, b) => a.version - b.version);
        for (let k = 0; k < seen.length; ++k) {
          assert.equal(illegal(seen[k]), null, JSON.stringify(seen[k]));
          if (k > 0) {
            assert.ok(seen[k].board.every((c, i) => seen[k - 1].board[i] === null || seen[k - 1].board[i] === c));
          }
        }
      }
      // The accepted moves are the board: each accepted cell holds its player's mark.
      assert.deepEqual(ax.toSorted(), end.board.flatMap((c, k) => (c === "X" ? [k] : [])));
      assert.deepEqual(ao.toSorted(), end.board.flatMap((c, k) => (c === "O" ? [k] : [])));
      const j = judge(end.board);
      if (end.status === "won") assert.deepEqual([end.winner, end.line], [j.winner, j.line]);
      else assert.equal(j, null);
    }));
    assert.equal(figures.games, 20);
    console.log(`tictactoe: ${JSON.stringify(figures)}`);
  });
});

describe("forfeit", () => {
  it("ends the game for the player who stayed once the other stayed away past the window, and deletes a waiting game whose creator left", async () => {
    const g = await startedGame();
    await ok(g.sx, "move", { gameId: g.gameId, cell: 4 });
    const creator = await newUser(server, "creator");
    const sc = await connectGame(server, creator);
    const waiting = (await ok(sc, "createGame")).gameId;
    const before = Date.now();
    sc.disconnect();
    g.so.disconnect();
    const away = await g.lx.wait(g.gameId, (s) => s.away.O !== undefined, 10000, "O away");
    assert.equal(away.status, "playing");
    assert.ok(away.away.O >= before + AWAY_MS, JSON.stringify(away.away));
    assert.equal(away.away.X, undefined);
    const end = await g.lx.wait(g.gameId, (s) => s.status !== "playing", AWAY_MS + 30000, "the forfeit");
    assert.equal(end.status, "abandoned");
    assert.equal(end.winner, "X");
    assert.ok(Date.now() >= away.away.O);
    const stats = (await api(server, "GET", "/api/games/stats", { token: g.ux.token })).body;
    assert.equal(stats.me.wins, 1);
    assert.equal(stats.recent[0].status, "abandoned");
    const lost = (await api(server, "GET", "/api/games/stats", { token: g.uo.token })).body;
    assert.equal(lost.me.losses, 1);
    // The waiting game goes at about the same time (its creator was away as long); joining it
    // would start it, so the list is watched.
    const listed = async () =>
      (await api(server, "GET", "/api/games", { token: g.ux.token })).body.some((x) => x.gameId === waiting);
    const deadline = Date.now() + 20000;
    while (await listed()) {
      assert.ok(Date.now() < deadline, "the waiting game is still listed");
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(await request(g.sx, "joinGame", { gameId: waiting }), { success: false, error: "Not found" });
  });

  it("clears the away of a player whose connection comes back recovered", async () => {
    const g = await startedGame();
    const so = await connectGame(server, g.uo, { reconnection: true, reconnectionDelay: 300, reconnectionDelayMax: 300 });
    await ok(so, "joinGame", { gameId: g.gameId });
    const lo = new StateLog(so);
    await ok(g.sx, "move", { gameId: g.gameId, cell: 4 });
    // A broadcast received gives the client the offset it recovers from.
    const moved = await lo.wait(g.gameId, (s) => s.board[4] === "X");
    g.so.disconnect();  // only the recovering socket is left
    const reconnected = waitFor(so, "connect", { timeout: 20000 });
    so.io.engine.transport.close();
    await reconnected;
    assert.equal(so.recovered, true);
    // Away while the connection was down (or not, when it came back first); back either way.
    await g.lx.wait(g.gameId, (s) => s.away.O === undefined && s.version > moved.version, 10000, "O back");
    const now = (await ok(so, "joinGame", { gameId: g.gameId })).state;
    assert.deepEqual(now.away, {});
  });

  it("lets a player who comes back within the away window resume", async () => {
    const g = await startedGame();
    g.so.disconnect();
    await g.lx.wait(g.gameId, (s) => s.away.O !== undefined, 10000, "O away");
    const back = await connectGame(server, g.uo);
    const j = await ok(back, "joinGame", { gameId: g.gameId });
    assert.equal(j.role, "O");
    assert.deepEqual(j.state.away, {});
    await g.lx.wait(g.gameId, (s) => s.away.O === undefined, 10000, "O back");
    await ok(g.sx, "move", { gameId: g.gameId, cell: 0 });
    await ok(back, "move", { gameId: g.gameId, cell: 1 });
    // Leaving the room is going away.
    await ok(back, "leaveGame", { gameId: g.gameId });
    const left = await g.lx.wait(g.gameId, (s) => s.away.O !== undefined, 10000, "O away again");
    assert.equal(left.status, "playing");
    await ok(back, "joinGame", { gameId: g.gameId });
    await g.lx.wait(g.gameId, (s) => s.away.O === undefined && s.version > left.version, 10000, "O back again");
  });
});
