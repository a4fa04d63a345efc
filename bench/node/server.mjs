// The Node.js side of sio's benchmarks: the npm socket.io server implementing the bench contract
// (bench/README in BENCHMARKS.md): echo -> ack with the same arguments; join {room} -> join (acked
// when the client asks); fanout {room, payload} -> emit "fanout" with payload to that room;
// stats -> ack {heap: V8 heap used + external memory after a full GC when node runs with
// --expose-gc, clients: Engine.IO clients}.
// Usage: node [--expose-gc] server.mjs --port N [--recovery MS]
//          [--redis URL[,URL...] [--adapter redis|redis-streams|redis-sharded]
//           [--sharded-mode dynamic|static]] [--parser json|msgpack] [--per-message-deflate on|nct]
// --parser msgpack uses socket.io-msgpack-parser (as sio-bench-server --parser msgpack).
// --per-message-deflate: perMessageDeflate with its defaults (on) or with serverNoContextTakeover
// (nct). --recovery turns on connectionStateRecovery with maxDisconnectionDuration MS. --redis makes it
// one node of a cluster with the npm adapter matching sio's --adapter: @socket.io/redis-adapter
// (createAdapter, pub/sub), @socket.io/redis-streams-adapter, or @socket.io/redis-adapter's
// createShardedAdapter on a Redis Cluster (the URLs are its seeds) with subscriptionMode
// --sharded-mode; it then listens once its Redis clients are connected.
import { createServer } from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
let port = 3000;
let recovery = 0;
let redis = [];
let adapterName = "redis";
let shardedMode = "dynamic";
let parserName = "json";
let deflate = "";
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") port = Number(args[++i]);
  else if (args[i].startsWith("--port=")) port = Number(args[i].slice(7));
  else if (args[i] === "--recovery") recovery = Number(args[++i]);
  else if (args[i] === "--redis") redis = args[++i].split(",");
  else if (args[i] === "--adapter") adapterName = args[++i];
  else if (args[i] === "--sharded-mode") shardedMode = args[++i];
  else if (args[i] === "--parser") parserName = args[++i];
  else if (args[i] === "--per-message-deflate") deflate = args[++i];
}
if (!["json", "msgpack"].includes(parserName)) throw new Error(`unknown --parser ${parserName}`);

// The npm adapter of --adapter on --redis, its clients connected.
async function clusterAdapter() {
  const { createClient, createCluster } = await import("redis");
  const quiet = (c) => (c.on("error", () => {}), c);
  if (adapterName === "redis") {
    const { createAdapter } = await import("@socket.io/redis-adapter");
    const pub = quiet(createClient({ url: redis[0] }));
    const sub = quiet(pub.duplicate());
    await Promise.all([pub.connect(), sub.connect()]);
    return createAdapter(pub, sub);
  }
  if (adapterName === "redis-streams") {
    const { createAdapter } = await import("@socket.io/redis-streams-adapter");
    const client = quiet(createClient({ url: redis[0] }));
    await client.connect();
    return createAdapter(client);
  }
  if (adapterName === "redis-sharded") {
    const { createShardedAdapter } = await import("@socket.io/redis-adapter");
    const rootNodes = redis.map((url) => ({ url }));
    const pub = quiet(createCluster({ rootNodes }));
    const sub = quiet(createCluster({ rootNodes }));
    await Promise.all([pub.connect(), sub.connect()]);
    return createShardedAdapter(pub, sub, { subscriptionMode: shardedMode });
  }
  throw new Error(`unknown --adapter ${adapterName}`);
}

const http = createServer();
// Defaults as the docs describe them; bufferutil is picked up by ws automatically.
const options = { cors: { origin: "*" } };
if (deflate) options.perMessageDeflate = { threshold: 1024, serverNoContextTakeover: deflate === "nct" };
if (recovery > 0) options.connectionStateRecovery = { maxDisconnectionDuration: recovery };
if (redis.length > 0) options.adapter = await clusterAdapter();
if (parserName === "msgpack") options.parser = (await import("socket.io-msgpack-parser")).default;
const io = new Server(http, options);

function heapInUse() {
  if (typeof global.gc === "function") global.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

io.on("connection", (socket) => {
  socket.on("echo", (...a) => {
    const ack = typeof a[a.length - 1] === "function" ? a.pop() : null;
    if (ack) ack(...a);
  });
  socket.on("join", (arg, ack) => {
    if (arg && typeof arg.room === "string") socket.join(arg.room);
    if (typeof ack === "function") ack();
  });
  socket.on("fanout", (arg) => {
    if (arg && typeof arg.room === "string") io.to(arg.room).emit("fanout", arg.payload);
  });
  socket.on("stats", (ack) => {
    if (typeof ack === "function") ack({ heap: heapInUse(), clients: io.engine.clientsCount });
  });
});

http.listen(port, "127.0.0.1", () => {
  const cluster = redis.length > 0 ? `, adapter ${adapterName}` : "";
  console.log(`sio-bench node server listening on 127.0.0.1:${port} (pid ${process.pid}${cluster})`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    io.close();
    process.exit(0);
  });
}
