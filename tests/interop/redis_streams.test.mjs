// A mixed cluster on Redis Streams, on one private Redis: a Node.js socket.io server with
// @socket.io/redis-streams-adapter and two sio nodes (sio-redis-node --adapter redis-streams), all
// with connection state recovery on, an official socket.io-client on each. The scenarios every
// mixed cluster runs (mixed_cluster_scenarios.mjs), each broadcast with the same stream offset on
// every node; then a client that loses its connection to the Node.js server comes back on a sio
// node with its id, rooms, data and the packets it missed, then on Node.js again, on the other sio
// node and on the first one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "../js/redis.mjs";
import { io as ioClient } from "../js/index.mjs";
import { mixedClusterTests } from "./mixed_cluster_scenarios.mjs";
import { call, connect, eventually, next, startNodeServer, startRedis, startSioNode } from "./redis_helpers.mjs";

const OFFSET = /^\d+-\d+$/;

/** A broadcast's arguments: the emitted ones, then the stream offset recovery appends. */
function assertBroadcast(args, expected) {
  assert.deepEqual(args.slice(0, -1), expected);
  assert.match(args.at(-1), OFFSET);
  return args.at(-1);
}

describe("redis streams cluster: Node.js + two sio nodes, recovery on", () => {
  let redis, admin, nodeSrv, sio1, sio2;
  const servers = {};
  const clients = {}; // name -> socket
  const ids = {}; // name -> socket id

  before(async () => {
    redis = await startRedis();
    const args = ["--adapter", "redis-streams", "--recovery"];
    [nodeSrv, sio1, sio2] = await Promise.all([
      startNodeServer("node", redis.url, { adapter: "redis-streams", recovery: true }),
      startSioNode("sio1", redis.url, { args }),
      startSioNode("sio2", redis.url, { workers: 1, args }),
    ]);
    Object.assign(servers, { node: nodeSrv, sio1, sio2 });
    admin = createClient({ url: redis.url });
    await admin.connect();
    // Every node reads the stream (its reader blocked in XREAD) and is subscribed.
    await eventually("three stream readers", async () => {
      const list = await admin.sendCommand(["CLIENT", "LIST"]);
      return list.split("\n").filter((l) => l.includes(" cmd=xread")).length === 3;
    });
    const numsub = await admin.sendCommand(["PUBSUB", "NUMSUB", "socket.io#/#"]);
    assert.equal(Number(numsub[1]), 3);
    for (const [name, srv] of Object.entries(servers)) {
      const c = await connect(srv, { who: name });
      c.on("question", (value, cb) => cb({ client: name, value }));
      clients[name] = c;
      ids[name] = (await call(c, "whoami")).id;
      await call(c, "set-data", { user: name });
    }
  });

  after(async () => {
    for (const c of Object.values(clients)) c.disconnect();
    await admin?.quit();
    await Promise.allSettled([nodeSrv?.stop(), sio1?.stop(), sio2?.stop()]);
    await redis?.stop();
  });

  mixedClusterTests({
    clients,
    ids,
    servers,
    offsets: true,
    // The offset is the stream entry's.
    onOffsets: async ([offset]) => {
      const entry = await admin.sendCommand(["XRANGE", "socket.io", offset, offset]);
      assert.equal(entry.length, 1);
    },
  });

  test("a client recovers its session across nodes: Node.js to sio, sio to Node.js, sio to sio", async () => {
    const sessionKeys = () => admin.sendCommand(["KEYS", "sio:session:*"]);
    const away = ioClient(nodeSrv.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    await new Promise((resolve, reject) => {
      away.once("connect", resolve);
      away.once("connect_error", reject);
    });
    const received = [];
    away.on("broadcast", (...args) => received.push(args));
    const id = away.id;
    await call(away, "join", "rr");
    await call(away, "set-data", { user: "away" });

    // A broadcast sets the client's offset; then it loses its connection (not a client disconnect).
    const first = next(away, "broadcast");
    await call(clients.sio2, "broadcast", {}, "first");
    await first;
    const moveTo = async (srv) => {
      const gone = new Promise((r) => away.once("disconnect", r));
      away.io.uri = srv.url;
      away.io.engine.close();
      await gone; // the server sees its transport close: a recoverable disconnection
      await eventually("the session persisted", async () => (await sessionKeys()).length === 1);
    };
    const comeBack = async () => {
      const back = new Promise((r) => away.once("connect", r));
      away.connect();
      await back;
    };

    await moveTo(sio1);
    // Missed while away: to its room (from Node.js), to all (from sio2, binary); not another room's.
    await call(clients.node, "join", "rr");
    const m1 = next(clients.node, "broadcast");
    await call(clients.node, "broadcast", { to: "rr" }, "missed 1");
    const missed1 = await m1;
    await call(clients.sio1, "broadcast", { to: "r1" }, "not for rr");
    const m2 = next(clients.node, "broadcast", 5000, (v) => Buffer.isBuffer(v));
    await call(clients.sio2, "broadcast", {}, Buffer.from([7, 7]));
    const missed2 = await m2;
    const before = received.length;
    await comeBack();
    assert.equal(away.recovered, true);
    assert.equal(away.id, id);
    assert.deepEqual(await call(away, "whoami"), { node: "sio1", id });
    await eventually("the missed packets", async () => received.length >= before + 2);
    assert.equal(received.length, before + 2);
    const replayed = received.slice(before);
    assert.deepEqual(replayed[0], missed1); // with the offset every node saw
    assert.deepEqual(Buffer.from(replayed[1][0]), Buffer.from([7, 7]));
    assert.equal(replayed[1][2], missed2.at(-1)); // the offset every node saw
    const [self] = await call(clients.sio2, "fetch", { in: id });
    assert.deepEqual(self.rooms, [id, "rr"].sort());
    assert.deepEqual(self.data, { user: "away" });

    // Then Node.js, sio2 (one worker) and sio1 again, each time with what it missed meanwhile,
    // exactly once: a live broadcast is the next one.
    for (const [dest, sender] of [
      [nodeSrv, "sio2"],
      [sio2, "node"],
      [sio1, "sio1"],
    ]) {
      await moveTo(dest);
      const value = `missed on the way to ${dest.name}`;
      const peer = next(clients.node, "broadcast", 5000, (v) => v === value);
      await call(clients[sender], "broadcast", { to: "rr" }, value);
      const seen = await peer;
      const count = received.length;
      await comeBack();
      assert.equal(away.recovered, true);
      assert.equal(away.id, id);
      assert.deepEqual(await call(away, "whoami"), { node: dest.name, id });
      await eventually(`the packet missed on the way to ${dest.name}`, async () => received.length > count);
      assert.deepEqual(received[count], seen);
      const live = next(away, "broadcast");
      await call(clients[sender], "broadcast", { to: "rr" }, "live");
      assertBroadcast(await live, ["live", sender]);
      assert.equal(received.length, count + 2);
    }
    away.disconnect();
  });
});
