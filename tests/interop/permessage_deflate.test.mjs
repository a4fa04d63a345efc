// Interop: WebSocket permessage-deflate (`--per-message-deflate`, Node's perMessageDeflate with its
// threshold of 1024 bytes) with the official npm clients: socket.io-client over websocket (its `ws`
// offers the extension) for large JSON echoes both ways, the compress flag of an emit and of a
// broadcast, broadcasts to several clients; the `ws` client itself with and without client context
// takeover on the Engine.IO echo; a server that asks for no context takeover (the shared frames of
// a broadcast); a malformed offer refused as the `ws` package refuses it; the same over TLS
// (sio-conformance-server's --tls-cert/--tls-key). What went compressed is
// read from the client's TCP stream (RSV1 of each server frame).
//
// The threshold and the compress flag are checked as Node's documentation and engine.io up to 6.5
// define them; the Node reference (engine.io 6.6) passes neither to `ws` (it compresses every
// message under context takeover and ignores the flag), so those two checks are sio's.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { WebSocket } from "../js/index.mjs";
import { startServer, waitFor, waitForArgs, collect } from "./helpers.mjs";
import { client, connected, closeAll } from "./sioclient.mjs";
import { makeTestCA } from "./tls_helpers.mjs";

const THRESHOLD = 1024;

/** A JSON value whose encoding is about `n` bytes, repetitive as chat traffic is. */
function bigJson(n, tag = "") {
  const items = [];
  for (let i = 0; JSON.stringify(items).length < n; i++) {
    items.push({ id: i, user: `user${i % 7}`, text: `message ${tag} number ${i}`, at: 1700000000000 + i });
  }
  return { items };
}

/**
 * The server's frames as they arrive on the client's TCP connection (opcode, RSV1, payload length),
 * from now on. `ws` is the client's `ws` WebSocket; its socket is read in parallel with it.
 */
function tapFrames(ws) {
  const frames = [];
  let buf = Buffer.alloc(0);
  ws._socket.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1] & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        hdr = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        hdr = 10;
      }
      if (buf.length < hdr + len) return;
      frames.push({ opcode: buf[0] & 0x0f, rsv1: (buf[0] & 0x40) !== 0, length: len });
      buf = buf.subarray(hdr + len);
    }
  });
  return frames;
}

/** A socket.io-client over websocket on "/test", connected; with its `ws` and a tap on its frames. */
async function deflateClient(server, opts = {}) {
  const socket = client(server, "websocket", { nsp: "/test", ...opts });
  const auth = waitFor(socket, "auth", { timeout: 10000 });  // the server's first event
  await connected(socket, "websocket");
  await auth;
  const ws = socket.io.engine.transport.ws;
  return { socket, ws, frames: tapFrames(ws) };
}

/** The agreed permessage-deflate parameters of a `ws` WebSocket (undefined: none). */
function agreed(ws) {
  return ws._extensions["permessage-deflate"]?.params;
}

/** The data frames (text/binary) among `frames` from index `from` on, heartbeats ("2") left out. */
const dataFrames = (frames, from = 0) =>
  frames.slice(from).filter((f) => (f.opcode === 1 || f.opcode === 2) && f.length > 8);
/** The frames of the large payloads among `frames` (acks and other small packets left out). */
const largeFrames = (frames) => frames.filter((f) => f.length > 64);

describe("permessage-deflate with Node's defaults", () => {
  let server;
  before(async () => {
    server = await startServer({ args: ["--per-message-deflate"] });
  });
  afterEach(() => closeAll());
  after(async () => {
    closeAll();
    await server.stop();
  });

  it("socket.io-client negotiates it and large JSON echoes arrive compressed", async () => {
    const { socket, ws, frames } = await deflateClient(server);
    assert.equal(ws.extensions, "permessage-deflate");
    assert.ok(agreed(ws));
    for (let i = 0; i < 3; i++) {
      const value = bigJson(20000, `round ${i}`);
      socket.emit("message", value);
      const [back] = await waitForArgs(socket, "message-back", { timeout: 10000 });
      assert.deepEqual(back, value);
    }
    const data = dataFrames(frames);
    assert.equal(data.length, 3);
    for (const f of data) {
      assert.ok(f.rsv1, "compressed");
      assert.ok(f.length < 20000 / 4, `a 20 KB JSON went as ${f.length} bytes`);
    }
    // Under the threshold: plain.
    const mark = frames.length;
    socket.emit("message", "small");
    assert.equal(await waitFor(socket, "message-back"), "small");
    assert.deepEqual(dataFrames(frames, mark).map((f) => f.rsv1), [false]);
  });

  it("compress(false) on an emit and on a broadcast is respected", async () => {
    const { socket, frames } = await deflateClient(server);
    const value = bigJson(THRESHOLD * 4);
    for (const flag of [false, true, false]) {
      const mark = frames.length;
      socket.emit("compress-back", flag, value);
      assert.deepEqual(await waitFor(socket, "compress-back"), value);
      assert.deepEqual(dataFrames(frames, mark).map((f) => f.rsv1), [flag]);
    }
    for (const flag of [false, true]) {
      const mark = frames.length;
      const broadcast = waitFor(socket, "broadcast", { timeout: 10000 });
      await socket.timeout(10000).emitWithAck("broadcast-compress", flag, value);
      assert.deepEqual(await broadcast, value);
      // The broadcast, then the ack.
      assert.deepEqual(dataFrames(frames, mark).map((f) => f.rsv1), [flag, false]);
    }
  });

  it("a broadcast reaches several clients compressed", async () => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => deflateClient(server)));
    const value = bigJson(50000, "broadcast");
    const received = clients.map(({ socket }) => collect(socket, "broadcast", 3, { timeout: 10000 }));
    for (let i = 0; i < 3; i++) {
      await clients[0].socket.timeout(10000).emitWithAck("broadcast-all", value);
    }
    for (const got of await Promise.all(received)) assert.deepEqual(got, [value, value, value]);
    for (const { frames } of clients) {
      const data = largeFrames(dataFrames(frames));
      assert.equal(data.length, 3);
      for (const f of data) assert.ok(f.rsv1 && f.length < 50000 / 4);
    }
  });

  for (const clientNoContextTakeover of [false, true]) {
    it(`the ws client ${clientNoContextTakeover ? "without" : "with"} client context takeover`, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`, {
        perMessageDeflate: { clientNoContextTakeover, threshold: 0 },
      });
      const messages = [];
      const next = () =>
        new Promise((resolve, reject) => {
          if (messages.length) return resolve(messages.shift());
          ws.once("message", () => resolve(messages.shift()));
          ws.once("close", () => reject(new Error("closed")));
        });
      ws.on("message", (data, binary) => messages.push(binary ? data : data.toString()));
      await waitFor(ws, "open", { timeout: 10000 });
      assert.equal((await next())[0], "0");  // the open packet
      const frames = tapFrames(ws);
      assert.equal(ws.extensions, "permessage-deflate");
      assert.equal(agreed(ws).client_no_context_takeover, clientNoContextTakeover ? true : undefined);
      for (let i = 0; i < 4; i++) {
        const text = "4" + JSON.stringify(bigJson(8000, `ws ${i}`));
        ws.send(text);
        assert.equal(await next(), text);
        const binary = Buffer.from(text);
        ws.send(binary);
        assert.deepEqual(await next(), binary);
      }
      const data = largeFrames(dataFrames(frames));
      assert.equal(data.length, 8);
      assert.ok(data.every((f) => f.rsv1));
      // With context takeover the same content again costs the server almost nothing.
      assert.ok(data[1].length < 200, `the binary repeat went as ${data[1].length} bytes`);
      ws.close();
      await waitFor(ws, "close", { timeout: 10000 });
    });
  }

  it("a malformed offer is refused with 400, as the ws package refuses it", async () => {
    const res = await new Promise((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port: server.port,
        path: "/socket.io/?EIO=4&transport=websocket",
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits=99",
        },
      });
      req.on("response", resolve);
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
      req.end();
    });
    assert.equal(res.statusCode, 400);
    res.resume();
  });
});

describe("permessage-deflate with server_no_context_takeover", () => {
  let server;
  before(async () => {
    server = await startServer({ args: ["--per-message-deflate", "--server-no-context-takeover"] });
  });
  afterEach(() => closeAll());
  after(async () => {
    closeAll();
    await server.stop();
  });

  it("every client agrees on it; broadcasts and echoes arrive whole", async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => deflateClient(server)));
    for (const { ws } of clients) assert.equal(agreed(ws).server_no_context_takeover, true);
    const value = bigJson(30000, "shared");
    const received = clients.map(({ socket }) => collect(socket, "broadcast", 2, { timeout: 10000 }));
    for (let i = 0; i < 2; i++) await clients[1].socket.timeout(10000).emitWithAck("broadcast-all", value);
    for (const got of await Promise.all(received)) assert.deepEqual(got, [value, value]);
    // Without context takeover the repeat costs as much as the first: every message stands alone.
    for (const { frames } of clients) {
      const [a, b] = largeFrames(dataFrames(frames));
      assert.ok(a.rsv1 && b.rsv1);
      assert.equal(a.length, b.length);
    }
    clients[2].socket.emit("message", value);
    assert.deepEqual(await waitFor(clients[2].socket, "message-back", { timeout: 10000 }), value);
  });
});

describe("permessage-deflate over TLS", () => {
  let server;
  let ca;
  before(async () => {
    ca = makeTestCA();
    const cert = ca.issue("deflate");
    server = await startServer({
      args: ["--per-message-deflate", "--tls-cert", cert.cert, "--tls-key", cert.key],
    });
  });
  afterEach(() => closeAll());
  after(async () => {
    closeAll();
    await server.stop();
    ca.remove();
  });

  it("large echoes and broadcasts arrive compressed over wss", async () => {
    const secure = { url: `https://127.0.0.1:${server.port}` };
    // The tap reads the TLS socket's plaintext: the WebSocket frames.
    const clients = await Promise.all([1, 2].map(() => deflateClient(secure, { ca: ca.ca })));
    assert.equal(clients[0].ws.extensions, "permessage-deflate");
    const value = bigJson(60000, "tls");  // several TLS records
    clients[0].socket.emit("message", value);
    assert.deepEqual(await waitFor(clients[0].socket, "message-back", { timeout: 10000 }), value);
    const received = clients.map(({ socket }) => waitFor(socket, "broadcast", { timeout: 10000 }));
    await clients[1].socket.timeout(10000).emitWithAck("broadcast-all", value);
    for (const got of await Promise.all(received)) assert.deepEqual(got, value);
    for (const { frames } of clients) {
      const large = largeFrames(dataFrames(frames));
      assert.ok(large.length >= 1 && large.every((f) => f.rsv1 && f.length < 60000 / 4));
    }
  });
});
