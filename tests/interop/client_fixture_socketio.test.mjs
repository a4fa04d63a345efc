// Interop: the socket.io-client suite's fixture (sio-client-fixture --suite socket.io-client, see
// README.md) driven by the official npm `socket.io-client`: every namespace and event of it, the
// 10 ms allowRequest (a client timeout of 0 fires first) and the engine settings, so that the fixture
// stays right between runs of the official suite (scripts/run-official-suites.sh).
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { serverCommand, startServer, waitFor, waitForArgs, collect, toBuffer } from "./helpers.mjs";
import { MODES, client, manager, track, connected, closeAll } from "./sioclient.mjs";

let server;
before(async () => {
  server = await startServer({
    command: serverCommand("SIO_CLIENT_FIXTURE", {
      args: ["--suite", "socket.io-client"],
      hint: "point it at build/bin/sio-client-fixture or tests/interop/client-fixture-reference.mjs",
    }),
  });
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
});

const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const hello = (message) => ({ hello: "lol", message, goodbye: "gotcha" });

/** Emits `event` with `args` and waits for the ack's arguments. */
function ask(socket, event, ...args) {
  return socket.timeout(5000).emitWithAck(event, ...args);
}

/** Resolves once the server handled everything sent before (its "hi" answer comes after them). */
async function roundTrip(socket) {
  const hi = waitFor(socket, "hi");
  socket.emit("hi");
  await hi;
}

describe("socket.io-client fixture: engine settings", () => {
  it("hands out pingInterval 2000 and the default pingTimeout and maxPayload", async () => {
    const r = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    assert.equal(r.status, 200);
    const open = JSON.parse((await r.text()).slice(1));
    assert.equal(open.pingInterval, 2000);
    assert.equal(open.pingTimeout, 20000);
    assert.equal(open.maxPayload, 1000000);
    assert.deepEqual(open.upgrades, ["websocket"]);
  });

  for (const mode of ["polling", "websocket"]) {
    it(`answers a handshake after the client's 0 ms timeout fired (${mode})`, async () => {
      const socket = client(server, mode, { timeout: 0 });
      const err = await waitFor(socket, "connect_error", { failOn: ["connect"] });
      assert.equal(err.message, "timeout");
    });
  }
});

for (const mode of Object.keys(MODES)) {
  describe(`socket.io-client fixture over ${mode}`, () => {
    it('"hi" is answered with "hi"; "echo" acks its argument, JSON or binary', async () => {
      const socket = await connected(client(server, mode), mode);
      await roundTrip(socket);
      assert.deepEqual(await ask(socket, "echo", { a: [1, "two", null] }), { a: [1, "two", null] });
      const bytes = toBuffer(await ask(socket, "echo", Buffer.from([0, 1, 2, 255])));
      assert.deepEqual([...bytes], [0, 1, 2, 255]);
    });

    it('"doge" and "getbin" answer with the bytes of "asdfasdf"', async () => {
      const socket = await connected(client(server, mode), mode);
      const doge = waitFor(socket, "doge");
      socket.emit("doge");
      assert.equal(toBuffer(await doge).toString(), "asdfasdf");
      const bin = waitFor(socket, "takebin");
      socket.emit("getbin");
      assert.equal(toBuffer(await bin).toString(), "asdfasdf");
    });
  });
}

describe("socket.io-client fixture: main namespace events", () => {
  it('"ack" asks the client, and "got it" follows the answer (5, {test: true})', async () => {
    const socket = await connected(client(server, "upgrade"));
    socket.on("ack", (cb) => cb(5, { test: true }));
    const gotIt = waitFor(socket, "got it");
    socket.emit("ack");
    await gotIt;
  });

  it("sends dates as ISO strings: getAckDate, getDate, getDateObj", async () => {
    const socket = await connected(client(server, "upgrade"));
    assert.match(await ask(socket, "getAckDate", { test: true }), ISO_DATE);
    const date = waitFor(socket, "takeDate");
    socket.emit("getDate");
    assert.match(await date, ISO_DATE);
    const obj = waitFor(socket, "takeDateObj");
    socket.emit("getDateObj");
    assert.match((await obj).date, ISO_DATE);
  });

  it('"getUtf8" sends five multibyte strings in order; "false" sends false', async () => {
    const socket = await connected(client(server, "upgrade"));
    const texts = collect(socket, "takeUtf8", 5);
    socket.emit("getUtf8");
    assert.deepEqual(await texts, [
      "てすと",
      "Я Б Г Д Ж Й",
      "Ä ä Ü ü ß",
      "utf8 — string",
      "utf8 — string",
    ]);
    const f = waitForArgs(socket, "false");
    socket.emit("false");
    // With connection state recovery on (as in the fixture), the server appends the packet's offset.
    const [value, offset, ...rest] = await f;
    assert.equal(value, false);
    assert.equal(typeof offset, "string");
    assert.deepEqual(rest, []);
  });

  it("acknowledges binary arguments: buffa, blob, jsonbuff, jsonblob", async () => {
    const socket = await connected(client(server, "upgrade"));
    const cases = [
      ["buffa", Buffer.from("buffer"), "buffack"],
      ["blob", new Uint8Array([1, 2]).buffer, "back"],
      ["jsonbuff", hello(Buffer.from("howdy")), "jsonbuff-ack"],
      ["jsonblob", hello(new Uint8Array([9]).buffer), "jsonblob-ack"],
    ];
    for (const [event, arg, answer] of cases) {
      const ack = waitFor(socket, answer);
      socket.emit(event, arg);
      await ack;
    }
  });

  it("does not acknowledge what is not binary (buffa, jsonbuff)", async () => {
    const socket = await connected(client(server, "upgrade"));
    const unexpected = [];
    socket.onAny((event) => unexpected.push(event));
    socket.emit("buffa", "not binary");
    socket.emit("jsonbuff", hello("not binary"));
    await roundTrip(socket);
    assert.deepEqual(unexpected, ["hi"]);
  });

  it("checks the order of abuff1/abuff2 and blob1/blob2/blob3", async () => {
    const socket = await connected(client(server, "upgrade"));
    const unexpected = [];
    socket.onAny((event) => unexpected.push(event));
    socket.emit("abuff2", "too early");
    socket.emit("blob3", Buffer.from("too early"));
    await roundTrip(socket);
    assert.deepEqual(unexpected, ["hi"]);

    const abuff = waitFor(socket, "abuff2-ack");
    socket.emit("abuff1", Buffer.from("abuff1"));
    socket.emit("abuff2", "please arrive second");
    await abuff;
    const blob = waitFor(socket, "blob3-ack");
    socket.emit("blob1", Buffer.from("BLOBBLOB"));
    socket.emit("blob2", "second");
    socket.emit("blob3", Buffer.from("BLOBBLOB"));
    await blob;
  });

  it('"getHandshake" acks the handshake; "getId" the socket id', async () => {
    const socket = await connected(client(server, "polling", { query: { e: "f" }, auth: { x: 1 } }));
    const h = await ask(socket, "getHandshake");
    assert.equal(h.query.e, "f");
    assert.equal(h.query.EIO, "4");
    assert.equal(h.query.transport, "polling");
    assert.deepEqual(h.auth, { x: 1 });
    assert.equal(typeof h.headers, "object");
    assert.equal(h.secure, false);
    assert.equal(h.xdomain, false);
    assert.equal(typeof h.issued, "number");
    assert.match(h.url, /^\/socket\.io\/\?.*\be=f\b/);
    assert.equal(await ask(socket, "getId"), socket.id);
  });

  it('"closeTransport" drops the connection under the socket, which recovers its session', async () => {
    const socket = await connected(client(server, "websocket", { reconnection: true, reconnectionDelay: 10 }));
    await roundTrip(socket); // an event carries the offset that recovery needs
    const id = socket.id;
    const reason = waitFor(socket, "disconnect");
    socket.emit("closeTransport");
    assert.equal(await reason, "transport close");
    await waitFor(socket, "connect");
    assert.equal(socket.id, id);
    assert.equal(socket.recovered, true);
  });

  it('"sendInvalidPacket" makes the client close with "parse error"', async () => {
    const socket = await connected(client(server, "polling", { reconnection: false }));
    const reason = waitFor(socket, "disconnect");
    socket.emit("sendInvalidPacket");
    assert.equal(await reason, "parse error");
  });

  it("refuses a handshake whose query has `fail` (main namespace middleware)", async () => {
    const socket = client(server, "polling", { query: { fail: "1" } });
    const err = await waitFor(socket, "connect_error", { failOn: ["connect"] });
    assert.equal(err.message, "Auth failed (main namespace)");
  });
});

describe("socket.io-client fixture: other namespaces", () => {
  it('"/foo" acks "getId" with the socket id of that namespace', async () => {
    const socket = await connected(client(server, "websocket", { nsp: "/foo" }));
    assert.equal(await ask(socket, "getId"), socket.id);
  });

  it('"/timeout_socket", "/valid" and "/asd" accept connections; others do not exist', async () => {
    const m = manager(server, "websocket");
    for (const nsp of ["/timeout_socket", "/valid", "/asd"]) await connected(track(m.socket(nsp)));
    const invalid = track(m.socket("/timeout"));
    const err = await waitFor(invalid, "connect_error", { failOn: ["connect"] });
    assert.equal(err.message, "Invalid namespace");
  });

  it('"/abc" emits the handshake on connection, with query and auth', async () => {
    const socket = client(server, "websocket", { nsp: "/abc", query: { a: "b" }, auth: { c: "d" } });
    const h = await waitFor(socket, "handshake", { failOn: ["connect_error"] });
    assert.equal(h.query.a, "b");
    assert.deepEqual(h.auth, { c: "d" });
  });

  it('"/no" refuses every connection', async () => {
    const socket = client(server, "websocket", { nsp: "/no" });
    const err = await waitFor(socket, "connect_error", { failOn: ["connect"] });
    assert.equal(err.message, "Auth failed (custom namespace)");
  });
});
