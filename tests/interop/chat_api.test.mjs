// Contract tests of sio-chat's HTTP side: every status of the REST API, bad and oversize bodies,
// authentication by Bearer header and cookie, static files, SPA fallback and path traversal.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startChat, api, newUser, uniqueName, rawGet } from "./chat_helpers.mjs";

let server;
before(async () => {
  server = await startChat();
});
after(async () => {
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

describe("GET /api/apps", () => {
  it("lists the apps the server hosts, the chat among them, without a login", async () => {
    const r = await api(server, "GET", "/api/apps");
    assert.equal(r.status, 200);
    assert.ok(Array.isArray(r.body));
    const chat = r.body.find((a) => a.id === "chat");
    assert.ok(chat, JSON.stringify(r.body));
    assert.equal(chat.path, "/chat");
    for (const app of r.body) {
      for (const key of ["id", "title", "summary", "path"]) assert.equal(typeof app[key], "string");
    }
    assert.equal((await api(server, "POST", "/api/apps", { body: {} })).status, 405);
  });
});

describe("POST /api/register", () => {
  it("creates a user (201), refuses a taken name (409)", async () => {
    const username = uniqueName("reg");
    const r = await api(server, "POST", "/api/register", { body: { username, password: "password123" } });
    assert.equal(r.status, 201);
    assert.equal(r.body.username, username);
    assert.equal(typeof r.body.userId, "number");
    assert.match(r.headers.get("content-type"), /^application\/json/);
    const again = await api(server, "POST", "/api/register", { body: { username, password: "password456" } });
    assert.equal(again.status, 409);
    assert.equal(typeof again.body.error, "string");
    const upper = await api(server, "POST", "/api/register", {
      body: { username: username.toUpperCase(), password: "password456" },
    });
    assert.equal(upper.status, 409);
  });

  it("rejects invalid usernames and short passwords (400)", async () => {
    const cases = [
      { username: "ab", password: "password123" },
      { username: "x".repeat(33), password: "password123" },
      { username: "bad name", password: "password123" },
      { username: "semi;colon", password: "password123" },
      { username: uniqueName("pw"), password: "short" },
      { username: uniqueName("pw"), password: "1234567" },
      { username: uniqueName("pw") },
      { password: "password123" },
      { username: 42, password: "password123" },
      { username: uniqueName("pw"), password: ["password123"] },
      { username: null, password: null },
    ];
    for (const body of cases) {
      const r = await api(server, "POST", "/api/register", { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(typeof r.body.error, "string");
    }
  });

  it("answers bad JSON bodies with 400", async () => {
    for (const raw of ["{", "not json", "", "[1,2]", "\"str\"", "null", "{\"username\":\"abc\",}"]) {
      const r = await api(server, "POST", "/api/register", { raw });
      assert.equal(r.status, 400, JSON.stringify(raw));
    }
  });

  it("answers oversize bodies with 413", async () => {
    const raw = JSON.stringify({ username: "big", password: "x".repeat(200 * 1024) });
    const r = await api(server, "POST", "/api/register", { raw });
    assert.equal(r.status, 413);
  });
});

describe("POST /api/login", () => {
  it("returns a token and an HttpOnly cookie (200)", async () => {
    const username = uniqueName("login");
    await api(server, "POST", "/api/register", { body: { username, password: "password123" } });
    const r = await api(server, "POST", "/api/login", { body: { username, password: "password123" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.username, username);
    assert.equal(typeof r.body.userId, "number");
    assert.match(r.body.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(r.headers.get("set-cookie"), `token=${r.body.token}; HttpOnly; SameSite=Lax; Path=/`);
  });

  it("refuses wrong credentials (401) and bad bodies (400)", async () => {
    const username = uniqueName("login");
    await api(server, "POST", "/api/register", { body: { username, password: "password123" } });
    const wrong = await api(server, "POST", "/api/login", { body: { username, password: "password124" } });
    assert.equal(wrong.status, 401);
    const unknown = await api(server, "POST", "/api/login", {
      body: { username: uniqueName("ghost"), password: "password123" },
    });
    assert.equal(unknown.status, 401);
    assert.equal((await api(server, "POST", "/api/login", { raw: "{oops" })).status, 400);
    assert.equal((await api(server, "POST", "/api/login", { body: { username } })).status, 400);
  });
});

describe("authenticated routes", () => {
  it("accept the Bearer header or the cookie, and 401 without a valid token", async () => {
    const u = await newUser(server, "auth");
    const byBearer = await api(server, "GET", "/api/me", { token: u.token });
    assert.equal(byBearer.status, 200);
    assert.deepEqual(byBearer.body, { userId: u.userId, username: u.username });
    const byCookie = await api(server, "GET", "/api/me", { cookie: `other=1; ${u.cookie}` });
    assert.equal(byCookie.status, 200);
    for (const [method, route] of [
      ["GET", "/api/me"],
      ["GET", "/api/rooms"],
      ["POST", "/api/rooms"],
      ["GET", "/api/rooms/1/messages"],
    ]) {
      assert.equal((await api(server, method, route, { body: { name: "x" } })).status, 401, route);
      assert.equal((await api(server, method, route, { token: "a.b.c" })).status, 401, route);
      assert.equal((await api(server, method, route, { cookie: "token=garbage" })).status, 401, route);
    }
  });

  it("refuse a cross-site write riding on the cookie (403), not the app's own", async () => {
    const u = await newUser(server, "csrf");
    const forged = (route, headers, body = JSON.stringify({ name: uniqueName("forged") })) =>
      fetch(server.url + route, { method: "POST", headers: { cookie: u.cookie, ...headers }, body });
    const ownOrigin = server.url; // fetch sends the Host of the URL
    for (const [route, headers] of [
      ["/api/rooms", { origin: "http://evil.example", "content-type": "text/plain" }],
      ["/api/rooms", { origin: "http://evil.example", "content-type": "application/json" }],
      ["/api/rooms", { referer: "http://evil.example/page", "content-type": "application/json" }],
      ["/api/rooms", { origin: ownOrigin, "content-type": "text/plain" }],
      ["/api/login", { origin: "http://evil.example", "content-type": "text/plain" }],
    ]) {
      const res = await forged(route, headers);
      assert.equal(res.status, 403, `${route} ${JSON.stringify(headers)}`);
      assert.equal(typeof (await res.json()).error, "string");
    }
    const own = await forged("/api/rooms", { origin: ownOrigin, "content-type": "application/json" });
    assert.equal(own.status, 201);
    // A Bearer client is no browser: any origin.
    const bearer = await fetch(server.url + "/api/rooms", {
      method: "POST",
      headers: { authorization: `Bearer ${u.token}`, origin: "http://elsewhere.example", "content-type": "application/json" },
      body: JSON.stringify({ name: uniqueName("bearer") }),
    });
    assert.equal(bearer.status, 201);
  });

  it("create and list rooms; private rooms are visible to members only", async () => {
    const alice = await newUser(server, "alice");
    const bob = await newUser(server, "bob");
    const carol = await newUser(server, "carol");
    const priv = await api(server, "POST", "/api/rooms", {
      token: alice.token,
      body: { name: "Secret plans", private: true, members: [bob.username] },
    });
    assert.equal(priv.status, 201);
    assert.equal(priv.body.name, "Secret plans");
    assert.equal(priv.body.private, true);
    assert.equal(typeof priv.body.roomId, "number");
    const pub = await api(server, "POST", "/api/rooms", { token: bob.token, body: { name: "Lobby" } });
    assert.equal(pub.status, 201);
    assert.equal(pub.body.private, false);

    const ids = async (user) =>
      (await api(server, "GET", "/api/rooms", { token: user.token })).body.map((r) => r.roomId);
    assert.ok((await ids(alice)).includes(priv.body.roomId));
    assert.ok((await ids(bob)).includes(priv.body.roomId));
    assert.ok(!(await ids(carol)).includes(priv.body.roomId));
    assert.ok((await ids(carol)).includes(pub.body.roomId));
    const rooms = (await api(server, "GET", "/api/rooms", { token: carol.token })).body;
    assert.ok(rooms.some((r) => r.name === "general" && r.private === false), "seeded general room");

    for (const body of [{}, { name: "" }, { name: 7 }, { name: "x", private: "yes" },
                        { name: "x", members: "bob" }, { name: "x", members: [uniqueName("nobody")] }]) {
      const r = await api(server, "POST", "/api/rooms", { token: alice.token, body });
      assert.equal(r.status, 400, JSON.stringify(body));
    }
    assert.equal((await api(server, "POST", "/api/rooms", { token: alice.token, raw: "{" })).status, 400);
  });

  it("message history: 200 oldest first with limit/before, 403 for outsiders, 404 unknown", async () => {
    const alice = await newUser(server, "hist");
    const outsider = await newUser(server, "outsider");
    const priv = await api(server, "POST", "/api/rooms", {
      token: alice.token,
      body: { name: "Private history", private: true, members: [] },
    });
    const roomId = priv.body.roomId;
    const empty = await api(server, "GET", `/api/rooms/${roomId}/messages`, { token: alice.token });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, []);
    const denied = await api(server, "GET", `/api/rooms/${roomId}/messages`, { token: outsider.token });
    assert.equal(denied.status, 403);
    assert.equal((await api(server, "GET", "/api/rooms/999999/messages", { token: alice.token })).status, 404);
    for (const q of ["?limit=0", "?limit=1000", "?limit=abc", "?before=xyz"]) {
      const r = await api(server, "GET", `/api/rooms/${roomId}/messages${q}`, { token: alice.token });
      assert.equal(r.status, 400, q);
    }
  });

  it("unknown API routes are 404, wrong methods 405", async () => {
    const u = await newUser(server, "routes");
    assert.equal((await api(server, "GET", "/api/nothing-here", { token: u.token })).status, 404);
    assert.equal((await api(server, "GET", "/api/login")).status, 405);
    assert.equal((await api(server, "DELETE", "/api/rooms", { token: u.token })).status, 405);
  });
});

describe("static files", () => {
  it("serves the front end with content types and falls back to index.html", async () => {
    const index = await fetch(server.url + "/");
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.match(await index.text(), /APP/);
    const js = await fetch(server.url + "/assets/app-1.js");
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type"), /^text\/javascript/);
    const route = await fetch(server.url + "/rooms/42");
    assert.equal(route.status, 200);
    assert.match(await route.text(), /APP/);
    assert.equal((await fetch(server.url + "/assets/missing.js")).status, 404);
    assert.equal((await fetch(server.url + "/", { method: "POST" })).status, 405);
  });

  it("never serves a file outside the web folder", async () => {
    const targets = [
      "/../secret.txt",
      "/../../../../etc/passwd",
      "/assets/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/..%2fsecret.txt",
      "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..%5csecret.txt",
      "/index.html%00.js",
      "/%00",
      "/%zz",
    ];
    for (const target of targets) {
      const r = await rawGet(server, target);
      assert.ok(r.status === 400 || r.status === 404, `${target}: status ${r.status}`);
      assert.ok(!r.text.includes("TOP-SECRET"), `${target} leaked a file`);
      assert.ok(!r.text.includes("root:"), `${target} leaked /etc/passwd`);
    }
    assert.ok(server.alive());
  });
});
