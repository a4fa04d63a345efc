// The notifications on a cluster (deploy/cluster.sh: two sio-chat nodes on one Redis and one
// PostgreSQL database). One user keeps three connections to /users/<id>, two on node 1 and one on
// node 2; every notification reaches each of them exactly once, whichever node stores it: a POST
// through node 1 or node 2, a backend job from build/bin/sio-notify (SIO_NOTIFY, a separate
// process), the same job from Node's @socket.io/redis-emitter (serverSideEmit), and its live-only
// emit to the namespace. `read` crosses nodes; the jobs are stored (unread after reconnecting); a
// logout through one node ends the connections on both.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { api, connect, closeSockets, newUser, record, request, waitFor, withTimeout } from "../interop/chat_helpers.mjs";
import { Emitter, createClient } from "../js/redis.mjs";
import { startCluster } from "./cluster_helpers.mjs";

const run = promisify(execFile);

let cluster;
let nodes;  // [{url}] per node, as the helpers take a server
let redis;
let emitter;
let sender;
let user;
let tabs;  // [{socket, log}]: two on node 1, one on node 2
before(async () => {
  if (!process.env.SIO_NOTIFY) throw new Error("SIO_NOTIFY is not set: point it at build/bin/sio-notify");
  cluster = await startCluster({ nodes: 2 });
  nodes = cluster.nodeUrls.map((url) => ({ url }));
  redis = createClient({ url: cluster.redisUrl });
  await redis.connect();
  emitter = new Emitter(redis);
  sender = await newUser(nodes[0], "sender");
  user = await newUser(nodes[1], "reader");
  tabs = [await open(nodes[0]), await open(nodes[0]), await open(nodes[1])];
});
after(async () => {
  closeSockets();
  if (redis) await redis.quit();
  if (cluster) await cluster.stop();
});

/** A connection of `user` to its namespace on `node`: { socket, log, unread }. */
async function open(node) {
  const socket = connect(node, { auth: { token: user.token } }, `/users/${user.userId}`);
  const log = record(socket);
  const unread = waitFor(socket, "unread", { timeout: 10000 });
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    10000,
    "connect",
  );
  return { socket, log, unread: await unread };
}

const notifications = (t) => t.log.filter((e) => e.event === "notification").map((e) => e.args[0]);

/** Runs `send` and resolves with the notification every tab received (the same on each). */
async function everywhere(send, filter) {
  const arrivals = tabs.map((t) => waitFor(t.socket, "notification", { filter, timeout: 15000 }));
  await send();
  const got = await Promise.all(arrivals);
  for (const n of got) assert.deepEqual(n, got[0]);
  return got[0];
}

const byTitle = (title) => (n) => n.title === title;
const delivered = [];  // the ids every tab must have received, once each, in order

describe("notifications on two nodes", () => {
  test("a POST through either node reaches each connection once", async () => {
    for (const [i, node] of nodes.entries()) {
      const title = `via node ${i + 1}`;
      let posted;
      const n = await everywhere(async () => {
        posted = await api(node, "POST", "/api/notifications",
          { token: sender.token, body: { toUserId: user.userId, title, body: "", url: "/chat" } });
        assert.equal(posted.status, 201, posted.text);
      }, byTitle(title));
      assert.deepEqual(n, posted.body);
      delivered.push(n.id);
    }
  });

  test("sio-notify, a separate process, reaches each connection once and is stored", async () => {
    const key = randomUUID();
    const n = await everywhere(async () => {
      const out = await run(process.env.SIO_NOTIFY, ["--redis", cluster.redisUrl, "--user",
        String(user.userId), "--title", "Backup done", "--body", "3 GB", "--url", "/", "--key", key]);
      assert.equal(out.stdout.trim(), key);
    }, byTitle("Backup done"));
    assert.equal(n.from, null);
    assert.equal(n.body, "3 GB");
    delivered.push(n.id);
    // The same key again stores nothing and delivers nothing (the next notification shows it).
    await run(process.env.SIO_NOTIFY, ["--redis", cluster.redisUrl, "--user", String(user.userId),
      "--title", "Backup done", "--body", "again", "--key", key]);
    await assert.rejects(
      run(process.env.SIO_NOTIFY, ["--redis", cluster.redisUrl, "--user", "nobody", "--title", "x", "--body", ""]),
      (e) => e.code === 2 && /usage/.test(e.stderr),
    );
    // Nothing listens on port 1: Redis never acknowledges, exit status 1.
    await assert.rejects(
      run(process.env.SIO_NOTIFY, ["--redis", "redis://127.0.0.1:1", "--user", "1", "--title", "x", "--body", "",
        "--timeout", "1"]),
      (e) => e.code === 1,
    );
  });

  test("@socket.io/redis-emitter's serverSideEmit does the same", async () => {
    const key = randomUUID();
    const push = { key, toUserId: user.userId, title: "From Node", body: "job", url: "/auction" };
    const n = await everywhere(async () => emitter.serverSideEmit("notifications:push", push), byTitle("From Node"));
    assert.equal(n.url, "/auction");
    delivered.push(n.id);
    emitter.serverSideEmit("notifications:push", { ...push, body: "duplicate" });
    emitter.serverSideEmit("notifications:push", { key: randomUUID(), toUserId: user.userId, title: "" });  // invalid
  });

  test("each connection got every notification exactly once", async () => {
    // A last POST through node 2: once it arrived, whatever came before it arrived.
    const last = await everywhere(async () => {
      const r = await api(nodes[1], "POST", "/api/notifications",
        { token: sender.token, body: { toUserId: user.userId, title: "last", body: "" } });
      assert.equal(r.status, 201);
    }, byTitle("last"));
    delivered.push(last.id);
    for (const t of tabs) assert.deepEqual(notifications(t).map((n) => n.id), delivered);
  });

  test("the live-only emit of the namespace reaches the open connections", async () => {
    const live = { id: 0, from: null, title: "live only", body: "", url: "", createdAt: Date.now(), read: false };
    const n = await everywhere(async () => emitter.of(`/users/${user.userId}`).emit("notification", live),
      byTitle("live only"));
    assert.deepEqual(n, live);
  });

  test("read crosses nodes, and the stored jobs are unread after reconnecting", async () => {
    const again = await open(nodes[1]);
    assert.equal(again.unread.count, delivered.length);
    assert.deepEqual(again.unread.items.map((n) => n.id), [...delivered].reverse());
    assert.ok(again.unread.items.some((n) => n.title === "Backup done" && n.body === "3 GB"));
    assert.ok(again.unread.items.some((n) => n.title === "From Node" && n.body === "job"));
    const told = tabs.map((t) => waitFor(t.socket, "read", { timeout: 10000 }));
    const ack = await request(again.socket, "markRead", { ids: [delivered[0], delivered[1]] });
    assert.deepEqual(ack, { success: true, ids: [delivered[0], delivered[1]].sort((a, b) => a - b), count: delivered.length - 2 });
    for (const r of await Promise.all(told)) assert.deepEqual(r, { ids: ack.ids, count: ack.count });
    tabs.push(again);
  });

  test("a logout through one node ends the user's connections on both", async () => {
    const ended = tabs.map((t) => Promise.all([waitFor(t.socket, "error", { timeout: 15000 }),
      waitFor(t.socket, "disconnect", { timeout: 15000 })]));
    assert.equal((await api(nodes[0], "POST", "/api/logout", { token: user.token, body: {} })).status, 204);
    for (const [error, reason] of await Promise.all(ended)) {
      assert.equal(error, "unauthorized");
      assert.equal(reason, "io server disconnect");
    }
  });
});
