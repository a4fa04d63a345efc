// Helpers of the Redis cluster interop tests: a private redis-server on a free loopback port, sio nodes
// (build/bin/sio-redis-node, SIO_REDIS_NODE) and a Node.js socket.io server with
// @socket.io/redis-adapter (or another adapter: see startNodeServer), all on one Redis.
import { spawn } from "node:child_process";
import http from "node:http";
import { SocketIOServer, io as ioClient } from "../js/index.mjs";
import { freePort } from "./helpers.mjs";
import { createClient, createAdapter, createStreamsAdapter } from "../js/redis.mjs";

const HOST = "127.0.0.1";
const procs = new Set();
process.on("exit", () => {
  for (const p of procs) p.kill("SIGKILL");
});

export { freePort };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function track(proc) {
  procs.add(proc);
  let output = "";
  const keep = (c) => {
    output = (output + c.toString()).slice(-64 * 1024);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  exited.then(() => procs.delete(proc));
  return { proc, exited, output: () => output };
}

/**
 * Starts redis-server on `port` (a free one by default) and waits until it answers PING; `args`
 * are appended to its command line.
 */
export async function startRedis(port, { args = [] } = {}) {
  port = port ?? (await freePort());
  const p = track(
    spawn("redis-server", ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    })
  );
  const deadline = Date.now() + 10000;
  for (;;) {
    const client = createClient({ url: `redis://${HOST}:${port}`, socket: { reconnectStrategy: false } });
    client.on("error", () => {});
    try {
      await client.connect();
      const pong = await client.ping();
      await client.quit();
      if (pong === "PONG") break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error("redis-server did not start: " + p.output());
    await sleep(50);
  }
  return {
    port,
    url: `redis://${HOST}:${port}`,
    ...p,
    async stop() {
      p.proc.kill("SIGKILL");
      await p.exited;
    },
  };
}

/**
 * Starts sio-redis-node and waits for its "ready" line (listening and subscribed). `args`: more
 * command-line arguments (e.g. ["--adapter", "redis-streams", "--recovery"]).
 */
export async function startSioNode(name, redisUrl, { workers = 2, args = [] } = {}) {
  const bin = process.env.SIO_REDIS_NODE;
  if (!bin) throw new Error("SIO_REDIS_NODE is not set: point it at build/bin/sio-redis-node");
  const port = await freePort();
  const p = track(
    spawn(
      bin,
      ["--port", String(port), "--redis", redisUrl, "--name", name, "--workers", String(workers), ...args],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
  );
  const deadline = Date.now() + 15000;
  let exit = null;
  p.exited.then((e) => (exit = e));
  while (!p.output().includes(`sio-redis-node ${name} ready`)) {
    if (exit) throw new Error(`sio-redis-node ${name} exited ${JSON.stringify(exit)}: ${p.output()}`);
    if (Date.now() > deadline) throw new Error(`sio-redis-node ${name} not ready: ${p.output()}`);
    await sleep(25);
  }
  return {
    name,
    port,
    url: `http://${HOST}:${port}`,
    ...p,
    alive: () => exit === null,
    async stop() {
      if (exit) return;
      p.proc.kill("SIGTERM");
      const t = setTimeout(() => p.proc.kill("SIGKILL"), 5000);
      await p.exited;
      clearTimeout(t);
    },
  };
}

/** The Redis clients and the adapter of startNodeServer's `adapter` option ("redis", "redis-streams"). */
async function nodeAdapter(kind, redisUrl) {
  const pub = createClient({ url: redisUrl });
  pub.on("error", () => {});
  if (kind === "redis-streams") {
    await pub.connect();
    return { adapter: createStreamsAdapter(pub), clients: [pub] };
  }
  if (kind !== "redis") throw new Error(`unknown adapter ${kind}`);
  const sub = pub.duplicate();
  sub.on("error", () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  return { adapter: createAdapter(pub, sub), clients: [pub, sub] };
}

/**
 * A Node.js socket.io server with the same test events as sio-redis-node (the subset the tests
 * use). Options: `adapter`: "redis" (@socket.io/redis-adapter, the default), "redis-streams"
 * (@socket.io/redis-streams-adapter), or an async function returning { adapter, clients } (the
 * clients are quit on stop); `recovery`: connectionStateRecovery on (Node's defaults).
 */
export async function startNodeServer(name, redisUrl, { adapter = "redis", recovery = false } = {}) {
  const made = typeof adapter === "function" ? await adapter() : await nodeAdapter(adapter, redisUrl);
  const httpServer = http.createServer();
  const io = new SocketIOServer(httpServer, {
    adapter: made.adapter,
    ...(recovery ? { connectionStateRecovery: {} } : {}),
  });
  const pick = (op, o, key, method) => (o && o[key] ? op[method](o[key]) : op);
  io.on("hello", (value, from, cb) => {
    if (typeof cb === "function") cb({ node: name, got: value });
    io.local.emit("server-side", "hello", value, from);
  });
  io.on("connection", (socket) => {
    socket.on("whoami", (ack) => ack({ node: name, id: socket.id }));
    socket.on("join", (room, ack) => {
      socket.join(room);
      ack(name);
    });
    socket.on("set-data", (data, ack) => {
      socket.data = data;
      ack();
    });
    socket.on("broadcast", (o, value, ack) => {
      pick(pick(io, o, "to", "to"), o, "except", "except").emit("broadcast", value, name);
      ack();
    });
    socket.on("fetch", async (o, ack) => {
      const sockets = await pick(io, o, "in", "in").fetchSockets();
      ack(
        sockets
          .map((s) => ({ id: s.id, rooms: [...s.rooms].sort(), data: s.data, auth: s.handshake.auth }))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
      );
    });
    socket.on("sockets-join", (o, room, ack) => {
      pick(io, o, "in", "in").socketsJoin(room);
      ack();
    });
    socket.on("sockets-leave", (o, room, ack) => {
      pick(io, o, "in", "in").socketsLeave(room);
      ack();
    });
    socket.on("disconnect-sockets", (o, ack) => {
      ack();
      pick(io, o, "in", "in").disconnectSockets();
    });
    socket.on("server-count", async (ack) => ack(await io.of("/").adapter.serverCount()));
    socket.on("server-side-emit", async (value, ack) => {
      try {
        const responses = await io.serverSideEmitWithAck("hello", value, name);
        ack({ error: false, responses });
      } catch (e) {
        ack({ error: true, responses: [] });
      }
    });
    socket.on("broadcast-with-ack", async (o, value, ack) => {
      try {
        const responses = await pick(io, o, "to", "to")
          .timeout(o.timeout ?? 2000)
          .emitWithAck("question", value);
        ack({ error: false, responses });
      } catch (e) {
        ack({ error: true, responses: [] });
      }
    });
  });
  await new Promise((r) => httpServer.listen(0, HOST, r));
  const port = httpServer.address().port;
  return {
    name,
    io,
    port,
    url: `http://${HOST}:${port}`,
    async stop() {
      if (this.stopped) return;
      this.stopped = true;
      io.close();
      await Promise.allSettled(made.clients.map((c) => c.quit()));
    },
  };
}

/** A connected socket.io-client socket (websocket only) with the given auth. */
export async function connect(server, auth = {}) {
  const socket = ioClient(server.url, { forceNew: true, reconnection: false, transports: ["websocket"], auth });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`connect to ${server.url} timed out`)), 10000);
    socket.once("connect", () => {
      clearTimeout(t);
      resolve();
    });
    socket.once("connect_error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
  return socket;
}

/** The next `event` on `socket` (its arguments) that `filter` accepts, failing after `ms`. */
export function next(socket, event, ms = 5000, filter = () => true) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (...args) => {
      if (!filter(...args)) return;
      clearTimeout(t);
      socket.off(event, on);
      resolve(args);
    };
    socket.on(event, on);
  });
}

/** Until `f()` resolves to a value `ok` accepts (bounded): state that settles asynchronously. */
export async function eventually(what, f, ok = Boolean, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await sleep(20);
  }
}

/** emitWithAck with a timeout that fails the test. */
export function call(socket, event, ...args) {
  return socket.timeout(10000).emitWithAck(event, ...args);
}
