// Interop: the socket.io-client suite's fixture with socket.io-msgpack-parser
// (sio-client-fixture --suite socket.io-client --parser msgpack) driven by the official npm
// `socket.io-client` configured with the same parser: events, acks both ways, binary arguments,
// namespaces, middleware refusals and connection state recovery over MessagePack packets.
// (The fixture's dates are left out: Node's server sends a Date, which notepack.io writes as an
// extension; sio has no Date type and sends the ISO string, as with the JSON parser.)
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { serverCommand, startServer, waitFor, toBuffer } from "./helpers.mjs";
import { MODES, client, connected, closeAll } from "./sioclient.mjs";
import { msgpackParser } from "../js/index.mjs";

let server;
before(async () => {
  server = await startServer({
    command: serverCommand("SIO_CLIENT_FIXTURE", {
      args: ["--suite", "socket.io-client", "--parser", "msgpack"],
      hint: "point it at build/bin/sio-client-fixture or tests/interop/client-fixture-reference.mjs",
    }),
  });
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
});

const hello = (message) => ({ hello: "lol", message, goodbye: "gotcha" });
const msgpackClient = (mode, opts = {}) => client(server, mode, { parser: msgpackParser, ...opts });

function ask(socket, event, ...args) {
  return socket.timeout(5000).emitWithAck(event, ...args);
}

for (const mode of Object.keys(MODES)) {
  describe(`socket.io-client fixture with socket.io-msgpack-parser over ${mode}`, () => {
    it('"hi", "echo" with JSON and binary, "doge" and "getbin"', async () => {
      const socket = await connected(msgpackClient(mode), mode);
      const hi = waitFor(socket, "hi");
      socket.emit("hi");
      await hi;
      assert.deepEqual(await ask(socket, "echo", { a: [1, "two", null, 1.5] }), { a: [1, "two", null, 1.5] });
      const bytes = toBuffer(await ask(socket, "echo", Buffer.from([0, 1, 2, 255])));
      assert.deepEqual([...bytes], [0, 1, 2, 255]);
      const doge = waitFor(socket, "doge");
      socket.emit("doge");
      assert.equal(toBuffer(await doge).toString(), "asdfasdf");
      const bin = waitFor(socket, "takebin");
      socket.emit("getbin");
      assert.equal(toBuffer(await bin).toString(), "asdfasdf");
    });
  });
}

describe("socket.io-client fixture with socket.io-msgpack-parser: events", () => {
  it('"ack" asks the client, and "got it" follows the answer', async () => {
    const socket = await connected(msgpackClient("upgrade"));
    socket.on("ack", (cb) => cb(5, { test: true }));
    const gotIt = waitFor(socket, "got it");
    socket.emit("ack");
    await gotIt;
  });

  // Buffers only: Node's notepack.io writes an ArrayBuffer as an extension that Node's server reads
  // back as an ArrayBuffer, which the fixture's Buffer checks (blob, jsonblob) refuse.
  it("acknowledges binary arguments: buffa, blob, jsonbuff, jsonblob with Buffers", async () => {
    const socket = await connected(msgpackClient("upgrade"));
    const cases = [
      ["buffa", Buffer.from("buffer"), "buffack"],
      ["blob", Buffer.from([1, 2]), "back"],
      ["jsonbuff", hello(Buffer.from("howdy")), "jsonbuff-ack"],
      ["jsonblob", hello(Buffer.from([9])), "jsonblob-ack"],
    ];
    for (const [event, arg, answer] of cases) {
      const ack = waitFor(socket, answer);
      socket.emit(event, arg);
      await ack;
    }
  });

  it("namespaces: /foo acks its socket id, /no and ?fail are refused by middlewares", async () => {
    const foo = await connected(msgpackClient("websocket", { nsp: "/foo" }));
    assert.equal(await ask(foo, "getId"), foo.id);
    const no = msgpackClient("websocket", { nsp: "/no" });
    assert.equal((await waitFor(no, "connect_error", { failOn: ["connect"] })).message, "Auth failed (custom namespace)");
    const fail = msgpackClient("polling", { query: { fail: "1" } });
    assert.equal((await waitFor(fail, "connect_error", { failOn: ["connect"] })).message, "Auth failed (main namespace)");
  });

  it('"closeTransport" drops the connection; the socket recovers its session', async () => {
    const socket = await connected(msgpackClient("websocket", { reconnection: true, reconnectionDelay: 10 }));
    const hi = waitFor(socket, "hi");
    socket.emit("hi"); // an event carries the offset that recovery needs
    await hi;
    const id = socket.id;
    const reason = waitFor(socket, "disconnect");
    socket.emit("closeTransport");
    assert.equal(await reason, "transport close");
    await waitFor(socket, "connect");
    assert.equal(socket.id, id);
    assert.equal(socket.recovered, true);
  });
});
