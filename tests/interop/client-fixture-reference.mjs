// Node.js reference of build/bin/sio-client-fixture, on the official `engine.io` and `socket.io`
// packages: the fixtures of the socket.io-client and engine.io-client test suites, so that
// client_fixture_*.test.mjs can be checked against Node itself:
//
//   SIO_CLIENT_FIXTURE=tests/interop/client-fixture-reference.mjs node --test tests/interop/client_fixture_*
//   node tests/interop/client-fixture-reference.mjs --suite socket.io-client --port 3210
//   (--parser msgpack: socket.io-msgpack-parser instead of the JSON parser)
//
// What each suite's fixture does is listed in tests/interop/README.md.
import http from "node:http";
import { EngineServer, SocketIOServer, msgpackParser } from "../js/index.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const suite = option("--suite");
const port = Number(option("--port", suite === "engine.io-client" ? 3000 : 3210));
// --parser msgpack: the Socket.IO fixture speaks socket.io-msgpack-parser (default: JSON).
const parser = option("--parser", "json") === "msgpack" ? { parser: msgpackParser } : {};

const isMixedHello = (a) =>
  a && a.hello === "lol" && Buffer.isBuffer(a.message) && a.goodbye === "gotcha";

function socketIoClientFixture(httpServer) {
  const io = new SocketIOServer(httpServer, {
    pingInterval: 2000,
    ...parser,
    connectionStateRecovery: {},
    allowRequest: (req, callback) => setTimeout(() => callback(null, true), 10),
  });
  io.of("/foo").on("connection", (socket) => socket.on("getId", (cb) => cb(socket.id)));
  for (const name of ["/timeout_socket", "/valid", "/asd"]) io.of(name).on("connection", () => {});
  io.of("/abc").on("connection", (socket) => socket.emit("handshake", socket.handshake));
  io.use((socket, next) =>
    next(socket.handshake.query.fail ? new Error("Auth failed (main namespace)") : undefined)
  );
  io.of("/no").use((socket, next) => next(new Error("Auth failed (custom namespace)")));
  io.on("connection", (socket) => {
    const seen = {};
    socket.on("hi", () => socket.emit("hi"));
    socket.on("echo", (arg, cb) => cb(arg));
    socket.on("ack", () =>
      socket.emit("ack", (a, b) => {
        if (a === 5 && b && b.test) socket.emit("got it");
      })
    );
    socket.on("getAckDate", (data, cb) => cb(new Date()));
    socket.on("getDate", () => socket.emit("takeDate", new Date()));
    socket.on("getDateObj", () => socket.emit("takeDateObj", { date: new Date() }));
    socket.on("getUtf8", () => {
      for (const s of ["てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"])
        socket.emit("takeUtf8", s);
    });
    socket.on("false", () => socket.emit("false", false));
    socket.on("doge", () => socket.emit("doge", Buffer.from("asdfasdf")));
    socket.on("getbin", () => socket.emit("takebin", Buffer.from("asdfasdf")));
    socket.on("buffa", (a) => Buffer.isBuffer(a) && socket.emit("buffack"));
    socket.on("blob", (a) => Buffer.isBuffer(a) && socket.emit("back"));
    socket.on("jsonbuff", (a) => isMixedHello(a) && socket.emit("jsonbuff-ack"));
    socket.on("jsonblob", (a) => isMixedHello(a) && socket.emit("jsonblob-ack"));
    socket.on("abuff1", (a) => (seen.abuff1 = Buffer.isBuffer(a)));
    socket.on("abuff2", () => seen.abuff1 && socket.emit("abuff2-ack"));
    socket.on("blob1", (a) => (seen.blob1 = Buffer.isBuffer(a)));
    socket.on("blob2", (a) => (seen.blob2 = seen.blob1 && a === "second"));
    socket.on("blob3", (a) => Buffer.isBuffer(a) && seen.blob2 && socket.emit("blob3-ack"));
    socket.on("getHandshake", (cb) => cb(socket.handshake));
    socket.on("getId", (cb) => cb(socket.id));
    // Beyond the official fixture (see sio-client-fixture's transport_events): the Engine.IO
    // connection closed under the socket, and a message that is no Socket.IO packet.
    socket.on("closeTransport", () => socket.conn.close());
    socket.on("sendInvalidPacket", () => socket.conn.send("bad"));
  });
}

function engineIoClientFixture(httpServer) {
  const engine = new EngineServer({
    pingInterval: 500,
    maxHttpBufferSize: 100,
    allowRequest: (req, fn) => fn(null, !new URL(`http://${req.url}`).searchParams.has("deny")),
  });
  engine.attach(httpServer);
  engine.on("initial_headers", (headers) => {
    headers["set-cookie"] = [
      "1=1; Max-Age=86400",
      "2=2; Path=/; HttpOnly; Secure; SameSite=Strict",
      "3=3; Max-Age=0",
      `4=4; Expires=${new Date().toUTCString()}`,
    ];
  });
  engine.on("connection", (socket) => {
    socket.send("hi");
    socket.on("message", (data) => {
      if (data === "give binary") return socket.send(new Int8Array([0, 1, 2, 3, 4]));
      if (data === "give utf8") return socket.send("пойду спать всем спокойной ночи");
      if (data === "sendHeaders") return socket.send(JSON.stringify(socket.transport?.dataReq?.headers));
      socket.send(data);
    });
  });
}

const httpServer = http.createServer();
if (suite === "socket.io-client") {
  socketIoClientFixture(httpServer);
} else if (suite === "engine.io-client") {
  engineIoClientFixture(httpServer);
} else {
  console.error("usage: client-fixture-reference.mjs --suite socket.io-client|engine.io-client [--port N]");
  process.exit(2);
}
httpServer.listen(port, () => console.log(`client fixture (${suite}, Node.js) listening on port ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
