// An answer sent before the request body was read (413 for a polling POST over maxPayload) reaches
// Node's fetch, which is still uploading: the server reads and discards the rest of the body
// (lingering close, bounded by linger_timeout and linger_bytes) instead of resetting the
// connection under the client. Over plain HTTP and over TLS (the fetch then runs in a child
// process that trusts the test CA through NODE_EXTRA_CA_CERTS).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { startServer } from "./helpers.mjs";
import { makeTestCA } from "./tls_helpers.mjs";

const BODY_BYTES = 4_000_000; // four times the default maxPayload (1e6)

/** Opens a polling session at `base`, POSTs an oversized payload to it, returns { status, body }. */
async function postOversized(base, bytes) {
  const open = await fetch(`${base}/engine.io/?EIO=4&transport=polling`);
  const sid = JSON.parse((await open.text()).slice(1)).sid;
  const res = await fetch(`${base}/engine.io/?EIO=4&transport=polling&sid=${sid}`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8" },
    body: "4" + "x".repeat(bytes - 1),
  });
  return { status: res.status, body: await res.text() };
}

/** postOversized in a child node process with `env` (a fresh process reads NODE_EXTRA_CA_CERTS). */
function postOversizedInChild(base, bytes, env) {
  const script = `${postOversized.toString()}
    console.log(JSON.stringify(await postOversized(${JSON.stringify(base)}, ${bytes})));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { env: { ...process.env, ...env }, timeout: 30000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)))
    );
  });
}

describe("an oversized polling POST over HTTP", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it("gets its 413 while it is still uploading", async () => {
    assert.deepEqual(await postOversized(server.url, BODY_BYTES), { status: 413, body: "" });
  });

  it("leaves the session and the server serving", async () => {
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await postOversized(server.url, BODY_BYTES), { status: 413, body: "" });
    }
    const res = await fetch(`${server.url}/engine.io/?EIO=4&transport=polling`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^0\{"sid":/);
  });
});

describe("an oversized polling POST over TLS", () => {
  let ca;
  let server;
  before(async () => {
    ca = makeTestCA();
    const cert = ca.issue("linger");
    server = await startServer({ args: ["--tls-cert", cert.cert, "--tls-key", cert.key] });
  });
  after(async () => {
    await server.stop();
    ca.remove();
  });

  it("gets its 413 while it is still uploading", async () => {
    const base = `https://127.0.0.1:${server.port}`;
    const got = await postOversizedInChild(base, BODY_BYTES, { NODE_EXTRA_CA_CERTS: ca.caFile });
    assert.deepEqual(got, { status: 413, body: "" });
  });
});
