// The editor on a cluster (deploy/cluster.sh): two sio-chat nodes on one Redis and one PostgreSQL
// database. Clients connect to the nodes directly. The users of a document and the presence
// events cross the nodes; five clients (three on one node, two on the other) editing one document
// at random converge, each node serializing through the database's (doc_id, revision) key.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { api, newUser, request, waitFor, withTimeout } from "../interop/chat_helpers.mjs";
import { closeEditorSockets, connectEditor, EditorClient, randomEdit } from "../interop/editor_helpers.mjs";
import { startCluster } from "./cluster_helpers.mjs";

let cluster;
let nodes;  // [{url}] per node, as the helpers take a server
before(async () => {
  cluster = await startCluster({ nodes: 2 });
  nodes = cluster.nodeUrls.map((url) => ({ url }));
});
after(async () => {
  closeEditorSockets();
  if (cluster) await cluster.stop();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the editor on two nodes", () => {
  test("lists the users of every node and tells them who joined and left", async () => {
    const alice = await newUser(nodes[0], "alice");
    const bob = await newUser(nodes[1], "bob");
    const created = await api(nodes[0], "POST", "/api/docs", { token: alice.token, body: { title: "Shared" } });
    const docId = created.body.docId;
    const a = await connectEditor(nodes[0], alice);
    assert.equal((await request(a, "openDoc", { docId })).success, true);
    const joined = waitFor(a, "userJoined", { timeout: 10000 });
    const b = await connectEditor(nodes[1], bob);
    const ack = await request(b, "openDoc", { docId });
    assert.deepEqual(ack.users.map((u) => u.userId).sort(), [alice.userId, bob.userId].sort());
    assert.equal((await joined).userId, bob.userId);
    const seen = waitFor(a, "op", { timeout: 10000 });
    assert.deepEqual(await request(b, "op", { docId, revision: 0, ops: ["hi"] }), { success: true, revision: 1 });
    assert.deepEqual(await seen, { docId, revision: 1, ops: ["hi"], userId: bob.userId });
    const left = waitFor(a, "userLeft", { timeout: 10000 });
    b.disconnect();
    assert.deepEqual(await left, { docId, userId: bob.userId });
  });

  test("five editors on two nodes converge", async () => {
    const users = [];
    for (let i = 0; i < 5; ++i) users.push(await newUser(nodes[i % 2], "typist"));
    const created = await api(nodes[0], "POST", "/api/docs", { token: users[0].token, body: { title: "Race" } });
    const docId = created.body.docId;
    const clients = [];
    for (let i = 0; i < 5; ++i) {
      const c = new EditorClient(await connectEditor(nodes[i % 2], users[i]), docId, `c${i}`);
      await c.open();
      clients.push(c);
    }
    const stopAt = Date.now() + 3000;
    await Promise.all(clients.map(async (c) => {
      while (Date.now() < stopAt) {
        await sleep(10 + Math.floor(Math.random() * 30));
        c.edit(randomEdit(c.text));
      }
    }));
    await withTimeout(
      (async () => {
        while (!(clients.every((c) => c.synchronized) &&
                 clients.every((c) => c.revision === clients[0].revision))) await sleep(10);
      })(),
      30000,
      () => `every client synchronized at one revision: ${JSON.stringify(clients.map((c) => [c.revision, c.synchronized, c.errors.slice(0, 2)]))}`,
    );
    for (const c of clients) assert.deepEqual(c.errors, []);
    for (const c of clients) assert.equal(c.text, clients[0].text);
    for (const node of nodes) {
      const check = new EditorClient(await connectEditor(node, users[0]), docId, "checker");
      const ack = await check.open();
      assert.equal(ack.doc.revision, clients[0].revision);
      assert.equal(ack.doc.text, clients[0].text);
    }
  });
});
