// Helpers of the chat contract tests: start build/bin/sio-chat (SIO_CHAT_SERVER) on a free
// loopback port with its own temporary database and web folder, talk to its REST API, open
// socket.io-client connections, and wait on events with timeouts that only fail the test.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { io } from "../js/index.mjs";

export const HOST = "127.0.0.1";
const MAX_OUTPUT = 64 * 1024;
const running = new Set();
const workDirs = new Set();
process.on("exit", () => {
  for (const p of running) p.kill("SIGKILL");
  for (const d of workDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder with a tiny built front end (index.html, one asset); removed at exit. */
export function makeWorkDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-chat-test-"));
  workDirs.add(dir);
  fs.mkdirSync(path.join(dir, "web", "assets"), { recursive: true });
  fs.writeFileSync(path.join(dir, "web", "index.html"), "<!doctype html><title>chat</title>APP");
  fs.writeFileSync(path.join(dir, "web", "assets", "app-1.js"), "console.log('app')");
  fs.writeFileSync(path.join(dir, "secret.txt"), "TOP-SECRET-OUTSIDE-WEB");
  return dir;
}

/**
 * Starts sio-chat on an ephemeral port (it prints the port it bound). Returns
 * { url (https:// when started with --tls-cert), port, dir, stop(), output() }. stop() sends SIGTERM and resolves with the exit status.
 */
export async function startChat({ dir = makeWorkDir(), env = {}, args = [] } = {}) {
  const bin = process.env.SIO_CHAT_SERVER;
  if (!bin) throw new Error("SIO_CHAT_SERVER is not set: point it at build/bin/sio-chat");
  const proc = spawn(
    bin,
    ["--host", HOST, "--port", "0", "--db", path.join(dir, "data", "chat.db"),
     "--web", path.join(dir, "web"), "--workers", process.env.SIO_CHAT_TEST_WORKERS ?? "2", ...args],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, JWT_SECRET: "", ...env } },
  );
  running.add(proc);
  let output = "";
  const exited = new Promise((resolve) => {
    proc.once("error", (error) => resolve({ code: null, signal: null, error }));
    proc.once("exit", (code, signal) => {
      running.delete(proc);
      resolve({ code, signal });
    });
  });
  const { scheme, port } = await withTimeout(
    new Promise((resolve, reject) => {
      const keep = (chunk) => {
        output += chunk.toString();
        if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
        const m = /listening on (https?):\/\/[^:\s]+:(\d+)/.exec(output);
        if (m) resolve({ scheme: m[1], port: Number(m[2]) });
      };
      proc.stdout.on("data", keep);
      proc.stderr.on("data", keep);
      exited.then((e) => reject(new Error(`sio-chat exited (${e.code}, ${e.signal}):\n${output}`)));
    }),
    20000,
    () => `sio-chat to listen:\n${output}`,
  );
  return {
    port,
    dir,
    url: `${scheme}://${HOST}:${port}`,
    output: () => output,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    signal: (sig) => proc.kill(sig),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first argument of the next `event` (optionally the first passing `filter`). */
export function waitFor(emitter, event, { timeout = 5000, filter } = {}) {
  let handler;
  const p = new Promise((resolve) => {
    handler = (...args) => {
      if (filter && !filter(...args)) return;
      resolve(args[0]);
    };
    emitter.on(event, handler);
  });
  return withTimeout(p, timeout, `"${event}"`).finally(() => emitter.off(event, handler));
}

/** Records every incoming event of a socket, in order: [{event, args}]. */
export function record(socket) {
  const log = [];
  socket.onAny((event, ...args) => log.push({ event, args }));
  return log;
}

/** JSON request to the REST API: { status, headers, body (parsed when JSON), text }. */
export async function api(server, method, route, { body, token, cookie, raw, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    h["content-type"] = "application/json";
  } else if (body !== undefined && method !== "GET" && method !== "HEAD") {
    payload = JSON.stringify(body);
    h["content-type"] = "application/json";
  }
  const res = await fetch(server.url + route, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

let counter = 0;
/** A unique valid username for this test run. */
export function uniqueName(prefix = "user") {
  counter += 1;
  return `${prefix}_${process.pid % 10000}_${counter}`;
}

/** Registers and logs in a new user: { userId, username, token, cookie }. */
export async function newUser(server, prefix) {
  const username = uniqueName(prefix);
  const password = "password123";
  const reg = await api(server, "POST", "/api/register", { body: { username, password } });
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${reg.text}`);
  const login = await api(server, "POST", "/api/login", { body: { username, password } });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${login.text}`);
  return { ...login.body, cookie: `token=${login.body.token}` };
}

/** The id of the public room `general`, which exists from the first start (the first page). */
export async function generalRoomId(server, user) {
  const rooms = (await api(server, "GET", "/api/rooms", { token: user.token })).body;
  return rooms.find((r) => r.name === "general").roomId;
}

const sockets = new Set();
/**
 * A socket.io-client connection to namespace `nsp` ("/" by default: the chat's), websocket only
 * unless options say otherwise, not yet awaited.
 */
export function connect(server, options = {}, nsp = "") {
  const socket = io(`${server.url}${nsp}`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...options,
  });
  sockets.add(socket);
  return socket;
}

/** Connects to namespace `nsp` with the user's token and resolves once connected. */
export async function connectAs(server, user, options = {}, nsp = "") {
  const socket = connect(server, { auth: { token: user.token }, ...options }, nsp);
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    10000,
    `connect to ${nsp || "/"}`,
  );
  return socket;
}

export function closeSockets() {
  for (const s of sockets) s.disconnect();
  sockets.clear();
}

/** Emits with an acknowledgement; resolves with the server's answer. */
export function request(socket, event, payload, timeout = 5000) {
  return withTimeout(
    new Promise((resolve) => socket.emit(event, payload, resolve)),
    timeout,
    `ack of "${event}"`,
  );
}

/** A raw HTTP/1.1 GET with the target sent byte for byte (fetch would normalise "..").  */
export function rawGet(server, target) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const sock = net.connect({ host: HOST, port: server.port });
      let data = "";
      sock.on("connect", () => {
        sock.write(`GET ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
      });
      sock.on("data", (d) => (data += d.toString("latin1")));
      sock.on("end", () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
        resolve({ status, text: data });
      });
      sock.on("error", reject);
    }),
    5000,
    `raw GET ${target}`,
  );
}
