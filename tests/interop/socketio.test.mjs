// Interop: the official npm `socket.io-client` (v4) against the conformance server's Socket.IO at
// /socket.io/, configured as the Socket.IO v5 protocol test suite describes: on connection emit "auth"
// with the handshake auth; "message" echoed as "message-back"; "message-with-ack" acked with its
// arguments; namespace "/custom" emits "auth" on connection. Every case runs over websocket only,
// polling only and polling upgraded to websocket. The ping timeout and the connect timeout are
// widened to 5 s: pings still come every 300 ms, but a loaded machine that stalls a process for a
// moment does not end a session mid-test.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, waitFor, waitForArgs, pattern, withTimeout } from "./helpers.mjs";
import { MODES, client, manager, track, connected, closeAll, normalize } from "./sioclient.mjs";

const TIMEOUTS = ["--ping-timeout", "5000", "--connect-timeout", "5000"];
let server;
before(async () => {
  server = await startServer({ args: TIMEOUTS });
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
});

const JSON_CASES = [
  [],
  ["text"],
  [42],
  [-1.5e300],
  [true, false, null],
  ["héllo wörld ✓ 🎉", "\u0000\u001e\n"],
  [{ a: 1, b: [true, null, { c: "d" }], e: {} }],
  [1, "2", { 3: [4] }, [[[]]]],
];

for (const mode of Object.keys(MODES)) {
  describe(`socket.io-client over ${mode}`, () => {
    it("connects to the main namespace and receives its handshake auth", async () => {
      const socket = client(server, mode, { auth: { token: "abc", n: [1, 2] } });
      const auth = waitFor(socket, "auth", { failOn: ["connect_error"] });
      await connected(socket, mode);
      assert.deepEqual(await auth, { token: "abc", n: [1, 2] });
      assert.ok(socket.id, "socket id missing");
      assert.notEqual(socket.id, socket.io.engine.id, "socket id must differ from the engine id");
    });

    it("receives an empty auth object when none is sent", async () => {
      const socket = client(server, mode);
      const auth = waitFor(socket, "auth", { failOn: ["connect_error"] });
      await connected(socket, mode);
      assert.deepEqual(await auth, {});
    });

    it("echoes JSON arguments", async () => {
      const socket = await connected(client(server, mode), mode);
      for (const args of JSON_CASES) {
        const back = waitForArgs(socket, "message-back");
        socket.emit("message", ...args);
        assert.deepEqual(await back, args);
      }
    });

    it("treats a placeholder-shaped object in a plain event as ordinary JSON, as Node does", async () => {
      const socket = await connected(client(server, mode), mode);
      const args = [
        { _placeholder: true, num: 0 },
        { _placeholder: true, num: 7 },
      ];
      const back = waitForArgs(socket, "message-back", { failOn: ["disconnect"] });
      socket.emit("message", ...args);
      assert.deepEqual(await back, args);
    });

    it("echoes binary arguments at any depth", async () => {
      const socket = await connected(client(server, mode), mode);
      const cases = [
        [pattern(1)],
        [pattern(1000, 1), "text", pattern(3, 2)],
        [{ file: pattern(70000, 3), meta: { name: "f", parts: [pattern(5, 4), 7] } }],
        [Buffer.alloc(0)],
        Array.from({ length: 10 }, (_, i) => pattern(i + 1, i)),
        [new Uint8Array([1, 2, 3]).buffer],
      ];
      for (const args of cases) {
        const back = waitForArgs(socket, "message-back");
        socket.emit("message", ...args);
        assert.deepEqual(normalize(await back), normalize(args));
      }
    });

    it("gets acks with the same arguments (emitWithAck and callbacks)", async () => {
      const socket = await connected(client(server, mode), mode);
      assert.deepEqual(await socket.emitWithAck("message-with-ack", { x: 1 }), { x: 1 });
      assert.equal(
        await socket.timeout(5000).emitWithAck("message-with-ack", "with timeout"),
        "with timeout"
      );
      const args = await withTimeout(
        new Promise((resolve) =>
          socket.emit("message-with-ack", 1, "two", [3], { four: null }, (...a) => resolve(a))
        ),
        5000,
        "ack"
      );
      assert.deepEqual(args, [1, "two", [3], { four: null }]);
      const bin = await socket.emitWithAck("message-with-ack", { data: pattern(2000, 9) });
      assert.deepEqual(normalize(bin), { data: pattern(2000, 9) });
      const none = await withTimeout(
        new Promise((resolve) => socket.emit("message-with-ack", (...a) => resolve(a))),
        5000,
        "ack without arguments"
      );
      assert.deepEqual(none, []);
      // Many acks in flight at once, each answered with its own arguments.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => socket.timeout(10000).emitWithAck("message-with-ack", i))
      );
      assert.deepEqual(
        answers,
        Array.from({ length: 200 }, (_, i) => i)
      );
    });

    it("multiplexes namespaces over one connection", async () => {
      const m = manager(server, mode);
      const main = track(m.socket("/", { auth: { which: "main" } }));
      const custom = track(m.socket("/custom", { auth: { which: "custom" } }));
      assert.notEqual(custom, main);
      const mainAuth = waitFor(main, "auth", { failOn: ["connect_error"] });
      const customAuth = waitFor(custom, "auth", { failOn: ["connect_error"] });
      await Promise.all([connected(main, mode), connected(custom, mode)]);
      assert.deepEqual(await mainAuth, { which: "main" });
      assert.deepEqual(await customAuth, { which: "custom" });
      assert.equal(main.io.engine, custom.io.engine, "namespaces must share the engine connection");
      assert.notEqual(main.id, custom.id);
      // Leaving one namespace keeps the other working on the same connection.
      const engineId = main.io.engine.id;
      custom.disconnect();
      const back = waitForArgs(main, "message-back");
      main.emit("message", "still here");
      assert.deepEqual(await back, ["still here"]);
      assert.equal(main.io.engine.id, engineId);
      // And the namespace can be joined again on the same connection.
      const againAuth = waitFor(custom, "auth", { failOn: ["connect_error"] });
      custom.connect();
      await connected(custom, mode);
      assert.deepEqual(await againAuth, { which: "custom" });
      assert.equal(custom.io.engine.id, engineId);
    });

    it("refuses an unknown namespace with Invalid namespace and keeps the connection", async () => {
      const m = manager(server, mode);
      const main = track(m.socket("/"));
      await connected(main, mode);
      const random = track(m.socket("/random"));
      const err = await waitFor(random, "connect_error", { failOn: ["connect"] });
      assert.equal(err.message, "Invalid namespace");
      assert.equal(random.connected, false);
      assert.equal(main.connected, true);
      const back = waitForArgs(main, "message-back");
      main.emit("message", "after refusal");
      assert.deepEqual(await back, ["after refusal"]);
    });

    it("delivers thousands of events in order, both ways", async () => {
      const socket = await connected(client(server, mode), mode);
      // At most `window` events in flight, so a burst never starves the 300 ms heartbeat of a busy
      // machine; order is checked over the whole stream.
      const count = 5000;
      const window = 250;
      const got = [];
      let sent = 0;
      const done = new Promise((resolve) => {
        socket.on("message-back", (i) => {
          got.push(i);
          if (sent < count) socket.emit("message", sent++);
          if (got.length === count) resolve();
        });
      });
      while (sent < window) socket.emit("message", sent++);
      await withTimeout(done, 60000, () => `${count} "message-back" events (got ${got.length})`);
      assert.deepEqual(
        got,
        Array.from({ length: count }, (_, i) => i)
      );
    });

    it("reconnects after the server goes away and comes back", async () => {
      const own = await startServer({ args: TIMEOUTS });
      try {
        const socket = client(own, mode, {
          reconnection: true,
          reconnectionDelay: 50,
          reconnectionDelayMax: 200,
          randomizationFactor: 0,
          auth: { round: 1 },
        });
        const firstAuth = waitFor(socket, "auth");
        await connected(socket, mode);
        await firstAuth;
        const firstId = socket.id;
        const gone = waitFor(socket, "disconnect", { timeout: 10000 });
        await own.kill("SIGKILL");
        const reason = await gone;
        assert.ok(["transport close", "transport error"].includes(reason), `unexpected reason ${reason}`);
        assert.equal(socket.active, true, "the client must keep trying after a transport loss");
        const back = await startServer({ port: own.port, args: TIMEOUTS });
        try {
          const authAgain = waitFor(socket, "auth", { timeout: 20000 });
          await waitFor(socket, "connect", { timeout: 20000 });
          assert.deepEqual(await authAgain, { round: 1 });
          assert.notEqual(socket.id, firstId);
          const echoed = waitForArgs(socket, "message-back");
          socket.emit("message", "after reconnect");
          assert.deepEqual(await echoed, ["after reconnect"]);
          socket.disconnect();
        } finally {
          await back.stop();
        }
      } finally {
        await own.stop();
      }
    });
  });
}

describe("socket.io-client at scale", () => {
  it("serves hundreds of concurrent clients", async (t) => {
    // Its own server with Node's default heartbeat and connect timeout: hundreds of clients in
    // this one process can delay its timers past the protocol suite's 500 ms heartbeat budget
    // (pingInterval + pingTimeout) and their CONNECTs past its 1 s connect timeout.
    const server = await startServer({
      args: ["--ping-interval", "25000", "--ping-timeout", "20000", "--connect-timeout", "45000"],
    });
    t.after(() => server.stop());
    // Mostly websocket: each polling client costs a request per heartbeat in this one process.
    const modes = [
      ...Array(300).fill("websocket"),
      ...Array(40).fill("polling"),
      ...Array(20).fill("upgrade"),
    ];
    const count = modes.length;
    // Connected in batches of 60: a burst of hundreds of handshakes in this one process could delay
    // its timers past the 500 ms heartbeat budget (pingInterval + pingTimeout) of the earlier clients.
    const sockets = [];
    for (let first = 0; first < count; first += 60) {
      const batch = modes
        .slice(first, first + 60)
        .map((mode, j) => client(server, mode, { auth: { i: first + j } }));
      sockets.push(...batch);
      const auths = await Promise.all(
        batch.map((s) =>
          Promise.all([
            waitFor(s, "auth", { timeout: 30000, failOn: ["connect_error", "disconnect"] }),
            connected(s, null, { timeout: 30000 }),
          ]).then(([auth]) => auth)
        )
      );
      assert.deepEqual(
        auths,
        batch.map((_, j) => ({ i: first + j }))
      );
    }
    assert.equal(new Set(sockets.map((s) => s.id)).size, count, "socket ids are not unique");
    const echoes = await Promise.all(
      sockets.map((s, i) => {
        const back = waitForArgs(s, "message-back", { timeout: 30000 });
        s.emit("message", i, `from ${i}`);
        return back;
      })
    );
    assert.deepEqual(
      echoes,
      sockets.map((_, i) => [i, `from ${i}`])
    );
    const acks = await Promise.all(
      sockets.map((s, i) => s.timeout(30000).emitWithAck("message-with-ack", i))
    );
    assert.deepEqual(
      acks,
      sockets.map((_, i) => i)
    );
  });
});
