// sio-chat over TLS (--tls-cert/--tls-key, a test CA made at run time) as one node of a cluster on
// a password-protected redis-server: the start-up output shows the Redis URL without its password,
// the auth cookie is Secure, the official client connects over wss and polling, and SIGHUP reloads
// the certificate without dropping the connected client.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { startChat, connect, closeSockets, request, uniqueName, withTimeout, HOST } from "./chat_helpers.mjs";
import { freePort } from "./helpers.mjs";
import { makeTestCA, tlsProbe, fingerprint } from "./tls_helpers.mjs";

const PASSWORD = "hunter2-redis-secret";
let ca;
let certs;
let redis;
let chat;

async function startRedis() {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no",
     "--requirepass", PASSWORD],
    { stdio: "ignore" },
  );
  return { port, proc };
}

/** POST JSON over https trusting the test CA: { status, headers, body }. */
function post(route, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request(
      `${chat.url}${route}`,
      { method: "POST", ca: ca.ca, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function printed(text) {
  const deadline = Date.now() + 10000;
  while (!chat.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`sio-chat did not print "${text}":\n${chat.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  ca = makeTestCA();
  const first = ca.issue("first");
  certs = {
    first,
    second: ca.issue("second"),
    live: { cert: path.join(ca.dir, "live.pem"), key: path.join(ca.dir, "live.key") },
  };
  fs.copyFileSync(first.cert, certs.live.cert);
  fs.copyFileSync(first.key, certs.live.key);
  redis = await startRedis();
  chat = await startChat({
    args: ["--tls-cert", certs.live.cert, "--tls-key", certs.live.key,
           "--redis", `redis://:${PASSWORD}@${HOST}:${redis.port}`],
  });
});

after(async () => {
  closeSockets();
  await chat?.stop();
  redis?.proc.kill("SIGKILL");
  ca?.remove();
});

describe("sio-chat over TLS on an authenticated Redis", () => {
  it("prints an https URL and the Redis URL without its password", () => {
    const out = chat.output();
    assert.match(out, /listening on https:\/\//);
    assert.ok(out.includes(`redis://:***@${HOST}:${redis.port}`), out);
    assert.ok(!out.includes(PASSWORD), "the password is in the output");
    assert.ok(!out.includes("not reachable"), out);  // AUTH worked: the adapter got ready
  });

  let user;
  it("sets a Secure auth cookie", async () => {
    const name = uniqueName("tls");
    assert.equal((await post("/api/register", { username: name, password: "password123" })).status, 201);
    const r = await post("/api/login", { username: name, password: "password123" });
    assert.equal(r.status, 200);
    const cookie = [].concat(r.headers["set-cookie"]).join("\n");
    assert.match(cookie, /^token=[^;]+;.*; Secure/);
    user = { token: r.body.token };
  });

  it("connects the official client over wss and polling, and keeps it across a reload", async () => {
    const ws = connect(chat, { auth: { token: user.token }, ca: ca.ca });
    const polling = connect(chat, { auth: { token: user.token }, ca: ca.ca, transports: ["polling"] });
    for (const s of [ws, polling]) {
      await withTimeout(new Promise((resolve, reject) => {
        s.once("connect", resolve);
        s.once("connect_error", reject);
      }), 10000, "connect");
    }
    assert.equal((await tlsProbe(chat.port, { ca: ca.ca })).fingerprint, fingerprint(certs.first.cert));

    fs.copyFileSync(certs.second.cert, certs.live.cert);
    fs.copyFileSync(certs.second.key, certs.live.key);
    chat.signal("SIGHUP");
    await printed("TLS certificate reloaded");
    assert.equal((await tlsProbe(chat.port, { ca: ca.ca })).fingerprint, fingerprint(certs.second.cert));
    assert.ok(ws.connected && polling.connected);
    // Both connections still carry requests after the reload.
    for (const s of [ws, polling]) {
      const reply = await request(s, "joinRoom", { roomId: 1 });
      assert.ok(reply, "no reply");
    }
  });
});
