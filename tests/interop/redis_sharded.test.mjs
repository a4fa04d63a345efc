// A mixed cluster on a real Redis Cluster (three primaries, three replicas): a Node.js socket.io
// server with createShardedAdapter of @socket.io/redis-adapter over the npm `redis` cluster client,
// and two sio nodes (sio-redis-node --adapter redis-sharded, the cluster's seed URLs), an official
// socket.io-client on each, in the dynamic and in the static subscription mode. Broadcasts (all,
// rooms, except, binary), fetchSockets, socketsJoin/Leave, disconnectSockets, serverSideEmit with
// acks and broadcasts with acks cross every node in every direction. Then two sio nodes go on
// through the failover of the primaries serving their channels.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createCluster, createShardedAdapter } from "../js/redis.mjs";
import { redisCli, startRedisCluster } from "./redis_cluster_helpers.mjs";
import { call, connect, next, startNodeServer, startSioNode } from "./redis_helpers.mjs";

const NAMES = ["node", "sio1", "sio2"];

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

/** Until `f()` resolves to a value `ok` accepts (bounded): state that settles asynchronously. */
async function eventually(what, f, ok) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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

    test("a broadcast to all from each node reaches the clients of every node", async () => {
      for (const from of NAMES) {
        const value = { from, n: Math.random() };
        const got = Object.values(clients).map((c) => next(c, "broadcast"));
        await call(clients[from], "broadcast", {}, value);
        for (const args of await Promise.all(got)) assert.deepEqual(args, [value, from]);
      }
    });

    test("a broadcast to a room reaches only its members, on every node, both ways", async () => {
      await call(clients.node, "join", "r1");
      await call(clients.sio2, "join", "r1");
      await roomReady("r1", 2);
      for (const from of NAMES) {
        const seen = [];
        const onSio1 = (...args) => seen.push(args);
        clients.sio1.on("broadcast", onSio1);
        const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
        await call(clients[from], "broadcast", { to: "r1" }, `room from ${from}`);
        for (const args of await Promise.all(inRoom)) assert.deepEqual(args, [`room from ${from}`, from]);
        // A later broadcast to all reaches sio1 after the room one would have: it never got the latter.
        const all = Object.values(clients).map((c) => next(c, "broadcast"));
        await call(clients[from], "broadcast", {}, "to all");
        await Promise.all(all);
        clients.sio1.off("broadcast", onSio1);
        assert.deepEqual(seen, [["to all", from]]);
      }
    });

    test("a broadcast to a socket's own room reaches that socket across nodes", async () => {
      for (const [from, to] of [
        ["sio1", "node"],
        ["node", "sio2"],
        ["sio2", "sio1"],
      ]) {
        const got = next(clients[to], "broadcast");
        await call(clients[from], "broadcast", { to: ids[to] }, `to ${to}`);
        assert.deepEqual(await got, [`to ${to}`, from]);
      }
    });

    test("except excludes a room across nodes", async () => {
      const seen = [];
      const onNode = (...args) => seen.push(args);
      clients.node.on("broadcast", onNode);
      // node and sio2 are in r1: only sio1 receives.
      const got = next(clients.sio1, "broadcast");
      await call(clients.sio1, "broadcast", { except: "r1" }, "not r1");
      assert.deepEqual(await got, ["not r1", "sio1"]);
      const all = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients.sio1, "broadcast", {}, "everyone");
      const [, , onSio2] = await Promise.all(all);
      clients.node.off("broadcast", onNode);
      assert.deepEqual(seen, [["everyone", "sio1"]]);
      assert.deepEqual(onSio2, ["everyone", "sio1"]);
    });

    test("binary crosses as Buffers both ways, to all and to a room", async () => {
      for (const from of ["sio1", "node", "sio2"]) {
        const bytes = Buffer.from([0, 1, 2, 250, 255]);
        const got = Object.values(clients).map((c) => next(c, "broadcast"));
        await call(clients[from], "broadcast", {}, bytes);
        for (const [value, origin] of await Promise.all(got)) {
          assert.deepEqual(Buffer.from(value), bytes);
          assert.equal(origin, from);
        }
        const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
        await call(clients[from], "broadcast", { to: "r1" }, bytes);
        for (const [value, origin] of await Promise.all(inRoom)) {
          assert.deepEqual(Buffer.from(value), bytes);
          assert.equal(origin, from);
        }
      }
    });

    test("fetchSockets from Node lists the sio sockets, fetch_sockets from sio lists Node's", async () => {
      const expected = NAMES.map((n) => ids[n]).sort();
      for (const from of NAMES) {
        const list = await call(clients[from], "fetch", {});
        assert.deepEqual(
          list.map((s) => s.id),
          expected,
          `from ${from}`
        );
        for (const s of list) {
          const name = Object.keys(ids).find((k) => ids[k] === s.id);
          assert.deepEqual(s.data, { user: name });
          assert.deepEqual(s.auth, { who: name });
          assert.ok(s.rooms.includes(s.id));
        }
        const inRoom = await call(clients[from], "fetch", { in: "r1" });
        assert.deepEqual(
          inRoom.map((s) => s.id),
          [ids.node, ids.sio2].sort(),
          `r1 from ${from}`
        );
      }
    });

    test("socketsJoin and socketsLeave from each side move the other side's sockets", async () => {
      await call(clients.node, "sockets-join", {}, "joined-by-node");
      // The join and a later server-side event travel in order on the namespace's channel: once
      // both sio nodes answered the event, they applied the join.
      const barrier = await call(clients.node, "server-side-emit", "barrier");
      assert.equal(barrier.responses.length, 2);
      assert.equal((await call(clients.sio1, "fetch", { in: "joined-by-node" })).length, 3);
      await roomReady("joined-by-node", 3);
      const all = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients.sio1, "broadcast", { to: "joined-by-node" }, "joined");
      for (const args of await Promise.all(all)) assert.deepEqual(args, ["joined", "sio1"]);

      await call(clients.sio2, "sockets-leave", { in: "r1" }, "joined-by-node");
      const after = await call(clients.sio2, "server-side-emit", "barrier");
      assert.equal(after.responses.length, 2);
      const left = await call(clients.node, "fetch", { in: "joined-by-node" });
      assert.deepEqual(
        left.map((s) => s.id),
        [ids.sio1]
      );
      await roomReady("joined-by-node", 1);

      await call(clients.sio1, "sockets-join", { in: "r1" }, "joined-by-sio");
      const again = await call(clients.sio1, "server-side-emit", "barrier");
      assert.equal(again.responses.length, 2);
      await roomReady("joined-by-sio", 2);
      const got = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      await call(clients.node, "broadcast", { to: "joined-by-sio" }, "joined by sio");
      for (const args of await Promise.all(got)) assert.deepEqual(args, ["joined by sio", "node"]);
    });

    test("disconnectSockets from each side disconnects the other side's sockets", async () => {
      for (const from of ["sio1", "node"]) {
        const doomed = {};
        for (const name of NAMES.filter((n) => n !== from)) {
          doomed[name] = await connect(servers[name], { who: `doomed-${name}` });
          await call(doomed[name], "join", "doomed");
        }
        const gone = Object.values(doomed).map(
          (c) => new Promise((resolve) => c.once("disconnect", (reason) => resolve(reason)))
        );
        await call(clients[from], "disconnect-sockets", { in: "doomed" });
        for (const reason of await Promise.all(gone)) assert.equal(reason, "io server disconnect");
        for (const name of NAMES) assert.ok(clients[name].connected, `${name} kept`);
      }
    });

    test("serverSideEmit with acks reaches across", async () => {
      const isV1 = (_ev, value) => value?.v === 1;
      const announced = [
        next(clients.node, "server-side", 5000, isV1),
        next(clients.sio2, "server-side", 5000, isV1),
      ];
      const r = await call(clients.sio1, "server-side-emit", { v: 1 });
      assert.equal(r.error, false);
      assert.deepEqual(r.responses.map((x) => x.node).sort(), ["node", "sio2"]);
      for (const x of r.responses) assert.deepEqual(x.got, { v: 1 });
      for (const args of await Promise.all(announced)) assert.deepEqual(args, ["hello", { v: 1 }, "sio1"]);

      const fromNode = await call(clients.node, "server-side-emit", "hi");
      assert.equal(fromNode.error, false);
      assert.deepEqual(fromNode.responses.map((x) => x.node).sort(), ["sio1", "sio2"]);
    });

    test("broadcast acks count the clients of every node", async () => {
      for (const from of NAMES) {
        const r = await call(clients[from], "broadcast-with-ack", { timeout: 3000 }, from);
        assert.equal(r.error, false, `from ${from}`);
        assert.deepEqual(
          r.responses.map((x) => x.client).sort(),
          NAMES,
          `from ${from}`
        );
        for (const x of r.responses) assert.equal(x.value, from);
        // To one room: on the namespace's channel still (every server answers its count).
        const room = await call(clients[from], "broadcast-with-ack", { to: "r1", timeout: 3000 }, "room");
        assert.equal(room.error, false, `room from ${from}`);
        assert.deepEqual(room.responses.map((x) => x.client).sort(), ["node", "sio2"]);
      }
    });
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
