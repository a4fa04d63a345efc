// Node.js reference of the conformance server, built on the official `engine.io` and `socket.io`
// packages. It is the executable specification of what build/bin/sio-conformance-server serves, so the
// interop tests and the official protocol suites can be checked against Node itself:
//
//   SIO_CONFORMANCE_SERVER=tests/interop/reference-server.mjs node --test tests/interop/
//   node tests/interop/reference-server.mjs --port 3000
//
// /engine.io/  Engine.IO v4 protocol test-suite configuration: every message echoed back.
// /socket.io/  Socket.IO v5 protocol test-suite configuration ("/" and "/custom"), plus the test-only
//              namespace "/test" whose hooks are documented below and in tests/interop/README.md.
//              --parser msgpack: it speaks socket.io-msgpack-parser (as sio-conformance-server
//              --parser msgpack).
import http from "node:http";
import { EngineServer, SocketIOServer, msgpackParser } from "../js/index.mjs";

const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 3000;
// --recovery MS: connection state recovery with a window of MS milliseconds ("/", "/custom", "/test").
const recoveryIndex = args.indexOf("--recovery");
const recovery =
  recoveryIndex >= 0 ? { connectionStateRecovery: { maxDisconnectionDuration: Number(args[recoveryIndex + 1]) } } : {};

// --ping-interval MS / --ping-timeout MS: both endpoints' heartbeat (default 300 + 200 ms);
// --connect-timeout MS: the time a new session has to send its CONNECT (default 1000 ms).
const numberArg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const heartbeat = {
  pingInterval: numberArg("--ping-interval", 300),
  pingTimeout: numberArg("--ping-timeout", 200),
};

// --parser msgpack: Socket.IO packets as socket.io-msgpack-parser writes them (default: JSON).
const parserIndex = args.indexOf("--parser");
const parserName = parserIndex >= 0 ? args[parserIndex + 1] : "json";
if (!["json", "msgpack"].includes(parserName)) throw new Error(`unknown parser ${parserName}`);
const parser = parserName === "msgpack" ? { parser: msgpackParser } : {};

// --per-message-deflate: WebSocket permessage-deflate with Node's defaults (threshold 1024);
// --server-no-context-takeover asks every client for it too.
const perMessageDeflate = args.includes("--per-message-deflate")
  ? { threshold: 1024, serverNoContextTakeover: args.includes("--server-no-context-takeover") }
  : false;
const common = { ...heartbeat, maxPayload: 1e6, cors: { origin: "*" }, perMessageDeflate };
const httpServer = http.createServer();

// --- Engine.IO echo ------------------------------------------------------------------------------
const engine = new EngineServer({ ...common, destroyUpgrade: false });
engine.attach(httpServer, { path: "/engine.io/", destroyUpgrade: false });
engine.on("connection", (socket) => {
  socket.on("message", (data) => socket.send(data));
});

// --- Socket.IO: the protocol test-suite configuration --------------------------------------------
const io = new SocketIOServer(httpServer, {
  ...common,
  ...recovery,
  ...parser,
  connectTimeout: numberArg("--connect-timeout", 1000),
  destroyUpgrade: false,
});
io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...a) => socket.emit("message-back", ...a));
  socket.on("message-with-ack", (...a) => {
    const ack = a.pop();
    ack(...a);
  });
});
io.of("/custom").on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
});

// --- Socket.IO: test-only hooks in namespace "/test" ---------------------------------------------
const test = io.of("/test");
// Middleware: auth.fail refuses the connection with CONNECT_ERROR {message:"unauthorized", data:{reason}}.
test.use((socket, next) => {
  const auth = socket.handshake.auth || {};
  if (auth.fail !== undefined) {
    const err = new Error("unauthorized");
    err.data = { reason: auth.fail };
    return next(err);
  }
  next();
});
const ackIf = (ack, ...a) => typeof ack === "function" && ack(...a);
test.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...a) => socket.emit("message-back", ...a));
  socket.on("handshake", (ack) => ackIf(ack, { secure: socket.handshake.secure }));
  // Rooms. `rooms` is a room name or an array of names.
  socket.on("join", (rooms, ack) => {
    socket.join(rooms);
    ackIf(ack);
  });
  socket.on("leave", (room, ack) => {
    socket.leave(room);
    ackIf(ack);
  });
  // Broadcasts, each emitting "broadcast" with the payload, then acking the request.
  socket.on("broadcast-to", (rooms, payload, ack) => {
    test.to(rooms).emit("broadcast", payload);
    ackIf(ack);
  });
  socket.on("broadcast-from", (rooms, payload, ack) => {
    socket.to(rooms).emit("broadcast", payload);
    ackIf(ack);
  });
  socket.on("broadcast-except", (rooms, payload, ack) => {
    test.except(rooms).emit("broadcast", payload);
    ackIf(ack);
  });
  socket.on("broadcast-all", (payload, ack) => {
    test.emit("broadcast", payload);
    ackIf(ack);
  });
  // Broadcast with acks: emits "ask" (payload) to the room with a timeout, acks {err, responses}.
  socket.on("broadcast-with-ack", (rooms, payload, timeoutMs, ack) => {
    test
      .to(rooms)
      .timeout(timeoutMs)
      .emit("ask", payload, (err, responses) => {
        ackIf(ack, { err: err ? err.message : null, responses });
      });
  });
  // Server emit_with_ack to this socket: emits "server-ask" (payload) with a timeout, acks {err, args}.
  socket.on("server-ask", (payload, timeoutMs, ack) => {
    socket.timeout(timeoutMs).emit("server-ask", payload, (err, ...answer) => {
      ackIf(ack, { err: err ? err.message : null, args: err ? [] : answer });
    });
  });
  // The compress flag: emits "compress-back" (payload) with socket.compress(flag).
  socket.on("compress-back", (flag, payload) => {
    socket.compress(flag).emit("compress-back", payload);
  });
  socket.on("broadcast-compress", (flag, payload, ack) => {
    test.compress(flag).emit("broadcast", payload);
    ackIf(ack);
  });
  // Volatile: `count` volatile "volatile" events (0..count-1) emitted back to back, then a regular
  // "burst-end" (count).
  socket.on("volatile-burst", (count) => {
    for (let i = 0; i < count; i++) socket.volatile.emit("volatile", i);
    socket.emit("burst-end", count);
  });
  // Server-side disconnect: close=true closes the whole connection, false only this namespace.
  socket.on("disconnect-me", (close) => {
    socket.disconnect(close === true);
  });
  // Drops the Engine.IO connection under the socket without a Socket.IO DISCONNECT (the client sees
  // "transport close" and reconnects), as a lost network would.
  socket.on("close-transport", () => {
    socket.conn.close();
  });
  // Sessions kept for connection state recovery (SessionAwareAdapter's map; 0 without recovery).
  socket.on("stored-sessions", (ack) => ackIf(ack, test.adapter.sessions?.size ?? 0));
});

httpServer.listen(port, "127.0.0.1", () => {
  console.log(`listening on ${httpServer.address().port}`);
});
const shutdown = () => {
  io.close();
  engine.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
