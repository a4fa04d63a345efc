// Interop: the official npm `socket.io-client` (v4) against server features that the protocol suite's
// configuration cannot reach. They use the conformance server's test-only namespace "/test", whose
// hooks are specified in tests/interop/README.md (and implemented by reference-server.mjs):
// middleware refusal with data, rooms and broadcast isolation, volatile drops, broadcast acks with
// timeout, server-side emit_with_ack, server-side disconnects.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, waitFor, waitForArgs, pattern, withTimeout } from "./helpers.mjs";
import { MODES, client, manager, track, connected, closeAll, normalize } from "./sioclient.mjs";

let server;
before(async () => {
  server = await startServer();
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
});

const modeNames = Object.keys(MODES);

/** Emits a hook event and waits for the server's ack; resolves with the ack's first argument. */
function call(socket, event, ...args) {
  return socket.timeout(10000).emitWithAck(event, ...args);
}

async function testClients(count, opts = {}) {
  const sockets = Array.from({ length: count }, (_, i) =>
    client(server, modeNames[i % modeNames.length], { nsp: "/test", ...opts })
  );
  await Promise.all(sockets.map((s) => connected(s, null, { timeout: 20000 })));
  return sockets;
}

let markerCount = 0;
/**
 * Runs `trigger` (which makes the server broadcast "broadcast" events), then has `sender` broadcast a
 * marker to the whole namespace. Every connection receives the server's packets in order, so what a
 * client saw before the marker is everything the trigger sent it. Returns, per client, those payloads.
 */
async function round(clients, sender, trigger) {
  const marker = `marker-${++markerCount}`;
  const seen = clients.map(() => []);
  const handlers = [];
  const markers = clients.map(
    (c, k) =>
      new Promise((resolve) => {
        const h = (payload) => {
          if (payload === marker) resolve();
          else seen[k].push(payload);
        };
        handlers.push([c, h]);
        c.on("broadcast", h);
      })
  );
  try {
    await trigger();
    await call(sender, "broadcast-all", marker);
    await withTimeout(Promise.all(markers), 15000, `${marker} at every client`);
  } finally {
    for (const [c, h] of handlers) c.off("broadcast", h);
  }
  return seen;
}

/** Expected per-client payload lists: `payload` exactly once for the indices in `who`. */
function expect(count, who, payload) {
  const set = new Set(who);
  return Array.from({ length: count }, (_, k) => (set.has(k) ? [payload] : []));
}
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

describe("namespace middleware", () => {
  for (const mode of modeNames) {
    it(`refuses with the middleware's message and data over ${mode}`, async () => {
      const socket = client(server, mode, { nsp: "/test", auth: { fail: { code: 42, why: ["no"] } } });
      const err = await waitFor(socket, "connect_error", { timeout: 10000, failOn: ["connect"] });
      assert.equal(err.message, "unauthorized");
      assert.deepEqual(err.data, { reason: { code: 42, why: ["no"] } });
      assert.equal(socket.connected, false);
      assert.equal(socket.active, false, "a middleware refusal must not be retried by the client");
    });

    it(`admits a client the middleware accepts over ${mode}`, async () => {
      const socket = client(server, mode, { nsp: "/test", auth: { user: "ok" } });
      const auth = waitFor(socket, "auth", { timeout: 10000, failOn: ["connect_error"] });
      await connected(socket, mode);
      assert.deepEqual(await auth, { user: "ok" });
    });
  }

  it("refuses one namespace and keeps the others on the same connection", async () => {
    const m = manager(server, "websocket");
    const main = track(m.socket("/"));
    await connected(main, "websocket");
    const refused = track(m.socket("/test", { auth: { fail: "nope" } }));
    const err = await waitFor(refused, "connect_error", { failOn: ["connect"] });
    assert.deepEqual(err.data, { reason: "nope" });
    const back = waitForArgs(main, "message-back");
    main.emit("message", "still connected");
    assert.deepEqual(await back, ["still connected"]);
  });
});

describe("rooms and broadcasts", () => {
  // 48 clients on mixed transports: 0-7 in room "a", 8-15 in room "b", 4 in both, 16-47 in none.
  const N = 48;
  let c;
  before(async () => {
    c = await testClients(N, { keep: true });
    await Promise.all(
      c.map((s, i) => {
        if (i === 4) return call(s, "join", ["a", "b"]);
        if (i < 8) return call(s, "join", "a");
        if (i < 16) return call(s, "join", "b");
        return null;
      })
    );
  });
  after(() => {
    for (const s of c) s.disconnect();
  });

  it("io.to(room) reaches exactly the room's members, sender included", async () => {
    const seen = await round(c, c[0], () => call(c[0], "broadcast-to", "a", "P1"));
    assert.deepEqual(seen, expect(N, range(0, 8), "P1"));
  });

  it("socket.to(room) reaches the room's members except the sender", async () => {
    const seen = await round(c, c[8], () => call(c[8], "broadcast-from", "b", "P2"));
    assert.deepEqual(seen, expect(N, [4, ...range(9, 16)], "P2"));
  });

  it("to several rooms delivers once to a member of both", async () => {
    const seen = await round(c, c[20], () => call(c[20], "broadcast-to", ["a", "b"], "P3"));
    assert.deepEqual(seen, expect(N, range(0, 16), "P3"));
  });

  it("except(room) reaches everyone outside the room", async () => {
    const seen = await round(c, c[0], () => call(c[0], "broadcast-except", "a", "P4"));
    assert.deepEqual(seen, expect(N, range(8, N), "P4"));
  });

  it("each socket is in a room named by its id", async () => {
    const seen = await round(c, c[0], () => call(c[0], "broadcast-to", c[17].id, "P5"));
    assert.deepEqual(seen, expect(N, [17], "P5"));
  });

  it("leave removes a socket from the room", async () => {
    await call(c[1], "leave", "a");
    const seen = await round(c, c[0], () => call(c[0], "broadcast-to", "a", "P6"));
    assert.deepEqual(seen, expect(N, [0, 2, 3, 4, 5, 6, 7], "P6"));
    await call(c[1], "join", "a");
  });

  it("binary payloads are broadcast intact", async () => {
    const bytes = pattern(5000, 11);
    const seen = clientsSeen(await round(c, c[9], () => call(c[9], "broadcast-to", "b", { bytes })));
    for (let k = 0; k < N; k++) {
      const member = k === 4 || (k >= 8 && k < 16);
      assert.deepEqual(seen[k], member ? [{ bytes }] : [], `client ${k}`);
    }
  });

  it("many broadcasts arrive in order at every member", async () => {
    const count = 300;
    const members = [0, 2, 3, 4, 5, 6, 7, 1];
    const got = members.map(() => []);
    const done = members.map(
      (k, j) =>
        new Promise((resolve) => {
          c[k].on("broadcast", function h(p) {
            if (typeof p !== "number") return;
            got[j].push(p);
            if (got[j].length === count) {
              c[k].off("broadcast", h);
              resolve();
            }
          });
        })
    );
    for (let i = 0; i < count; i++) c[23].emit("broadcast-to", "a", i);
    await withTimeout(Promise.all(done), 30000, "ordered broadcasts");
    for (const g of got) assert.deepEqual(g, range(0, count));
  });

  function clientsSeen(seen) {
    return seen.map(normalize);
  }
});

describe("broadcast with acks", () => {
  it("collects every member's answer, and only the answers given before the timeout", async () => {
    const members = await testClients(4);
    const [asker] = await testClients(1);
    await Promise.all(members.map((s) => call(s, "join", "ack-room")));
    members.forEach((s, i) => {
      s.on("ask", (payload, cb) => {
        if (i !== 3 || payload === "all") cb(`${i}:${payload}`);
      });
    });
    const all = await call(asker, "broadcast-with-ack", "ack-room", "all", 10000);
    assert.equal(all.err, null);
    assert.deepEqual([...all.responses].sort(), ["0:all", "1:all", "2:all", "3:all"]);
    // Member 3 stays silent: the broadcast times out with the three answers it got.
    const partial = await call(asker, "broadcast-with-ack", "ack-room", "some", 1000);
    assert.equal(partial.err, "operation has timed out");
    assert.deepEqual([...partial.responses].sort(), ["0:some", "1:some", "2:some"]);
    // An empty room answers at once with no responses.
    const none = await call(asker, "broadcast-with-ack", "nobody-here", "x", 10000);
    assert.deepEqual(none, { err: null, responses: [] });
    // A member that was disconnected is no longer asked (rooms are cleaned up on disconnect). The
    // server disconnects it, so its DISCONNECT arriving here means the server has processed it.
    const gone = waitFor(members[0], "disconnect");
    members[0].emit("disconnect-me", false);
    assert.equal(await gone, "io server disconnect");
    const after = await call(asker, "broadcast-with-ack", "ack-room", "all", 10000);
    assert.deepEqual(
      { ...after, responses: [...after.responses].sort() },
      { err: null, responses: ["1:all", "2:all", "3:all"] }
    );
  });
});

describe("server emit_with_ack", () => {
  for (const mode of modeNames) {
    it(`is answered by the client over ${mode}`, async () => {
      const socket = await connected(client(server, mode, { nsp: "/test" }), mode);
      socket.on("server-ask", (payload, cb) => cb({ got: payload }, 2, pattern(10, 1)));
      const res = await call(socket, "server-ask", "question", 10000);
      assert.deepEqual(normalize(res), { err: null, args: [{ got: "question" }, 2, pattern(10, 1)] });
      const bin = await call(socket, "server-ask", { data: pattern(3000, 5) }, 10000);
      assert.deepEqual(normalize(bin), {
        err: null,
        args: [{ got: { data: pattern(3000, 5) } }, 2, pattern(10, 1)],
      });
    });
  }

  it("times out when the client does not answer", async () => {
    const socket = await connected(client(server, "websocket", { nsp: "/test" }), "websocket");
    let asked = null;
    socket.on("server-ask", (payload) => (asked = payload));
    const res = await call(socket, "server-ask", "silent", 300);
    assert.deepEqual(res, { err: "operation has timed out", args: [] });
    assert.equal(asked, "silent");
  });
});

describe("volatile", () => {
  for (const mode of ["websocket", "polling"]) {
    it(`drops volatile packets the transport cannot take now, over ${mode}`, async () => {
      const socket = await connected(client(server, mode, { nsp: "/test" }), mode);
      const got = [];
      socket.on("volatile", (i) => got.push(i));
      const count = 1000;
      const end = waitFor(socket, "burst-end", { timeout: 10000 });
      socket.emit("volatile-burst", count);
      assert.equal(await end, count);
      assert.ok(got.length < count, `all ${count} volatile packets were delivered; none was dropped`);
      for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], "volatile packets out of order");
      // Regular packets are never dropped.
      const back = waitForArgs(socket, "message-back");
      socket.emit("message", "regular");
      assert.deepEqual(await back, ["regular"]);
    });
  }
});

describe("server-side disconnect", () => {
  for (const mode of modeNames) {
    it(`disconnect() ends the namespace only, over ${mode}`, async () => {
      const m = manager(server, mode);
      const main = track(m.socket("/"));
      const test = track(m.socket("/test"));
      await Promise.all([connected(main, mode), connected(test, mode)]);
      const reason = waitFor(test, "disconnect", { timeout: 10000 });
      test.emit("disconnect-me", false);
      assert.equal(await reason, "io server disconnect");
      assert.equal(test.active, false, "the client must not reconnect after a server disconnect");
      const back = waitForArgs(main, "message-back");
      main.emit("message", "main still up");
      assert.deepEqual(await back, ["main still up"]);
    });

    it(`disconnect(true) closes the whole connection, over ${mode}`, async () => {
      const m = manager(server, mode);
      const main = track(m.socket("/"));
      const test = track(m.socket("/test"));
      await Promise.all([connected(main, mode), connected(test, mode)]);
      const testReason = waitFor(test, "disconnect", { timeout: 10000 });
      const mainReason = waitFor(main, "disconnect", { timeout: 10000 });
      test.emit("disconnect-me", true);
      assert.equal(await testReason, "io server disconnect");
      assert.ok(["io server disconnect", "transport close"].includes(await mainReason));
    });

    it(`the client reconnects after the server drops its transport, over ${mode}`, async () => {
      const socket = client(server, mode, {
        nsp: "/test",
        reconnection: true,
        reconnectionDelay: 50,
        reconnectionDelayMax: 200,
        randomizationFactor: 0,
        auth: { who: "returning" },
      });
      await connected(socket, mode);
      const firstId = socket.id;
      const reason = waitFor(socket, "disconnect", { timeout: 10000 });
      const reconnected = waitFor(socket.io, "reconnect", { timeout: 20000 });
      socket.emit("close-transport");
      assert.equal(await reason, "transport close");
      const auth = waitFor(socket, "auth", { timeout: 20000 });
      await reconnected;
      assert.deepEqual(await auth, { who: "returning" });
      assert.ok(socket.connected);
      assert.notEqual(socket.id, firstId);
      const back = waitForArgs(socket, "message-back");
      socket.emit("message", "back again");
      assert.deepEqual(await back, ["back again"]);
    });
  }
});
