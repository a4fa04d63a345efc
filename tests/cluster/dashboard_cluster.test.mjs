// The live dashboard on a cluster (deploy/cluster.sh, two nodes on one Redis): a dashboard on
// node n0 receives the samples of both nodes, about one per node per second, and subscribe's
// history holds both; once node n1 is killed its samples stop and it stays in `nodes` with the
// time of its last sample.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { closeSockets, connectAs, newUser, request, waitFor } from "../interop/chat_helpers.mjs";
import { startCluster } from "./cluster_helpers.mjs";

let cluster;
let node0;
before(async () => {
  cluster = await startCluster({ nodes: 2 });
  node0 = { url: cluster.nodeUrls[0] };
});
after(async () => {
  closeSockets();
  if (cluster) await cluster.stop();
});

/** Every `metrics` sample the socket receives in the next `ms`, by node name. */
function samplesFor(socket, ms) {
  const byNode = {};
  const keep = (s) => (byNode[s.node] ??= []).push(s);
  socket.on("metrics", keep);
  return new Promise((resolve) =>
    setTimeout(() => {
      socket.off("metrics", keep);
      resolve(byNode);
    }, ms),
  );
}

describe("the dashboard on two nodes", () => {
  test("a dashboard on one node follows both, and sees a killed node stop", async () => {
    const alice = await newUser(node0, "alice");
    const socket = await connectAs(node0, alice, {}, "/dashboard");
    assert.equal((await request(socket, "subscribe")).success, true);
    await waitFor(socket, "metrics", { timeout: 10000, filter: (s) => s.node === "n1" });

    const both = await samplesFor(socket, 3500);
    assert.deepEqual(Object.keys(both).sort(), ["n0", "n1"]);
    for (const [node, samples] of Object.entries(both))
      assert.ok(samples.length >= 2 && samples.length <= 5, `${samples.length} samples of ${node} in 3.5 s`);

    const ack = await request(socket, "subscribe");
    assert.deepEqual(ack.nodes.map((n) => n.node), ["n0", "n1"]);
    for (const node of ["n0", "n1"])
      assert.ok(ack.history.filter((s) => s.node === node).length >= 3, `history of ${node}`);

    const killedAt = Date.now();
    process.kill(cluster.nodePids[1], "SIGKILL");
    // Two samples of n0 later, anything n1 sent before it died has arrived.
    await waitFor(socket, "metrics", { timeout: 5000, filter: (s) => s.node === "n0" && s.at > killedAt });
    await waitFor(socket, "metrics", { timeout: 5000, filter: (s) => s.node === "n0" && s.at > killedAt });
    const after = await samplesFor(socket, 3000);
    assert.equal(after.n1, undefined, "no sample of the killed node");
    assert.ok(after.n0.length >= 1);

    const later = await request(socket, "subscribe");
    const down = later.nodes.find((n) => n.node === "n1");
    assert.ok(down, "the killed node is still listed");
    assert.ok(down.lastAt <= killedAt, `n1 lastAt ${down.lastAt}, killed at ${killedAt}`);
  });
});
