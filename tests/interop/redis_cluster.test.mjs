// A mixed cluster on one private Redis: a Node.js socket.io server with @socket.io/redis-adapter and
// two sio nodes (sio-redis-node), an official socket.io-client on each. Broadcasts, rooms, binary,
// fetchSockets, socketsJoin, serverSideEmit, broadcast acks and @socket.io/redis-emitter cross every
// node in both directions; garbage on every adapter channel crashes no sio node.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient, Emitter } from "../js/redis.mjs";
import { call, connect, next, startNodeServer, startRedis, startSioNode } from "./redis_helpers.mjs";

describe("redis cluster: Node.js + two sio nodes", () => {
  let redis, nodeSrv, sio1, sio2;
  const clients = {}; // name -> socket
  const ids = {}; // name -> socket id

  before(async () => {
    redis = await startRedis();
    [nodeSrv, sio1, sio2] = await Promise.all([
      startNodeServer("node", redis.url),
      startSioNode("sio1", redis.url),
      startSioNode("sio2", redis.url, { workers: 1 }),
    ]);
    const servers = { node: nodeSrv, sio1, sio2 };
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

  test("a broadcast to all from each node reaches the clients of every node", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const value = { from, n: Math.random() };
      const got = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, value);
      for (const args of await Promise.all(got)) assert.deepEqual(args, [value, from]);
    }
  });

  test("a broadcast to a room reaches only its members, on every node, both ways", async () => {
    await call(clients.node, "join", "r1");
    await call(clients.sio2, "join", "r1");
    for (const from of ["node", "sio1", "sio2"]) {
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

  test("binary crosses as Buffers both ways", async () => {
    for (const from of ["sio1", "node"]) {
      const bytes = Buffer.from([0, 1, 2, 250, 255]);
      const got = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, bytes);
      for (const [value, origin] of await Promise.all(got)) {
        assert.ok(Buffer.isBuffer(value) || value instanceof ArrayBuffer, `${typeof value}`);
        assert.deepEqual(Buffer.from(value), bytes);
        assert.equal(origin, from);
      }
    }
  });

  test("fetchSockets from Node lists the sio sockets, fetch_sockets from sio lists Node's", async () => {
    const expected = ["node", "sio1", "sio2"].map((n) => ids[n]).sort();
    for (const from of ["node", "sio1", "sio2"]) {
      const list = await call(clients[from], "fetch", {});
      assert.deepEqual(list.map((s) => s.id), expected, `from ${from}`);
      for (const s of list) {
        const name = Object.keys(ids).find((k) => ids[k] === s.id);
        assert.deepEqual(s.data, { user: name });
        assert.deepEqual(s.auth, { who: name });
        assert.ok(s.rooms.includes(s.id));
      }
      const inRoom = await call(clients[from], "fetch", { in: "r1" });
      assert.deepEqual(inRoom.map((s) => s.id), [ids.node, ids.sio2].sort(), `r1 from ${from}`);
    }
  });

  test("socketsJoin from Node makes sio sockets join, and sio's reaches Node's sockets", async () => {
    await call(clients.node, "sockets-join", {}, "joined-by-node");
    // Node applies socketsJoin when its own request comes back from Redis. A server-side emit
    // from Node follows the request on the same connection: once both sio nodes answered it, they
    // applied the join, and Node got its request back before any later request.
    const barrier = await call(clients.node, "server-side-emit", "barrier");
    assert.equal(barrier.responses.length, 2);
    let list = await call(clients.sio1, "fetch", { in: "joined-by-node" });
    assert.equal(list.length, 3);
    await call(clients.sio2, "sockets-join", { in: "r1" }, "joined-by-sio");
    const got = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
    await call(clients.sio2, "broadcast", { to: "joined-by-sio" }, "joined");
    await Promise.all(got);
    list = await call(clients.node, "fetch", { in: "joined-by-sio" });
    assert.deepEqual(list.map((s) => s.id), [ids.node, ids.sio2].sort());
  });

  test("serverSideEmit with acks reaches across", async () => {
    const isV1 = (_ev, value) => value?.v === 1;
    const announced = [next(clients.node, "server-side", 5000, isV1), next(clients.sio2, "server-side", 5000, isV1)];
    const r = await call(clients.sio1, "server-side-emit", { v: 1 });
    assert.equal(r.error, false);
    assert.deepEqual(
      r.responses.map((x) => x.node).sort(),
      ["node", "sio2"]
    );
    for (const x of r.responses) assert.deepEqual(x.got, { v: 1 });
    for (const args of await Promise.all(announced)) assert.deepEqual(args, ["hello", { v: 1 }, "sio1"]);

    const fromNode = await call(clients.node, "server-side-emit", "hi");
    assert.equal(fromNode.error, false);
    assert.deepEqual(fromNode.responses.map((x) => x.node).sort(), ["sio1", "sio2"]);
  });

  test("broadcast acks count the clients of every node", async () => {
    for (const from of ["sio1", "node", "sio2"]) {
      const r = await call(clients[from], "broadcast-with-ack", { timeout: 3000 }, from);
      assert.equal(r.error, false, `from ${from}`);
      assert.deepEqual(
        r.responses.map((x) => x.client).sort(),
        ["node", "sio1", "sio2"],
        `from ${from}`
      );
      for (const x of r.responses) assert.equal(x.value, from);
    }
    const r = await call(clients.sio1, "broadcast-with-ack", { to: "r1", timeout: 3000 }, "room");
    assert.equal(r.error, false);
    assert.deepEqual(r.responses.map((x) => x.client).sort(), ["node", "sio2"]);
  });

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
