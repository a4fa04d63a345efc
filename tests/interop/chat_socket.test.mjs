// Contract tests of sio-chat's Socket.IO events with the official npm socket.io-client: handshake
// auth, joinRoom / sendMessage / typing / leaveRoom, online counts, access denial, isolation
// between rooms, invitations, invalid payloads, and history that survives a restart.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  startChat, api, generalRoomId, newUser, connect, connectAs, closeSockets, request, waitFor, record, withTimeout,
  uniqueName,
} from "./chat_helpers.mjs";
import { connectEditor, closeEditorSockets } from "./editor_helpers.mjs";

let server;
before(async () => {
  server = await startChat();
});
afterEach(() => {
  closeSockets();
  closeEditorSockets();
});
after(async () => {
  closeSockets();
  closeEditorSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

/** A new public room (room names are unique: `name` gets a unique suffix). */
async function newPublicRoom(user, name = "room") {
  name = uniqueName(name);
  const r = await api(server, "POST", "/api/rooms", { token: user.token, body: { name } });
  assert.equal(r.status, 201);
  return r.body.roomId;
}

/** Resolves with the first `onlineUsers` value equal to n (earlier values may be stale counts). */
function onlineCount(socket, n) {
  return waitFor(socket, "onlineUsers", { filter: (c) => c === n });
}

describe("handshake", () => {
  it("refuses a connection without a token with connect_error 'unauthorized'", async () => {
    for (const options of [{}, { auth: { token: "not.a.jwt" } }, { auth: { token: 42 } },
                           { extraHeaders: { cookie: "token=garbage" } }]) {
      const socket = connect(server, options);
      const err = await waitFor(socket, "connect_error");
      assert.equal(err.message, "unauthorized", JSON.stringify(options));
      socket.disconnect();
    }
  });

  it("accepts auth.token and the token cookie, over websocket and polling", async () => {
    const u = await newUser(server, "hs");
    const a = await connectAs(server, u);
    assert.ok(a.connected);
    const b = connect(server, { extraHeaders: { cookie: u.cookie }, transports: ["polling"] });
    await waitFor(b, "connect");
    const c = connect(server, { extraHeaders: { cookie: `x=1; ${u.cookie}` }, transports: ["polling", "websocket"] });
    await waitFor(c, "connect");
    // Each is a working chat connection.
    const roomId = await generalRoomId(server, u);
    for (const s of [a, b, c]) assert.equal((await request(s, "joinRoom", { roomId })).success, true);
  });

  it("ignores the cookie of a cross-site page (no WebSocket hijacking), not of a same-origin one", async () => {
    const u = await newUser(server, "origin");
    const evil = connect(server, { extraHeaders: { cookie: u.cookie, origin: "http://evil.example" } });
    assert.equal((await waitFor(evil, "connect_error")).message, "unauthorized");
    const host = new URL(server.url).host;
    const same = connect(server, { extraHeaders: { cookie: u.cookie, origin: `http://${host}` } });
    await waitFor(same, "connect");
    // A token in auth is not ambient authority: it works from any origin.
    const withToken = connect(server, { auth: { token: u.token }, extraHeaders: { origin: "http://other.example" } });
    await waitFor(withToken, "connect");
  });
});

describe("rooms and messages", () => {
  it("joinRoom acks with history; sendMessage reaches the room incl. sender and acks the id", async () => {
    const alice = await newUser(server, "alice");
    const bob = await newUser(server, "bob");
    const roomId = await newPublicRoom(alice, "chat");
    const a = await connectAs(server, alice);
    const b = await connectAs(server, bob);

    const joinA = await request(a, "joinRoom", { roomId, userId: alice.userId, username: alice.username });
    assert.equal(joinA.success, true);
    assert.deepEqual(joinA.history, []);
    const bCount = onlineCount(b, 2);
    const aCount = onlineCount(a, 2);
    assert.equal((await request(b, "joinRoom", { roomId })).success, true);
    assert.equal(await aCount, 2);
    assert.equal(await bCount, 2);

    const gotA = waitFor(a, "receiveMessage");
    const gotB = waitFor(b, "receiveMessage");
    const ack = await request(a, "sendMessage", { roomId, message: "hello bob" });
    assert.equal(ack.success, true);
    assert.equal(typeof ack.id, "number");
    for (const m of [await gotA, await gotB]) {
      assert.equal(m.id, ack.id);
      assert.equal(m.roomId, roomId);
      assert.equal(m.userId, alice.userId);
      assert.equal(m.username, alice.username);
      assert.equal(m.message, "hello bob");
      assert.ok(!Number.isNaN(Date.parse(m.createdAt)), m.createdAt);
    }

    // A later join sees it in the history, and so does the REST API.
    const c = await connectAs(server, bob);
    const joinC = await request(c, "joinRoom", { roomId });
    assert.equal(joinC.history.length, 1);
    assert.equal(joinC.history[0].message, "hello bob");
    const rest = await api(server, "GET", `/api/rooms/${roomId}/messages`, { token: bob.token });
    assert.equal(rest.body[0].id, ack.id);
  });

  it("sendMessage without an ack still broadcasts (the seed component's form)", async () => {
    const u = await newUser(server, "noack");
    const roomId = await newPublicRoom(u);
    const s = await connectAs(server, u);
    await request(s, "joinRoom", { roomId });
    const got = waitFor(s, "receiveMessage");
    s.emit("sendMessage", { roomId, message: "fire and forget" });
    assert.equal((await got).message, "fire and forget");
  });

  it("identity comes from the token, never from the payload", async () => {
    const alice = await newUser(server, "real");
    const mallory = await newUser(server, "mallory");
    const roomId = await newPublicRoom(alice);
    const m = await connectAs(server, mallory);
    await request(m, "joinRoom", { roomId, userId: alice.userId, username: alice.username });
    const got = waitFor(m, "receiveMessage");
    await request(m, "sendMessage", { roomId, message: "spoof?", userId: alice.userId, username: alice.username });
    const msg = await got;
    assert.equal(msg.userId, mallory.userId);
    assert.equal(msg.username, mallory.username);
  });

  it("messages stay in their room (isolation)", async () => {
    const alice = await newUser(server, "iso");
    const bob = await newUser(server, "iso");
    const room1 = await newPublicRoom(alice, "one");
    const room2 = await newPublicRoom(alice, "two");
    const a = await connectAs(server, alice);
    const b = await connectAs(server, bob);
    await request(a, "joinRoom", { roomId: room1 });
    await request(a, "joinRoom", { roomId: room2 });
    await request(b, "joinRoom", { roomId: room2 });
    const bLog = record(b);
    // Bob is not in room1; the room2 message sent afterwards is the first he gets.
    await request(a, "sendMessage", { roomId: room1, message: "for room one" });
    const sentinel = waitFor(b, "receiveMessage");
    await request(a, "sendMessage", { roomId: room2, message: "for room two" });
    assert.equal((await sentinel).message, "for room two");
    const received = bLog.filter((e) => e.event === "receiveMessage").map((e) => e.args[0].message);
    assert.deepEqual(received, ["for room two"]);
    // And Bob cannot post into room1 without joining it.
    const refused = await request(b, "sendMessage", { roomId: room1, message: "sneaky" });
    assert.equal(refused.success, false);
  });

  it("typing goes to the others in the room, volatile, with the sender's identity", async () => {
    const alice = await newUser(server, "typer");
    const bob = await newUser(server, "watcher");
    const roomId = await newPublicRoom(alice);
    const a = await connectAs(server, alice);
    const b = await connectAs(server, bob);
    await request(a, "joinRoom", { roomId });
    await request(b, "joinRoom", { roomId });
    const aLog = record(a);
    // Volatile events may be dropped while a write is in flight: repeat until one arrives.
    const got = waitFor(b, "typing");
    const timer = setInterval(() => a.emit("typing", { roomId, isTyping: true, userId: 999 }), 50);
    let typing;
    try {
      typing = await got;
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(typing, { roomId, userId: alice.userId, username: alice.username, isTyping: true });
    const sentinel = waitFor(a, "receiveMessage");
    await request(a, "sendMessage", { roomId, message: "sentinel" });
    await sentinel;
    assert.ok(!aLog.some((e) => e.event === "typing"), "the sender got its own typing event");
  });

  it("onlineUsers counts distinct users and follows join, leave and disconnect", async () => {
    const alice = await newUser(server, "online");
    const bob = await newUser(server, "online");
    const roomId = await newPublicRoom(alice);
    const a = await connectAs(server, alice);
    const a2 = await connectAs(server, alice); // a second tab of the same user
    const b = await connectAs(server, bob);
    let c = onlineCount(a, 1);
    await request(a, "joinRoom", { roomId });
    await c;
    c = onlineCount(a2, 1); // the second tab learns the count, which stays the same for the others
    await request(a2, "joinRoom", { roomId });
    await c;
    c = onlineCount(a, 2);
    await request(b, "joinRoom", { roomId });
    await c;
    c = onlineCount(a, 1);
    const left = await request(b, "leaveRoom", { roomId });
    assert.equal(left.success, true);
    await c;
    c = onlineCount(a, 2);
    await request(b, "joinRoom", { roomId });
    await c;
    const twin = waitFor(a, "onlineUsersInRoom", { filter: (e) => e.count === 1 });
    b.disconnect();
    assert.deepEqual(await twin, { roomId, count: 1 });
    // alice's second tab leaving changes no count: the next one a sees is bob's return.
    const aLog = record(a);
    a2.disconnect();
    const b2 = await connectAs(server, bob);
    c = onlineCount(a, 2);
    await request(b2, "joinRoom", { roomId });
    await c;
    assert.deepEqual(aLog.filter((e) => e.event === "onlineUsers").map((e) => e.args[0]), [2]);
  });
});

describe("private rooms", () => {
  it("a non-member gets 'Access denied' (error event + ack) and receives nothing", async () => {
    const owner = await newUser(server, "owner");
    const member = await newUser(server, "member");
    const stranger = await newUser(server, "stranger");
    const priv = await api(server, "POST", "/api/rooms", {
      token: owner.token,
      body: { name: "Inner circle", private: true, members: [member.username] },
    });
    const roomId = priv.body.roomId;
    const s = await connectAs(server, stranger);
    const errorEvent = waitFor(s, "error");
    const ack = await request(s, "joinRoom", { roomId });
    assert.deepEqual(ack, { success: false, error: "Access denied" });
    assert.equal(await errorEvent, "Access denied");
    const sLog = record(s);
    const post = await request(s, "sendMessage", { roomId, message: "let me in" });
    assert.equal(post.success, false);

    const m = await connectAs(server, member);
    assert.equal((await request(m, "joinRoom", { roomId })).success, true);
    const sentinel = waitFor(m, "receiveMessage");
    await request(m, "sendMessage", { roomId, message: "members only" });
    await sentinel;
    // The stranger saw no message of the room (his own ack-only traffic aside).
    const probe = waitFor(s, "receiveMessage");
    const general = await generalRoomId(server, stranger);
    await request(s, "joinRoom", { roomId: general });
    await request(s, "sendMessage", { roomId: general, message: "probe" });
    assert.equal((await probe).message, "probe");
    assert.ok(!sLog.some((e) => e.event === "receiveMessage" && e.args[0].roomId === roomId));
  });

  it("a member who leaves a private room (REST) no longer reads, writes or joins it", async () => {
    const owner = await newUser(server, "keeper");
    const member = await newUser(server, "quitter");
    const priv = await api(server, "POST", "/api/rooms", {
      token: owner.token,
      body: { name: uniqueName("Book club"), private: true, members: [member.username] },
    });
    const roomId = priv.body.roomId;
    const o = await connectAs(server, owner);
    const m = await connectAs(server, member);
    for (const s of [o, m]) assert.equal((await request(s, "joinRoom", { roomId })).success, true);
    const mLog = record(m);

    const left = await api(server, "POST", `/api/rooms/${roomId}/leave`, { token: member.token, body: {} });
    assert.equal(left.status, 204, left.text);
    const rooms = (await api(server, "GET", "/api/rooms", { token: member.token })).body;
    assert.ok(!rooms.some((r) => r.roomId === roomId), "the room left the member's list");

    assert.equal((await request(m, "sendMessage", { roomId, message: "still here?" })).success, false);
    const seen = waitFor(o, "receiveMessage", { filter: (msg) => msg.message === "members only" });
    await request(o, "sendMessage", { roomId, message: "members only" });
    await seen;
    // The member's socket got nothing of the room since (probe through general, as above).
    const probe = waitFor(m, "receiveMessage", { filter: (msg) => msg.message === "probe after leaving" });
    const general = await generalRoomId(server, member);
    await request(m, "joinRoom", { roomId: general });
    await request(m, "sendMessage", { roomId: general, message: "probe after leaving" });
    await probe;
    assert.ok(!mLog.some((e) => e.event === "receiveMessage" && e.args[0].roomId === roomId));
    assert.deepEqual(await request(m, "joinRoom", { roomId }), { success: false, error: "Access denied" });
  });

  it("members of a new private room get a roomInvite notification on user:<id>", async () => {
    const owner = await newUser(server, "inviter");
    const invitee = await newUser(server, "invitee");
    const s = await connectAs(server, invitee);
    const note = waitFor(s, "notification");
    const priv = await api(server, "POST", "/api/rooms", {
      token: owner.token,
      body: { name: "Surprise", private: true, members: [invitee.username] },
    });
    assert.deepEqual(await note, { type: "roomInvite", roomId: priv.body.roomId, name: "Surprise" });
  });

  it("a new public room is announced to everyone with roomCreated", async () => {
    const owner = await newUser(server, "announcer");
    const other = await newUser(server, "listener");
    const s = await connectAs(server, other);
    const created = waitFor(s, "roomCreated", { filter: (r) => r.name === "Town square" });
    const pub = await api(server, "POST", "/api/rooms", { token: owner.token, body: { name: "Town square" } });
    const room = await created;
    assert.equal(room.roomId, pub.body.roomId);
    assert.equal(room.private, false);
  });
});

describe("invalid payloads", () => {
  it("are answered with success:false, broadcast nothing, and the server stays up", async () => {
    const u = await newUser(server, "fuzzy");
    const roomId = await newPublicRoom(u);
    const s = await connectAs(server, u);
    assert.equal((await request(s, "joinRoom", { roomId })).success, true);
    const log = record(s);
    const bad = [
      null,
      undefined,
      42,
      "text",
      [],
      {},
      { roomId },
      { message: "no room" },
      { roomId, message: "" },
      { roomId, message: "   \n\t" },
      { roomId, message: null },
      { roomId, message: 12345 },
      { roomId, message: { text: "object" } },
      { roomId, message: ["array"] },
      { roomId, message: "x".repeat(2001) },
      { roomId, message: "x".repeat(10 * 1024) },
      { roomId: null, message: "hi" },
      { roomId: "abc", message: "hi" },
      { roomId: { $gt: 0 }, message: "hi" },
      { roomId: -1, message: "hi" },
      { roomId: 987654321, message: "hi" },
    ];
    for (const payload of bad) {
      const ack = await request(s, "sendMessage", payload);
      assert.equal(ack.success, false, JSON.stringify(payload));
      assert.equal(typeof ack.error, "string");
    }
    for (const payload of [null, 42, "x", [], {}, { roomId: null }, { roomId: "nope" }, { roomId: 987654321 }]) {
      const ack = await request(s, "joinRoom", payload);
      assert.equal(ack.success, false, JSON.stringify(payload));
    }
    for (const payload of [null, 7, { roomId: [] }]) {
      assert.equal((await request(s, "leaveRoom", payload)).success, false);
      assert.equal((await request(s, "typing", payload)).success, false);
    }
    // Events without arguments or with extra ones do not break anything either.
    s.emit("sendMessage");
    s.emit("joinRoom");
    s.emit("typing");
    s.emit("leaveRoom");
    s.emit("unknownEvent", { a: 1 });
    const max = await request(s, "sendMessage", { roomId, message: "y".repeat(2000) });
    assert.equal(max.success, true);
    assert.ok(s.connected);
    const broadcasts = log.filter((e) => e.event === "receiveMessage");
    assert.equal(broadcasts.length <= 1, true);
    assert.ok(broadcasts.every((e) => e.args[0].id === max.id));
    assert.ok(server.alive());
  });
});

describe("flooding", () => {
  it("a burst of messages from one socket is cut with success:false, the rest delivered", async () => {
    const u = await newUser(server, "flood");
    const roomId = await newPublicRoom(u);
    const s = await connectAs(server, u);
    await request(s, "joinRoom", { roomId });
    const acks = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(s, "sendMessage", { roomId, message: `m${i}` }, 20000)),
    );
    const ok = acks.filter((a) => a.success);
    const refused = acks.filter((a) => !a.success);
    assert.ok(ok.length >= 30, `only ${ok.length} accepted`);
    assert.ok(refused.length > 0, "no message was refused");
    assert.ok(refused.every((a) => /slow down/i.test(a.error)));
    const history = await api(server, "GET", `/api/rooms/${roomId}/messages?limit=100`, { token: u.token });
    assert.equal(history.body.length, Math.min(ok.length, 100));
    assert.ok(s.connected && server.alive());
  });
});

describe("session end", () => {
  it("logout in another tab disconnects every socket of the user, in every app, with error 'unauthorized'", async () => {
    const u = await newUser(server, "logout");
    const other = await newUser(server, "stays");
    const ws = await connectAs(server, u);
    const polling = connect(server, { extraHeaders: { cookie: u.cookie }, transports: ["polling"] });
    await waitFor(polling, "connect");
    const editor = await connectEditor(server, u);
    const bystander = await connectAs(server, other);
    const bystanderEditor = await connectEditor(server, other);
    const ended = [ws, polling, editor].map((s) =>
      Promise.all([waitFor(s, "error", { timeout: 15000 }), waitFor(s, "disconnect", { timeout: 15000 })]),
    );
    // The other tab logs out with the cookie (a same-origin request).
    const out = await api(server, "POST", "/api/logout", { cookie: u.cookie, body: {} });
    assert.equal(out.status, 204);
    for (const [error, reason] of await Promise.all(ended)) {
      assert.equal(error, "unauthorized");
      assert.equal(reason, "io server disconnect");
    }
    // The token is revoked everywhere: REST and handshake.
    assert.equal((await api(server, "GET", "/api/me", { token: u.token })).status, 401);
    const retry = connect(server, { auth: { token: u.token } });
    assert.equal((await waitFor(retry, "connect_error")).message, "unauthorized");
    // Somebody else's sockets are untouched.
    assert.ok(bystander.connected && bystanderEditor.connected);
    assert.equal((await request(bystander, "joinRoom", { roomId: await generalRoomId(server, other) })).success, true);
  });

  it("disconnects the sockets of every app once their token expires", async () => {
    const own = await startChat({ args: ["--token-ttl", "5"] });
    try {
      const u = await newUser(own, "expiring");
      const s = connect(own, { auth: { token: u.token } });
      const error = waitFor(s, "error", { timeout: 20000 });
      const gone = waitFor(s, "disconnect", { timeout: 20000 });
      await waitFor(s, "connect");
      const editor = await connectEditor(own, u);
      const editorEnded = Promise.all([
        waitFor(editor, "error", { timeout: 20000 }),
        waitFor(editor, "disconnect", { timeout: 20000 }),
      ]);
      assert.equal(await error, "unauthorized");
      assert.equal(await gone, "io server disconnect");
      assert.deepEqual(await editorEnded, ["unauthorized", "io server disconnect"]);
      assert.equal((await api(own, "GET", "/api/me", { token: u.token })).status, 401);
    } finally {
      await own.stop();
    }
  });
});

describe("restart", () => {
  it("keeps history, users and tokens across a restart (the JWT secret is kept next to it)", async () => {
    const own = await startChat();
    try {
      const u = await newUser(own, "persist");
      const roomId = (await api(own, "GET", "/api/rooms", { token: u.token })).body.find(
        (r) => r.name === "general",
      ).roomId;
      const s = await connectAs(own, u);
      await request(s, "joinRoom", { roomId });
      const ack = await request(s, "sendMessage", { roomId, message: "still here after restart" });
      assert.equal(ack.success, true);
      // Stop with the client still connected: a graceful shutdown closes it.
      const closed = waitFor(s, "disconnect");
      const exit = await own.stop();
      assert.equal(exit.code, 0);
      await closed;

      const again = await startChat({ dir: own.dir });
      try {
        const s2 = await connectAs(again, u); // the old token is still valid
        const join = await request(s2, "joinRoom", { roomId });
        assert.equal(join.success, true);
        assert.ok(join.history.some((m) => m.id === ack.id && m.message === "still here after restart"));
        const rooms = (await api(again, "GET", "/api/rooms", { token: u.token })).body;
        assert.equal(rooms.filter((r) => r.name === "general").length, 1, "general seeded once");
        const login = await api(again, "POST", "/api/login", {
          body: { username: u.username, password: "password123" },
        });
        assert.equal(login.status, 200);
        s2.disconnect();
      } finally {
        await withTimeout(again.stop(), 15000, "second server to stop");
      }
    } finally {
      await own.stop();
    }
  });
});
