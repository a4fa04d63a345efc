// Abuse limits of sio-chat's Socket.IO events with the official npm socket.io-client: one account
// flooding events over several sockets shares one budget, every refusal is answered (ack or
// `error` event), and nobody else notices: no storm of online counts, the REST API keeps serving.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  startChat, api, generalRoomId, newUser, connectAs, closeSockets, request, record, waitFor,
} from "./chat_helpers.mjs";

const REFUSED = "Too many requests, slow down";

let server;
before(async () => {
  server = await startChat();
});
afterEach(() => closeSockets());
after(async () => {
  closeSockets();
  const exit = await server.stop();
  assert.equal(exit.code, 0, `sio-chat did not stop cleanly:\n${server.output()}`);
});

/** Opens n sockets of `user`, each recording the `error` events it receives. */
async function socketsOf(user, n) {
  const sockets = await Promise.all(Array.from({ length: n }, () => connectAs(server, user)));
  const errors = [];
  for (const s of sockets) s.on("error", (e) => errors.push(e));
  return { sockets, errors };
}

/**
 * Emits `count` events on `socket` in batches (so that the answers never pile up on the server),
 * every other one with an ack; resolves with the acks received.
 */
async function flood(socket, event, payload, count, batch = 500) {
  const acks = [];
  for (let sent = 0; sent < count; sent += batch) {
    const pending = [];
    const n = Math.min(batch, count - sent);
    for (let i = 0; i < n; i++) {
      // The last of a batch asks for an ack: once it is back, every earlier event was handled.
      if (i % 2 === 0 || i === n - 1) pending.push(request(socket, event, payload, 30000));
      else socket.emit(event, payload);
    }
    acks.push(...(await Promise.all(pending)));
  }
  return acks;
}

describe("event flooding", () => {
  it("50,000 joinRoom from one account: answered refusals, no count storm, REST keeps serving", async () => {
    const flooder = await newUser(server, "flooder");
    const calm = await newUser(server, "calm");
    const roomId = await generalRoomId(server, calm);
    const c = await connectAs(server, calm);
    const calmLog = record(c);
    const two = waitFor(c, "onlineUsers", { filter: (n) => n === 2, timeout: 10000 });
    assert.equal((await request(c, "joinRoom", { roomId })).success, true);

    let flooding = true;
    const probeFailures = [];
    let probes = 0;
    const probing = (async () => {
      while (flooding) {
        const r = await api(server, "GET", "/api/me", { token: calm.token }).catch((e) => ({ status: String(e) }));
        if (r.status !== 200) probeFailures.push(r.status);
        probes += 1;
      }
    })();

    const TOTAL = 50000;
    const { sockets, errors } = await socketsOf(flooder, 4);
    const started = Date.now();
    const acks = (
      await Promise.all(sockets.map((s) => flood(s, "joinRoom", { roomId }, TOTAL / sockets.length)))
    ).flat();
    const seconds = Math.ceil((Date.now() - started) / 1000);
    flooding = false;
    await probing;

    await two; // the flooder's arrival was counted
    const refusedAcks = acks.filter((a) => !a.success);
    assert.ok(refusedAcks.every((a) => a.error === REFUSED), JSON.stringify(refusedAcks[0]));
    assert.ok(errors.every((e) => e === REFUSED), String(errors[0]));
    // One budget for the account (a burst of 20, then 5 per second), whatever the sockets; every
    // event beyond it was answered, by its ack or by an `error` event.
    const admitted = TOTAL - refusedAcks.length - errors.length;
    assert.ok(admitted >= 1 && admitted <= 20 + 5 * seconds + 1, `${admitted} joins admitted in ${seconds} s`);

    assert.deepEqual(probeFailures, [], "GET /api/me failed during the flood");
    assert.ok(probes > 0);
    // The other member saw its own count and the flooder's arrival, not a storm.
    const counts = calmLog.filter((e) => e.event === "onlineUsers").length;
    assert.ok(counts <= 4, `${counts} onlineUsers events reached the other member`);
    assert.ok(c.connected && server.alive());
  });

  it("sendMessage, leaveRoom and typing share one budget per account across its sockets", async () => {
    const u = await newUser(server, "multi");
    const roomId = await generalRoomId(server, u);
    const { sockets, errors } = await socketsOf(u, 4);
    for (const s of sockets) assert.equal((await request(s, "joinRoom", { roomId })).success, true);

    const started = Date.now();
    const acks = (
      await Promise.all(
        sockets.map((s, i) =>
          Promise.all(Array.from({ length: 50 }, (_, j) => request(s, "sendMessage", { roomId, message: `s${i} m${j}` }))),
        ),
      )
    ).flat();
    const seconds = Math.ceil((Date.now() - started) / 1000);
    const ok = acks.filter((a) => a.success).length;
    assert.ok(ok >= 30 && ok <= 30 + 10 * seconds, `${ok} messages accepted in ${seconds} s`);
    assert.ok(acks.filter((a) => !a.success).every((a) => a.error === REFUSED));

    // typing (sent without an ack by the web client) is refused with an `error` event.
    const typingStarted = Date.now();
    for (let i = 0; i < 100; i++) sockets[0].emit("typing", { roomId, isTyping: true });
    const last = await request(sockets[0], "typing", { roomId, isTyping: false });
    assert.ok(last.success || last.error === REFUSED);
    const typingSeconds = Math.ceil((Date.now() - typingStarted) / 1000);
    assert.ok(errors.length >= 100 - 20 - 5 * typingSeconds, `${errors.length} typing events refused`);
    assert.ok(errors.every((e) => e === REFUSED));

    // leaveRoom shares joinRoom's budget: spent by joins and leaves in a loop, it refuses.
    const leaves = await flood(sockets[1], "leaveRoom", { roomId }, 100, 100);
    assert.ok(leaves.some((a) => a.error === REFUSED));
  });
});

describe("login limits by client address", () => {
  /** 45 bad logins at once, from `forwardedFor(i)`: their answers. */
  function guessAtOnce(own, forwardedFor) {
    return Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        api(own, "POST", "/api/login", {
          body: { username: `ghost${i}`, password: "wrong-password" },
          headers: { "x-forwarded-for": forwardedFor(i) },
        }),
      ),
    );
  }

  it("behind a trusted proxy each forwarded client has its own budget; otherwise the peer's", async () => {
    const proxied = await startChat({ args: ["--trust-proxy", "127.0.0.1"] });
    try {
      const answers = await guessAtOnce(proxied, () => "203.0.113.9");
      const refused = answers.filter((r) => r.status === 429);
      assert.ok(refused.length > 0, "one forwarded address was never refused");
      assert.ok(answers.length - refused.length >= 30, `${refused.length} of 45 refused`);
      assert.ok(answers.every((r) => r.status === 401 || r.status === 429));
      assert.equal(refused[0].body.error, "Too many attempts, try again later");
      assert.ok(Number(refused[0].headers.get("retry-after")) >= 1);
      const other = await api(proxied, "POST", "/api/login", {
        body: { username: "ghost", password: "wrong-password" },
        headers: { "x-forwarded-for": "203.0.113.10" },
      });
      assert.equal(other.status, 401, "another client is not concerned");
    } finally {
      await proxied.stop();
    }
    // Without --trust-proxy the header is not believed: every attempt counts for the TCP peer.
    const direct = await startChat();
    try {
      const answers = await guessAtOnce(direct, (i) => `198.51.100.${i}`);
      assert.ok(answers.some((r) => r.status === 429), "X-Forwarded-For from an untrusted peer escaped the limit");
    } finally {
      await direct.stop();
    }
  });
});
