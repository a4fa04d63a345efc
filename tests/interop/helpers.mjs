// Shared helpers for the interop tests: start the server under test (by default the conformance
// server) on a free loopback port, wait on events with a timeout that only fails the test, collect
// ordered events.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";

const HOST = "127.0.0.1";
const MAX_OUTPUT = 64 * 1024;
const servers = new Set();

process.on("exit", () => {
  for (const s of servers) s.proc.kill("SIGKILL");
});

/**
 * The command that starts the server under test, named by environment variables: `variable` holds a
 * binary, or a .mjs/.js file run by node; `${variable}_ARGS` (or SIO_CONFORMANCE_ARGS for the
 * conformance server) extra arguments; `args` come first. SIO_PARSER (json or msgpack) adds
 * `--parser` to the conformance server's (sioclient.mjs's clients follow the same variable).
 */
export function serverCommand(variable = "SIO_CONFORMANCE_SERVER", { args = [], hint } = {}) {
  const target = process.env[variable];
  if (!target) {
    throw new Error(
      `${variable} is not set: ` +
        (hint ??
          "point it at build/bin/sio-conformance-server (ctest sets it) or at " +
            "tests/interop/reference-server.mjs")
    );
  }
  const argsVariable = variable === "SIO_CONFORMANCE_SERVER" ? "SIO_CONFORMANCE_ARGS" : `${variable}_ARGS`;
  const extra = [...args, ...(process.env[argsVariable] || "").split(/\s+/).filter(Boolean)];
  if (variable === "SIO_CONFORMANCE_SERVER" && process.env.SIO_PARSER) {
    extra.push("--parser", process.env.SIO_PARSER);
  }
  if (/\.(m?js)$/.test(target)) {
    return { file: process.execPath, args: [path.resolve(target), ...extra] };
  }
  return { file: target, args: extra };
}

/** A port that was free a moment ago (the server retries on another one if it was taken since). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

function spawnServer(port, command, extraArgs) {
  const { file, args } = command;
  const proc = spawn(file, [...args, ...extraArgs, "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const exited = new Promise((resolve) => {
    proc.once("error", (err) => resolve({ code: null, signal: null, error: err }));
    proc.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return { proc, exited, output: () => output };
}

async function waitUntilListening(server, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let exit = null;
  server.exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) return { ok: false, exit };
    if (await canConnect(port)) return { ok: true };
    await new Promise((r) => setTimeout(r, 25));
  }
  return { ok: false, exit: null };
}

/**
 * Starts the server under test (`command`, by default the conformance server's). With no port, picks a
 * free loopback port; `args` are added to its command line (e.g. ["--recovery", "60000"]). Returns
 * { port, url, stop(), kill(signal), exited, output() }. stop() fails if the server had died on its own.
 */
export async function startServer({ port, command = serverCommand(), args = [] } = {}) {
  const attempts = port ? 1 : 3;
  let lastError;
  for (let i = 0; i < attempts; i++) {
    const p = port ?? (await freePort());
    const s = spawnServer(p, command, args);
    const ready = await waitUntilListening(s, p, 15000);
    if (ready.ok) {
      const server = {
        port: p,
        url: `http://${HOST}:${p}`,
        proc: s.proc,
        exited: s.exited,
        output: s.output,
        stopping: false,
        kill(signal = "SIGKILL") {
          this.stopping = true;
          this.proc.kill(signal);
          return this.exited;
        },
        async stop() {
          servers.delete(this);
          if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
            const e = await this.exited;
            if (!this.stopping) {
              throw new Error(
                `server under test died during the test (code ${e.code}, signal ${e.signal}):\n` +
                  this.output()
              );
            }
            return;
          }
          this.stopping = true;
          this.proc.kill("SIGTERM");
          const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
          await this.exited;
          clearTimeout(timer);
        },
      };
      servers.add(server);
      return server;
    }
    s.proc.kill("SIGKILL");
    await s.exited;
    lastError = new Error(
      `server under test did not listen on ${HOST}:${p}` +
        (ready.exit ? ` (exited: code ${ready.exit.code}, signal ${ready.exit.signal})` : "") +
        `:\n${s.output()}`
    );
  }
  throw lastError;
}

/** Rejects after ms with a message naming what was awaited; clears its timer when the promise settles. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const label = typeof what === "function" ? what() : what;
      reject(new Error(`timed out after ${ms} ms waiting for ${label}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves with the arguments (an array) of the next `event` on an emitter (Node or component-emitter
 * style), optionally the first one for which filter(...args) is true. Rejects on timeout or when one of
 * the `failOn` events fires first.
 */
export function waitForArgs(emitter, event, { timeout = 5000, filter, failOn = [] } = {}) {
  let onEvent;
  const fails = [];
  const p = new Promise((resolve, reject) => {
    onEvent = (...args) => {
      if (filter && !filter(...args)) return;
      resolve(args);
    };
    emitter.on(event, onEvent);
    for (const f of failOn) {
      const h = (...args) => reject(new Error(`"${f}" while waiting for "${event}": ${describe(args[0])}`));
      fails.push([f, h]);
      emitter.on(f, h);
    }
  });
  return withTimeout(p, timeout, `"${event}"`).finally(() => {
    emitter.off(event, onEvent);
    for (const [f, h] of fails) emitter.off(f, h);
  });
}

/** Like waitForArgs but resolves with the first argument only. */
export async function waitFor(emitter, event, options) {
  const args = await waitForArgs(emitter, event, options);
  return args[0];
}

/** Collects the first argument of the next `count` `event`s, in arrival order. */
export function collect(emitter, event, count, { timeout = 10000 } = {}) {
  const got = [];
  let handler;
  const p = new Promise((resolve) => {
    handler = (arg) => {
      got.push(arg);
      if (got.length === count) resolve(got);
    };
    emitter.on(event, handler);
  });
  return withTimeout(p, timeout, () => `${count} "${event}" events (got ${got.length})`).finally(() =>
    emitter.off(event, handler)
  );
}

function describe(v) {
  if (v instanceof Error) return `${v.message}${v.data !== undefined ? " " + JSON.stringify(v.data) : ""}`;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Bytes 0..n-1 modulo 256, as a Buffer. */
export function pattern(n, seed = 0) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Normalises a binary payload received by a client (Buffer, ArrayBuffer or typed array) to a Buffer. */
export function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new Error(`not binary: ${typeof data}`);
}
