// A private Redis Cluster for the interop and chaos tests: redis-server processes in cluster mode
// on free loopback ports (three primaries with a replica each by default, no persistence, their
// cluster files in a temporary directory), formed with `redis-cli --cluster create`. The node
// timeout is short (NODE_TIMEOUT_MS), so a killed primary's replica takes over within seconds.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, startRedis } from "./redis_helpers.mjs";

const HOST = "127.0.0.1";
const execFileP = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** How long a primary may be silent before its replica takes over. */
export const NODE_TIMEOUT_MS = 1000;

/** `redis-cli -p port <args>` on 127.0.0.1: its output, trimmed ("" when it failed). */
export async function redisCli(port, ...args) {
  try {
    const { stdout } = await execFileP("redis-cli", ["-h", HOST, "-p", String(port), ...args]);
    return stdout.trim();
  } catch {
    return "";
  }
}

async function distinctFreePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** A node's CLUSTER NODES: "first-last" -> port of the primary serving those slots. */
async function slotView(port) {
  const view = new Map();
  for (const line of (await redisCli(port, "CLUSTER", "NODES")).split("\n")) {
    const [, addr, flags, , , , , , ...slots] = line.trim().split(/\s+/);
    if (!flags || !flags.split(",").includes("master")) continue;
    const owner = Number(addr.split("@")[0].split(":").pop());
    for (const s of slots) if (!s.startsWith("[")) view.set(s.includes("-") ? s : `${s}-${s}`, owner);
  }
  return view;
}

const sameView = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

/**
 * Starts and forms a Redis Cluster. Resolves to
 * { nodes: [{ port, url, role }], seeds, startedInMs, waitOk(), slotOf(key),
 *   primaryOf(slotOrKey), killPrimaryOf(slotOrKey), kill(node), restart(node), stop() }.
 * `role` ("primary" | "replica" | "down") is as of the last waitOk().
 */
export async function startRedisCluster({ primaries = 3, replicas = 1 } = {}) {
  const t0 = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), "sio-redis-cluster-"));
  const count = primaries * (1 + replicas);
  const ports = await distinctFreePorts(2 * count);
  const nodes = ports.slice(0, count).map((port, i) => ({
    port,
    busPort: ports[count + i],
    url: `redis://${HOST}:${port}`,
    role: "primary",
    server: null,
  }));
  const args = (n) => [
    "--cluster-enabled", "yes",
    "--cluster-config-file", path.join(dir, `nodes-${n.port}.conf`),
    "--cluster-port", String(n.busPort),
    "--cluster-node-timeout", String(NODE_TIMEOUT_MS),
    // replicas in sync at once, and always allowed to take over
    "--repl-diskless-sync-delay", "0",
    "--cluster-replica-validity-factor", "0",
    "--dir", dir,
    "--logfile", path.join(dir, `redis-${n.port}.log`),
  ];
  const start = async (n) => {
    n.server = await startRedis(n.port, { args: args(n) });
  };
  const running = () => nodes.filter((n) => n.server);

  // Every running node says cluster_state:ok, all see the same primaries serving the same slots,
  // every one of them running, and every replica is in sync with its primary.
  async function agreed() {
    let common = null;
    for (const n of running()) {
      if (!(await redisCli(n.port, "CLUSTER", "INFO")).includes("cluster_state:ok")) return `${n.port}: not ok`;
      const replication = await redisCli(n.port, "INFO", "replication");
      if (replication.includes("role:slave") && !replication.includes("master_link_status:up"))
        return `${n.port}: replica not in sync`;
      const view = await slotView(n.port);
      if (common && !sameView(common, view)) return `${n.port}: other primaries`;
      for (const owner of view.values())
        if (!nodes.find((m) => m.port === owner)?.server) return `slots on the stopped node ${owner}`;
      common = view;
    }
    return null;
  }

  async function waitOk(timeout = 30000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const why = await agreed();
      if (!why) break;
      if (Date.now() > deadline) throw new Error(`Redis Cluster not ok: ${why}`);
      await sleep(50);
    }
    for (const n of nodes) {
      n.role = !n.server ? "down" : (await redisCli(n.port, "ROLE")).startsWith("master") ? "primary" : "replica";
    }
  }

  async function slotOf(key) {
    return Number(await redisCli(running()[0].port, "CLUSTER", "KEYSLOT", key));
  }

  /** The node serving `slotOrKey` (a slot number, or a key or channel name). */
  async function primaryOf(slotOrKey) {
    const slot = typeof slotOrKey === "number" ? slotOrKey : await slotOf(slotOrKey);
    for (const [range, owner] of await slotView(running()[0].port)) {
      const [first, last] = range.split("-").map(Number);
      if (slot >= first && slot <= last) return nodes.find((n) => n.port === owner);
    }
    throw new Error(`slot ${slot} not served`);
  }

  /** SIGKILL. */
  async function kill(node) {
    const s = node.server;
    node.server = null;
    node.role = "down";
    await s?.stop();
  }

  try {
    await Promise.all(nodes.map(start));
    await execFileP("redis-cli", [
      "--cluster", "create",
      ...nodes.map((n) => `${HOST}:${n.port}`),
      "--cluster-replicas", String(replicas),
      "--cluster-yes",
    ]);
    await waitOk();
  } catch (e) {
    await Promise.all(nodes.map(kill));
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    nodes,
    seeds: nodes.map((n) => n.url),
    startedInMs: Date.now() - t0,
    waitOk,
    slotOf,
    primaryOf,
    kill,
    /**
     * SIGKILLs the primary serving `slotOrKey` and waits until its replica serves the slots
     * (cluster_state:ok again). Resolves to { node, failoverMs }.
     */
    async killPrimaryOf(slotOrKey) {
      const node = await primaryOf(slotOrKey);
      const t = Date.now();
      await kill(node);
      await waitOk();
      return { node, failoverMs: Date.now() - t };
    },
    /** Starts a killed node again with its cluster file: it rejoins (as a replica). */
    async restart(node) {
      if (!node.server) await start(node);
      await waitOk();
    },
    async stop() {
      await Promise.all(nodes.map(kill));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
