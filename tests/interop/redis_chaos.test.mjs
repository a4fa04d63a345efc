// Failures under a cluster of three sio nodes (sio-redis-node), official socket.io-clients on each,
// for every adapter: pub/sub, streams and sharded (on one Redis 7).
// - Redis restarts (stopped, started again on the same port): no node crashes and delivery across
//   nodes resumes. With streams (Redis keeping its data: --appendonly yes), every broadcast a node
//   emitted while Redis was down or restarting reaches every client of the other nodes exactly
//   once (the node's offline queue, then the readers going on from their last entry).
// - A node is killed (SIGKILL): the others keep serving, their broadcasts still reach their
//   clients, and fetchSockets completes with the sockets that are left.
// - Sharded on a Redis Cluster (3 primaries, 3 replicas): the primary serving the namespace's
//   channel, then the one serving a room's channel, is killed; its replica takes over, no node
//   crashes and delivery resumes (nothing is required of messages sent during the failover).
// Behaviour only: every wait is an event with a timeout.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startRedisCluster } from "./redis_cluster_helpers.mjs";
import { call, connect, next, startRedis, startSioNode } from "./redis_helpers.mjs";

const ADAPTERS = [
  { name: "pub/sub", args: [] },
  { name: "streams", args: ["--adapter", "redis-streams"], persistent: true },
  { name: "sharded on one Redis 7", args: ["--adapter", "redis-sharded"] },
];

/**
 * Broadcasts {marker} from `from` every 200 ms (to `room`, else to all) until each of `to`
 * received it: delivery across nodes works again. Fails after `ms`.
 */
async function untilDelivered(from, to, marker, ms = 15000, room = undefined) {
  const got = to.map((c) =>
    next(c, "broadcast", ms, (v) => v && v.marker === marker).catch((e) => {
      throw new Error(`${marker}: ${e.message}`);
    })
  );
  let done = false;
  const all = Promise.all(got).finally(() => (done = true));
  const resend = (async () => {
    while (!done) {
      from.emit("broadcast", room ? { to: room } : {}, { marker });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  await all;
  await resend;
}

/** Counts, per client, the broadcasts whose value has `key` (value[key] -> times seen). */
function countBroadcasts(clients, key) {
  return clients.map((c) => {
    const seen = new Map();
    c.on("broadcast", (v) => {
      if (v && v[key] !== undefined) seen.set(v[key], (seen.get(v[key]) ?? 0) + 1);
    });
    return seen;
  });
}

/** Resolves once every map of `seens` holds every one of `keys`; fails after `ms`. */
async function untilSeen(seens, keys, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!seens.every((s) => keys.every((k) => s.has(k)))) {
    if (Date.now() > deadline) {
      const missing = seens.map((s) => keys.filter((k) => !s.has(k)));
      throw new Error(`broadcasts not delivered within ${ms} ms: missing ${JSON.stringify(missing)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const adapter of ADAPTERS) {
  describe(`chaos: ${adapter.name}`, () => {
    let redis, dir;
    let nodes = [];
    let clients = [];
    const redisArgs = () => (adapter.persistent ? ["--appendonly", "yes", "--dir", dir] : []);
    const assertAlive = (live) => {
      for (const n of live) assert.ok(n.alive(), `${n.name} crashed: ${n.output()}`);
    };

    before(async () => {
      if (adapter.persistent) dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-chaos-"));
      redis = await startRedis(undefined, { args: redisArgs() });
      nodes = await Promise.all(
        ["n1", "n2", "n3"].map((name) => startSioNode(name, redis.url, { workers: 1, args: adapter.args }))
      );
      clients = await Promise.all(nodes.map((n) => connect(n)));
      await untilDelivered(clients[0], clients.slice(1), "up");
    });

    after(async () => {
      for (const c of clients) c.disconnect();
      await Promise.allSettled(nodes.map((n) => n.stop()));
      await redis?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test("Redis restarts: no node crashes and delivery resumes", async () => {
      const port = redis.port;
      const others = clients.slice(1);
      const seen = countBroadcasts(others, "lost");
      const sent = [];
      // Graceful stop: with --appendonly the stream is written out and comes back.
      redis.proc.kill("SIGTERM");
      await redis.exited;
      for (let i = 0; i < 5; i++) {
        await call(clients[0], "broadcast", {}, { lost: `down-${i}` });
        sent.push(`down-${i}`);
      }
      redis = await startRedis(port, { args: redisArgs() });
      // The nodes are still reconnecting (backoff): these wait in their offline queues too.
      for (let i = 0; i < 5; i++) {
        await call(clients[0], "broadcast", {}, { lost: `restarting-${i}` });
        sent.push(`restarting-${i}`);
      }
      await untilDelivered(clients[0], others, "resumed");
      await untilDelivered(clients[1], [clients[0], clients[2]], "resumed-back");
      assertAlive(nodes);
      if (!adapter.persistent) return; // pub/sub gives no promise for what was sent meanwhile
      await untilSeen(seen, sent);
      // Anything delivered twice would come before a later broadcast of the same stream.
      await untilDelivered(clients[0], others, "after");
      for (const s of seen) for (const k of sent) assert.equal(s.get(k), 1, `${k} delivered ${s.get(k)} times`);
    });

    test("a node is killed: the others keep serving, broadcasting and fetching", async () => {
      const [n1, n2, n3] = nodes;
      n3.proc.kill("SIGKILL");
      await n3.exited;
      await untilDelivered(clients[0], [clients[1]], "killed-1");
      await untilDelivered(clients[1], [clients[0]], "killed-2");
      const ids = await Promise.all(clients.slice(0, 2).map(async (c) => (await call(c, "whoami")).id));
      for (const c of clients.slice(0, 2)) {
        const sockets = await call(c, "fetch", {});
        assert.deepEqual(sockets.map((s) => s.id), [...ids].sort());
      }
      assertAlive([n1, n2]);
    });
  });
}

describe("chaos: sharded on a Redis Cluster", () => {
  let cluster;
  let nodes = [];
  let clients = [];

  before(async () => {
    cluster = await startRedisCluster();
    const seeds = cluster.seeds.join(",");
    nodes = await Promise.all(
      ["c1", "c2", "c3"].map((name) => startSioNode(name, seeds, { workers: 1, args: ["--adapter", "redis-sharded"] }))
    );
    clients = await Promise.all(nodes.map((n) => connect(n)));
    await untilDelivered(clients[0], clients.slice(1), "up");
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await cluster?.stop();
  });

  test("a primary is killed: its replica takes over, no node crashes and delivery resumes", async () => {
    // A room whose channel lives on another shard than the namespace's: each failover then
    // leaves a replica for the other.
    const nspChannel = "socket.io#/#";
    const nspShard = (await cluster.primaryOf(nspChannel)).port;
    let room = "chaos-room";
    for (let i = 0; (await cluster.primaryOf(`${nspChannel}${room}#`)).port === nspShard; i++) room = `chaos-room-${i}`;
    // Every broadcast to all goes through the namespace's channel: kill the shard serving it.
    await cluster.killPrimaryOf(nspChannel);
    await untilDelivered(clients[0], clients.slice(1), "failover", 20000);
    await untilDelivered(clients[2], clients.slice(0, 2), "failover-back", 20000);
    // A room's broadcasts have a channel of their own (dynamic mode), on the shard of its slot.
    await Promise.all(clients.slice(1).map((c) => call(c, "join", room)));
    await untilDelivered(clients[0], clients.slice(1), "room-up", 20000, room);
    await cluster.killPrimaryOf(`${nspChannel}${room}#`);
    await untilDelivered(clients[0], clients.slice(1), "room-failover", 20000, room);
    for (const n of nodes) assert.ok(n.alive(), `${n.name} crashed: ${n.output()}`);
  });
});
