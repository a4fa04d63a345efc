// Interop: the official npm `engine.io-client` (v6) against the conformance server's Engine.IO echo at
// /engine.io/ (pingInterval 300, maxPayload 1e6), over polling only, websocket only and polling
// upgraded to websocket. The ping timeout is widened to 5 s: pings still come every 300 ms, but a
// loaded machine that stalls a process for a moment does not end a session mid-test.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { EngineSocket } from "../js/index.mjs";
import { startServer, waitFor, waitForArgs, withTimeout, pattern, toBuffer } from "./helpers.mjs";

const MODES = {
  polling: { transports: ["polling"], upgrade: false },
  websocket: { transports: ["websocket"], upgrade: false },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
};
const FINAL_TRANSPORT = { polling: "polling", websocket: "websocket", upgrade: "websocket" };

const HEARTBEAT = ["--ping-timeout", "5000"];
let server;
const open = new Set();
const closeReasons = new WeakMap();

before(async () => {
  server = await startServer({ args: HEARTBEAT });
});
after(async () => {
  for (const s of open) s.close();
  await server.stop();
});

function connect(mode, url = server.url) {
  const socket = new EngineSocket(url, { path: "/engine.io/", ...MODES[mode] });
  open.add(socket);
  socket.on("close", (reason) => {
    open.delete(socket);
    closeReasons.set(socket, reason);
  });
  return socket;
}

/** Connects and, in upgrade mode, waits until the transport is websocket. */
async function connected(mode, url) {
  const socket = connect(mode, url);
  const upgraded =
    mode === "upgrade" ? waitFor(socket, "upgrade", { failOn: ["upgradeError", "close"] }) : null;
  await waitFor(socket, "open", { failOn: ["error", "close"] });
  if (upgraded) await upgraded;
  assert.equal(socket.transport.name, FINAL_TRANSPORT[mode]);
  return socket;
}

async function closed(socket) {
  if (closeReasons.has(socket)) {
    throw new Error(`the session had already closed: ${closeReasons.get(socket)}`);
  }
  const done = waitForArgs(socket, "close");
  socket.close();
  return done;
}

for (const mode of Object.keys(MODES)) {
  describe(`engine.io-client over ${mode}`, () => {
    it("opens a session with the configured handshake", async () => {
      const socket = connect(mode);
      // "open" follows "handshake" synchronously: wait for both at once.
      const opened = waitFor(socket, "open", { failOn: ["error", "close"] });
      const upgraded = mode === "upgrade" ? waitFor(socket, "upgrade", { failOn: ["upgradeError"] }) : null;
      const handshake = await waitFor(socket, "handshake", { failOn: ["error", "close"] });
      assert.match(handshake.sid, /^[A-Za-z0-9_-]{20,}$/);
      assert.equal(handshake.pingInterval, 300);
      assert.equal(handshake.pingTimeout, 5000);
      assert.equal(handshake.maxPayload, 1000000);
      assert.deepEqual(handshake.upgrades, mode === "websocket" ? [] : ["websocket"]);
      await opened;
      assert.equal(socket.id, handshake.sid);
      if (upgraded) assert.equal((await upgraded).name, "websocket");
      const [reason] = await closed(socket);
      assert.equal(reason, "forced close");
    });

    it("echoes text messages, including multi-byte UTF-8", async () => {
      const socket = await connected(mode);
      // Not in the list: an empty message (engine.io-client hands it over as undefined) and \x1e (the
      // polling record separator, which the protocol cannot carry in text).
      for (const text of ["hello", "héllo wörld ✓ 🎉", '{"json":[1,2]}', "4 2 probe", "\u0000\n\r\t"]) {
        const echoed = waitFor(socket, "message");
        socket.send(text);
        assert.equal(await echoed, text);
      }
      await closed(socket);
    });

    it("echoes binary messages byte for byte", async () => {
      const socket = await connected(mode);
      for (const bytes of [pattern(1), pattern(256), pattern(65537, 7), Buffer.alloc(0)]) {
        const echoed = waitFor(socket, "message");
        socket.send(bytes);
        const data = await echoed;
        assert.notEqual(typeof data, "string", "binary came back as text");
        assert.ok(toBuffer(data).equals(bytes), `binary echo of ${bytes.length} bytes differs`);
      }
      await closed(socket);
    });

    it("delivers many mixed messages in order", async () => {
      // The first window is sent right after open: in upgrade mode it straddles the switch from polling
      // to websocket. Then one message per echo, so a burst never starves the 300 ms heartbeat.
      const socket = connect(mode);
      await waitFor(socket, "open", { failOn: ["error", "close"] });
      const count = 3000;
      const window = 250;
      const message = (i) => (i % 5 === 4 ? Buffer.from([i & 0xff, i >> 8]) : `m${i}`);
      const got = [];
      let sent = 0;
      const done = new Promise((resolve) => {
        socket.on("message", (data) => {
          got.push(data);
          if (sent < count) socket.send(message(sent++));
          if (got.length === count) resolve();
        });
      });
      while (sent < window) socket.send(message(sent++));
      await withTimeout(done, 60000, () => `${count} echoes (got ${got.length})`);
      for (let i = 0; i < count; i++) {
        if (i % 5 === 4) {
          assert.ok(toBuffer(got[i]).equals(message(i)), `message ${i} out of order`);
        } else {
          assert.equal(got[i], message(i), `message ${i} out of order`);
        }
      }
      if (mode === "upgrade" && socket.transport.name !== "websocket") {
        await waitFor(socket, "upgrade", { failOn: ["upgradeError", "close"] });
      }
      await closed(socket);
    });

    it("echoes payloads near maxPayload", async () => {
      const socket = await connected(mode);
      // One packet plus its framing stays under maxPayload (1e6) on every transport; binary over
      // polling travels as base64 (4/3 larger), so it is sized for that.
      const text = "x".repeat(999_000 - 16) + "end-✓";
      let echoed = waitFor(socket, "message", { timeout: 20000 });
      socket.send(text);
      assert.equal(await echoed, text);
      const bytes = pattern(mode === "websocket" ? 999_000 : 740_000, 3);
      echoed = waitFor(socket, "message", { timeout: 20000 });
      socket.send(bytes);
      assert.ok(toBuffer(await echoed).equals(bytes));
      await closed(socket);
    });

    it("stays open across many heartbeats", async () => {
      const socket = await connected(mode);
      let closedEarly = null;
      socket.on("close", (reason) => (closedEarly = reason));
      // pingInterval 300: ten pings is three seconds of heartbeats answered by the client.
      for (let i = 0; i < 10; i++) {
        await waitFor(socket, "ping", { timeout: 3000, failOn: ["close"] });
      }
      assert.equal(closedEarly, null);
      assert.equal(socket.readyState, "open");
      const echoed = waitFor(socket, "message");
      socket.send("still here");
      assert.equal(await echoed, "still here");
      await closed(socket);
    });

    it("detects the server going away", async () => {
      const own = await startServer({ args: HEARTBEAT });
      try {
        const socket = await connected(mode, own.url);
        const closing = waitForArgs(socket, "close", { timeout: 10000 });
        await own.kill("SIGKILL");
        const [reason] = await closing;
        // The reason depends on where the transport notices: a closed stream or a failed request.
        assert.ok(["transport close", "transport error"].includes(reason), `unexpected reason ${reason}`);
        assert.equal(socket.readyState, "closed");
      } finally {
        await own.stop();
      }
    });
  });
}

describe("engine.io-client with many sessions", () => {
  it("serves 100 concurrent sessions on mixed transports", async () => {
    const modes = Object.keys(MODES);
    const sockets = await Promise.all(
      Array.from({ length: 100 }, (_, i) => connected(modes[i % modes.length]))
    );
    assert.equal(new Set(sockets.map((s) => s.id)).size, sockets.length, "session ids are not unique");
    await Promise.all(
      sockets.map(async (s, i) => {
        const echoed = waitFor(s, "message", { timeout: 10000 });
        s.send(`hello ${i}`);
        assert.equal(await echoed, `hello ${i}`);
      })
    );
    await Promise.all(sockets.map(closed));
  });
});
