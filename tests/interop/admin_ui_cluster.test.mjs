// The Admin UI over a cluster: two sio-chat nodes on one Redis (each with its own SQLite database)
// instrumented for the Admin UI. A UI connected to one node receives both nodes' server_stats,
// lists the sockets of both, and disconnects a socket living on the other node, as with the Node
// server on @socket.io/redis-adapter.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, newUser, connectAs, closeSockets, waitFor, withTimeout } from "./chat_helpers.mjs";
import { startRedis } from "./redis_helpers.mjs";
import { io as ioClient } from "../js/index.mjs";

const USER = "admin";
const PASSWORD = "changeit";
// bcryptjs.hashSync("changeit", 4)
const HASH = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";
const DEADLINE = 15000;

describe("Admin UI on a cluster of two sio-chat nodes", () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    const args = ["--redis", redis.url, "--admin-ui-user", USER, "--admin-ui-password-hash", HASH,
                  "--admin-ui-mode", "development"];
    nodes = [await startChat({ args }), await startChat({ args })];
  });
  after(async () => {
    closeSockets();
    for (const n of nodes ?? []) await n.stop();
    await redis?.stop();
  });

  it("shows every node's stats and sockets and acts on a socket of the other node", async () => {
    const users = [await newUser(nodes[0], "ada"), await newUser(nodes[1], "bob")];
    const [ada, bob] = [await connectAs(nodes[0], users[0]), await connectAs(nodes[1], users[1])];
    const bobId = bob.id;

    const admin = ioClient(`${nodes[0].url}/admin`, {
      transports: ["websocket"], reconnection: false, forceNew: true,
      auth: { username: USER, password: PASSWORD },
    });
    const servers = new Map();  // serverId -> its latest stats
    admin.on("server_stats", (s) => servers.set(s.serverId, s));
    const allSockets = waitFor(admin, "all_sockets", { timeout: DEADLINE });
    await waitFor(admin, "connect", { timeout: DEADLINE });

    const listed = (await allSockets).filter((s) => s.nsp === "/").map((s) => s.id).sort();
    assert.deepEqual(listed, [ada.id, bobId].sort());

    await withTimeout(
      (async () => {
        const counted = () => [...servers.values()].filter((s) =>
          s.namespaces.find((n) => n.name === "/")?.socketsCount === 1).length;
        while (servers.size < 2 || counted() < 2) await waitFor(admin, "server_stats", { timeout: DEADLINE });
      })(),
      DEADLINE,
      "server_stats of both nodes, one chat socket each",
    );
    assert.equal(servers.size, 2);

    const gone = waitFor(bob, "disconnect", { timeout: DEADLINE });
    const reported = withTimeout(
      new Promise((resolve) => admin.on("socket_disconnected", (...a) => a[1] === bobId && resolve(a))),
      DEADLINE,
      "socket_disconnected of bob's socket from the other node",
    );
    admin.emit("_disconnect", "/", false, bobId);
    assert.equal(await gone, "io server disconnect");
    const [nsp, id] = await reported;
    assert.deepEqual([nsp, id], ["/", bobId]);
    assert.ok(ada.connected);
    admin.close();
  });
});
