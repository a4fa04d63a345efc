// The Socket.IO Admin UI's server side (sio::admin_ui) in the demo server (sio-chat
// --admin-ui-user ... --admin-ui-password-hash ...), driven as the UI drives it: socket.io-client on
// the namespace /admin. The same conversation with Node's own server instrumented by the npm
// @socket.io/admin-ui is the reference for the shapes of what the UI receives.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
  startChat, newUser, connect, connectAs, closeSockets, waitFor, withTimeout, HOST,
} from "./chat_helpers.mjs";
import { io as ioClient, SocketIOServer, instrumentAdminUi } from "../js/index.mjs";

const USER = "admin";
const PASSWORD = "changeit";
// bcryptjs.hashSync("changeit", 4)
const HASH = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
const DEADLINE = 15000;

/** A connection to `url`'s /admin with `auth`; resolves { socket, events } or rejects with the
 * connect_error. `events` holds what arrived, by name, from the first packet on. */
function admin(url, auth) {
  const socket = ioClient(`${url}/admin`, {
    transports: ["websocket"], reconnection: false, forceNew: true, auth,
  });
  const events = {};
  socket.onAny((event, ...args) => (events[event] ??= []).push(args));
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once("connect", () => resolve({ socket, events }));
      socket.once("connect_error", (e) => {
        socket.close();
        reject(e);
      });
    }),
    DEADLINE,
    "connect to /admin",
  );
}

/** The next `event` whose arguments pass `filter`, or one already received. */
async function next(conn, event, filter = () => true) {
  const seen = (conn.events[event] ?? []).find((args) => filter(...args));
  if (seen) return seen;
  return withTimeout(
    new Promise((resolve) => {
      const h = (...args) => {
        if (!filter(...args)) return;
        conn.socket.off(event, h);
        resolve(args);
      };
      conn.socket.on(event, h);
    }),
    DEADLINE,
    `"${event}" on /admin`,
  );
}

/** The type structure of a value: keys and the types under them, arrays by their first element.
 * Objects under `opaque` keys (headers, query, data: their content is the application's) are only
 * "object". */
function shape(v, key = "", opaque = ["headers", "query", "data"]) {
  if (Array.isArray(v)) return v.length ? [shape(v[0], key, opaque)] : [];
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  if (opaque.includes(key)) return "object";
  return Object.fromEntries(
    Object.keys(v).sort().map((k) => [k, shape(v[k], k, opaque)]),
  );
}

/** Two users of the demo logged in to the chat ("/"): { users, sockets }. */
async function twoChatUsers(server) {
  const users = [await newUser(server, "ada"), await newUser(server, "bob")];
  const sockets = [await connectAs(server, users[0]), await connectAs(server, users[1])];
  return { users, sockets };
}

describe("Admin UI on sio-chat", () => {
  let server;
  const start = (mode = "development") =>
    startChat({
      args: ["--admin-ui-user", USER, "--admin-ui-password-hash", HASH, "--admin-ui-mode", mode],
    });
  afterEach(async () => {
    closeSockets();
    await server?.stop();
    server = undefined;
  });

  it("refuses a connection without or with wrong credentials", async () => {
    server = await start();
    await assert.rejects(admin(server.url, {}), { message: "invalid credentials" });
    await assert.rejects(admin(server.url, { username: USER, password: "wrong" }), {
      message: "invalid credentials",
    });
    await assert.rejects(admin(server.url, { username: "root", password: PASSWORD }), {
      message: "invalid credentials",
    });
    await assert.rejects(admin(server.url, { sessionId: "0123456789abcdef" }), {
      message: "invalid credentials",
    });
  });

  it("admits the user, gives a session id that admits again, and sends the config", async () => {
    server = await start();
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const [sessionId] = await next(a, "session");
    assert.equal(typeof sessionId, "string");
    const [config] = await next(a, "config");
    assert.deepEqual(
      [...config.supportedFeatures].sort(),
      ["AGGREGATED_EVENTS", "ALL_EVENTS", "DISCONNECT", "EMIT", "JOIN", "LEAVE", "MDISCONNECT",
       "MJOIN", "MLEAVE"],
    );
    const again = await admin(server.url, { sessionId });
    assert.ok(again.socket.connected);
    a.socket.close();
    again.socket.close();
  });

  it("reports server stats with the counts of connected clients and sockets", async () => {
    server = await start();
    const { sockets } = await twoChatUsers(server);
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const [stats] = await next(a, "server_stats", (s) =>
      s.clientsCount === 3 && s.namespaces.find((n) => n.name === "/")?.socketsCount === 2 &&
      s.namespaces.find((n) => n.name === "/admin")?.socketsCount === 1);
    assert.equal(typeof stats.serverId, "string");
    assert.equal(typeof stats.hostname, "string");
    assert.equal(typeof stats.pid, "number");
    assert.ok(stats.uptime >= 0);
    assert.ok(stats.pollingClientsCount >= 0 && stats.pollingClientsCount <= 3);
    assert.ok(Array.isArray(stats.aggregatedEvents));
    sockets[1].disconnect();
    await next(a, "server_stats", (s) =>
      s.namespaces.find((n) => n.name === "/")?.socketsCount === 1);
    a.socket.close();
  });

  it("shows the per-user notification namespaces as their users connect", async () => {
    server = await start();
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const ada = await newUser(server, "ada");
    const nsp = `/users/${ada.userId}`;
    const s = await connectAs(server, ada, {}, nsp);
    await next(a, "server_stats", (st) =>
      st.namespaces.find((n) => n.name === nsp)?.socketsCount === 1);
    const [listed] = await next(a, "socket_connected", (e) => e.nsp === nsp);
    assert.equal(listed.id, s.id);
    assert.equal(listed.data.username, ada.username);
    a.socket.close();
  });

  it("charts the packets and bytes received and sent", async () => {
    server = await start();
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const { sockets } = await twoChatUsers(server);
    for (const s of sockets) s.emit("joinRoom", { roomId: "no-such-room" });
    const totals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
    await next(a, "server_stats", (s) => {
      for (const e of s.aggregatedEvents) {
        if (e.type in totals) totals[e.type] += e.count;
      }
      return Object.values(totals).every((n) => n > 0) && totals.packetsIn >= 4;
    });
    assert.ok(totals.bytesIn >= totals.packetsIn, JSON.stringify(totals));
    assert.ok(totals.bytesOut >= totals.packetsOut, JSON.stringify(totals));
    a.socket.close();
  });

  it("lists the sockets of two connected users and acts on them", async () => {
    server = await start();
    const { users, sockets } = await twoChatUsers(server);
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const [all] = await next(a, "all_sockets");
    const listed = all.filter((s) => s.nsp === "/");
    assert.deepEqual(listed.map((s) => s.id).sort(), sockets.map((s) => s.id).sort());
    for (const [i, s] of sockets.entries()) {
      const entry = listed.find((e) => e.id === s.id);
      assert.equal(entry.data.username, users[i].username);
      assert.equal(entry.transport, "websocket");
      assert.equal(typeof entry.clientId, "string");
      assert.ok(entry.rooms.includes(s.id));
      assert.equal(entry.handshake.address, HOST);
    }
    const [ada, bob] = sockets;

    a.socket.emit("join", "/", "vip", ada.id);
    await next(a, "room_joined", (nsp, room, id) => nsp === "/" && room === "vip" && id === ada.id);
    a.socket.emit("emit", "/", "vip", "notice", "hello vip");
    assert.equal(await waitFor(ada, "notice", { timeout: DEADLINE }), "hello vip");
    a.socket.emit("leave", "/", "vip", ada.id);
    await next(a, "room_left", (nsp, room, id) => nsp === "/" && room === "vip" && id === ada.id);

    const bobId = bob.id;  // the client forgets it once disconnected
    const gone = waitFor(bob, "disconnect", { timeout: DEADLINE });
    a.socket.emit("_disconnect", "/", false, bobId);
    assert.equal(await gone, "io server disconnect");
    const [nsp, , reason] = await next(a, "socket_disconnected", (nsp, id) => id === bobId);
    assert.equal(nsp, "/");
    assert.equal(reason, "server namespace disconnect");
    assert.ok(ada.connected);
    a.socket.close();
  });

  it("reports sockets as they connect", async () => {
    server = await start();
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    await next(a, "all_sockets");
    const user = await newUser(server, "cy");
    const s = await connectAs(server, user);
    const [socket, timestamp] = await next(a, "socket_connected", (e) => e.id === s.id);
    assert.equal(socket.nsp, "/");
    assert.equal(socket.data.username, user.username);
    assert.ok(!Number.isNaN(Date.parse(timestamp)));
    a.socket.close();
  });

  it("in production mode sends stats and takes actions, but lists no sockets", async () => {
    server = await start("production");
    const { sockets } = await twoChatUsers(server);
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    const [config] = await next(a, "config");
    assert.ok(!config.supportedFeatures.includes("ALL_EVENTS"));
    await next(a, "server_stats", (s) => s.clientsCount === 3);
    const gone = waitFor(sockets[0], "disconnect", { timeout: DEADLINE });
    a.socket.emit("_disconnect", "/", false, sockets[0].id);
    assert.equal(await gone, "io server disconnect");
    assert.equal(a.events.all_sockets, undefined);
    a.socket.close();
  });

  it("ignores actions on namespaces it does not show", async () => {
    server = await start();
    const { sockets } = await twoChatUsers(server);
    const a = await admin(server.url, { username: USER, password: PASSWORD });
    a.socket.emit("_disconnect", "/nowhere", false);
    a.socket.emit("join", 42, "vip");
    a.socket.emit("_disconnect");
    a.socket.emit("join", "/", "vip", sockets[0].id);
    await next(a, "room_joined", (nsp, room, id) => room === "vip" && id === sockets[0].id);
    assert.ok(sockets.every((s) => s.connected));
    a.socket.close();
  });
});

describe("Admin UI shapes: sio-chat against Node's @socket.io/admin-ui", () => {
  let node;
  let nodeUrl;
  let chat;
  before(async () => {
    const httpServer = http.createServer();
    node = new SocketIOServer(httpServer);
    instrumentAdminUi(node, {
      auth: { type: "basic", username: USER, password: HASH },
      mode: "development",
    });
    node.on("connection", (socket) => {
      socket.data.username = socket.handshake.auth.username;
    });
    await new Promise((r) => httpServer.listen(0, HOST, r));
    nodeUrl = `http://${HOST}:${httpServer.address().port}`;
    chat = await startChat({
      args: ["--admin-ui-user", USER, "--admin-ui-password-hash", HASH,
             "--admin-ui-mode", "development"],
    });
  });
  after(async () => {
    closeSockets();
    node.close();
    await chat.stop();
  });

  /** What an admin receives from a server with two users on "/": the first of each event. */
  async function conversation(url, users) {
    const a = await admin(url, { username: USER, password: PASSWORD });
    const [session] = await next(a, "session");
    const [config] = await next(a, "config");
    const [all] = await next(a, "all_sockets");
    const [stats] = await next(a, "server_stats", (s) => s.clientsCount >= 3);
    const [traffic] = await next(a, "server_stats", (s) =>
      s.aggregatedEvents.some((e) => e.type === "bytesIn"));
    const bytesIn = traffic.aggregatedEvents.find((e) => e.type === "bytesIn");
    const listed = all.filter((s) => s.nsp === "/");
    assert.equal(listed.length, 2);
    const late = await users();
    const [connected, at] = await next(a, "socket_connected", (s) => s.id === late.id);
    a.socket.emit("join", "/", "vip", late.id);
    const joined = await next(a, "room_joined", (n, room) => room === "vip");
    const lateId = late.id;
    a.socket.emit("_disconnect", "/", false, lateId);
    const left = await next(a, "socket_disconnected", (n, id) => id === lateId);
    a.socket.close();
    return { session, config, socket: listed[0], stats, bytesIn, connected, at, joined, left };
  }

  it("what the UI receives has the shapes of Node's", async () => {
    const nodeSockets = ["ada", "bob"].map((username) =>
      connect({ url: nodeUrl }, { auth: { username } }));
    await Promise.all(nodeSockets.map((s) => waitFor(s, "connect", { timeout: DEADLINE })));
    const fromNode = await conversation(nodeUrl, async () => {
      const s = connect({ url: nodeUrl }, { auth: { username: "cy" } });
      await waitFor(s, "connect", { timeout: DEADLINE });
      return s;
    });
    await twoChatUsers(chat);
    const fromSio = await conversation(chat.url, async () => connectAs(chat, await newUser(chat, "cy")));

    assert.deepEqual(shape(fromSio.config), shape(fromNode.config));
    assert.deepEqual(shape(fromSio.socket), shape(fromNode.socket));
    assert.deepEqual(shape(fromSio.connected), shape(fromNode.connected));
    assert.deepEqual(shape(fromSio.joined), shape(fromNode.joined));
    assert.deepEqual(shape(fromSio.left), shape(fromNode.left));
    assert.equal(fromSio.left[2], fromNode.left[2]);  // the reason
    assert.equal(typeof fromSio.session, typeof fromNode.session);
    assert.equal(typeof fromSio.at, typeof fromNode.at);
    const statsKeys = (s) => Object.keys(s).sort();
    assert.deepEqual(statsKeys(fromSio.stats), statsKeys(fromNode.stats));
    assert.deepEqual(shape(fromSio.stats.namespaces), shape(fromNode.stats.namespaces));
    assert.deepEqual(shape(fromSio.bytesIn), shape(fromNode.bytesIn));
    for (const key of ["serverId", "hostname", "pid", "uptime", "clientsCount",
                       "pollingClientsCount"]) {
      assert.equal(typeof fromSio.stats[key], typeof fromNode.stats[key], key);
    }
  });
});
