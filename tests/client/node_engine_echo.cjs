// An Engine.IO echo server on Node's engine.io (the reference implementation), for the C++
// client's engine tests: every message comes back as it came (text or binary); "close" makes the
// server close the session. Prints its port on a line of its own. Run with NODE_PATH pointing at
// tests/js/node_modules.
"use strict";
const http = require("node:http");
const { Server } = require("engine.io");

const engine = new Server({
  pingInterval: Number(process.env.PING_INTERVAL || 25000),
  pingTimeout: Number(process.env.PING_TIMEOUT || 20000),
  maxHttpBufferSize: 1e7,
});
const httpServer = http.createServer();
engine.attach(httpServer, { path: "/engine.io/" });
engine.on("connection", (socket) => {
  socket.on("message", (data) => {
    if (data === "close") return socket.close();
    socket.send(data);
  });
});
httpServer.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${httpServer.address().port}\n`);
});
