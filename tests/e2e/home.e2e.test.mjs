// End-to-end test of the demo's shell in headless Chromium: log in once at /, the home page lists
// exactly the apps GET /api/apps reports (same ids, titles, summaries, links, same order), the
// header shows the user, an app opens at its path without a reload, the browser's back button
// returns home, an unknown path gets the "not available" page, and a deep link to an app after a
// log out asks for the login and then shows that app. Also: a long-polling response of over 1 KB
// reaches the browser gzip-encoded and decodes to what was sent. Screenshots: tests/artifacts/e2e/home-*.png.
// Server, browser and helpers: harness.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  PASSWORD,
  launchBrowser,
  listedApps,
  newUserPage,
  openApp,
  register,
  screenshots,
  startServer,
  text,
  untilAttr,
  untilText,
  visible,
} from "./harness.mjs";

/** What the home page shows of each app, read from the page. */
async function shownApps(page) {
  await visible(page.getByTestId("app-list"));
  return page.getByTestId("app-item").evaluateAll((items) =>
    items.map((li) => ({
      id: li.getAttribute("data-app-id"),
      title: li.querySelector('[data-testid="app-link"]').textContent,
      summary: li.querySelector(".app-summary").textContent,
      path: li.querySelector('[data-testid="app-link"]').getAttribute("href"),
    })),
  );
}

test("the home page lists exactly the server's apps and routes to them", { timeout: 120000 }, async (t) => {
  const shot = screenshots("home");
  const server = await startServer();
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const { page } = await newUserPage(browser, "home", pageErrors);

  const res = await fetch(`${server.url}/api/apps`);
  assert.equal(res.status, 200);
  const apps = await res.json();
  assert.ok(Array.isArray(apps) && apps.length > 0, `the server lists apps: ${JSON.stringify(apps)}`);

  await t.test("log in at /: the home page shows the user and exactly the listed apps", async () => {
    await register(page, server, "dana");
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(await text(page.getByTestId("current-user")), "dana");
    assert.deepEqual(
      await shownApps(page),
      apps.map(({ id, title, summary, path }) => ({ id, title, summary, path })),
    );
    await shot(page, "01-home");
  });

  await t.test("a long-polling response over 1 KB comes gzip-encoded and the browser decodes it", async () => {
    // fetch() in the page speaks Engine.IO polling as the client does; Chromium asks for gzip and
    // decodes it. A CONNECT to an unknown namespace is refused with its name echoed: with a name of
    // 1,100 characters that poll is over the 1,024-byte threshold.
    const nsp = `/${"x".repeat(1100)}`;
    const got = await page.evaluate(async (nsp) => {
      const base = "/socket.io/?EIO=4&transport=polling";
      const sid = JSON.parse((await (await fetch(base)).text()).slice(1)).sid;
      await fetch(`${base}&sid=${sid}`, { method: "POST", body: `40${nsp},` });
      const res = await fetch(`${base}&sid=${sid}`);
      return { encoding: res.headers.get("content-encoding"), body: await res.text() };
    }, nsp);
    assert.equal(got.encoding, "gzip");
    assert.equal(got.body, `44${nsp},{"message":"Invalid namespace"}`);
  });

  await t.test("an app opens at its path without reloading the page; back returns home", async () => {
    await page.evaluate(() => (window.__samePage = true));
    await openApp(page, "chat");
    await visible(page.getByTestId("chat-app"));
    assert.equal(new URL(page.url()).pathname, "/chat");
    await untilAttr("chat socket connected", page.getByTestId("connection-status"), "data-state", "connected");
    assert.equal(await page.evaluate(() => window.__samePage), true, "client-side navigation");
    assert.equal(await text(page.getByTestId("current-user")), "dana", "the header stays");
    await shot(page, "02-chat");
    await page.goBack();
    await visible(page.getByTestId("home-page"));
    assert.equal(await page.getByTestId("chat-app").count(), 0);
    assert.deepEqual(await listedApps(page), apps.map((a) => a.id));
  });

  await t.test("an unknown path gets the not-available page, with the way home", async () => {
    await page.goto(`${server.url}/no-such-app/anything`);
    await visible(page.getByTestId("not-found"));
    assert.equal(await text(page.getByTestId("current-user")), "dana", "still logged in after a reload");
    await shot(page, "03-not-found");
    await page.getByTestId("home-link").click();
    await visible(page.getByTestId("home-page"));
    assert.equal(new URL(page.url()).pathname, "/");
  });

  await t.test("after logging out, a link to an app asks for the login once, then shows the app", async () => {
    await page.getByTestId("logout-button").click();
    await visible(page.getByTestId("auth-screen"));
    await page.goto(`${server.url}/chat`);
    await visible(page.getByTestId("auth-screen"));
    await page.getByTestId("login-username").fill("dana");
    await page.getByTestId("login-password").fill(PASSWORD);
    await page.getByTestId("login-button").click();
    await visible(page.getByTestId("chat-app"));
    assert.equal(new URL(page.url()).pathname, "/chat");
    await untilText("header after the login", page.getByTestId("current-user"), "dana");
    await shot(page, "04-chat-after-login");
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
});
