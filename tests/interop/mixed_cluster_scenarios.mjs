// The scenarios every mixed cluster runs, whatever its adapter: one Node.js socket.io server
// ("node") and two sio nodes ("sio1", "sio2"), an official socket.io-client on each, across the
// adapter's Redis. Broadcasts (all, rooms, a socket's own room, except, binary), fetchSockets,
// socketsJoin/Leave, serverSideEmit with acks, broadcasts with acks and disconnectSockets cross
// every node in every direction. redis_cluster (pub/sub), redis_streams and redis_sharded register
// them in their describe() with mixedClusterTests().
import { test } from "node:test";
import assert from "node:assert/strict";
import { call, connect, eventually, next } from "./redis_helpers.mjs";

export const NAMES = ["node", "sio1", "sio2"];
const OFFSET = /^\d+-\d+$/;

/**
 * Registers the shared tests on a cluster whose before() connects one client per node:
 * - clients, ids, servers: name -> socket, its id, its server (filled by before());
 * - offsets: connection state recovery is on, every broadcast ends with the stream offset;
 * - onOffsets(offsets): more checks of one broadcast's offsets (the same on every client);
 * - roomReady(room, members): resolves once `members` nodes are subscribed to the room, where
 *   the adapter subscribes per room (a broadcast to it waits for that).
 * The clients answer "question" with { client, value }; r1 holds node's and sio2's clients.
 */
export function mixedClusterTests({ clients, ids, servers, offsets = false, onOffsets, roomReady }) {
  const ready = roomReady ?? (async () => {});
  const others = (from) => NAMES.filter((n) => n !== from);
  /** A broadcast's arguments without the offset (checked when recovery appends one). */
  const emitted = (args) => {
    if (!offsets) return args;
    assert.match(args.at(-1), OFFSET);
    return args.slice(0, -1);
  };
  const all = () => NAMES.map((n) => next(clients[n], "broadcast"));
  /** Until every node lists exactly `expected` (names) in `room`. */
  const members = async (room, expected) => {
    const want = expected.map((n) => ids[n]).sort();
    for (const name of NAMES) {
      const list = await eventually(
        `${room} on ${name}`,
        async () => (await call(clients[name], "fetch", { in: room })).map((s) => s.id),
        (got) => JSON.stringify(got) === JSON.stringify(want)
      );
      assert.deepEqual(list, want, `${room} on ${name}`);
    }
  };

  test("every node counts three servers", async () => {
    for (const name of NAMES) assert.equal(await call(clients[name], "server-count"), 3, name);
  });

  test("a broadcast to all from each node reaches the clients of every node", async () => {
    for (const from of NAMES) {
      const value = { from, n: Math.random() };
      const got = all();
      await call(clients[from], "broadcast", {}, value);
      const received = await Promise.all(got);
      for (const args of received) assert.deepEqual(emitted(args), [value, from]);
      if (offsets) {
        const seen = received.map((args) => args.at(-1));
        assert.equal(new Set(seen).size, 1, "one offset on every node");
        await onOffsets?.(seen);
      }
    }
  });

  test("a broadcast to a room reaches only its members, on every node, both ways", async () => {
    await call(clients.node, "join", "r1");
    await call(clients.sio2, "join", "r1");
    await ready("r1", 2);
    for (const from of NAMES) {
      const seen = [];
      const onSio1 = (...args) => seen.push(emitted(args));
      clients.sio1.on("broadcast", onSio1);
      const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      await call(clients[from], "broadcast", { to: "r1" }, `room from ${from}`);
      for (const args of await Promise.all(inRoom)) assert.deepEqual(emitted(args), [`room from ${from}`, from]);
      // A later broadcast to all reaches sio1 after the room one would have: it never got the latter.
      const got = all();
      await call(clients[from], "broadcast", {}, "to all");
      await Promise.all(got);
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
      assert.deepEqual(emitted(await got), [`to ${to}`, from]);
    }
  });

  test("except excludes a room across nodes", async () => {
    for (const from of NAMES) {
      const seen = [];
      const onNode = (...args) => seen.push(emitted(args));
      clients.node.on("broadcast", onNode);
      // node and sio2 are in r1: only sio1 receives.
      const got = next(clients.sio1, "broadcast");
      await call(clients[from], "broadcast", { except: "r1" }, "not r1");
      assert.deepEqual(emitted(await got), ["not r1", from]);
      const everyone = all();
      await call(clients[from], "broadcast", {}, "everyone");
      const [, , onSio2] = await Promise.all(everyone);
      clients.node.off("broadcast", onNode);
      assert.deepEqual(seen, [["everyone", from]]);
      assert.deepEqual(emitted(onSio2), ["everyone", from]);
    }
  });

  test("binary crosses as Buffers both ways, to all and to a room", async () => {
    const check = (args, bytes, from) => {
      const [value, origin, ...rest] = emitted(args);
      assert.ok(Buffer.isBuffer(value) || value instanceof ArrayBuffer, `${typeof value}`);
      assert.deepEqual(Buffer.from(value), bytes);
      assert.equal(origin, from);
      assert.deepEqual(rest, []);
    };
    for (const from of NAMES) {
      const bytes = Buffer.from([0, 1, 2, 250, 255, from.length]);
      const got = all();
      await call(clients[from], "broadcast", {}, bytes);
      for (const args of await Promise.all(got)) check(args, bytes, from);
      const inRoom = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      await call(clients[from], "broadcast", { to: "r1" }, bytes);
      for (const args of await Promise.all(inRoom)) check(args, bytes, from);
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

  test("socketsJoin and socketsLeave from each node move the sockets of every node", async () => {
    for (const from of NAMES) {
      const room = `joined-by-${from}`;
      await call(clients[from], "sockets-join", { in: "r1" }, room);
      // The join and a later server-side event travel in order: once the other nodes answered
      // the event, they applied the join (the listing below still waits for the issuer's own).
      const barrier = await call(clients[from], "server-side-emit", "barrier");
      assert.deepEqual(barrier.responses.map((x) => x.node).sort(), others(from));
      await members(room, ["node", "sio2"]);
      await ready(room, 2);
      const sender = others(from)[0];
      const got = [next(clients.node, "broadcast"), next(clients.sio2, "broadcast")];
      await call(clients[sender], "broadcast", { to: room }, `joined by ${from}`);
      for (const args of await Promise.all(got)) assert.deepEqual(emitted(args), [`joined by ${from}`, sender]);

      await call(clients[from], "sockets-join", {}, room);
      await members(room, NAMES);
      await ready(room, 3);
      const everyone = all();
      await call(clients[sender], "broadcast", { to: room }, "all joined");
      for (const args of await Promise.all(everyone)) assert.deepEqual(emitted(args), ["all joined", sender]);

      await call(clients[from], "sockets-leave", { in: "r1" }, room);
      await members(room, ["sio1"]);
      await ready(room, 1);
      await call(clients[from], "sockets-leave", {}, room);
      await members(room, []);
      await ready(room, 0);
    }
  });

  test("serverSideEmit with acks gets every other node's answer", async () => {
    for (const from of NAMES) {
      const value = { from, n: Math.random() };
      const mine = (_ev, v) => v?.n === value.n;
      const announced = others(from).map((n) => next(clients[n], "server-side", 5000, mine));
      const r = await call(clients[from], "server-side-emit", value);
      assert.equal(r.error, false);
      assert.deepEqual(r.responses.map((x) => x.node).sort(), others(from));
      for (const x of r.responses) assert.deepEqual(x.got, value);
      for (const args of await Promise.all(announced)) assert.deepEqual(args, ["hello", value, from]);
    }
  });

  test("broadcast acks count the clients of every node", async () => {
    for (const from of NAMES) {
      const r = await call(clients[from], "broadcast-with-ack", { timeout: 5000 }, `q from ${from}`);
      assert.equal(r.error, false, `from ${from}`);
      assert.deepEqual(
        r.responses.map((x) => x.client).sort(),
        NAMES,
        `from ${from}`
      );
      for (const x of r.responses) assert.equal(x.value, `q from ${from}`);
      const room = await call(clients[from], "broadcast-with-ack", { to: "r1", timeout: 5000 }, "r1?");
      assert.equal(room.error, false, `r1 from ${from}`);
      assert.deepEqual(room.responses.map((x) => x.client).sort(), ["node", "sio2"]);
    }
  });

  test("disconnectSockets from each node disconnects the room's sockets on every node", async () => {
    for (const from of NAMES) {
      const doomed = [];
      for (const name of NAMES) {
        const c = await connect(servers[name], { who: `doomed-${name}` });
        await call(c, "join", "doomed");
        doomed.push(c);
      }
      const reasons = doomed.map((c) => new Promise((r) => c.once("disconnect", r)));
      await call(clients[from], "disconnect-sockets", { in: "doomed" });
      assert.deepEqual(await Promise.all(reasons), Array(3).fill("io server disconnect"));
      for (const name of NAMES) assert.ok(clients[name].connected, `${name} kept`);
    }
  });
}
