// Native TLS: the official socket.io-client over https polling, wss, and polling upgraded to wss,
// verifying the server against a test CA made at run time (tls_helpers.mjs); TLS 1.1 refused;
// plain HTTP on the TLS port answered 400; the certificate reloaded on SIGHUP without dropping
// open connections, and a failed reload keeps the certificate in use.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startServer, withTimeout } from "./helpers.mjs";
import { client, connected, closeAll } from "./sioclient.mjs";
import { makeTestCA, tlsProbe, fingerprint } from "./tls_helpers.mjs";

let ca;
let first;
let second;
let live;  // the files the server is started with; the reload test overwrites them
let server;
let secure;

before(async () => {
  ca = makeTestCA();
  first = ca.issue("first");
  second = ca.issue("second");
  live = { cert: path.join(ca.dir, "live.pem"), key: path.join(ca.dir, "live.key") };
  fs.copyFileSync(first.cert, live.cert);
  fs.copyFileSync(first.key, live.key);
  server = await startServer({ args: ["--tls-cert", live.cert, "--tls-key", live.key] });
  secure = { url: `https://127.0.0.1:${server.port}` };
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
  ca.remove();
});

function call(socket, event, ...args) {
  return socket.timeout(10000).emitWithAck(event, ...args);
}

async function echo(socket, text) {
  const back = new Promise((resolve) => socket.once("message-back", resolve));
  socket.emit("message", text);
  assert.equal(await withTimeout(back, 10000, `echo of ${text}`), text);
}

/** Resolves once the server has printed `text` `count` times. */
async function printed(text, count) {
  const seen = () => server.output().split(text).length - 1;
  const deadline = Date.now() + 10000;
  while (seen() < count) {
    if (Date.now() > deadline) throw new Error(`server did not print "${text}":\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("socket.io-client over TLS, verifying the server against the test CA", () => {
  for (const mode of ["websocket", "polling", "upgrade"]) {
    it(`${mode}: connects, is secure, echoes`, async () => {
      const socket = client(secure, mode, { nsp: "/test", ca: ca.ca });
      await connected(socket, mode);
      assert.deepEqual(await call(socket, "handshake"), { secure: true });
      await echo(socket, `hello over ${mode}`);
      await echo(socket, "x".repeat(100000));  // several TLS records
    });
  }

  it("is refused by a client that does not trust the certificate", async () => {
    const socket = client(secure, "websocket", { nsp: "/test" });
    const err = await withTimeout(
      new Promise((resolve) => socket.once("connect_error", resolve)),
      10000,
      "connect_error"
    );
    assert.ok(err);
  });
});

describe("protocol versions", () => {
  // The client side is opened to old versions (OpenSSL refuses them below security level 0).
  const old = { ciphers: "DEFAULT:@SECLEVEL=0", minVersion: "TLSv1" };

  it("TLS 1.1 is refused", async () => {
    await assert.rejects(tlsProbe(server.port, { ...old, ca: ca.ca, maxVersion: "TLSv1.1" }));
  });

  it("TLS 1.2 and TLS 1.3 are accepted", async () => {
    const v12 = await tlsProbe(server.port, { ...old, ca: ca.ca, maxVersion: "TLSv1.2" });
    assert.equal(v12.protocol, "TLSv1.2");
    const v13 = await tlsProbe(server.port, { ca: ca.ca });
    assert.equal(v13.protocol, "TLSv1.3");
  });
});

describe("plain HTTP on the TLS port", () => {
  it("is answered 400 and closed", async () => {
    const res = await withTimeout(
      new Promise((resolve, reject) => {
        http.get(`http://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=polling`, resolve).on(
          "error",
          reject
        );
      }),
      10000,
      "the plain HTTP response"
    );
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers.connection, "close");
    res.resume();
  });
});

describe("certificate reload (SIGHUP)", () => {
  it("keeps open connections, gives new ones the new certificate, survives a bad file", async () => {
    assert.equal((await tlsProbe(server.port, { ca: ca.ca })).fingerprint, fingerprint(first.cert));
    const before = client(secure, "websocket", { nsp: "/test", ca: ca.ca });
    const beforePolling = client(secure, "polling", { nsp: "/test", ca: ca.ca });
    await connected(before, "websocket");
    await connected(beforePolling, "polling");

    fs.copyFileSync(second.cert, live.cert);
    fs.copyFileSync(second.key, live.key);
    server.proc.kill("SIGHUP");
    await printed("TLS reloaded", 1);

    await echo(before, "still here");
    await echo(beforePolling, "still here too");
    assert.equal((await tlsProbe(server.port, { ca: ca.ca })).fingerprint, fingerprint(second.cert));
    const after = client(secure, "upgrade", { nsp: "/test", ca: ca.ca });
    await connected(after, "upgrade");
    await echo(after, "new certificate");

    // A reload that fails (the key does not match the certificate) keeps the second certificate.
    fs.copyFileSync(first.cert, live.cert);
    server.proc.kill("SIGHUP");
    await printed("TLS reload failed", 1);
    assert.equal((await tlsProbe(server.port, { ca: ca.ca })).fingerprint, fingerprint(second.cert));
    await echo(before, "after a failed reload");
  });
});
