// End-to-end test of the Socket.IO Admin UI (the npm @socket.io/admin-ui's static build, served by
// the demo server at /admin-ui/) in headless Chromium: two users log in to the chat in their own
// browser contexts; the operator opens /admin-ui/, connects with the Admin UI's credentials, sees
// both users' sockets, and disconnects one of them from the socket's page; that user's chat page
// shows it disconnected while the other stays connected. Screenshot:
// tests/artifacts/e2e/admin-ui.png (the README's docs/admin-ui-screenshot.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  ARTIFACTS,
  STEP_TIMEOUT,
  launchBrowser,
  newUserPage,
  openApp,
  register,
  startServer,
  until,
  untilAttr,
  visible,
} from "./harness.mjs";

const ADMIN_USER = "operator";
const ADMIN_PASSWORD = "changeit";
// bcryptjs.hashSync("changeit", 4)
const ADMIN_HASH = "$2b$04$2JfqYYeMIXPzoPwe0SIKZ.N5/LtqFYn/2tptmsBeyzv3nz6FyfVeu";

async function openChat(page, who) {
  await openApp(page, "chat");
  await visible(page.getByTestId("chat-app"));
  await untilAttr(`${who}: socket connected`, page.getByTestId("connection-status"), "data-state", "connected");
}

/** Opens the Admin UI and connects it to `server` as the UI's own connection form does. */
async function connectAdminUi(page, server) {
  // The UI's stylesheet links name fonts on public CDNs; the test runs offline.
  await page.route(/fonts\.googleapis\.com|cdn\.jsdelivr\.net/, (route) => route.abort());
  await page.goto(`${server.url}/admin-ui/`, { timeout: STEP_TIMEOUT });
  await page.getByLabel("Server URL").fill(server.url);
  await page.getByLabel("Username").fill(ADMIN_USER);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Connect" }).click();
  await visible(page.getByText("connected", { exact: true }));
}

/** Records every data-state change of the page's connection status (with the reason shown). */
async function watchConnection(page) {
  await page.evaluate(() => {
    const log = [];
    window.__connectionLog = log;
    const el = document.querySelector('[data-testid="connection-status"]');
    new MutationObserver(() => log.push(el.getAttribute("data-state"))).observe(el, {
      attributes: true,
      attributeFilter: ["data-state"],
    });
  });
}
const connectionLog = (page) => page.evaluate(() => window.__connectionLog);

/** Adds what the Admin UI showed and the server printed to a failed step's error, and keeps a
 * screenshot of the UI. */
async function failWithContext(err, page, server) {
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-ui-failure.png"), timeout: 5000 }).catch(() => undefined);
  const shown = await page.locator("main").innerText({ timeout: 5000 }).catch((e) => `(not read: ${e.message})`);
  err.message += `\n--- Admin UI ---\n${shown}\n--- sio-chat output ---\n${server.output()}`;
  throw err;
}

/** Opens, from the Sockets page, the page of the socket whose data names `username`. */
async function openSocketOf(page, username) {
  const rows = page.locator("tbody tr");
  for (let i = 0; i < (await rows.count()); ++i) {
    await rows.nth(i).locator("td").first().click();
    await visible(page.getByText("Socket details"));
    if ((await page.locator("main").innerText()).includes(`"${username}"`)) return;
    await page.goBack();
    await until("the socket list again", () => rows.count(), (n) => n === 2);
  }
  assert.fail(`no socket of ${username} listed`);
}

test("the Admin UI lists the chat users' sockets and disconnects one", async (t) => {
  const server = await startServer({
    args: ["--admin-ui-user", ADMIN_USER, "--admin-ui-password-hash", ADMIN_HASH,
           "--admin-ui-mode", "development"],
  });
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await server.stop();
  });
  const pageErrors = [];
  const ada = await newUserPage(browser, "ada", pageErrors);
  const bob = await newUserPage(browser, "bob", pageErrors);
  await register(ada.page, server, "ada_admin_ui");
  await register(bob.page, server, "bob_admin_ui");
  await openChat(ada.page, "ada");
  await openChat(bob.page, "bob");

  // Wide enough for the UI's header, which shows the connection status.
  const admin = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  admin.setDefaultTimeout(STEP_TIMEOUT);
  const page = await admin.newPage();
  await connectAdminUi(page, server);
  await page.getByRole("link", { name: "Sockets" }).click();
  const rows = page.locator("tbody tr");
  await until("the two users' sockets listed", () => rows.count(), (n) => n === 2);
  await until("both on WebSocket", () => page.locator("tbody").innerText(),
    (t) => t.split("WebSocket").length === 3);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const shot = path.join(ARTIFACTS, "admin-ui.png");
  await page.screenshot({ path: shot });

  await openSocketOf(page, "bob_admin_ui");
  await watchConnection(ada.page);
  await watchConnection(bob.page);
  // The socket's own disconnect button (the first one is its client's: that closes the
  // connection, which socket.io-client would reopen by itself).
  await page.locator("button:has(.mdi-logout)").nth(1).click();
  await until("bob's page to show the disconnection", () => connectionLog(bob.page),
    (log) => log.includes("reconnecting")).catch((err) => failWithContext(err, page, server));
  await visible(page.locator("main").getByText("disconnected", { exact: true }));
  // The chat reconnects by itself after a disconnection the server asked for.
  await untilAttr("bob reconnected", bob.page.getByTestId("connection-status"), "data-state", "connected");
  assert.deepEqual(await connectionLog(ada.page), []);
  await untilAttr("ada still connected", ada.page.getByTestId("connection-status"), "data-state", "connected");
  assert.deepEqual(pageErrors, []);
});
