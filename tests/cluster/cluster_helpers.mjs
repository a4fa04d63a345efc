// Helpers of the cluster tests: deploy/cluster.sh (Redis, PostgreSQL, sio-chat nodes, nginx) on
// free loopback ports. SIO_CHAT_SERVER: build/bin/sio-chat (built with the Redis adapter);
// SIO_CLUSTER_SCRIPT: deploy/cluster.sh (default: the one of this repository).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { makeWorkDir, withTimeout } from "../interop/chat_helpers.mjs";

const HOST = "127.0.0.1";
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = process.env.SIO_CLUSTER_SCRIPT ?? path.join(repo, "deploy", "cluster.sh");

const children = new Set();
process.on("exit", () => {
  for (const c of children) c.kill("SIGTERM");
});

export async function freePort(taken) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, HOST, () => {
        const { port } = srv.address();
        srv.close(() => resolve(port));
      });
    });
    if (!taken.has(port)) {
      taken.add(port);
      return port;
    }
  }
}

/**
 * Runs deploy/cluster.sh with `nodes` sio-chat nodes on free ports, each also given `args` (more
 * sio-chat flags, through NODE_ARGS); resolves once it printed "cluster ready", with the URLs of
 * nginx and of each node, the run folder and stop().
 */
export async function startCluster({ nodes = 3, args = [] } = {}) {
  const bin = process.env.SIO_CHAT_SERVER;
  if (!bin) throw new Error("SIO_CHAT_SERVER is not set: point it at build/bin/sio-chat");
  const taken = new Set();
  const port = await freePort(taken);
  const redisPort = await freePort(taken);
  const pgPort = await freePort(taken);
  const nodePorts = [];
  for (let i = 0; i < nodes; i++) nodePorts.push(await freePort(taken));
  const work = makeWorkDir();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-cluster-test-"));
  const proc = spawn("bash", [script], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_PORT: String(redisPort),
      PG_PORT: String(pgPort),
      NODE_PORTS: nodePorts.join(","),
      SIO_CHAT_BIN: bin,
      WEB_DIR: path.join(work, "web"),
      RUN_DIR: runDir,
      WORKERS: "2",
      NODE_ARGS: args.join(" "),
    },
  });
  children.add(proc);
  let output = "";
  const exited = new Promise((resolve) =>
    proc.once("exit", (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  await withTimeout(
    new Promise((resolve, reject) => {
      const keep = (chunk) => {
        output = (output + chunk.toString()).slice(-64 * 1024);
        if (/cluster ready/.test(output)) resolve();
      };
      proc.stdout.on("data", keep);
      proc.stderr.on("data", keep);
      exited.then((e) => reject(new Error(`cluster.sh exited (${e.code}, ${e.signal}):\n${output}`)));
    }),
    120000,
    () => `the cluster to start:\n${output}`,
  );
  const env = Object.fromEntries(
    fs
      .readFileSync(path.join(runDir, "cluster.env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return {
    url: env.URL,
    nodeUrls: env.NODE_URLS.split(","),
    nodePids: env.NODE_PIDS.split(",").map(Number),
    redisUrl: env.REDIS_URL,
    redisConf: env.REDIS_CONF,
    redisPidFile: env.REDIS_PID_FILE,
    runDir,
    output: () => output,
    nodeLog: (i) => fs.readFileSync(path.join(runDir, `node-${i}.log`), "utf8"),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        await withTimeout(exited, 30000, "cluster.sh to stop");
      }
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

