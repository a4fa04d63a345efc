// A mixed cluster on Redis Streams, on one private Redis: a Node.js socket.io server with
// @socket.io/redis-streams-adapter and two sio nodes (sio-redis-node --adapter redis-streams), all
// with connection state recovery on, an official socket.io-client on each. Broadcasts (all, rooms,
// except, binary; each with the same stream offset on every node), fetchSockets,
// socketsJoin/Leave, disconnectSockets, serverSideEmit and broadcasts with acknowledgements cross
// every node in both directions; a client that loses its connection to the Node.js server comes
// back on a sio node with its id, rooms, data and the packets it missed, then on Node.js again,
// on the other sio node and on the first one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "../js/redis.mjs";
import { io as ioClient } from "../js/index.mjs";
import { call, connect, next, startNodeServer, startRedis, startSioNode } from "./redis_helpers.mjs";

const OFFSET = /^\d+-\d+$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A broadcast's arguments: the emitted ones, then the stream offset recovery appends. */
function assertBroadcast(args, expected) {
  assert.deepEqual(args.slice(0, -1), expected);
  assert.match(args.at(-1), OFFSET);
  return args.at(-1);
}

/** Polls `check` (an async function) until it returns a truthy value, failing after `ms`. */
async function until(what, check, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
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
    await until("three stream readers", async () => {
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

  test("every node counts three servers", async () => {
    for (const c of Object.values(clients)) assert.equal(await call(c, "server-count"), 3);
  });

  test("a broadcast to all from each node reaches every client with one offset, the entry's", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const value = { from, n: Math.random() };
      const got = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, value);
      const offsets = (await Promise.all(got)).map((args) => assertBroadcast(args, [value, from]));
      assert.equal(new Set(offsets).size, 1);
      const entry = await admin.sendCommand(["XRANGE", "socket.io", offsets[0], offsets[0]]);
      assert.equal(entry.length, 1);
    }
  });

  test("a broadcast to a room reaches only its members, on every node, both ways", async () => {
    await call(clients.node, "join", "r1");
    await call(clients.sio2, "join", "r1");
    for (const from of ["node", "sio1", "sio2"]) {
      const seen = [];
      const onSio1 = (...args) => seen.push(args.slice(0, -1));
      clients.sio1.on("broadcast", onSio1);
      const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      await call(clients[from], "broadcast", { to: "r1" }, `room from ${from}`);
      for (const args of await Promise.all(inRoom)) assertBroadcast(args, [`room from ${from}`, from]);
      // A later broadcast to all reaches sio1 after the room one would have: it never got the latter.
      const all = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, "to all");
      await Promise.all(all);
      clients.sio1.off("broadcast", onSio1);
      assert.deepEqual(seen, [["to all", from]]);
    }
  });

  test("except excludes a room across nodes", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const seen = [];
      const onNode = (...args) => seen.push(args.slice(0, -1));
      clients.node.on("broadcast", onNode);
      // node and sio2 are in r1: only sio1 receives.
      const got = next(clients.sio1, "broadcast");
      await call(clients[from], "broadcast", { except: "r1" }, "not r1");
      assertBroadcast(await got, ["not r1", from]);
      const all = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, "all again");
      await Promise.all(all);
      clients.node.off("broadcast", onNode);
      assert.deepEqual(seen, [["all again", from]]);
    }
  });

  test("binary broadcasts cross every node", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const bytes = Buffer.from([0, 1, 2, 255, from.length]);
      const got = Object.values(clients).map((c) => next(c, "broadcast"));
      await call(clients[from], "broadcast", {}, bytes);
      for (const args of await Promise.all(got)) {
        assert.equal(args.length, 3);
        assert.deepEqual(Buffer.from(args[0]), bytes);
        assert.equal(args[1], from);
        assert.match(args[2], OFFSET);
      }
    }
  });

  test("fetchSockets from each node sees every socket with its rooms and data", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const all = await call(clients[from], "fetch", {});
      assert.deepEqual(
        all.map((s) => s.id),
        Object.values(ids).sort()
      );
      for (const s of all) {
        const name = Object.keys(ids).find((k) => ids[k] === s.id);
        assert.deepEqual(s.data, { user: name });
        assert.deepEqual(s.auth, { who: name });
        assert.ok(s.rooms.includes(s.id));
      }
      const inR1 = await call(clients[from], "fetch", { in: "r1" });
      assert.deepEqual(
        inR1.map((s) => s.id),
        [ids.node, ids.sio2].sort()
      );
    }
  });

  test("socketsJoin and socketsLeave from each node reach every node", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const room = `joined-by-${from}`;
      await call(clients[from], "sockets-join", { in: "r1" }, room);
      await until(`${room} on every node`, async () => {
        const members = await call(clients.sio1, "fetch", { in: room });
        return members.length === 2;
      });
      for (const name of ["node", "sio1", "sio2"]) {
        const members = await call(clients[name], "fetch", { in: room });
        assert.deepEqual(
          members.map((s) => s.id),
          [ids.node, ids.sio2].sort()
        );
      }
      await call(clients[from], "sockets-leave", {}, room);
      await until(`${room} left everywhere`, async () => {
        for (const name of ["node", "sio1", "sio2"])
          if ((await call(clients[name], "fetch", { in: room })).length) return false;
        return true;
      });
    }
  });

  test("serverSideEmit with acks gets every other node's answer", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const announced = Object.entries(clients)
        .filter(([name]) => name !== from)
        .map(([, c]) => next(c, "server-side"));
      const r = await call(clients[from], "server-side-emit", { from });
      assert.equal(r.error, false);
      const others = ["node", "sio1", "sio2"].filter((n) => n !== from);
      assert.deepEqual(r.responses.map((x) => x.node).sort(), others);
      for (const x of r.responses) assert.deepEqual(x.got, { from });
      for (const args of await Promise.all(announced)) assert.deepEqual(args, ["hello", { from }, from]);
    }
  });

  test("a broadcast with acks collects every client's answer across nodes", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const r = await call(clients[from], "broadcast-with-ack", { timeout: 5000 }, `q from ${from}`);
      assert.equal(r.error, false);
      assert.deepEqual(r.responses.map((x) => x.client).sort(), ["node", "sio1", "sio2"]);
      for (const x of r.responses) assert.equal(x.value, `q from ${from}`);
      const inR1 = await call(clients[from], "broadcast-with-ack", { to: "r1", timeout: 5000 }, "r1?");
      assert.deepEqual(inR1.responses.map((x) => x.client).sort(), ["node", "sio2"]);
    }
  });

  test("disconnectSockets from each node disconnects the room's sockets on every node", async () => {
    for (const from of ["node", "sio1", "sio2"]) {
      const doomed = [];
      for (const srv of Object.values(servers)) {
        const c = await connect(srv);
        await call(c, "join", "doomed");
        doomed.push(c);
      }
      const reasons = doomed.map((c) => new Promise((r) => c.once("disconnect", r)));
      await call(clients[from], "disconnect-sockets", { in: "doomed" });
      assert.deepEqual(await Promise.all(reasons), Array(3).fill("io server disconnect"));
      for (const c of Object.values(clients)) assert.ok(c.connected);
    }
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
      await until("the session persisted", async () => (await sessionKeys()).length === 1);
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
    await until("the missed packets", async () => received.length >= before + 2);
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
      await until(`the packet missed on the way to ${dest.name}`, async () => received.length > count);
      assert.deepEqual(received[count], seen);
      const live = next(away, "broadcast");
      await call(clients[sender], "broadcast", { to: "rr" }, "live");
      assertBroadcast(await live, ["live", sender]);
      assert.equal(received.length, count + 2);
    }
    away.disconnect();
  });
});
