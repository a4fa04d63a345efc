// A mixed cluster on one private Redis: a Node.js socket.io server with @socket.io/redis-adapter and
// two sio nodes (sio-redis-node), an official socket.io-client on each. The scenarios every mixed
// cluster runs (mixed_cluster_scenarios.mjs), then @socket.io/redis-emitter reaches every node and
// garbage on every adapter channel crashes no sio node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient, Emitter } from "../js/redis.mjs";
import { mixedClusterTests } from "./mixed_cluster_scenarios.mjs";
import { call, connect, next, startNodeServer, startRedis, startSioNode } from "./redis_helpers.mjs";

describe("redis cluster: Node.js + two sio nodes", () => {
  let redis, nodeSrv, sio1, sio2;
  const servers = {}; // name -> server
  const clients = {}; // name -> socket
  const ids = {}; // name -> socket id

  before(async () => {
    redis = await startRedis();
    [nodeSrv, sio1, sio2] = await Promise.all([
      startNodeServer("node", redis.url),
      startSioNode("sio1", redis.url),
      startSioNode("sio2", redis.url, { workers: 1 }),
    ]);
    Object.assign(servers, { node: nodeSrv, sio1, sio2 });
    for (const [name, srv] of Object.entries(servers)) {
      const c = await connect(srv, { who: name });
      c.on("question", (value, cb) => cb({ client: name, value }));
      clients[name] = c;
      ids[name] = (await call(c, "whoami")).id;
      await call(c, "set-data", { user: name });
    }
    // Every node counts three servers (NUMSUB of the request channel) before the tests start.
    const pub = createClient({ url: redis.url });
    await pub.connect();
    const numsub = await pub.sendCommand(["PUBSUB", "NUMSUB", "socket.io-request#/#"]);
    await pub.quit();
    assert.equal(Number(numsub[1]), 3);
  });

  after(async () => {
    for (const c of Object.values(clients)) c.disconnect();
    await Promise.allSettled([nodeSrv?.stop(), sio1?.stop(), sio2?.stop()]);
    await redis?.stop();
  });

  mixedClusterTests({ clients, ids, servers });

  test("@socket.io/redis-emitter reaches sio clients", async () => {
    const rc = createClient({ url: redis.url });
    await rc.connect();
    try {
      const emitter = new Emitter(rc);
      const got = [next(clients.sio1, "broadcast"), next(clients.sio2, "broadcast"), next(clients.node, "broadcast")];
      emitter.emit("broadcast", "from emitter", Buffer.from([7, 8]));
      for (const [v, b] of await Promise.all(got)) {
        assert.equal(v, "from emitter");
        assert.deepEqual(Buffer.from(b), Buffer.from([7, 8]));
      }
      const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      const seen = [];
      const onSio1 = (...a) => seen.push(a);
      clients.sio1.on("broadcast", onSio1);
      emitter.to("r1").emit("broadcast", "emitter r1");
      for (const args of await Promise.all(inRoom)) assert.deepEqual(args, ["emitter r1"]);
      const all = Object.values(clients).map((c) => next(c, "broadcast"));
      emitter.emit("broadcast", "emitter all");
      await Promise.all(all);
      clients.sio1.off("broadcast", onSio1);
      assert.deepEqual(seen, [["emitter all"]]);

      emitter.socketsJoin("joined-by-emitter");
      // The join and this server-side event travel in order: once every node announced the event,
      // every node has applied the join.
      const announced = Object.values(clients).map((c) =>
        next(c, "server-side", 5000, (_ev, value) => value === "emitted")
      );
      emitter.serverSideEmit("hello", "emitted", "emitter");
      for (const args of await Promise.all(announced)) assert.deepEqual(args, ["hello", "emitted", "emitter"]);
      const list = await call(clients.sio2, "fetch", { in: "joined-by-emitter" });
      assert.equal(list.length, 3);
    } finally {
      await rc.quit();
    }
  });

  test("garbage on every adapter channel crashes no sio node", async () => {
    // Node's own adapter does not catch decode errors on its broadcast channels (notepack throws
    // in its Redis listener, an uncaught exception in this process): take the Node.js server out
    // of the cluster first. This test runs last.
    clients.node.disconnect();
    await nodeSrv.stop();
    const rc = createClient({ url: redis.url });
    await rc.connect();
    try {
      const channels = new Set([
        "socket.io#/#",
        "socket.io#/#r1#",
        "socket.io-request#/#",
        "socket.io-response#/#",
        ...(await rc.sendCommand(["PUBSUB", "CHANNELS", "socket.io*"])),
      ]);
      const garbage = [
        Buffer.from([]),
        Buffer.from("{"),
        Buffer.from("{\"type\":5,\"uid\":1}"),
        Buffer.from("{\"type\":7,\"requestId\":\"x\",\"packet\":null}"),
        Buffer.from("{\"type\":6,\"data\":[]}"),
        Buffer.from([0x93, 0xa1, 0x78]), // truncated array
        Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // huge array header
        Buffer.from([0xc1]),
        Buffer.from([0x93, 0xa1, 0x78, 0x81, 0xa4, 0x64, 0x61, 0x74, 0x61, 0xc0, 0xc0]), // packet without event
        Buffer.from(new Array(2000).fill(0x91).concat([0xc0])), // depth bomb
      ];
      for (const ch of channels) {
        for (const g of garbage) await rc.publish(ch, g);
      }
      // Every sio node still serves: a broadcast from each reaches the clients of both.
      for (const from of ["sio1", "sio2"]) {
        const got = ["sio1", "sio2"].map((name) => [name, clients[name]]).map(([name, c]) =>
          next(c, "broadcast").catch((e) => {
            throw new Error(`${name}: ${e.message}\nsio1: ${sio1.output()}\nsio2: ${sio2.output()}`);
          })
        );
        await call(clients[from], "broadcast", {}, "still alive");
        for (const args of await Promise.all(got)) assert.deepEqual(args, ["still alive", from]);
      }
      assert.ok(sio1.alive() && sio2.alive());
      assert.match(sio1.output(), /dropped/);
    } finally {
      await rc.quit();
    }
  });
});
