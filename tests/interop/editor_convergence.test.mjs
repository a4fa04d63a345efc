// Convergence of the editor (namespace /editor of sio-chat): five clients following ot.js edit one
// document at random, concurrently, with random delays, for a few seconds; once every client is
// synchronized, all of them and a fresh openDoc hold the same text.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, newUser, withTimeout } from "./chat_helpers.mjs";
import { connectEditor, closeEditorSockets, EditorClient, randomEdit } from "./editor_helpers.mjs";

let server;
before(async () => {
  server = await startChat();
});
after(async () => {
  closeEditorSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `done()` holds, checking after every turn of the event loop's timers. */
async function until(done, what, timeout = 30000) {
  await withTimeout(
    (async () => {
      while (!done()) await sleep(10);
    })(),
    timeout,
    what,
  );
}

describe("five editors typing at once", () => {
  it("converge on the server's text", async () => {
    const users = [];
    for (let i = 0; i < 5; ++i) users.push(await newUser(server, "typist"));
    const created = await api(server, "POST", "/api/docs", { token: users[0].token, body: { title: "Race" } });
    assert.equal(created.status, 201);
    const docId = created.body.docId;
    const clients = [];
    for (let i = 0; i < 5; ++i) {
      const socket = await connectEditor(server, users[i % users.length]);
      const client = new EditorClient(socket, docId, `client-${i}`);
      await client.open();
      clients.push(client);
    }
    const stopAt = Date.now() + 3000;
    let edits = 0;
    await Promise.all(clients.map(async (c) => {
      while (Date.now() < stopAt) {
        // Fast typists: a few keystrokes at a time, 50 to 100 a second.
        await sleep(10 + Math.floor(Math.random() * 30));
        for (let k = Math.floor(Math.random() * 2); k >= 0; --k) {
          c.edit(randomEdit(c.text));
          ++edits;
        }
      }
    }));
    await until(() => clients.every((c) => c.synchronized) &&
                      clients.every((c) => c.revision === clients[0].revision),
                () => `every client synchronized at one revision: ${JSON.stringify(clients.map((c) => ({ r: c.revision, o: !!c.outstanding, b: !!c.buffer, p: [...c.pending.keys()].slice(0, 5), e: c.errors.slice(0, 3) })))}`);
    for (const c of clients) assert.deepEqual(c.errors, []);
    assert.ok(edits > 0);
    assert.ok(clients[0].revision > 0);
    for (const c of clients) assert.equal(c.text, clients[0].text);
    const fresh = new EditorClient(await connectEditor(server, users[0]), docId, "checker");
    const ack = await fresh.open();
    assert.equal(ack.doc.revision, clients[0].revision);
    assert.equal(ack.doc.text, clients[0].text);
  });
});
