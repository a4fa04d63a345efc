// A mixed cluster on a real Redis Cluster (three primaries, three replicas): a Node.js socket.io
// server with createShardedAdapter of @socket.io/redis-adapter over the npm `redis` cluster client,
// and two sio nodes (sio-redis-node --adapter redis-sharded, the cluster's seed URLs), an official
// socket.io-client on each, in the dynamic and in the static subscription mode: the scenarios every
// mixed cluster runs (mixed_cluster_scenarios.mjs), a broadcast to a room waiting for the room's
// subscribers in the dynamic mode. Then two sio nodes go on through the failover of the primaries
// serving their channels.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createCluster, createShardedAdapter } from "../js/redis.mjs";
import { NAMES, mixedClusterTests } from "./mixed_cluster_scenarios.mjs";
import { redisCli, startRedisCluster } from "./redis_cluster_helpers.mjs";
import { call, connect, eventually, next, startNodeServer, startSioNode } from "./redis_helpers.mjs";

/** A redis cluster client on the seeds (errors are the test's, not the process's). */
async function clusterClient(cluster) {
  const c = createCluster({ rootNodes: cluster.seeds.map((url) => ({ url })) });
  c.on("error", () => {});
  await c.connect();
  return c;
}

/** startNodeServer's adapter: createShardedAdapter on a cluster client and its duplicate. */
function shardedAdapter(cluster, opts) {
  return async () => {
    const pub = await clusterClient(cluster);
    const sub = pub.duplicate();
    sub.on("error", () => {});
    await sub.connect();
    return { adapter: createShardedAdapter(pub, sub, opts), clients: [pub, sub] };
  };
}

let cluster;
before(async () => {
  cluster = await startRedisCluster();
});
after(async () => {
  await cluster?.stop();
});

for (const mode of ["dynamic", "static"]) {
  describe(`redis sharded adapter (${mode}): Node.js + two sio nodes on a Redis Cluster`, () => {
    const prefix = `sharded-${mode}`;
    let nodeSrv, sio1, sio2, redis;
    const servers = {}; // name -> server
    const clients = {}; // name -> socket
    const ids = {}; // name -> socket id

    // Subscribers of a sharded channel (on the primary of its slot).
    const subscribers = async (channel) =>
      Number((await redis.sendCommand(channel, true, ["PUBSUB", "SHARDNUMSUB", channel]))[1]);
    // In dynamic mode a node subscribes a room's channel once it has members there: wait for the
    // `members` nodes before broadcasting to the room (static mode subscribes no room).
    const roomReady = (room, members) =>
      eventually(
        `subscribers of ${room}`,
        () => subscribers(`${prefix}#/#${room}#`),
        (n) => n === (mode === "dynamic" ? members : 0)
      );

    before(async () => {
      redis = await clusterClient(cluster);
      const sioArgs = ["--adapter", "redis-sharded", "--subscription-mode", mode, "--key", prefix];
      [nodeSrv, sio1, sio2] = await Promise.all([
        startNodeServer("node", null, {
          adapter: shardedAdapter(cluster, { channelPrefix: prefix, subscriptionMode: mode }),
        }),
        startSioNode("sio1", cluster.seeds.join(","), { args: sioArgs }),
        startSioNode("sio2", cluster.seeds.join(","), { workers: 1, args: sioArgs }),
      ]);
      Object.assign(servers, { node: nodeSrv, sio1, sio2 });
      for (const name of NAMES) {
        const c = await connect(servers[name], { who: name });
        c.on("question", (value, cb) => cb({ client: name, value }));
        clients[name] = c;
        ids[name] = (await call(c, "whoami")).id;
        await call(c, "set-data", { user: name });
      }
      // Every node counts three servers (SHARDNUMSUB of the namespace's channel, every primary).
      for (const name of NAMES) {
        await eventually(`server count of ${name}`, () => call(clients[name], "server-count"), (n) => n === 3);
      }
    });

    after(async () => {
      for (const c of Object.values(clients)) c.disconnect();
      await Promise.allSettled([nodeSrv?.stop(), sio1?.stop(), sio2?.stop()]);
      await redis?.quit().catch(() => {});
    });

    mixedClusterTests({ clients, ids, servers, roomReady });
  });
}

describe("redis sharded adapter: two sio nodes across a failover", () => {
  const prefix = "sharded-failover";
  const ns = `${prefix}#/#`;
  const room = `${prefix}#/#fr#`;
  let sio1, sio2;
  const clients = {};
  // Subscribers of a sharded channel, asked of the primary serving it now.
  const subscribers = async (channel) => {
    const out = await redisCli((await cluster.primaryOf(channel)).port, "PUBSUB", "SHARDNUMSUB", channel);
    return Number(out.split("\n").pop());
  };

  before(async () => {
    const args = ["--adapter", "redis-sharded", "--key", prefix];
    [sio1, sio2] = await Promise.all([
      startSioNode("sio1", cluster.seeds.join(","), { args }),
      startSioNode("sio2", cluster.seeds.join(","), { workers: 1, args }),
    ]);
    clients.sio1 = await connect(sio1);
    clients.sio2 = await connect(sio2);
    await call(clients.sio2, "join", "fr");
    await eventually("subscribers of fr", () => subscribers(room), (n) => n === 1);
  });

  after(async () => {
    for (const c of Object.values(clients)) c.disconnect();
    await Promise.allSettled([sio1?.stop(), sio2?.stop()]);
  });

  test("the channels' subscriptions move to the promoted replicas and traffic goes on", async (t) => {
    // The primaries of the namespace's channel and of the room's fail over (the room's unless it
    // is now on the promoted replica, which has no replica left).
    const killed = [(await cluster.killPrimaryOf(ns)).node];
    if ((await cluster.primaryOf(room)) !== (await cluster.primaryOf(ns)))
      killed.push((await cluster.killPrimaryOf(room)).node);
    t.after(async () => {
      for (const node of killed) await cluster.restart(node);
    });
    await eventually("subscribers of the namespace", () => subscribers(ns), (n) => n === 2);
    await eventually("subscribers of fr", () => subscribers(room), (n) => n === 1);

    // The next broadcast on a client, or the nodes' logs.
    const got = (name) =>
      next(clients[name], "broadcast").catch((e) => {
        throw new Error(`${name}: ${e.message}\nsio1: ${sio1.output()}\nsio2: ${sio2.output()}`);
      });
    const all = [got("sio1"), got("sio2")];
    await call(clients.sio1, "broadcast", {}, "after failover");
    for (const args of await Promise.all(all)) assert.deepEqual(args, ["after failover", "sio1"]);
    const inRoom = got("sio2");
    await call(clients.sio1, "broadcast", { to: "fr" }, "room after failover");
    assert.deepEqual(await inRoom, ["room after failover", "sio1"]);
    const r = await call(clients.sio2, "server-side-emit", "after failover");
    assert.deepEqual(r, { error: false, responses: [{ node: "sio1", got: "after failover" }] });
    assert.equal(await call(clients.sio1, "server-count"), 2);
  });
});
