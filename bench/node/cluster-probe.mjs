// How many nodes of a cluster receive a broadcast to a room that exists on one node only, as Redis
// counts them. A socket.io-client joins a room on one node (--url); then, on the channel the
// adapter publishes such a broadcast on, a probe message that every node ignores (it names another
// namespace) is published and Redis's answer, the number of subscribers it reached, is the figure:
//   redis (pub/sub)          PUBLISH  socket.io#/#<room>#   (nodes PSUBSCRIBE socket.io#/#*)
//   redis-sharded dynamic    SPUBLISH socket.io#/#<room>#   (only nodes with the room subscribe)
//   redis-sharded static     SPUBLISH socket.io#/#          (every broadcast on the namespace's)
//   redis-streams            every node reads the one stream: the connections blocked in XREAD
//                            (CLIENT LIST), as no publish reports readers
// Usage: node cluster-probe.mjs --url http://127.0.0.1:PORT --redis URL --adapter NAME
//          [--sharded-mode dynamic|static] [--nodes N]
// Prints one JSON line: {adapter, mode, nodes, receivers, method}.
import { createClient, createCluster } from "redis";
import { io } from "socket.io-client";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const url = opt("--url");
const redisUrl = opt("--redis");
const adapter = opt("--adapter", "redis");
const mode = adapter === "redis-sharded" ? opt("--sharded-mode", "dynamic") : "";
const nodes = Number(opt("--nodes", "2"));
const room = "probe-room";
const probeNsp = "/bench-probe"; // no node has it: every node drops the probe
const deadline = (ms) => Date.now() + ms;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// MessagePack of the pub/sub adapter's [uid, packet, opts] with packet {type: 2, nsp: probeNsp}.
function pubsubProbe() {
  const str = (s) => Buffer.concat([Buffer.from([0xa0 | s.length]), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from([0x93]),
    str("bench-probe"),
    Buffer.from([0x82]),
    str("type"),
    Buffer.from([0x02]),
    str("nsp"),
    str(probeNsp),
    Buffer.from([0x80]),
  ]);
}
const clusterProbe = JSON.stringify({ uid: "bench-probe", nsp: probeNsp, type: 2 });

async function joinRoom() {
  const socket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  await socket.timeout(5000).emitWithAck("join", { room });
  return socket;
}

async function measure() {
  if (adapter === "redis") {
    const c = createClient({ url: redisUrl });
    await c.connect();
    const receivers = await c.publish(`socket.io#/#${room}#`, pubsubProbe());
    await c.quit();
    return { receivers, method: "PUBLISH receivers" };
  }
  if (adapter === "redis-sharded") {
    const c = createCluster({ rootNodes: [{ url: redisUrl }] });
    await c.connect();
    const channel = mode === "static" ? "socket.io#/#" : `socket.io#/#${room}#`;
    // The room's subscription follows the join: give it time to be confirmed (dynamic only).
    for (const end = deadline(3000); mode !== "static" && Date.now() < end; await sleep(20)) {
      const counts = await c.sendCommand(channel, true, ["PUBSUB", "SHARDNUMSUB", channel]);
      if (Number(counts[1]) > 0) break;
    }
    const receivers = await c.sPublish(channel, clusterProbe);
    await c.quit();
    return { receivers, method: "SPUBLISH receivers" };
  }
  if (adapter === "redis-streams") {
    const c = createClient({ url: redisUrl });
    await c.connect();
    const list = await c.sendCommand(["CLIENT", "LIST"]);
    await c.quit();
    const receivers = list.split("\n").filter((l) => / cmd=xread /.test(l)).length;
    return { receivers, method: "connections blocked in XREAD" };
  }
  throw new Error(`unknown --adapter ${adapter}`);
}

const socket = await joinRoom();
const { receivers, method } = await measure();
socket.close();
console.log(JSON.stringify({ adapter, mode, nodes, receivers, method }));
process.exit(0);
