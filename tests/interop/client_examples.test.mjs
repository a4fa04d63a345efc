// The C++ client's example programs (examples/client) against the demo server, beside the
// official npm socket.io-client: sio-chat-client (SIO_CHAT_CLIENT) sends what is typed on its
// stdin, prints what the room receives and comes back by itself after a server restart; two
// sio-tictactoe-bot (SIO_TICTACTOE_BOT) play a game to its end; then both over HTTPS with a test
// CA (the server's certificate verified by the REST requests and by sio::client). The server is
// build/bin/sio-chat (SIO_CHAT_SERVER).
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  startChat, api, newUser, connectAs, closeSockets, request, waitFor, withTimeout, uniqueName, generalRoomId,
} from "./chat_helpers.mjs";
import { connectGame, ok } from "./tictactoe_helpers.mjs";
import { makeTestCA } from "./tls_helpers.mjs";

const running = new Set();
process.on("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

/**
 * Starts an example program: { line(re) resolves with the first stdout line matching re,
 * write(text), end() closes its stdin, exited resolves with {code, stdout, stderr} }.
 */
function program(variable, args) {
  const bin = process.env[variable];
  if (!bin) throw new Error(`${variable} is not set: point it at the built example`);
  const proc = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
  running.add(proc);
  let stdout = "";
  let stderr = "";
  const waiters = new Set();
  const check = () => {
    for (const w of [...waiters]) {
      const m = stdout.split("\n").find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  };
  proc.stdout.on("data", (chunk) => {
    stdout += chunk;
    check();
  });
  proc.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => {
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const describeOutput = () => `${bin}\nstdout:\n${stdout}\nstderr:\n${stderr}`;
  return {
    line(re, timeout = 15000) {
      const p = new Promise((resolve) => {
        waiters.add({ re, resolve });
        check();
      });
      return withTimeout(p, timeout, () => `${re} from ${describeOutput()}`);
    },
    write: (text) => proc.stdin.write(text),
    end: () => proc.stdin.end(),
    exited: (timeout = 30000) => withTimeout(exited, timeout, () => `the exit of ${describeOutput()}`),
  };
}

let server;
before(async () => {
  server = await startChat();
});
afterEach(() => closeSockets());
after(async () => {
  closeSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

describe("sio-chat-client", () => {
  it("registers, creates its room, sends typed lines and prints the room's messages", async () => {
    const username = uniqueName("cpp");
    const roomName = uniqueName("cpp-room");
    const client = program("SIO_CHAT_CLIENT", [
      "--url", server.url, "--user", username, "--password", "password123", "--register", "--room", roomName,
    ]);
    await client.line(new RegExp(`^joined #${roomName} \\(0 earlier messages\\)$`));

    const js = await newUser(server, "js");
    const rooms = (await api(server, "GET", "/api/rooms", { token: js.token })).body;
    const roomId = rooms.find((r) => r.name === roomName).roomId;
    const socket = await connectAs(server, js);
    assert.equal((await request(socket, "joinRoom", { roomId })).success, true);

    const received = waitFor(socket, "receiveMessage", { filter: (m) => m.username === username, timeout: 10000 });
    client.write("hello from C++\n");
    const m = await received;
    assert.equal(m.message, "hello from C++");
    assert.equal(m.roomId, roomId);

    socket.emit("sendMessage", { roomId, message: "hello from JS" });
    await client.line(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] ${js.username}: hello from JS$`));

    // A last line without its newline, then the end of stdin: sent, answered, then a clean exit.
    const last = waitFor(socket, "receiveMessage", { filter: (x) => x.message === "bye", timeout: 10000 });
    client.write("bye");
    client.end();
    await last;
    const exit = await client.exited();
    assert.equal(exit.code, 0, exit.stderr);
  });

  it("reconnects when the server restarts, joins its room again and sends on", async () => {
    const own = await startChat();
    let again;
    try {
      const user = await newUser(own, "cpp");
      const client = program("SIO_CHAT_CLIENT", ["--url", own.url, "--user", user.username, "--password", "password123"]);
      await client.line(/^joined #general /);
      assert.equal((await own.stop()).code, 0);
      await client.line(/^\* disconnected \(.*\), reconnecting$/);

      // The same port, database and signing secret: the client's URL and token stay good.
      again = await startChat({ dir: own.dir, args: ["--port", String(own.port)] });
      await client.line(/^\* rejoined #general$/, 30000);
      const js = await newUser(again, "js");
      const socket = await connectAs(again, js);
      assert.equal((await request(socket, "joinRoom", { roomId: await generalRoomId(again, js) })).success, true);
      const received = waitFor(socket, "receiveMessage", { filter: (m) => m.username === user.username, timeout: 10000 });
      client.write("after the restart\n");
      assert.equal((await received).message, "after the restart");
      client.end();
      const exit = await client.exited();
      assert.equal(exit.code, 0, exit.stderr);
    } finally {
      await again?.stop();
    }
  });

  it("says why it cannot sign in and exits with status 1", async () => {
    const user = await newUser(server, "cpp");
    const client = program("SIO_CHAT_CLIENT", ["--url", server.url, "--user", user.username, "--password", "wrong-password"]);
    const exit = await client.exited();
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /login .*HTTP 401/);
  });

  it("refuses a command line without a user, with its usage (status 2)", async () => {
    const exit = await program("SIO_CHAT_CLIENT", ["--url", server.url, "--password", "x"]).exited();
    assert.equal(exit.code, 2);
    assert.match(exit.stderr, /--user is required[\s\S]*usage: sio-chat-client/);
  });
});

/**
 * Two bots on `srv` (accounts they register themselves): one creates a game, the other joins
 * it; both play it to its end. Resolves with { gameId, names: [X, O], results: [X's, O's] }.
 */
async function playGame(srv, extra = []) {
  const names = [uniqueName("botx"), uniqueName("boto")];
  const bot = (name, game) =>
    program("SIO_TICTACTOE_BOT", [
      "--url", srv.url, "--user", name, "--password", "password123", "--register", "--game", game, ...extra,
    ]);
  const creator = bot(names[0], "new");
  const gameId = Number((await creator.line(/^game \d+ /)).split(" ")[1]);
  const joiner = bot(names[1], String(gameId));
  const exits = await Promise.all([creator.exited(40000), joiner.exited(40000)]);
  for (const e of exits) assert.equal(e.code, 0, e.stderr);
  const results = exits.map((e) => /^result: (\w+)$/m.exec(e.stdout)[1]);
  assert.ok(
    ["won,lost", "lost,won", "draw,draw"].includes(results.join()),
    `the bots disagree: ${results.join(", ")}`,
  );
  return { gameId, names, results };
}

describe("sio-tictactoe-bot", () => {
  it("two bots play a game to its end: one creates it, the other joins it", async () => {
    const { gameId, names, results } = await playGame(server);

    // The server's view of the finished game agrees with both bots.
    const socket = await connectGame(server, await newUser(server, "js"));
    const { role, state } = await ok(socket, "joinGame", { gameId });
    assert.equal(role, "spectator");
    assert.deepEqual([state.players.X.username, state.players.O.username], names);
    if (state.status === "draw") {
      assert.deepEqual(results, ["draw", "draw"]);
      assert.ok(state.board.every((c) => c !== null));
    } else {
      assert.equal(state.status, "won");
      assert.deepEqual(results, state.winner === "X" ? ["won", "lost"] : ["lost", "won"]);
    }
  });
});

describe("over HTTPS", () => {
  let ca;
  let tlsServer;
  before(async () => {
    ca = makeTestCA();
    const { cert, key } = ca.issue("server");
    tlsServer = await startChat({ args: ["--tls-cert", cert, "--tls-key", key] });
    assert.match(tlsServer.url, /^https:/);
  });
  after(async () => {
    await tlsServer?.stop();
    ca?.remove();
  });

  it("the bots verify the server's certificate against --ca-file and play a game", async () => {
    await playGame(tlsServer, ["--ca-file", ca.caFile]);
  });

  it("the chat client refuses a server whose certificate it cannot verify", async () => {
    const exit = await program("SIO_CHAT_CLIENT", [
      "--url", tlsServer.url, "--user", uniqueName("cpp"), "--password", "password123", "--register",
    ]).exited();
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /certificate verify failed/);
  });
});
