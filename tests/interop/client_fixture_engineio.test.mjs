// Interop: the engine.io-client suite's fixture (sio-client-fixture --suite engine.io-client, see
// README.md) driven by the official npm `engine.io-client`: the handshake settings, "hi" on open, the
// echo and its special messages, the cookies of the handshake response, allowRequest's `deny` and the
// 100-byte maxPayload, so that the fixture stays right between runs of the official suite
// (scripts/run-official-suites.sh).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { EngineSocket } from "../js/index.mjs";
import { serverCommand, startServer, waitFor, withTimeout, toBuffer } from "./helpers.mjs";

const MODES = {
  polling: { transports: ["polling"], upgrade: false },
  websocket: { transports: ["websocket"], upgrade: false },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
};

let server;
const open = new Set();

before(async () => {
  server = await startServer({
    command: serverCommand("SIO_CLIENT_FIXTURE", {
      args: ["--suite", "engine.io-client"],
      hint: "point it at build/bin/sio-client-fixture or tests/interop/client-fixture-reference.mjs",
    }),
  });
});
after(async () => {
  for (const s of open) s.close();
  await server.stop();
});

/** A socket whose messages queue up from the start: `await socket.next()` takes the oldest. */
function connect(mode, opts = {}) {
  const socket = new EngineSocket(server.url, { ...MODES[mode], ...opts });
  open.add(socket);
  socket.on("close", () => open.delete(socket));
  const queue = [];
  const waiting = [];
  socket.on("message", (data) => (waiting.length ? waiting.shift()(data) : queue.push(data)));
  socket.next = () =>
    withTimeout(
      queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r)),
      5000,
      "a message"
    );
  return socket;
}

async function opened(mode, opts) {
  const socket = connect(mode, opts);
  const upgraded = mode === "upgrade" ? waitFor(socket, "upgrade", { failOn: ["close"] }) : null;
  await waitFor(socket, "open", { failOn: ["error", "close"] });
  assert.equal(await socket.next(), "hi");
  if (upgraded) await upgraded;
  return socket;
}

describe("engine.io-client fixture: handshake", () => {
  it("answers at /engine.io/ with pingInterval 500, maxPayload 100 and four cookies", async () => {
    const r = await fetch(`${server.url}/engine.io/?EIO=4&transport=polling`);
    assert.equal(r.status, 200);
    const body = await r.text();
    const handshake = JSON.parse(body.slice(1));
    assert.equal(handshake.pingInterval, 500);
    assert.equal(handshake.pingTimeout, 20000);
    assert.equal(handshake.maxPayload, 100);
    const cookies = r.headers.getSetCookie();
    assert.deepEqual(cookies.slice(0, 3), [
      "1=1; Max-Age=86400",
      "2=2; Path=/; HttpOnly; Secure; SameSite=Strict",
      "3=3; Max-Age=0",
    ]);
    assert.match(cookies[3], /^4=4; Expires=\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.equal(cookies.length, 4);
  });

  it("refuses handshakes whose query has `deny`, over polling and websocket", async () => {
    const r = await fetch(`${server.url}/engine.io/?EIO=4&transport=polling&deny=1`);
    assert.equal(r.status, 403);
    assert.deepEqual(await r.json(), { code: 4, message: "Forbidden" });
    for (const mode of ["polling", "websocket"]) {
      const socket = connect(mode, { query: { deny: 1 } });
      await waitFor(socket, "error", { failOn: ["open"] });
    }
  });
});

for (const mode of Object.keys(MODES)) {
  describe(`engine.io-client fixture over ${mode}`, () => {
    it('sends "hi", then echoes text and binary messages', async () => {
      const socket = await opened(mode);
      socket.send("cash money €€€");
      assert.equal(await socket.next(), "cash money €€€");
      socket.send(new Uint8Array([5, 6, 7]));
      assert.deepEqual([...toBuffer(await socket.next())], [5, 6, 7]);
      socket.close();
    });

    it('answers "give binary" with the bytes 0..4 and "give utf8" with a Russian sentence', async () => {
      const socket = await opened(mode);
      socket.send("give binary");
      assert.deepEqual([...toBuffer(await socket.next())], [0, 1, 2, 3, 4]);
      socket.send("give utf8");
      assert.equal(await socket.next(), "пойду спать всем спокойной ночи");
      socket.close();
    });

    it("closes a session that sends more than 100 bytes at once", async () => {
      const socket = await opened(mode);
      const closed = waitFor(socket, "close");
      socket.send("a".repeat(101));
      assert.equal(await closed, mode === "polling" ? "transport error" : "transport close");
    });
  });
}

describe("engine.io-client fixture: sendHeaders", () => {
  it("shows the cookies of the handshake coming back with withCredentials", async () => {
    const socket = await opened("polling", { withCredentials: true });
    socket.send("sendHeaders");
    assert.equal(JSON.parse(await socket.next()).cookie, "1=1; 2=2");
    socket.close();
  });

  it("shows no cookie without withCredentials", async () => {
    const socket = await opened("polling", { withCredentials: false });
    socket.send("sendHeaders");
    assert.equal(JSON.parse(await socket.next()).cookie, undefined);
    socket.close();
  });
});
