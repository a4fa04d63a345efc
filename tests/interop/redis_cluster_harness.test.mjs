// The Redis Cluster of redis_cluster_helpers.mjs as the interop and chaos tests use it, checked
// with node-redis's cluster client: keys on every primary, sharded pub/sub, and a primary killed
// (its replica takes over, the node comes back as a replica).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { withTimeout } from "./helpers.mjs";
import { startRedisCluster } from "./redis_cluster_helpers.mjs";
import { createCluster } from "../js/redis.mjs";

let cluster;

before(async () => {
  cluster = await startRedisCluster();
  console.log(`Redis Cluster of ${cluster.nodes.length} nodes formed in ${cluster.startedInMs} ms`);
});

after(async () => {
  await cluster?.stop();
});

async function nodeRedis() {
  const client = createCluster({ rootNodes: cluster.seeds.map((url) => ({ url })) });
  client.on("error", () => {});
  await client.connect();
  return client;
}

test("three primaries and three replicas serve keys and sharded channels", async () => {
  assert.equal(cluster.nodes.filter((n) => n.role === "primary").length, 3);
  assert.equal(cluster.nodes.filter((n) => n.role === "replica").length, 3);
  const client = await nodeRedis();
  const owners = new Set();
  for (let i = 0; i < 12; i++) {
    await client.set(`key:${i}`, String(i));
    owners.add((await cluster.primaryOf(`key:${i}`)).port);
  }
  assert.equal(owners.size, 3);
  assert.equal(await client.get("key:7"), "7");

  let delivered;
  const got = new Promise((resolve) => (delivered = resolve));
  await client.sSubscribe("harness-channel", (message) => delivered(message));
  assert.equal(await client.sPublish("harness-channel", "hello"), 1);
  assert.equal(await withTimeout(got, 5000, "the sharded message"), "hello");
  await client.quit();
});

test("killPrimaryOf: the replica takes over; restart brings the node back as a replica", async () => {
  const { node, failoverMs } = await cluster.killPrimaryOf("key:7");
  console.log(`failover in ${failoverMs} ms`);
  assert.equal(node.role, "down");
  assert.equal(cluster.nodes.filter((n) => n.role === "primary").length, 3);
  assert.notEqual((await cluster.primaryOf("key:7")).port, node.port);
  await cluster.restart(node);
  assert.equal(node.role, "replica");
});
