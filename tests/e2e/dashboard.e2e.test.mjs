// End-to-end test of the live dashboard in headless Chromium: a user opens /dashboard from the home
// page; the node's card shows up (named by --node-name) and the charts fill. Then this process puts
// a load on the server (socket.io-client connections of other users, one more at a time, chatting in
// `general`): without a reload the page's connections go up, its messages per second rise above 0
// and the charts gain points; when the load stops the connections come back down. After the page's
// own connection drops and comes back, it subscribes again and the charts go on. On two nodes
// sharing a Redis, the page on one shows the other's card and series, and shows it down once it
// stops (its line stays). Screenshots:
// tests/artifacts/e2e/dashboard-*.png, dashboard-live.png the page under load (the README's
// docs/dashboard-screenshot.png). Server, browser and helpers: harness.mjs; the chat's REST and
// socket helpers: ../interop/chat_helpers.mjs; redis-server: ../interop/redis_helpers.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  ARTIFACTS,
  attr,
  launchBrowser,
  newUserPage,
  openApp,
  register,
  screenshots,
  startServer,
  text,
  until,
  untilAttr,
  untilText,
  visible,
} from "./harness.mjs";
import { closeSockets, connectAs, generalRoomId, newUser, request } from "../interop/chat_helpers.mjs";
import { startRedis } from "../interop/redis_helpers.mjs";

const NODE = "e2e-node";
// Samples come once a second; a few of them may be needed for a change to show.
const SAMPLE_TIMEOUT = 20000;
// Back online, socket.io-client retries with a back-off of up to 5 s.
const RECONNECT_TIMEOUT = 30000;
const LOAD_USERS = 6;
// Each user sends a message this often: well under the chat's limit of 10 per second.
const MESSAGE_EVERY_MS = 250;

const card = (page) => page.locator(`[data-testid="node-card"][data-node="${NODE}"]`);
const chart = (page, metric) => page.locator(`[data-testid="chart"][data-metric="${metric}"]`);
/** The latest value of `metric` the chart lists for our node, as a number (NaN when none yet). */
const latest = async (page, metric) =>
  Number((await attr(chart(page, metric).locator(`[data-testid="latest-value"][data-node="${NODE}"]`), "data-value")) || NaN);
const points = async (page, metric) => Number(await attr(chart(page, metric), "data-points"));

/**
 * Users chatting in `general`, each over a connection of its own: `connect()` brings one more in
 * (it joins and starts sending), `stop()` ends them all.
 */
async function prepareLoad(server) {
  const users = await Promise.all(Array.from({ length: LOAD_USERS }, () => newUser(server, "load")));
  const roomId = await generalRoomId(server, users[0]);
  const timers = [];
  let n = 0;
  return {
    async connect() {
      const socket = await connectAs(server, users[timers.length]);
      assert.equal((await request(socket, "joinRoom", { roomId })).success, true);
      timers.push(setInterval(() => socket.emit("sendMessage", { roomId, message: `load ${++n}` }), MESSAGE_EVERY_MS));
    },
    stop() {
      for (const timer of timers) clearInterval(timer);
      closeSockets();
    },
  };
}

test("the live dashboard follows a load on the server without a reload", { timeout: 180000 }, async (t) => {
  const shot = screenshots("dashboard");
  const server = await startServer({ args: ["--node-name", NODE] });
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const { context, page } = await newUserPage(browser, "viewer", pageErrors);
  // Tall enough for the card and the four charts in one picture (the page scrolls inside itself).
  await page.setViewportSize({ width: 1280, height: 1000 });
  let load = null;
  t.after(() => load?.stop());
  let before = { connections: NaN, messages: NaN, points: NaN };

  await t.test("the page opens from the home page; the node's card and the charts show up", async () => {
    await register(page, server, "dana");
    await openApp(page, "dashboard");
    await until("the dashboard's address", () => new URL(page.url()).pathname, (p) => p === "/dashboard");
    await visible(page.getByTestId("dashboard"));
    await untilText("connected", page.getByTestId("connection-status"), "Connected · live");
    await untilAttr("the node is up", card(page), "data-state", "up", SAMPLE_TIMEOUT);
    assert.equal(await text(card(page).getByTestId("node-state")), "Up");
    for (const id of ["node-connections", "node-rooms", "node-cpu", "node-rss", "node-lag", "node-sockets"]) {
      assert.ok(((await text(card(page).getByTestId(id))) ?? "").length > 0, `the card shows ${id}`);
    }
    assert.match(await text(card(page).getByTestId("node-sockets")), /\/dashboard \d+/);
    // Each chart says what it draws and has the latest value as text.
    for (const metric of ["connections", "messages", "loopLag", "rss"]) {
      assert.ok(((await text(chart(page, metric).locator("figcaption"))) ?? "").length > 0, `${metric}: caption`);
      await until(`${metric}: a latest value`, () => latest(page, metric), (v) => v >= 0, SAMPLE_TIMEOUT);
      assert.equal(await chart(page, metric).locator("canvas").count() > 0, true, `${metric}: drawn`);
    }
    assert.ok((await latest(page, "rss")) > 0, "memory is measured");
    // The page's own connection is one of the node's (a sample taken before it came may show first).
    await until("the page's own connection counted", () => latest(page, "connections"), (v) => v >= 1, SAMPLE_TIMEOUT);
    before = {
      connections: await latest(page, "connections"),
      messages: await latest(page, "messages"),
      points: await points(page, "connections"),
    };
    await page.evaluate(() => {
      window.__sameDocument = true; // gone if the page reloads
    });
    await shot(page, "01-idle");
  });

  await t.test("under load the connections go up, messages/s rise above 0 and the charts move", async () => {
    load = await prepareLoad(server);
    // One more connection at a time, each seen by the page before the next (a staircase).
    for (let i = 1; i <= LOAD_USERS; i++) {
      await load.connect();
      await until(`connections up by ${i}`, () => latest(page, "connections"), (v) => v >= before.connections + i, SAMPLE_TIMEOUT);
    }
    // Idle, the node already sends a little (this page's samples); the load's messages come on top.
    await until(
      "messages per second above 0, and above the idle rate",
      () => latest(page, "messages"),
      (v) => v > 0 && v > before.messages + LOAD_USERS,
      SAMPLE_TIMEOUT,
    );
    await until("new points on the chart", () => points(page, "connections"), (v) => v > before.points, SAMPLE_TIMEOUT);
    const cardConnections = Number(await text(card(page).getByTestId("node-connections")));
    assert.ok(cardConnections >= before.connections + LOAD_USERS, `the card's connections: ${cardConnections}`);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-live.png") });
  });

  await t.test("when the load stops the connections come back down", async () => {
    load.stop();
    load = null;
    await until("connections back down", () => latest(page, "connections"), (v) => v <= before.connections, SAMPLE_TIMEOUT);
    await untilAttr("the node is still up", card(page), "data-state", "up");
  });

  await t.test("after its connection drops and comes back the page subscribes again", async () => {
    await context.setOffline(true);
    await untilText("reconnecting", page.getByTestId("connection-status"), /^Reconnecting/);
    await context.setOffline(false);
    await untilText("connected again", page.getByTestId("connection-status"), "Connected · live", RECONNECT_TIMEOUT);
    const after = await points(page, "connections");
    await until("samples again after the reconnect", () => points(page, "connections"), (v) => v > after, SAMPLE_TIMEOUT);
    await untilAttr("the node is up", card(page), "data-state", "up", SAMPLE_TIMEOUT);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, "no reload");
    await shot(page, "02-after-reconnect");
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});

test("on two nodes the page shows both, and the one that stops as down", { timeout: 180000 }, async (t) => {
  const shot = screenshots("dashboard-cluster");
  const redis = await startRedis();
  t.after(() => redis.stop());
  const a = await startServer({ args: ["--node-name", "node-a", "--redis", redis.url] });
  t.after(() => a.stop());
  const b = await startServer({ args: ["--node-name", "node-b", "--redis", redis.url] });
  t.after(() => b.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const { page } = await newUserPage(browser, "viewer", pageErrors);
  const cardOf = (node) => page.locator(`[data-testid="node-card"][data-node="${node}"]`);
  const seriesOf = (node) =>
    chart(page, "connections").locator(`[data-testid="latest-value"][data-node="${node}"]`);

  await register(page, a, "erin");
  await page.goto(`${a.url}/dashboard`);
  for (const node of ["node-a", "node-b"]) {
    await untilAttr(`${node} up on the page`, cardOf(node), "data-state", "up", SAMPLE_TIMEOUT);
    await until(`${node}: a latest value`, async () => Number((await attr(seriesOf(node), "data-value")) || NaN), (v) => v >= 0, SAMPLE_TIMEOUT);
  }
  await untilText("the summary", page.getByTestId("dashboard-summary"), "2 nodes · 2 up · the last 5 minutes");

  await b.stop();
  await untilAttr("node-b down", cardOf("node-b"), "data-state", "down", SAMPLE_TIMEOUT);
  assert.equal(await text(cardOf("node-b").getByTestId("node-state")), "Down");
  assert.equal(await attr(cardOf("node-a"), "data-state"), "up", "the other node stays up");
  assert.match(await text(seriesOf("node-b")), /\(down\)$/, "the chart says so too, and keeps its line");
  await untilText("the summary", page.getByTestId("dashboard-summary"), "2 nodes · 1 up · the last 5 minutes");
  await shot(page, "01-one-down");
  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});
