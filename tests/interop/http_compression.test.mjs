// Interop: compression of long-polling responses, as Node's engine.io `httpCompression` (on by
// default, threshold 1024 bytes): a response whose body reaches the threshold is gzip- or
// deflate-encoded as the request's Accept-Encoding prefers, a smaller one is sent as it is. Checked
// with a plain HTTP client on one keep-alive connection (bodies decoded with Node's zlib) against the
// Engine.IO echo at /engine.io/, and with the official socket.io-client polling through fetch(),
// which asks for gzip and decodes it itself, against the Socket.IO endpoint.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { io, EngineFetch } from "../js/index.mjs";
import { startServer, waitFor, waitForArgs } from "./helpers.mjs";

let server;
// One connection for every request: a compressed response must leave it usable for the next one.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

before(async () => {
  server = await startServer();
});
after(async () => {
  agent.destroy();
  await server.stop();
});

/** One request on the shared connection: { status, headers, raw (the body as sent), reused }. */
function send(method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, raw: Buffer.concat(chunks), reused: req.reusedSocket })
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function decode(res) {
  const coding = res.headers["content-encoding"];
  if (coding === "gzip") return zlib.gunzipSync(res.raw);
  if (coding === "deflate") return zlib.inflateSync(res.raw); // zlib format, as Node's createDeflate
  assert.equal(coding, undefined, "no other coding is offered");
  return res.raw;
}

async function handshake() {
  const res = await send("GET", "/engine.io/?EIO=4&transport=polling");
  assert.equal(res.status, 200);
  return JSON.parse(res.raw.toString("utf8").slice(1)).sid;
}

/**
 * Posts the message `text` to the echo, then polls with `accept` as Accept-Encoding (none when
 * undefined); returns the poll's response after checking that it decodes to a payload holding the
 * echo (a heartbeat ping may ride along).
 */
async function echo(text, accept) {
  const sid = await handshake();
  const path = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
  const post = await send("POST", path, { body: `4${text}`, headers: { "content-type": "text/plain;charset=UTF-8" } });
  assert.equal(post.status, 200);
  const res = await send("GET", path, { headers: accept === undefined ? {} : { "accept-encoding": accept } });
  assert.equal(res.status, 200);
  if (res.headers["content-length"] !== undefined) assert.equal(Number(res.headers["content-length"]), res.raw.length);
  const records = decode(res).toString("utf8").split("\x1e");
  assert.ok(records.includes(`4${text}`), `the echo is in the poll: ${records.map((r) => r.slice(0, 20))}`);
  return res;
}

// About 4 KB of JSON with multi-byte UTF-8: well over the threshold.
const LARGE = JSON.stringify(
  Array.from({ length: 60 }, (_, i) => ({ id: i, user: `user-${i % 7}`, text: `héllo wörld ✓ message ${i}` }))
);

describe("long-polling response compression", () => {
  const cases = [
    { accept: "gzip", coding: "gzip" },
    { accept: "deflate", coding: "deflate" },
    { accept: "gzip, deflate, br", coding: "gzip" },
    { accept: "deflate, gzip", coding: "deflate" },
    { accept: "gzip;q=0, deflate", coding: "deflate" },
    { accept: "*", coding: "gzip" },
    { accept: "identity", coding: undefined },
    { accept: "br", coding: undefined },
    { accept: undefined, coding: undefined },
  ];
  for (const { accept, coding } of cases) {
    it(`Accept-Encoding ${accept === undefined ? "absent" : JSON.stringify(accept)}: ${coding ?? "not compressed"}`, async () => {
      assert.ok(Buffer.byteLength(LARGE) > 1024);
      const res = await echo(LARGE, accept);
      assert.equal(res.headers["content-encoding"], coding);
      if (coding) assert.ok(res.raw.length < Buffer.byteLength(LARGE) / 2, `compressed: ${res.raw.length} bytes`);
    });
  }

  it("sends a body under the threshold as it is, whatever is accepted", async () => {
    const res = await echo("héllo", "gzip, deflate");
    assert.equal(res.headers["content-encoding"], undefined);
  });

  it("keeps the connection alive across compressed responses", async () => {
    await echo(LARGE, "gzip");
    const next = await send("GET", "/engine.io/?EIO=4&transport=polling");
    assert.equal(next.status, 200);
    assert.ok(next.reused, "the request after a compressed response went on the same connection");
  });
});

describe("socket.io-client over fetch() polling", () => {
  it("gets large events gzip-encoded and decodes them", async () => {
    // fetch() asks for gzip and deflate and decodes the body; the wrapper records what came.
    const codings = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (url, init) => {
      const res = await realFetch(url, init);
      if (init?.method === "GET") codings.push(res.headers.get("content-encoding"));
      return res;
    };
    const socket = io(server.url, { transports: [EngineFetch], forceNew: true, reconnection: false });
    try {
      await waitFor(socket, "connect", { failOn: ["connect_error"] });
      const payload = { items: JSON.parse(LARGE), note: "ünïcödé" };
      for (let i = 0; i < 3; i++) {
        const back = waitForArgs(socket, "message-back", { failOn: ["disconnect"] });
        socket.emit("message", payload, i);
        assert.deepEqual(await back, [payload, i]);
      }
      assert.ok(codings.includes("gzip"), `a poll came gzip-encoded: ${JSON.stringify(codings)}`);
      assert.ok(codings.includes(null), `the small polls came as they are: ${JSON.stringify(codings)}`);
    } finally {
      socket.disconnect();
      globalThis.fetch = realFetch;
    }
  });
});
