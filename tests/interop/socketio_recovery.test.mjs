// Interop: connection state recovery with the official npm `socket.io-client` (v4), against the
// conformance server started with `--recovery MS` (namespace "/test", hooks in README.md). A client
// whose transport is closed under it comes back with the same id and `socket.recovered === true`,
// receives the broadcasts it missed exactly once (before its "connect" event, as from Node), and
// after the window it gets a fresh socket.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, waitFor } from "./helpers.mjs";
import { MODES, client, connected, closeAll } from "./sioclient.mjs";

const WINDOW_MS = 60000;
const SHORT_WINDOW_MS = 300;

let server;
let shortServer;
before(async () => {
  [server, shortServer] = await Promise.all([
    startServer({ args: ["--recovery", String(WINDOW_MS)] }),
    startServer({ args: ["--recovery", String(SHORT_WINDOW_MS)] }),
  ]);
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await Promise.all([server.stop(), shortServer.stop()]);
});

/** Emits a hook event and waits for the server's ack. */
function call(socket, event, ...args) {
  return socket.timeout(10000).emitWithAck(event, ...args);
}

/** Records, in order, the "broadcast" payloads and the connect/disconnect events of a socket. */
function journal(socket) {
  const log = [];
  socket.on("broadcast", (payload) => log.push(`broadcast:${payload}`));
  socket.on("connect", () => log.push("connect"));
  socket.on("disconnect", (reason) => log.push(`disconnect:${reason}`));
  return log;
}

/** Has `sender` broadcast a marker to the namespace and waits until `socket` received it. */
async function settle(socket, sender, marker) {
  const got = waitFor(socket, "broadcast", { timeout: 10000, filter: (p) => p === marker });
  await call(sender, "broadcast-all", marker);
  await got;
}

/** A (in room "r", with an offset from a first broadcast) and B (the sender), both connected. */
async function pair(srv, mode, opts = {}) {
  const a = client(srv, mode, { nsp: "/test", ...opts });
  const b = client(srv, "websocket", { nsp: "/test" });
  await Promise.all([connected(a, mode), connected(b)]);
  await call(a, "join", "r");
  const first = waitFor(a, "broadcast", { timeout: 10000 });
  await call(b, "broadcast-to", "r", "before");
  assert.equal(await first, "before");
  return { a, b };
}

/**
 * Closes A's transport under its Engine.IO socket ("transport close" on both ends, as a lost
 * connection), then (unless A reconnects by itself) waits until the server keeps A's session: the
 * close of a polling transport may reach the Socket.IO layer a moment later.
 */
async function dropTransport(a, b, { reconnects = false } = {}) {
  const before = await call(b, "stored-sessions");
  const gone = waitFor(a, "disconnect", { timeout: 10000 });
  a.io.engine.transport.close();
  assert.equal(await gone, "transport close");
  if (reconnects) return;
  const deadline = Date.now() + 10000;
  while ((await call(b, "stored-sessions")) <= before) {
    assert.ok(Date.now() < deadline, "the server did not keep the session");
    await new Promise((resolve) => setTimeout(resolve, 20)); // polling interval
  }
}

describe("connection state recovery", () => {
  for (const mode of Object.keys(MODES)) {
    it(`restores the id and delivers the missed broadcasts once, before "connect", over ${mode}`, async () => {
      const { a, b } = await pair(server, mode);
      const id = a.id;
      assert.equal(a.recovered, false);
      const log = journal(a);
      await dropTransport(a, b);
      for (const m of ["m1", "m2", "m3"]) await call(b, "broadcast-to", "r", m);
      await call(b, "broadcast-to", "elsewhere", "not-for-a");
      await call(b, "broadcast-except", "r", "excluded");
      a.connect(); // the same Manager reconnects: its CONNECT carries pid and offset
      await connected(a, mode);
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      // Its room is live again, and nothing came twice.
      await call(b, "broadcast-to", "r", "live");
      await settle(a, b, "marker");
      assert.deepEqual(log, [
        "disconnect:transport close",
        "broadcast:m1",
        "broadcast:m2",
        "broadcast:m3",
        "connect",
        "broadcast:live",
        "broadcast:marker",
      ]);
    });
  }

  it("recovers through the client's own automatic reconnection", async () => {
    const { a, b } = await pair(server, "websocket", {
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 100,
    });
    const id = a.id;
    const log = journal(a);
    const reconnected = waitFor(a.io, "reconnect", { timeout: 20000 });
    await dropTransport(a, b, { reconnects: true });
    // Sent while A is away or just back: either way each reaches it once.
    for (const m of ["m1", "m2", "m3"]) await call(b, "broadcast-to", "r", m);
    await reconnected;
    await connected(a);
    assert.equal(a.recovered, true);
    assert.equal(a.id, id);
    await settle(a, b, "marker");
    const received = log.filter((e) => e.startsWith("broadcast:"));
    assert.deepEqual(received, ["broadcast:m1", "broadcast:m2", "broadcast:m3", "broadcast:marker"]);
  });

  it("gives a fresh socket once the window has passed", async () => {
    const { a, b } = await pair(shortServer, "websocket");
    const id = a.id;
    await dropTransport(a, b);
    await call(b, "broadcast-to", "r", "missed-for-good");
    // Let the server's window (SHORT_WINDOW_MS) run out; what is asserted is the outcome.
    await new Promise((resolve) => setTimeout(resolve, SHORT_WINDOW_MS * 3));
    const log = journal(a);
    a.connect();
    await connected(a);
    assert.equal(a.recovered, false);
    assert.notEqual(a.id, id);
    // A fresh socket: not in "r" any more, and nothing replayed.
    await call(b, "broadcast-to", "r", "not-for-a");
    await settle(a, b, "marker");
    assert.deepEqual(log, ["connect", "broadcast:marker"]);
  });
});
