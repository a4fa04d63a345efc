// End-to-end test of the notifications in headless Chromium, two users in two browser contexts:
// bob has the home page open; alice sends him a notification with the form of the /notifications
// page; bob's bell count goes up and the notification is in his list without a reload. Bob opens a
// second tab: opening the notification there (mark read, go to its link) clears it in the first
// tab, and "Mark all read" in the first clears the second. The "Enable desktop notifications"
// button asks the browser (headless Chromium answers "denied" by itself, which the page shows);
// once bob's context allows them, both his tabs say so, and a notification arriving while a tab
// is hidden shows a browser Notification (tag = its id) whose click opens it. The bell works with
// the keyboard and on a phone-sized screen. Screenshots: tests/artifacts/e2e/notifications-*.png,
// notifications-bell.png bob's open bell (the README's docs/notifications-screenshot.png).
//
// Headless Chromium keeps every page visible (each is a window of its own), so the test hides a
// tab with an init script that overrides document.visibilityState / document.hidden and fires
// visibilitychange; the same script records each `new Notification(...)` the page makes (before
// handing it to Chromium's own), and the test asserts on those records. Server, browser and
// helpers: harness.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ARTIFACTS,
  attr,
  launchBrowser,
  newUserPage,
  register,
  screenshots,
  startServer,
  text,
  until,
  untilAttr,
  untilText,
  visible,
} from "./harness.mjs";

/** Runs in every page of a context before its own scripts: hidden-tab switch, Notification log. */
function desktopProbe() {
  let hidden = false;
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => hidden });
  window.__setHidden = (on) => {
    hidden = on;
    document.dispatchEvent(new Event("visibilitychange"));
  };
  window.__shown = [];
  const Real = window.Notification;
  if (!Real) return;
  function Recorded(title, options = {}) {
    const record = { title, body: options.body, tag: options.tag, instance: null };
    window.__shown.push(record);
    record.instance = new Real(title, options);
    return record.instance;
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  Recorded.prototype = Real.prototype;
  window.Notification = Recorded;
}

const bell = (page) => page.getByTestId("notifications-bell");
const panel = (page) => page.getByTestId("notifications-panel");
const items = (page) => page.getByTestId("notifications-list").getByTestId("notification-item");
const count = async (page) => Number(await attr(bell(page), "data-count"));
const untilCount = (label, page, n) => untilAttr(`${label}: bell count ${n}`, bell(page), "data-count", String(n));
const shown = (page) => page.evaluate(() => window.__shown.map(({ title, body, tag }) => ({ title, body, tag })));

/** The bell's list as "title read|unread", newest first. */
const listed = (page) =>
  items(page).evaluateAll((lis) =>
    lis.map((li) => `${li.querySelector(".nt-item-title").firstChild.textContent} ${li.dataset.read === "true" ? "read" : "unread"}`),
  );

async function openBell(page) {
  await page.bringToFront();
  if ((await attr(bell(page), "aria-expanded")) !== "true") await bell(page).click();
  await visible(panel(page));
}

async function closeBell(page) {
  await page.bringToFront();
  if ((await attr(bell(page), "aria-expanded")) === "true") await page.keyboard.press("Escape");
  await untilAttr("bell closed", bell(page), "aria-expanded", "false");
}

/** Sends a notification with the page's form (the page is at /notifications). */
async function send(page, { to, title, body = "", url = "" }) {
  await page.getByLabel("To (username)").fill(to);
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Message").fill(body);
  await page.getByLabel("Link (optional)").fill(url);
  await page.getByTestId("send-button").click();
}

test("notifications in Chromium: the bell, two tabs of one user, desktop notifications", { timeout: 240000 }, async (t) => {
  const shot = screenshots("notifications");
  const server = await startServer();
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const A = await newUserPage(browser, "alice", pageErrors);
  const B = await newUserPage(browser, "bob", pageErrors);
  await B.context.addInitScript(desktopProbe);
  const [a, b] = [A.page, B.page];
  await b.setViewportSize({ width: 1280, height: 800 });
  let b2 = null;

  await t.test("alice sends bob a notification from the page's form; his open page shows it live", async () => {
    await register(a, server, "alice");
    await register(b, server, "bob");
    await untilCount("bob", b, 0);
    assert.equal(await attr(bell(b), "aria-label"), "Notifications, none unread");
    await b.evaluate(() => (window.__samePage = true));

    // alice goes to the page through the bell's "See all" link (client-side).
    await openBell(a);
    await visible(a.getByTestId("notifications-empty"));
    await a.getByTestId("notifications-see-all").click();
    await visible(a.getByTestId("notifications-page"));
    assert.equal(new URL(a.url()).pathname, "/notifications");
    await untilText("alice: the page's connection", a.getByTestId("connection-status"), "Connected · live");

    await send(a, { to: "bob", title: "Lunch at noon?", body: "The usual place", url: "/chat" });
    await untilText("alice: sent", a.getByTestId("send-status"), "Sent to bob.");

    await untilCount("bob", b, 1);
    assert.equal(await text(b.getByTestId("notifications-count")), "1");
    assert.equal(await attr(bell(b), "aria-label"), "Notifications, 1 unread");
    await untilText("bob: the toast", b.getByTestId("toast"), /New notification: Lunch at noon\?/);
    await openBell(b);
    await until("bob: the item in the list", () => listed(b), (v) => v[0] === "Lunch at noon? unread");
    const first = items(b).first();
    assert.equal(await text(first.locator(".nt-item-body")), "The usual place");
    assert.match(await text(first.locator(".nt-item-meta")), /^alice · just now$/);
    assert.equal(await b.evaluate(() => window.__samePage), true, "no reload");
    assert.deepEqual(await shown(b), [], "no desktop notification for a visible tab");
    await shot(b, "01-bob-live");
    await closeBell(b);
  });

  await t.test("the form shows the server's refusals", async () => {
    await send(a, { to: "nobody_here", title: "Hello" });
    await untilText("alice: unknown user", a.getByTestId("send-error"), "User not found");
    await send(a, { to: "bob", title: "Elsewhere", url: "https://elsewhere.example/" });
    await untilText("alice: a link off the site", a.getByTestId("send-error"), /^The link is a path of this site/);
    await until("bob: nothing more", () => count(b), (n) => n === 1);
  });

  await t.test("bob's second tab: opening it there clears it in the first, and the other way round", async () => {
    b2 = await B.context.newPage();
    b2.on("pageerror", (err) => pageErrors.push(`bob tab 2: ${err.message}`));
    await b2.setViewportSize({ width: 1100, height: 720 });
    await b2.goto(`${server.url}/`);
    await visible(b2.getByTestId("home-page"));
    await untilCount("bob tab 2", b2, 1);
    await openBell(b2);
    await until("bob tab 2: the item", () => listed(b2), (v) => v[0] === "Lunch at noon? unread");
    await items(b2).first().locator(".nt-open").click();
    await until("bob tab 2: at the link", () => new URL(b2.url()).pathname, (p) => p === "/chat");
    await untilAttr("bob tab 2: panel closed", bell(b2), "aria-expanded", "false");
    await untilCount("bob tab 2", b2, 0);
    await untilCount("bob tab 1 (no reload)", b, 0);
    await openBell(b);
    await until("bob tab 1: read", () => listed(b), (v) => v[0] === "Lunch at noon? read");
    await closeBell(b);

    await a.getByLabel("Link (optional)").fill("");
    for (const title of ["Meeting moved to 3 pm", "Your turn in game 4"]) {
      await send(a, { to: "bob", title });
      await untilText(`alice: sent ${title}`, a.getByTestId("send-status"), "Sent to bob.");
    }
    await untilCount("bob tab 1", b, 2);
    await untilCount("bob tab 2", b2, 2);
    await openBell(b);
    await b.getByTestId("mark-all-read").click();
    await untilCount("bob tab 1", b, 0);
    await untilCount("bob tab 2", b2, 0);
    await openBell(b2);
    await until("bob tab 2: all read", () => listed(b2), (v) => v.length === 3 && v.every((s) => s.endsWith(" read")));
    await closeBell(b2);
    await closeBell(b);
  });

  await t.test("desktop notifications: enabled with the button, shown while the tab is hidden", async () => {
    // The button asks the browser; headless Chromium, which has no one to ask, answers "denied".
    const alicePage = a.getByTestId("notifications-page");
    await alicePage.getByTestId("enable-desktop").click();
    await untilAttr("alice: refused", alicePage.getByTestId("desktop-state"), "data-permission", "denied");
    assert.match(await text(alicePage.getByTestId("desktop-state")), /blocked/);

    // Bob allows them (as in the site settings): both his tabs follow without a reload.
    await openBell(b);
    await visible(panel(b).getByTestId("enable-desktop"));
    await B.context.grantPermissions(["notifications"], { origin: server.url });
    await untilAttr("bob: allowed", panel(b).getByTestId("desktop-state"), "data-permission", "granted");
    await closeBell(b);
    await openBell(b2);
    await untilAttr("bob tab 2: allowed too", panel(b2).getByTestId("desktop-state"), "data-permission", "granted");
    await closeBell(b2);

    await b.evaluate(() => window.__setHidden(true));
    await send(a, { to: "bob", title: "Outbid on Vintage road bike", body: "carol bid $12.75", url: "/notifications" });
    await untilCount("bob tab 1", b, 1);
    const [desktop] = await until("bob tab 1: a desktop notification", () => shown(b), (v) => v.length === 1);
    const id = await items(b).first().getAttribute("data-id");
    assert.deepEqual(desktop, { title: "Outbid on Vintage road bike", body: "alice: carol bid $12.75", tag: id });
    await untilCount("bob tab 2", b2, 1);
    assert.deepEqual(await shown(b2), [], "the visible tab shows it in the page only");
    await untilText("bob tab 2: the toast", b2.getByTestId("toast").last(), /Outbid on Vintage road bike/);

    // A click on the desktop notification opens it in its tab: read, at its link.
    await b.evaluate(() => window.__setHidden(false));
    await b.evaluate(() => window.__shown[0].instance.onclick());
    await visible(b.getByTestId("notifications-page"));
    await untilCount("bob tab 1", b, 0);
    await untilCount("bob tab 2", b2, 0);
  });

  await t.test("the bell with the keyboard", async () => {
    await send(a, { to: "bob", title: "Standup in 10 minutes" });
    await untilCount("bob", b, 1);
    await b.bringToFront();
    await bell(b).focus();
    await b.keyboard.press("Enter");
    await untilAttr("bob: open", bell(b), "aria-expanded", "true");
    await b.keyboard.press("ArrowDown");
    assert.equal(await b.evaluate(() => document.activeElement?.closest("li")?.dataset.read), "false", "the newest, unread");
    assert.match(await b.evaluate(() => document.activeElement.textContent), /Standup in 10 minutes/);
    await b.keyboard.press("End");
    await b.keyboard.press("Escape");
    await untilAttr("bob: closed", bell(b), "aria-expanded", "false");
    assert.equal(await b.evaluate(() => document.activeElement?.dataset.testid), "notifications-bell", "focus back on the bell");
    await b.keyboard.press("Enter");
    await visible(panel(b));
    await shot(b, "02-keyboard");
    await closeBell(b);
  });

  await t.test("on a phone-sized screen the panel fits, and the page lists every one", async () => {
    await b2.setViewportSize({ width: 390, height: 760 });
    await openBell(b2);
    const box = await panel(b2).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the panel fits the screen: ${JSON.stringify(box)}`);
    await shot(b2, "03-phone");
    await b2.getByTestId("notifications-see-all").click();
    await visible(b2.getByTestId("notifications-page"));
    await until(
      "bob tab 2: the page's list",
      () => b2.getByTestId("page-list").getByTestId("notification-item").count(),
      (n) => n === 5,
    );
    assert.equal(await text(b2.getByTestId("unread-count")), "1 unread");
    await shot(b2, "04-phone-page");
  });

  await t.test("the README's picture: bob's open bell with read and unread ones", async () => {
    const notices = [
      { title: "Invitation to design-team", body: "alice added you to the private room design-team", url: "/chat" },
      { title: "Your turn", body: "alice played in game 4", url: "/tictactoe" },
    ];
    for (const n of notices) await send(a, { to: "bob", ...n });
    await untilCount("bob", b, 3);
    await b.goto(`${server.url}/`);
    await visible(b.getByTestId("home-page"));
    await untilCount("bob after a reload", b, 3);
    await openBell(b);
    await until("bob: the newest first", () => listed(b), (v) => v.length === 7 && v[0] === "Your turn unread");
    await b.screenshot({ path: `${ARTIFACTS}/notifications-bell.png` });
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
});
