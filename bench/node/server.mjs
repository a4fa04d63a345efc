// The Node.js side of sio's benchmarks: the npm socket.io server implementing the bench contract
// (bench/README in BENCHMARKS.md): echo -> ack with the same arguments; join {room} -> join (acked
// when the client asks); fanout {room, payload} -> emit "fanout" with payload to that room;
// stats -> ack {heap: V8 heap used + external memory after a full GC when node runs with
// --expose-gc, clients: Engine.IO clients}.
// Usage: node [--expose-gc] server.mjs --port N [--recovery MS]
// --recovery turns on connectionStateRecovery with maxDisconnectionDuration MS.
import { createServer } from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
let port = 3000;
let recovery = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") port = Number(args[++i]);
  else if (args[i].startsWith("--port=")) port = Number(args[i].slice(7));
  else if (args[i] === "--recovery") recovery = Number(args[++i]);
}

const http = createServer();
// Defaults as the docs describe them; bufferutil is picked up by ws automatically.
const options = { cors: { origin: "*" } };
if (recovery > 0) options.connectionStateRecovery = { maxDisconnectionDuration: recovery };
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
  console.log(`sio-bench node server listening on 127.0.0.1:${port} (pid ${process.pid})`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    io.close();
    process.exit(0);
  });
}
