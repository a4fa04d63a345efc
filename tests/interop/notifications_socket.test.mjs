// Contract tests of the notifications (REST /api/notifications and the namespaces /users/<id> of
// sio-chat) with the npm socket.io-client: the namespace refuses another user (`forbidden`) and
// anonymous sockets (`unauthorized`); a POST reaches each of the user's tabs exactly once; `unread`
// on connect (at most 50, newest first, with the total count); markRead and `read` to the other
// tabs only; list paging; the refusals (400, 404, 401, 429); logout ends these sockets too.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  startChat, api, newUser, connect, closeSockets, request, waitFor, record, withTimeout,
} from "./chat_helpers.mjs";

let server;
let alice;
let bob;
before(async () => {
  server = await startChat();
  alice = await newUser(server, "alice");
  bob = await newUser(server, "bob");
});
afterEach(() => closeSockets());
after(async () => {
  closeSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

/**
 * A tab of `user` on its namespace: { socket, log (every event, in order), unread (the first
 * `unread` payload, listened for before connecting) }.
 */
async function tab(user, { as = user } = {}) {
  const socket = connect(server, { auth: { token: as.token } }, `/users/${user.userId}`);
  const log = record(socket);
  const unread = waitFor(socket, "unread", { timeout: 10000 });
  await withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    10000,
    `connect to /users/${user.userId}`,
  );
  return { socket, log, unread: await unread };
}

function send(from, body) {
  return api(server, "POST", "/api/notifications", { token: from.token, body });
}

async function sent(from, to, title, extra = {}) {
  const r = await send(from, { toUserId: to.userId, title, body: `${title} body`, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

/** The `event` payloads a tab received so far. */
const received = (t, event) => t.log.filter((e) => e.event === event).map((e) => e.args[0]);

/** Waits until the tab receives a notification titled `title` (call before sending it). */
function arrival(t, title) {
  return waitFor(t.socket, "notification", { filter: (n) => n.title === title, timeout: 10000 });
}

describe("namespace /users/<id>", () => {
  it("refuses another user's namespace with 'forbidden' and no token with 'unauthorized'", async () => {
    const other = connect(server, { auth: { token: alice.token } }, `/users/${bob.userId}`);
    assert.equal((await waitFor(other, "connect_error")).message, "forbidden");
    const anonymous = connect(server, {}, `/users/${bob.userId}`);
    assert.equal((await waitFor(anonymous, "connect_error")).message, "unauthorized");
    const forged = connect(server, { auth: { token: "not-a-token" } }, `/users/${bob.userId}`);
    assert.equal((await waitFor(forged, "connect_error")).message, "unauthorized");
    // No namespace is made for a user that does not exist, nor for another spelling of an id.
    for (const name of ["/users/999999999999", `/users/0${bob.userId}`]) {
      const made_up = connect(server, { auth: { token: alice.token } }, name);
      assert.equal((await waitFor(made_up, "connect_error")).message, "Invalid namespace");
    }
    // Bob himself gets in, after all that.
    const own = await tab(bob);
    assert.ok(own.socket.connected);
  });

  it("delivers a POST to each of the user's tabs exactly once", async () => {
    const carol = await newUser(server, "carol");
    const tabs = [await tab(carol), await tab(carol)];
    const elsewhere = await tab(alice);
    const first = tabs.map((t) => arrival(t, "Hello"));
    const n = await sent(alice, carol, "Hello", { url: "/chat" });
    assert.deepEqual(Object.keys(n).sort(), ["body", "createdAt", "from", "id", "read", "title", "url"]);
    assert.deepEqual(n.from, { userId: alice.userId, username: alice.username });
    assert.equal(n.title, "Hello");
    assert.equal(n.url, "/chat");
    assert.equal(n.read, false);
    for (const got of await Promise.all(first)) assert.deepEqual(got, n);
    // A second one, by username; once it arrived, the first one arrived exactly once before it.
    const again = tabs.map((t) => arrival(t, "Again"));
    const second = await send(bob, { toUsername: carol.username.toUpperCase(), title: "Again", body: "" });
    assert.equal(second.status, 201, second.text);
    await Promise.all(again);
    for (const t of tabs) {
      assert.deepEqual(received(t, "notification").map((x) => x.id), [n.id, second.body.id]);
    }
    assert.equal(received(elsewhere, "notification").length, 0);
  });

  it("sends the newest 50 unread on connect, with the total count", async () => {
    const dave = await newUser(server, "dave");
    const senders = [await newUser(server, "s1"), await newUser(server, "s2"), await newUser(server, "s3")];
    const ids = [];
    for (let i = 0; i < 55; ++i) ids.push((await sent(senders[i % 3], dave, `n${i}`)).id);
    const t = await tab(dave);
    assert.equal(t.unread.count, 55);
    assert.equal(t.unread.items.length, 50);
    assert.deepEqual(t.unread.items.map((n) => n.id), ids.slice(-50).reverse());
    assert.ok(t.unread.items.every((n) => n.read === false));
    assert.equal(t.unread.items[0].title, "n54");
  });

  it("marks read, answers the ids and the count, and tells the user's other tabs only", async () => {
    const erin = await newUser(server, "erin");
    const a = await sent(alice, erin, "a");
    const b = await sent(alice, erin, "b");
    const c = await sent(alice, erin, "c");
    const [one, two] = [await tab(erin), await tab(erin)];
    assert.equal(one.unread.count, 3);
    const told = waitFor(two.socket, "read");
    const ack = await request(one.socket, "markRead", { ids: [b.id, a.id, a.id, 999999999] });
    assert.deepEqual(ack, { success: true, ids: [a.id, b.id], count: 1 });
    assert.deepEqual(await told, { ids: [a.id, b.id], count: 1 });
    // Marking them again changes nothing and tells nobody.
    assert.deepEqual(await request(one.socket, "markRead", { ids: [a.id] }), { success: true, ids: [], count: 1 });
    const back = waitFor(one.socket, "read");
    assert.deepEqual(await request(two.socket, "markRead", { all: true }), { success: true, ids: [c.id], count: 0 });
    assert.deepEqual(await back, { ids: [c.id], count: 0 });
    // Each tab heard of the other's changes only, once each.
    assert.deepEqual(received(one, "read"), [{ ids: [c.id], count: 0 }]);
    assert.deepEqual(received(two, "read"), [{ ids: [a.id, b.id], count: 1 }]);
    // Another user's ids are ignored.
    const mine = await sent(erin, alice, "for alice");
    assert.deepEqual(await request(two.socket, "markRead", { ids: [mine.id] }), { success: true, ids: [], count: 0 });
    const third = await tab(erin);
    assert.equal(third.unread.count, 0);
    assert.deepEqual(third.unread.items, []);
  });

  it("lists every notification page by page, newest first", async () => {
    const fay = await newUser(server, "fay");
    const ids = [];
    for (let i = 0; i < 12; ++i) ids.push((await sent(i % 2 ? alice : bob, fay, `p${i}`)).id);
    const t = await tab(fay);
    await request(t.socket, "markRead", { ids: [ids[0]] });
    const seen = [];
    let before;
    for (let page = 0; page < 3; ++page) {
      const r = await request(t.socket, "list", before ? { before, limit: 5 } : { limit: 5 });
      assert.equal(r.success, true, JSON.stringify(r));
      seen.push(...r.items.map((n) => n.id));
      assert.equal(r.more, page < 2);
      before = r.items.at(-1)?.id;
    }
    assert.deepEqual(seen, [...ids].reverse());
    const dflt = await request(t.socket, "list", {});
    assert.equal(dflt.items.length, 12);
    assert.equal(dflt.items.at(-1).read, true);
    const rest = await api(server, "GET", "/api/notifications?limit=5", { token: fay.token });
    assert.equal(rest.status, 200);
    assert.equal(rest.body.unread, 11);
    assert.equal(rest.body.more, true);
    assert.deepEqual(rest.body.items.map((n) => n.id), ids.slice(-5).reverse());
    const older = await api(server, "GET", `/api/notifications?before=${ids[2]}`, { token: fay.token });
    assert.deepEqual(older.body.items.map((n) => n.id), [ids[1], ids[0]]);
    assert.equal(older.body.more, false);
  });
});

describe("refusals", () => {
  it("refuses bad notifications, unknown users and anonymous requests", async () => {
    const good = { toUserId: bob.userId, title: "Ok", body: "", url: "/x" };
    const bad = [
      {}, { ...good, toUserId: undefined }, { ...good, toUserId: 0 }, { ...good, toUserId: "1" },
      { ...good, title: "" }, { ...good, title: "   " }, { ...good, title: "x".repeat(101) }, { ...good, title: 3 },
      { ...good, body: "y".repeat(1001) }, { ...good, url: "chat" }, { ...good, url: "//evil.example" },
      { ...good, url: `/${"a".repeat(200)}` }, { ...good, url: "https://evil.example/" },
    ];
    for (const body of bad) {
      const r = await send(alice, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.body.error, "string");
    }
    const nobody = await send(alice, { toUserId: 987654321, title: "Hi" });
    assert.equal(nobody.status, 404);
    assert.equal(nobody.body.error, "User not found");
    assert.equal((await send(alice, { toUsername: "no_such_user_here", title: "Hi" })).status, 404);
    assert.equal((await api(server, "POST", "/api/notifications", { body: good })).status, 401);
    assert.equal((await api(server, "GET", "/api/notifications")).status, 401);
    assert.equal((await api(server, "GET", "/api/notifications?limit=0", { token: bob.token })).status, 400);
    assert.equal((await api(server, "GET", "/api/notifications?limit=51", { token: bob.token })).status, 400);
    assert.equal((await api(server, "DELETE", "/api/notifications", { token: bob.token })).status, 405);
  });

  it("refuses bad markRead and list arguments", async () => {
    const t = await tab(bob);
    for (const bad of [{}, { ids: "1" }, { ids: [0] }, { ids: [1.5] }, { ids: ["1"] },
      { ids: Array.from({ length: 101 }, (_, i) => i + 1) }, { all: false }, null]) {
      assert.deepEqual(await request(t.socket, "markRead", bad), { success: false, error: "Invalid ids" });
    }
    for (const bad of [{ limit: 0 }, { limit: 51 }, { before: "x" }, { before: -1 }]) {
      assert.deepEqual(await request(t.socket, "list", bad), { success: false, error: "Invalid arguments" });
    }
    assert.ok(t.socket.connected);
  });

  it("answers 429 with Retry-After beyond 20 notifications per sender", async () => {
    const spammer = await newUser(server, "spam");
    const target = await newUser(server, "target");
    let status = 201;
    let last;
    for (let i = 0; i < 25 && status === 201; ++i) {
      last = await send(spammer, { toUserId: target.userId, title: `s${i}` });
      status = last.status;
    }
    assert.equal(status, 429);
    assert.ok(Number(last.headers.get("retry-after")) >= 1);
    // Another sender is not affected.
    assert.equal((await send(alice, { toUserId: target.userId, title: "fine" })).status, 201);
  });
});

describe("session end", () => {
  it("logout ends the user's sockets on their namespace too", async () => {
    const gus = await newUser(server, "gus");
    const t = await tab(gus);
    const ended = Promise.all([waitFor(t.socket, "error", { timeout: 15000 }),
      waitFor(t.socket, "disconnect", { timeout: 15000 })]);
    assert.equal((await api(server, "POST", "/api/logout", { token: gus.token, body: {} })).status, 204);
    const [error, reason] = await ended;
    assert.equal(error, "unauthorized");
    assert.equal(reason, "io server disconnect");
  });
});
