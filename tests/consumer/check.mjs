// Runs one build of tests/consumer/main.cpp and talks to it with the official socket.io-client:
// the middleware refuses a client without the token, a client's "greet" is acknowledged and the
// "greeted" broadcast reaches both clients (one on polling + upgrade, one on WebSocket only),
// and the program exits 0 on SIGTERM. With a client binary (a program on sio::client), it runs
// against the server too: its "greet" is answered and its "greeted" broadcast reaches the
// socket.io-client connections as well.
//   node check.mjs <binary> [<client binary>]
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { io } from "../js/index.mjs";

const binary = process.argv[2];
const clientBinary = process.argv[3];
const DEADLINE_MS = 30000;

const watchdog = setTimeout(() => fail(new Error(`no result within ${DEADLINE_MS} ms`)), DEADLINE_MS);
const app = spawn(binary, [], { stdio: ["ignore", "pipe", "inherit"] });
const clients = [];

function fail(err) {
  console.error(`consumer check failed (${binary}): ${err.stack ?? err}`);
  for (const c of clients) c.close();
  app.kill("SIGKILL");
  process.exit(1);
}

/** The port printed in the program's "ready <port>" line. */
async function readyPort() {
  let out = "";
  for await (const chunk of app.stdout) {
    out += chunk;
    const m = /^ready (\d+)$/m.exec(out);
    if (m) return Number(m[1]);
  }
  throw new Error(`exited before "ready" (output: ${JSON.stringify(out)})`);
}

function client(url, options) {
  const c = io(url, { reconnection: false, ...options });
  clients.push(c);
  return c;
}

async function connected(c) {
  const [result] = await Promise.race([once(c, "connect").then(() => ["connect"]), once(c, "connect_error")]);
  if (result !== "connect") throw new Error(`connect_error: ${result.message}`);
}

/** Runs the C++ client program against the server; `observer` must see its broadcast. */
async function runClient(url, observer) {
  const seen = once(observer, "greeted");
  const proc = spawn(clientBinary, [url.replace(/\/consumer$/, "")], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  proc.stdout.on("data", (chunk) => (out += chunk));
  const [code] = await once(proc, "exit");
  assert.equal(code, 0, `${clientBinary} failed (output: ${JSON.stringify(out)})`);
  assert.match(out, /^client ok$/m);
  const [message] = await seen;
  assert.equal(message.name, "cpp");
}

async function main() {
  const url = `http://127.0.0.1:${await readyPort()}/consumer`;

  const stranger = client(url, { auth: {} });
  const [refusal] = await once(stranger, "connect_error");
  assert.equal(refusal.message, "unauthorized");

  const a = client(url, { auth: { token: "let-me-in" } });
  const b = client(url, { auth: { token: "let-me-in" }, transports: ["websocket"] });
  await Promise.all([connected(a), connected(b)]);

  const broadcasts = [once(a, "greeted"), once(b, "greeted")];
  const reply = await a.timeout(5000).emitWithAck("greet", { name: "ada" });
  assert.deepEqual(reply, { reply: "hello ada" });
  for (const [message] of await Promise.all(broadcasts)) {
    assert.deepEqual(message, { name: "ada", from: a.id });
  }

  if (clientBinary) await runClient(url, a);

  for (const c of clients) c.close();
  app.kill("SIGTERM");
  const [code, signal] = await once(app, "exit");
  assert.equal(signal, null);
  assert.equal(code, 0);
  clearTimeout(watchdog);
  console.log(`consumer check passed: ${binary}${clientBinary ? ` and ${clientBinary}` : ""}`);
}

main().catch(fail);
