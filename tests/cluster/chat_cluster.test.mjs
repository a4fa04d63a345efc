// sio-chat as a cluster behind nginx (deploy/cluster.sh): three nodes on one Redis (the sio Redis
// adapter) and one PostgreSQL database, nginx with sticky sessions in front, all on loopback and
// started by the test. Clients are the official npm socket.io-client, over polling only and over
// WebSocket. nginx balances cookie-less clients by a hash of their address, so each client binds
// to a loopback source address (127.0.0.x) picked to land on the node the test wants; after that,
// nginx's `sio_node` cookie keeps each polling client on its node.
//
// SIO_CHAT_SERVER: build/bin/sio-chat (built with the Redis adapter). SIO_CLUSTER_SCRIPT:
// deploy/cluster.sh (default: the one of this repository).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import http from "node:http";
import { io } from "../js/index.mjs";
import {
  api,
  request,
  startChat,
  uniqueName,
  waitFor,
  withTimeout,
} from "../interop/chat_helpers.mjs";
import { startRedis } from "../interop/redis_helpers.mjs";
import { freePort, startCluster } from "./cluster_helpers.mjs";
import { createClient } from "../js/redis.mjs";

const HOST = "127.0.0.1";
const NODES = 3;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what, fn, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET from a given loopback source address: { status, headers }. */
function getFrom(url, localAddress) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.get(url, { localAddress, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
      });
      req.on("error", reject);
    }),
    5000,
    `GET ${url}`,
  );
}

/**
 * The node nginx sends a cookie-less client from `localAddress` to: a handshake nginx balances
 * like any first request, refused by the node (EIO=3) so that no session is left behind; the
 * sio_node cookie of the answer names the node.
 */
async function nodeOf(url, localAddress) {
  const res = await getFrom(`${url}/socket.io/?EIO=3&transport=polling`, localAddress);
  const cookies = [].concat(res.headers["set-cookie"] ?? []).join(";");
  return /sio_node=(n\d+)/.exec(cookies)?.[1];
}

/** One loopback source address per node: { n0: "127.0.0.x", ... }. */
async function addressPerNode(url) {
  const found = {};
  for (let i = 2; i < 255 && Object.keys(found).length < NODES; i++) {
    const addr = `127.0.0.${i}`;
    const node = await nodeOf(url, addr);
    if (node && !found[node]) found[node] = addr;
  }
  assert.equal(Object.keys(found).length, NODES, `addresses for every node: ${JSON.stringify(found)}`);
  return found;
}

async function newUser(baseUrl) {
  const server = { url: baseUrl };
  const username = uniqueName("cl");
  const password = "password123";
  const reg = await api(server, "POST", "/api/register", { body: { username, password } });
  assert.equal(reg.status, 201, reg.text);
  const login = await api(server, "POST", "/api/login", { body: { username, password } });
  assert.equal(login.status, 200, login.text);
  return { ...login.body, password };
}

/**
 * A chat user's connection the way the front end keeps it: reconnects by itself and joins its
 * rooms again on every connect ("rejoined" once the acks are back); records what it receives.
 */
class ChatClient extends EventEmitter {
  constructor(url, user, { transport, localAddress, reconnection = true, keepAlive = true }) {
    super();
    this.user = user;
    this.rooms = new Set();
    this.messages = [];
    this.disconnects = 0;
    this.socket = io(url, {
      transports: [transport],
      withCredentials: true, // the Node client keeps cookies (nginx's sio_node) only then
      agent: (this.agent = new http.Agent({ localAddress, keepAlive })),
      auth: { token: user.token },
      forceNew: true,
      reconnection,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1000,
      timeout: 5000,
    });
    this.socket.on("receiveMessage", (m) => {
      this.messages.push(m);
      this.emit("message", m);
    });
    this.socket.on("disconnect", () => (this.disconnects += 1));
    this.socket.on("connect", async () => {
      for (const roomId of this.rooms) await request(this.socket, "joinRoom", { roomId }, 10000);
      this.emit("rejoined");
    });
  }
  connected() {
    return this.socket.connected ? Promise.resolve() : waitFor(this.socket, "connect", { timeout: 15000 });
  }
  /** The node named by nginx's cookie (polling clients keep it in their cookie jar). */
  node() {
    const jar = this.socket.io.engine?._cookieJar;
    if (!jar) return undefined;
    for (const [name, cookie] of jar.cookies) if (name === "sio_node") return cookie.value;
    return undefined;
  }
  async join(roomId) {
    this.rooms.add(roomId);
    const ack = await request(this.socket, "joinRoom", { roomId }, 10000);
    assert.equal(ack.success, true, JSON.stringify(ack));
    return ack;
  }
  async send(roomId, message) {
    const ack = await request(this.socket, "sendMessage", { roomId, message }, 10000);
    assert.equal(ack.success, true, JSON.stringify(ack));
    return ack;
  }
  /** Resolves with the first message (already received or coming) with this text. */
  receive(text, timeout = 10000) {
    const have = this.messages.find((m) => m.message === text);
    if (have) return Promise.resolve(have);
    return waitFor(this, "message", { timeout, filter: (m) => m.message === text });
  }
  close() {
    this.socket.disconnect();
  }
}

describe("sio-chat cluster behind nginx (Redis adapter, PostgreSQL)", { concurrency: false }, () => {
  let cluster;
  let general;
  let addr;
  const users = {};
  const clients = {};
  const restarted = [];

  before(async () => {
    cluster = await startCluster({ nodes: NODES });
    for (const name of ["alice", "bob", "carol", "dave", "erin"]) users[name] = await newUser(cluster.url);
    const rooms = await api({ url: cluster.url }, "GET", "/api/rooms", { token: users.alice.token });
    assert.equal(rooms.status, 200, rooms.text);
    general = rooms.body.find((r) => r.name === "general");
    assert.ok(general, rooms.text);
  });

  after(async () => {
    for (const c of Object.values(clients)) c.close();
    for (const p of restarted) if (p.exitCode === null) p.kill("SIGTERM");
    if (cluster) await cluster.stop();
  });

  test("every node uses the one PostgreSQL database", async () => {
    const [a, b, c] = cluster.nodeUrls.map((url) => ({ url }));
    // Nodes started together: one schema migration, one seeded room, one shared JWT secret.
    for (const node of [a, b, c]) {
      const rooms = await api(node, "GET", "/api/rooms", { token: users.bob.token });
      assert.equal(rooms.status, 200, `a token from any node works on ${node.url}: ${rooms.text}`);
      assert.equal(rooms.body.filter((r) => r.name === "general").length, 1);
    }
    const login = await api(c, "POST", "/api/login", {
      body: { username: users.erin.username, password: users.erin.password },
    });
    assert.equal(login.status, 200, "a user registered through nginx logs in on node C");

    // History written on node A is read on node B (REST) and node C (joinRoom history).
    const writer = io(a.url, { transports: ["websocket"], auth: { token: users.erin.token }, forceNew: true });
    try {
      await waitFor(writer, "connect");
      assert.equal((await request(writer, "joinRoom", { roomId: general.roomId })).success, true);
      const text = `written on A ${Date.now()}`;
      const sent = await request(writer, "sendMessage", { roomId: general.roomId, message: text });
      assert.equal(sent.success, true, JSON.stringify(sent));
      const history = await api(b, "GET", `/api/rooms/${general.roomId}/messages?limit=50`, { token: users.bob.token });
      assert.equal(history.status, 200, history.text);
      const found = history.body.find((m) => m.message === text);
      assert.ok(found, `node B reads it: ${history.text}`);
      assert.equal(found.id, sent.id);
      assert.equal(found.username, users.erin.username);

      const reader = io(c.url, { transports: ["websocket"], auth: { token: users.bob.token }, forceNew: true });
      try {
        await waitFor(reader, "connect");
        const joined = await request(reader, "joinRoom", { roomId: general.roomId });
        assert.ok(joined.history.some((m) => m.id === sent.id), "node C's joinRoom history has it");
      } finally {
        reader.disconnect();
      }
    } finally {
      writer.disconnect();
    }
  });

  test("no token or session cookie crosses Redis", async () => {
    const spy = createClient({ url: cluster.redisUrl });
    const seen = [];
    await spy.connect();
    await spy.pSubscribe("*", (message, channel) => seen.push({ channel: String(channel), message }), true);
    const [a, b] = cluster.nodeUrls;
    const owner = await newUser(cluster.url);
    const peer = await newUser(cluster.url);
    // A cookie session as the browser keeps it (Set-Cookie of a login through nginx).
    const login = await api({ url: cluster.url }, "POST", "/api/login", {
      body: { username: owner.username, password: owner.password },
    });
    const cookie = /token=([^;]+)/.exec(login.headers.get("set-cookie"))?.[1];
    assert.ok(cookie, "the login set the session cookie");
    const byCookie = io(a, { transports: ["websocket"], forceNew: true, extraHeaders: { cookie: `token=${cookie}` } });
    const byToken = io(b, {
      transports: ["polling"],
      forceNew: true,
      auth: { token: peer.token },
      extraHeaders: { authorization: `Bearer ${peer.token}` },
    });
    try {
      await Promise.all([waitFor(byCookie, "connect"), waitFor(byToken, "connect")]);
      const two = waitFor(byCookie, "onlineUsersInRoom", {
        timeout: 15000,
        filter: (e) => e.roomId === general.roomId && e.count >= 2,
      });
      assert.equal((await request(byCookie, "joinRoom", { roomId: general.roomId })).success, true);
      assert.equal((await request(byToken, "joinRoom", { roomId: general.roomId })).success, true);
      await two; // counted across both nodes
      const text = `no secrets ${Date.now()}`;
      const got = waitFor(byToken, "receiveMessage", { timeout: 15000, filter: (m) => m.message === text });
      assert.equal((await request(byCookie, "sendMessage", { roomId: general.roomId, message: text })).success, true);
      await got;
      const history = await api({ url: b }, "GET", `/api/rooms/${general.roomId}/messages`, { token: peer.token });
      assert.equal(history.status, 200);
      assert.equal((await request(byToken, "leaveRoom", { roomId: general.roomId })).success, true);
      await until("the message on Redis", () => seen.some((m) => m.message.includes(text)));
    } finally {
      byCookie.disconnect();
      byToken.disconnect();
      await spy.quit();
    }
    assert.ok(seen.some((m) => m.message.includes("roomUsers")), "online counts asked the other nodes");
    for (const secret of [cookie, owner.token, peer.token]) {
      const leak = seen.find((m) => m.message.includes(secret));
      assert.equal(leak, undefined, `a secret crossed Redis on ${leak?.channel}`);
    }
  });

  test("a logout on one node disconnects the user's sockets on the other nodes", async () => {
    const [a, b, c] = cluster.nodeUrls.map((url) => ({ url }));
    const u = await newUser(a.url);
    const options = { auth: { token: u.token }, forceNew: true, reconnection: false };
    const onB = io(b.url, { ...options, transports: ["websocket"] });
    const onC = io(c.url, { ...options, transports: ["polling"] });
    try {
      await Promise.all([onB, onC].map((s) => waitFor(s, "connect", { timeout: 15000 })));
      const ended = [onB, onC].map((s) =>
        Promise.all([waitFor(s, "error", { timeout: 15000 }), waitFor(s, "disconnect", { timeout: 15000 })]),
      );
      const out = await api(a, "POST", "/api/logout", { token: u.token, body: {} });
      assert.equal(out.status, 204, out.text);
      for (const [error, reason] of await Promise.all(ended)) {
        assert.equal(error, "unauthorized");
        assert.equal(reason, "io server disconnect");
      }
      for (const node of [a, b, c]) {
        assert.equal((await api(node, "GET", "/api/me", { token: u.token })).status, 401, node.url);
      }
    } finally {
      onB.disconnect();
      onC.disconnect();
    }
  });

  test("polling-only and websocket clients on different nodes share rooms through nginx", async () => {
    addr = await addressPerNode(cluster.url);
    // p: polling only, w: WebSocket only; the digit is the node nginx puts them on.
    clients.p0 = new ChatClient(cluster.url, users.alice, {
      transport: "polling",
      localAddress: addr.n0,
      keepAlive: false, // a new TCP connection per request: see the address change below
    });
    clients.w1 = new ChatClient(cluster.url, users.bob, { transport: "websocket", localAddress: addr.n1 });
    clients.p1 = new ChatClient(cluster.url, users.carol, { transport: "polling", localAddress: addr.n1 });
    clients.w2 = new ChatClient(cluster.url, users.dave, { transport: "websocket", localAddress: addr.n2 });
    const all = Object.values(clients);
    await Promise.all(all.map((c) => c.connected()));
    assert.equal(clients.p0.node(), "n0");
    assert.equal(clients.p1.node(), "n1");
    const ids = new Map(all.map((c) => [c, c.socket.io.engine.id]));
    // p0's address changes (a phone switching networks): its requests now come from an address
    // nginx hashes to node B, yet the sio_node cookie keeps them on node A, where its session is.
    clients.p0.agent.options.localAddress = addr.n1;

    // Online counts are distinct users across the nodes.
    const four = waitFor(clients.p0.socket, "onlineUsers", { timeout: 15000, filter: (n) => n === 4 });
    for (const c of all) await c.join(general.roomId);
    assert.equal(await four, 4);
    // A leave on node C is counted on node A, and so is the join again.
    const three = waitFor(clients.p0.socket, "onlineUsers", { timeout: 15000, filter: (n) => n === 3 });
    assert.equal((await request(clients.w2.socket, "leaveRoom", { roomId: general.roomId })).success, true);
    assert.equal(await three, 3);
    const back = waitFor(clients.p0.socket, "onlineUsers", { timeout: 15000, filter: (n) => n === 4 });
    await clients.w2.join(general.roomId);
    assert.equal(await back, 4);

    // Everybody's message reaches everybody (sender included), whatever node and transport.
    for (const [name, c] of Object.entries(clients)) await c.send(general.roomId, `hello from ${name}`);
    for (const c of all) {
      for (const name of Object.keys(clients)) {
        const m = await c.receive(`hello from ${name}`);
        assert.equal(m.roomId, general.roomId);
      }
    }

    // A per-user notification reaches its user on another node (the REST call lands on any node).
    const invite = waitFor(clients.w2.socket, "notification", { timeout: 10000 });
    const created = await api({ url: cluster.url }, "POST", "/api/rooms", {
      token: users.alice.token,
      body: { name: "cluster-secret", private: true, members: [users.dave.username] },
    });
    assert.equal(created.status, 201, created.text);
    const note = await invite;
    assert.equal(note.type, "roomInvite");
    assert.equal(note.roomId, created.body.roomId);

    // Sticky sessions held: no client lost its session on the way (polling requests all reached
    // the node that owns the session, or it would have answered 400 and the client reconnected).
    for (const c of all) {
      assert.equal(c.disconnects, 0);
      assert.equal(c.socket.io.engine.id, ids.get(c));
    }
    assert.equal(clients.p0.node(), "n0");
    assert.equal(clients.p0.socket.io.engine.transport.name, "polling");
    assert.equal(clients.w1.socket.io.engine.transport.name, "websocket");
  });

  test("killing a node moves its clients to the other nodes and they keep chatting", async () => {
    const victim = cluster.nodePids[1];
    const moved = [clients.w1, clients.p1].map((c) => waitFor(c, "rejoined", { timeout: 30000 }));
    process.kill(victim, "SIGKILL");
    await Promise.all(moved);
    assert.equal(alive(victim), false);
    assert.ok(clients.w1.disconnects >= 1 && clients.p1.disconnects >= 1);
    assert.equal(clients.p0.disconnects, 0, "clients of the other nodes are not disturbed");
    assert.equal(clients.w2.disconnects, 0, "clients of the other nodes are not disturbed");
    assert.ok(alive(cluster.nodePids[0]) && alive(cluster.nodePids[2]), "the other nodes run on");
    assert.ok(["n0", "n2"].includes(clients.p1.node()), `p1 moved to ${clients.p1.node()}`);

    await clients.p0.send(general.roomId, "after the failover from p0");
    for (const c of [clients.w1, clients.p1, clients.w2]) await c.receive("after the failover from p0");
    await clients.w1.send(general.roomId, "w1 is back");
    await clients.p1.send(general.roomId, "p1 is back");
    for (const c of [clients.p0, clients.w2]) {
      await c.receive("w1 is back");
      await c.receive("p1 is back");
    }
    // The moved users count again: four distinct users online.
    const four = waitFor(clients.w2.socket, "onlineUsers", { timeout: 15000, filter: (n) => n === 4 });
    await clients.p1.join(general.roomId);
    assert.equal(await four, 4);
  });

  test("restarting Redis crashes no node and cluster delivery resumes", async () => {
    const live = [0, 2];
    const [n0, n2] = live.map((i) => cluster.nodeUrls[i]);
    // Two clients straight on node A (no nginx): local delivery must not need Redis.
    const x = new ChatClient(n0, users.erin, { transport: "websocket", localAddress: HOST });
    const y = new ChatClient(n0, users.bob, { transport: "polling", localAddress: HOST });
    const z = new ChatClient(n2, users.carol, { transport: "websocket", localAddress: HOST });
    clients.x = x;
    clients.y = y;
    clients.z = z;
    await Promise.all([x, y, z].map((c) => c.connected()));
    for (const c of [x, y, z]) await c.join(general.roomId);

    const redisPid = Number(fs.readFileSync(cluster.redisPidFile, "utf8").trim());
    process.kill(redisPid, "SIGKILL");
    await until("redis-server to exit", () => !alive(redisPid));

    await x.send(general.roomId, "while Redis is down");
    await y.receive("while Redis is down");

    const redis = spawn("redis-server", [cluster.redisConf], { stdio: "ignore" });
    restarted.push(redis);
    // Delivery across nodes resumes once the adapters have reconnected and re-subscribed: keep
    // sending until one message crosses from node A to node C.
    let crossed = false;
    z.on("message", (m) => {
      if (m.message.startsWith("probe ")) crossed = true;
    });
    for (let i = 0; !crossed; i++) {
      if (i > 100) throw new Error(`no delivery across nodes after Redis restarted:\n${cluster.nodeLog(0)}`);
      await x.send(general.roomId, `probe ${i}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await z.send(general.roomId, "from C after the restart");
    for (const c of [x, y, clients.p0, clients.w2]) await c.receive("from C after the restart");
    for (const i of live) assert.ok(alive(cluster.nodePids[i]), `node ${i} survived:\n${cluster.nodeLog(i)}`);
  });
});

describe("sio-chat --redis with Redis down at start", () => {
  test("serves on its own, then joins Redis once it comes up", async () => {
    const redisPort = await freePort(new Set());
    const node = await startChat({ args: ["--redis", `redis://${HOST}:${redisPort}`] });
    let redis;
    try {
      assert.match(node.output(), /Redis at redis:\/\/127\.0\.0\.1:\d+ is not reachable yet/);
      const alice = await newUser(node.url);
      const bob = await newUser(node.url);
      const rooms = await api(node, "GET", "/api/rooms", { token: alice.token });
      const room = rooms.body.find((r) => r.name === "general");
      const a = new ChatClient(node.url, alice, { transport: "websocket", localAddress: HOST });
      const b = new ChatClient(node.url, bob, { transport: "polling", localAddress: HOST });
      try {
        await Promise.all([a.connected(), b.connected()]);
        await a.join(room.roomId);
        await b.join(room.roomId);
        await a.send(room.roomId, "no Redis needed here");
        await b.receive("no Redis needed here");

        redis = await startRedis(redisPort);
        await until("the adapter to connect", () => /sub [^\n]*: (re)?connected/.test(node.output()), 30000);
        await b.send(room.roomId, "and with Redis");
        await a.receive("and with Redis");
        assert.ok(node.alive());
      } finally {
        a.close();
        b.close();
      }
    } finally {
      await node.stop();
      if (redis) await redis.stop();
    }
  });
});
