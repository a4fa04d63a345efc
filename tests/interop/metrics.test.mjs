// Interop: the Prometheus endpoint of the conformance server (--metrics), read by the npm
// parse-prometheus-text-format parser while official socket.io-client sockets connect over both
// transports, join rooms, send events and leave: connections by transport, sockets and rooms per
// namespace, packets received, disconnects by reason and refused requests by code move as they
// do; the process figures are there.
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { parsePrometheusText } from "../js/index.mjs";
import { startServer, freePort, collect } from "./helpers.mjs";
import { client, connected, closeAll } from "./sioclient.mjs";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

async function scrape(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), CONTENT_TYPE);
  return parsePrometheusText(await res.text());
}

/** The value of the sample of family `name` whose labels include `labels` (0 when absent). */
function value(families, name, labels = {}) {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `no metric family ${name}`);
  const sample = family.metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => (m.labels ?? {})[k] === v)
  );
  return sample ? Number(sample.value) : 0;
}

/** Scrapes until pred(families) holds, or fails after `timeout` ms with the last figures. */
async function eventually(url, pred, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  let families;
  for (;;) {
    families = await scrape(url);
    if (pred(families)) return families;
    if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(families)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("metrics on the server's port", () => {
  let server;
  let url;
  before(async () => {
    server = await startServer({ args: ["--metrics", "/metrics"] });
    url = `${server.url}/metrics`;
  });
  afterEach(() => closeAll());
  after(async () => {
    closeAll();
    await server.stop();
  });

  it("counts connections, sockets, packets and disconnects as clients come and go", async () => {
    const ws = [client(server, "websocket"), client(server, "websocket")];
    const polling = [client(server, "polling"), client(server, "polling")];
    const custom = client(server, "websocket", { nsp: "/custom" });
    await Promise.all([
      ...ws.map((s) => connected(s, "websocket")),
      ...polling.map((s) => connected(s, "polling")),
      connected(custom, "websocket"),
    ]);
    const open = await scrape(url);
    assert.equal(value(open, "sio_connections", { transport: "websocket" }), 3);
    assert.equal(value(open, "sio_connections", { transport: "polling" }), 2);
    assert.equal(value(open, "sio_connections_total"), 5);
    assert.equal(value(open, "sio_sockets", { namespace: "/" }), 4);
    assert.equal(value(open, "sio_sockets", { namespace: "/custom" }), 1);

    const perClient = 10;
    const everyone = [...ws, ...polling, custom];
    for (const s of everyone) {
      const backs = collect(s, "message-back", perClient);
      for (let i = 0; i < perClient; i++) s.emit("message", i);
      await backs;
    }
    const busy = await scrape(url);
    assert.equal(
      value(busy, "sio_packets_received_total") - value(open, "sio_packets_received_total"),
      everyone.length * perClient
    );
    assert.ok(
      value(busy, "sio_packets_sent_total") - value(open, "sio_packets_sent_total") >=
        everyone.length * perClient
    );

    ws[0].disconnect();
    polling[0].disconnect();
    ws[1].io.engine.close();
    await eventually(
      url,
      (f) =>
        value(f, "sio_disconnects_total", { reason: "client namespace disconnect" }) === 2 &&
        value(f, "sio_disconnects_total", { reason: "transport close" }) === 1 &&
        value(f, "sio_sockets", { namespace: "/" }) === 1,
      "disconnects by reason, sockets left"
    );
    await eventually(
      url,
      (f) =>
        value(f, "sio_connections", { transport: "websocket" }) === 1 &&
        value(f, "sio_connections", { transport: "polling" }) === 1,
      "connections left after the closes"
    );
  });

  it("counts an upgrade from polling to websocket", async () => {
    const s = client(server, "upgrade");
    await connected(s, "upgrade");
    const f = await scrape(url);
    assert.ok(value(f, "sio_connections", { transport: "websocket" }) >= 1);
    s.disconnect();
    await eventually(
      url,
      (g) =>
        value(g, "sio_connections", { transport: "polling" }) === 0 &&
        value(g, "sio_connections", { transport: "websocket" }) === 0,
      "no connection left"
    );
  });

  it("counts rooms per namespace, each once, the sockets' own rooms not", async () => {
    const [a, b] = [client(server, "websocket", { nsp: "/test" }), client(server, "polling", { nsp: "/test" })];
    await Promise.all([connected(a, "websocket"), connected(b, "polling")]);
    await Promise.all([a.emitWithAck("join", ["red", "blue"]), b.emitWithAck("join", ["red"])]);
    await eventually(url, (f) => value(f, "sio_rooms", { namespace: "/test" }) === 2, "two rooms");
    await a.emitWithAck("leave", "blue");
    await eventually(url, (f) => value(f, "sio_rooms", { namespace: "/test" }) === 1, "red left");
    a.disconnect();
    b.disconnect();
    await eventually(url, (f) => value(f, "sio_rooms", { namespace: "/test" }) === 0, "no room left");
  });

  it("counts refused Engine.IO requests by error code", async () => {
    const before = await scrape(url);
    const base = `${server.url}/socket.io/?EIO=4`;
    assert.equal((await fetch(`${base}&transport=carrier-pigeon`)).status, 400); // code 0
    assert.equal((await fetch(`${base}&transport=polling&sid=nope`)).status, 400); // code 1
    assert.equal((await fetch(`${server.url}/socket.io/?EIO=3&transport=polling`)).status, 400); // 5
    const after = await scrape(url);
    const delta = (code) =>
      value(after, "sio_connection_errors_total", { code }) -
      value(before, "sio_connection_errors_total", { code });
    assert.equal(delta("0"), 1);
    assert.equal(delta("1"), 1);
    assert.equal(delta("5"), 1);
    assert.equal(delta("4"), 0);
  });

  it("reports the process and every worker's loop lag", async () => {
    const f = await scrape(url);
    assert.ok(value(f, "process_resident_memory_bytes") > 0);
    assert.ok(value(f, "process_open_fds") > 0);
    assert.ok(value(f, "process_max_fds") >= value(f, "process_open_fds"));
    assert.ok(value(f, "process_cpu_seconds_total") >= 0);
    assert.ok(value(f, "process_start_time_seconds") > 1e9);
    const lag = f.find((x) => x.name === "sio_event_loop_lag_seconds");
    assert.ok(lag && lag.metrics.length >= 1);
  });

  it("answers only GET and HEAD", async () => {
    assert.equal((await fetch(url, { method: "POST", body: "x" })).status, 405);
    const head = await fetch(url, { method: "HEAD" });
    assert.equal(head.status, 200);
  });
});

describe("metrics on a port of their own", () => {
  let server;
  let metricsPort;
  before(async () => {
    metricsPort = await freePort();
    server = await startServer({ args: ["--metrics", "/m", "--metrics-port", String(metricsPort)] });
  });
  after(async () => {
    closeAll();
    await server.stop();
  });

  it("serves them there and not on the public port", async () => {
    const s = client(server, "websocket");
    await connected(s, "websocket");
    const f = await scrape(`http://127.0.0.1:${metricsPort}/m`);
    assert.equal(value(f, "sio_connections", { transport: "websocket" }), 1);
    assert.equal((await fetch(`${server.url}/m`)).status, 404);
  });
});
