// Contract tests of the editor (REST /api/docs and namespace /editor of sio-chat) with the npm
// socket.io-client: documents, openDoc / op / cursor / closeDoc, presence, catching up after a
// reconnect, every refusal (which changes nothing), and text that survives a restart.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, newUser, request, record, waitFor } from "./chat_helpers.mjs";
import { connectEditor, closeEditorSockets } from "./editor_helpers.mjs";
import { io } from "../js/index.mjs";

let server;
let alice;
let bob;
const owners = [];  // who creates the documents of the tests, in turn (each has a creation quota)
before(async () => {
  server = await startChat();
  alice = await newUser(server, "alice");
  bob = await newUser(server, "bob");
  for (let i = 0; i < 4; ++i) owners.push(await newUser(server, "owner"));
});
afterEach(() => closeEditorSockets());
after(async () => {
  closeEditorSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

let created = 0;
async function newDoc(title = "Doc", user = owners[created++ % owners.length]) {
  const r = await api(server, "POST", "/api/docs", { token: user.token, body: { title } });
  assert.equal(r.status, 201, r.text);
  return r.body.docId;
}

async function opened(user, docId, extra = {}) {
  const socket = await connectEditor(server, user);
  const ack = await request(socket, "openDoc", { docId, ...extra });
  assert.equal(ack.success, true, JSON.stringify(ack));
  return { socket, ack };
}

describe("REST /api/docs", () => {
  it("creates documents and lists them newest first", async () => {
    const a = await newDoc("  First  ", alice);
    const b = await newDoc("Second", alice);
    assert.equal(typeof a, "number");
    const list = await api(server, "GET", "/api/docs", { token: bob.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.slice(0, 2).map((d) => [d.id, d.title]), [[b, "Second"], [a, "First"]]);
    assert.match(list.body[0].updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const one = await api(server, "GET", "/api/docs?limit=1", { token: bob.token });
    assert.equal(one.body.length, 1);
  });

  it("refuses what the contract refuses", async () => {
    assert.equal((await api(server, "GET", "/api/docs")).status, 401);
    assert.equal((await api(server, "POST", "/api/docs", { body: { title: "x" } })).status, 401);
    for (const body of [{}, { title: "" }, { title: "   " }, { title: 7 }, { title: "x".repeat(101) }]) {
      const r = await api(server, "POST", "/api/docs", { token: alice.token, body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.body.error, "string");
    }
    for (const limit of ["0", "101", "abc"]) {
      assert.equal((await api(server, "GET", `/api/docs?limit=${limit}`, { token: alice.token })).status, 400);
    }
    // The cookie alone does not make a cross-site write.
    const forged = await api(server, "POST", "/api/docs", {
      cookie: alice.cookie, body: { title: "x" }, headers: { origin: "https://evil.example" },
    });
    assert.equal(forged.status, 403);
  });

  it("answers 429 with Retry-After beyond the creation quota", async () => {
    const carol = await newUser(server, "carol");
    let r;
    for (let i = 0; i < 20; ++i) {
      r = await api(server, "POST", "/api/docs", { token: carol.token, body: { title: `t${i}` } });
      if (r.status !== 201) break;
    }
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get ? r.headers.get("retry-after") : r.headers["retry-after"]) >= 1);
  });
});

describe("namespace /editor", () => {
  it("refuses a connection without a valid token", async () => {
    const socket = io(`${server.url}/editor`, { transports: ["websocket"], reconnection: false, forceNew: true });
    const err = await waitFor(socket, "connect_error");
    assert.equal(err.message, "unauthorized");
    socket.disconnect();
  });

  it("opens a document with its users, and tells the others who joined", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId);
    assert.deepEqual(a.ack.doc, { id: docId, title: "Doc", text: "", revision: 0 });
    assert.equal(a.ack.users.length, 1);
    assert.equal(a.ack.users[0].userId, alice.userId);
    assert.equal(a.ack.users[0].username, alice.username);
    assert.match(a.ack.users[0].color, /^hsl\(\d+, 65%, 45%\)$/);
    const joined = waitFor(a.socket, "userJoined");
    const b = await opened(bob, String(docId));  // numeric strings are ids too
    assert.deepEqual((await joined), {
      docId, userId: bob.userId, username: bob.username, color: b.ack.users.find((u) => u.userId === bob.userId).color,
    });
    assert.deepEqual(b.ack.users.map((u) => u.userId).sort(), [alice.userId, bob.userId].sort());
  });

  it("acknowledges an operation and sends it, transformed, to the others", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId);
    const b = await opened(bob, docId);
    const seen = waitFor(b.socket, "op");
    assert.deepEqual(await request(a.socket, "op", { docId, revision: 0, ops: ["hello"] }), { success: true, revision: 1 });
    assert.deepEqual(await seen, { docId, revision: 1, ops: ["hello"], userId: alice.userId });
    // Bob's concurrent edit, made on revision 0: his insert goes first at the tie.
    const seenByAlice = waitFor(a.socket, "op");
    assert.deepEqual(await request(b.socket, "op", { docId, revision: 0, ops: ["abc"] }), { success: true, revision: 2 });
    assert.deepEqual(await seenByAlice, { docId, revision: 2, ops: ["abc", 5], userId: bob.userId });
    const check = await opened(alice, docId);
    assert.equal(check.ack.doc.text, "abchello");
    assert.equal(check.ack.doc.revision, 2);
  });

  it("gives a reconnecting client what it missed, marking its own operations", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId, { clientId: "tab-1" });
    const b = await opened(bob, docId, { clientId: "tab-2" });
    await request(a.socket, "op", { docId, revision: 0, ops: ["a"] });
    await request(b.socket, "op", { docId, revision: 1, ops: [1, "b"] });
    a.socket.disconnect();
    const again = await opened(alice, docId, { clientId: "tab-1", revision: 0 });
    assert.deepEqual(again.ack.missed, [
      { revision: 1, ops: ["a"], userId: alice.userId, own: true },
      { revision: 2, ops: [1, "b"], userId: bob.userId, own: false },
    ]);
    const current = await opened(alice, docId, { revision: 2 });
    assert.deepEqual(current.ack.missed, []);
    const future = await opened(alice, docId, { revision: 9 });
    assert.equal(future.ack.missed, undefined);
  });

  it("refuses every bad operation and changes nothing", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId);
    const b = await opened(bob, docId);
    const log = record(b.socket);
    assert.equal((await request(a.socket, "op", { docId, revision: 0, ops: ["hello"] })).success, true);
    const bad = [
      [{ docId, revision: 1, ops: [4] }, "Operation does not match the document"],
      [{ docId, revision: 1, ops: ["x", 6] }, "Operation does not match the document"],
      [{ docId, revision: 5, ops: [5] }, "Revision in the future"],
      [{ docId, revision: 1, ops: [5, 0] }, "Invalid operation"],
      [{ docId, revision: 1, ops: [5, 1.5] }, "Invalid operation"],
      [{ docId, revision: 1, ops: [5, null] }, "Invalid operation"],
      [{ docId, revision: 1, ops: "hello" }, "Invalid operation"],
      [{ docId, revision: 1, ops: { 0: 5 } }, "Invalid operation"],
      [{ docId, revision: 1 }, "ops is required"],
      [{ docId, revision: -1, ops: [5] }, "revision must be a non-negative integer"],
      [{ docId, ops: [5] }, "revision must be a non-negative integer"],
      [{ docId: "x", revision: 1, ops: [5] }, "docId is required"],
      [{ docId: docId + 1000, revision: 1, ops: [5] }, "Document not open"],
      [null, "docId is required"],
    ];
    for (const [payload, error] of bad) {
      assert.deepEqual(await request(a.socket, "op", payload), { success: false, error }, JSON.stringify(payload));
    }
    a.socket.emit("op", { docId, revision: 1, ops: [4] });  // no ack asked: nothing breaks
    // Over 1 MB of UTF-8 after apply (600 KiB each, in 300 Ki UTF-16 units).
    const big = "\u00e9".repeat(300 * 1024);
    assert.equal((await request(a.socket, "op", { docId, revision: 1, ops: [5, big] })).success, true);
    assert.deepEqual(await request(a.socket, "op", { docId, revision: 2, ops: [5 + big.length, big] }),
                     { success: false, error: "Document too large" });
    const check = await opened(alice, docId);
    assert.equal(check.ack.doc.revision, 2);
    assert.equal(check.ack.doc.text, "hello" + big);
    assert.deepEqual(log.filter((e) => e.event === "op").map((e) => e.args[0].revision), [1, 2]);
  });

  it("refuses bad openDoc, closeDoc and cursor requests", async () => {
    const docId = await newDoc();
    const s = await connectEditor(server, alice);
    const cases = [
      ["openDoc", { docId: docId + 1000 }, "Document not found"],
      ["openDoc", {}, "docId is required"],
      ["openDoc", { docId: 0 }, "docId is required"],
      ["openDoc", { docId, clientId: "" }, "clientId must be 1-64 characters of A-Z a-z 0-9 _ -"],
      ["openDoc", { docId, clientId: "a b" }, "clientId must be 1-64 characters of A-Z a-z 0-9 _ -"],
      ["openDoc", { docId, clientId: "x".repeat(65) }, "clientId must be 1-64 characters of A-Z a-z 0-9 _ -"],
      ["openDoc", { docId, revision: "x" }, "revision must be a non-negative integer"],
      ["closeDoc", { docId }, "Document not open"],
      ["cursor", { docId, index: 0 }, "Document not open"],
    ];
    for (const [event, payload, error] of cases) {
      assert.deepEqual(await request(s, event, payload), { success: false, error }, `${event} ${JSON.stringify(payload)}`);
    }
    assert.equal((await request(s, "openDoc", { docId })).success, true);
    for (const payload of [{ docId }, { docId, index: -1 }, { docId, index: "a" }, { docId, index: 1, selectionEnd: -2 }]) {
      assert.equal((await request(s, "cursor", payload)).success, false, JSON.stringify(payload));
    }
  });

  it("bounds the documents one socket has open", async () => {
    const s = await connectEditor(server, await newUser(server, "dave"));
    let last;
    for (let i = 0; i < 21; ++i) {
      const docId = await newDoc(`many ${i}`);
      last = await request(s, "openDoc", { docId });
      if (!last.success) break;
    }
    assert.deepEqual(last, { success: false, error: "Too many documents open" });
  });

  it("sends cursors to the others", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId);
    const b = await opened(bob, docId);
    const got = waitFor(b.socket, "cursor");
    assert.deepEqual(await request(a.socket, "cursor", { docId, index: 0, selectionEnd: 0 }), { success: true });
    const c = await got;
    assert.equal(c.docId, docId);
    assert.equal(c.userId, alice.userId);
    assert.equal(c.username, alice.username);
    assert.equal(typeof c.color, "string");
    assert.equal(c.index, 0);
    assert.equal(c.selectionEnd, 0);
  });

  it("says userLeft once the user's last socket in the document is gone", async () => {
    const docId = await newDoc();
    const b = await opened(bob, docId);
    const log = record(b.socket);
    const a1 = await opened(alice, docId);
    const a2 = await opened(alice, docId);
    assert.deepEqual(await request(a1.socket, "closeDoc", { docId }), { success: true });
    const left = waitFor(b.socket, "userLeft");
    a2.socket.disconnect();
    assert.deepEqual(await left, { docId, userId: alice.userId });
    assert.equal(log.filter((e) => e.event === "userLeft").length, 1);
    assert.equal(log.filter((e) => e.event === "userJoined").length, 1);
  });
});

describe("persistence", () => {
  it("keeps the text across a restart", async () => {
    const docId = await newDoc();
    const a = await opened(alice, docId);
    await request(a.socket, "op", { docId, revision: 0, ops: ["kept 😀"] });
    closeEditorSockets();
    const exit = await server.stop();
    assert.equal(exit.code, 0);
    server = await startChat({ dir: server.dir });
    const again = await opened(alice, docId);
    assert.equal(again.ack.doc.text, "kept 😀");
    assert.equal(again.ack.doc.revision, 1);
  });
});

