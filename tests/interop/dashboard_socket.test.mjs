// Contract tests of the live dashboard (namespace /dashboard of sio-chat) with the npm
// socket.io-client: the login, subscribe's answer (this node, its history), one `metrics` sample
// per second while subscribed and none after unsubscribe, the sockets per namespace of a sample
// following a connected client, refused arguments, and the bound on subscribe.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startChat, newUser, request, waitFor, connectAs, closeSockets } from "./chat_helpers.mjs";
import { io } from "../js/index.mjs";

const NODE = "interop-node";
let server;
let alice;
before(async () => {
  server = await startChat({ args: ["--node-name", NODE] });
  alice = await newUser(server, "alice");
});
afterEach(() => closeSockets());
after(async () => {
  closeSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

const dashboard = (user) => connectAs(server, user, {}, "/dashboard");

/** Resolves after `ms` with every `metrics` sample the socket received meanwhile. */
function samplesFor(socket, ms) {
  const got = [];
  const keep = (s) => got.push(s);
  socket.on("metrics", keep);
  return new Promise((resolve) =>
    setTimeout(() => {
      socket.off("metrics", keep);
      resolve(got);
    }, ms),
  );
}

function checkSample(s) {
  assert.equal(s.node, NODE);
  for (const key of ["at", "connections", "rooms", "packetsInPerS", "packetsOutPerS", "bytesInPerS",
                     "bytesOutPerS", "rssBytes", "cpuPct"])
    assert.equal(typeof s[key], "number", `${key} in ${JSON.stringify(s)}`);
  assert.ok(Array.isArray(s.loopLagMs) && s.loopLagMs.length >= 1);
  assert.ok(s.loopLagMs.every((v) => typeof v === "number" && v >= 0));
  assert.equal(typeof s.sockets, "object");
  assert.ok(s.rssBytes > 0);
}

describe("namespace /dashboard", () => {
  it("refuses a connection without a valid token", async () => {
    const socket = io(`${server.url}/dashboard`, { transports: ["websocket"], reconnection: false, forceNew: true });
    const err = await waitFor(socket, "connect_error");
    assert.equal(err.message, "unauthorized");
    socket.disconnect();
  });

  it("answers subscribe with this node and its history, then sends about one sample per second", async () => {
    const socket = await dashboard(alice);
    const first = waitFor(socket, "metrics", { timeout: 5000 });
    const ack = await request(socket, "subscribe");
    assert.equal(ack.success, true, JSON.stringify(ack));
    checkSample(await first);
    const later = await request(socket, "subscribe", {});  // again: the same answer, still subscribed
    assert.equal(later.success, true);
    assert.deepEqual(later.nodes.map((n) => n.node), [NODE]);
    assert.equal(typeof later.nodes[0].lastAt, "number");
    assert.ok(later.history.length >= 1);
    for (const s of later.history) checkSample(s);
    for (let i = 1; i < later.history.length; i++) assert.ok(later.history[i - 1].at <= later.history[i].at);

    const samples = await samplesFor(socket, 3500);
    assert.ok(samples.length >= 2 && samples.length <= 5, `${samples.length} samples in 3.5 s`);
    for (const s of samples) {
      checkSample(s);
      assert.ok(s.connections >= 1 && s.sockets["/dashboard"] >= 1, "this client is counted");
    }
  });

  it("stops the samples on unsubscribe", async () => {
    const socket = await dashboard(alice);
    assert.equal((await request(socket, "subscribe")).success, true);
    await waitFor(socket, "metrics", { timeout: 5000 });
    assert.deepEqual(await request(socket, "unsubscribe"), { success: true });
    const after = await samplesFor(socket, 2500);
    assert.deepEqual(after, []);
  });

  it("counts a connected client in the sockets of its namespace", async () => {
    const socket = await dashboard(alice);
    assert.equal((await request(socket, "subscribe")).success, true);
    const auction = await connectAs(server, alice, {}, "/auction");
    const seen = await waitFor(socket, "metrics", { timeout: 5000, filter: (s) => s.sockets["/auction"] >= 1 });
    assert.ok(seen.sockets["/dashboard"] >= 1);
    auction.disconnect();
    await waitFor(socket, "metrics", { timeout: 5000, filter: (s) => (s.sockets["/auction"] ?? 0) === 0 });
  });

  it("refuses arguments to subscribe and unsubscribe, and keeps serving", async () => {
    const socket = await dashboard(alice);
    for (const bad of [1, "x", [1], { nodes: 1 }]) {
      const ack = await request(socket, "subscribe", bad);
      assert.equal(ack.success, false);
      assert.equal(typeof ack.error, "string");
    }
    assert.equal((await request(socket, "unsubscribe", { x: 1 })).success, false);
    assert.equal((await request(socket, "subscribe")).success, true);
  });

  it("bounds subscribe per user, across the user's sockets, and serves the others", async () => {
    const bo = await newUser(server, "bo");
    const [one, two] = [await dashboard(bo), await dashboard(bo)];
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await request(i % 2 ? two : one, "subscribe"));
    assert.ok(answers.every((a) => a.success), JSON.stringify(answers.map((a) => a.error)));
    assert.deepEqual(await request(one, "subscribe"), { success: false, error: "Too many requests" });
    assert.deepEqual(await request(two, "subscribe"), { success: false, error: "Too many requests" });
    assert.equal((await request(await dashboard(alice), "subscribe")).success, true);
    await waitFor(one, "metrics", { timeout: 5000 });  // still subscribed, still served
  });
});
