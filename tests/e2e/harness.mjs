// What the browser tests of the demo's web front end share: the server (sio-chat on loopback with
// a fresh database, serving the built front end), Chromium, waiting helpers and screenshots.
//
// Environment: SIO_CHAT_BIN (default build/bin/sio-chat), SIO_CHROMIUM (default /usr/bin/chromium),
// SIO_CHAT_WEB (default apps/demo/web/dist; build it with scripts/build-web.sh).
// Every wait has a timeout that fails the test; nothing asserts on elapsed time.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "../js/playwright.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SERVER_BIN = path.resolve(ROOT, process.env.SIO_CHAT_BIN || "build/bin/sio-chat");
const WEB_DIR = path.resolve(ROOT, process.env.SIO_CHAT_WEB || "apps/demo/web/dist");
const CHROMIUM = process.env.SIO_CHROMIUM || "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "tests", "artifacts", "e2e");
export const HOST = "127.0.0.1";
export const PASSWORD = "correct-horse-battery";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Generous: the machine may be busy building. These bound waits; they are never asserted on.
export const STEP_TIMEOUT = 15000;
export const START_TIMEOUT = 30000;

/* ---------------------------------------------------------------- waiting helpers */

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls probe() until ok(value) holds; fails with the last value seen after `timeout` ms. The
 * short pause between polls is only the polling interval, never an assertion.
 */
export async function until(what, probe, ok, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (e) {
      last = `<${e.message.split("\n")[0]}>`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    }
    await tick(50);
  }
}

/** Attribute of the first element matching the locator, or null when there is none. */
export async function attr(locator, name) {
  if ((await locator.count()) === 0) return null;
  return locator.first().getAttribute(name, { timeout: 1000 });
}

export async function text(locator) {
  if ((await locator.count()) === 0) return null;
  return ((await locator.first().textContent({ timeout: 1000 })) ?? "").replace(/\s+/g, " ").trim();
}

export const untilAttr = (what, locator, name, expected, timeout) =>
  until(what, () => attr(locator, name), (v) => v === expected, timeout);

export const untilText = (what, locator, expected, timeout) =>
  until(what, () => text(locator), (v) => (expected instanceof RegExp ? expected.test(v ?? "") : v === expected), timeout);

export const visible = (locator, timeout = STEP_TIMEOUT) => locator.first().waitFor({ state: "visible", timeout });

/* ---------------------------------------------------------------- server */

/**
 * Starts sio-chat on `port` (0: any) with the database in `dir` and the extra command line `args`;
 * resolves once it serves the front end.
 */
async function spawnServer(dir, port, args) {
  const proc = spawn(
    SERVER_BIN,
    ["--host", HOST, "--port", String(port), "--db", path.join(dir, "chat.db"), "--web", WEB_DIR, "--workers", "2",
     "--jwt-secret", "e2e-test-secret-0123456789abcdef", ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise((resolve) => {
    proc.once("error", (error) => resolve({ error }));
    proc.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const listening = await withTimeout(
    new Promise((resolve, reject) => {
      const keep = (chunk) => {
        output = (output + chunk.toString()).slice(-64 * 1024);
        const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      proc.stdout.on("data", keep);
      proc.stderr.on("data", keep);
      exited.then((e) => reject(new Error(`sio-chat exited early (${JSON.stringify(e)}):\n${output}`)));
    }),
    START_TIMEOUT,
    () => `sio-chat to print its port:\n${output}`,
  );
  const url = `http://${HOST}:${listening}`;
  // Listening: wait until it actually serves the front end.
  await until(`GET ${url}/ to serve index.html`, async () => {
    const res = await fetch(`${url}/`);
    const body = await res.text();
    return `${res.status} ${body.includes('<div id="root">') || body.includes("id=\"root\"") ? "root" : "no-root"}`;
  }, (v) => v === "200 root", START_TIMEOUT);
  return {
    port: listening,
    url,
    output: () => output,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * sio-chat on loopback with a fresh database, serving the built front end, with the extra command
 * line `args` (e.g. the Admin UI's flags). `restart()` stops it
 * and starts it again on the same port and database (the pages' cookies stay valid); `stop()`
 * ends it and removes the database.
 */
export async function startServer({ args = [] } = {}) {
  assert.ok(fs.existsSync(SERVER_BIN), `sio-chat binary not found at ${SERVER_BIN} (set SIO_CHAT_BIN)`);
  assert.ok(
    fs.existsSync(path.join(WEB_DIR, "index.html")),
    `front end not built: ${WEB_DIR}/index.html is missing (run scripts/build-web.sh)`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sio-chat-e2e-"));
  let current = await spawnServer(dir, 0, args);
  return {
    url: current.url,
    output: () => current.output(),
    alive: () => current.alive(),
    async restart() {
      await current.stop();
      current = await spawnServer(dir, current.port, args);
    },
    async stop() {
      await current.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/* ---------------------------------------------------------------- browser side */

export const launchBrowser = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: START_TIMEOUT });

/**
 * Screenshots of one test file: `shot(page, name)` writes tests/artifacts/e2e/<prefix>-<name>.png.
 * The earlier screenshots with that prefix are removed first (other files' are left alone).
 */
export function screenshots(prefix) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS)) {
    if (f.startsWith(`${prefix}-`) && f.endsWith(".png")) fs.rmSync(path.join(ARTIFACTS, f));
  }
  return (page, name) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${prefix}-${name}.png`), timeout: STEP_TIMEOUT });
}

/** Composes two screenshots side by side in a page of their own, written to `file`. */
export async function sideBySide(browser, left, right, file) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const img = (png) => `<img src="data:image/png;base64,${png.toString("base64")}">`;
  await page.setContent(
    `<style>body{margin:0;display:flex;gap:0;background:#d1d5db}img{width:639px;height:720px}` +
      `img+img{margin-left:2px}</style>${img(left)}${img(right)}`,
  );
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: file });
  await page.close();
}

/** A fresh browser context (own cookies/storage) with one page; records uncaught page errors. */
export async function newUserPage(browser, label, pageErrors) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: "en-US" });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (err) => pageErrors.push(`${label}: ${err.message}`));
  return { context, page };
}

/** Registers at / through the UI ("Create account" registers, then logs in): the home page shows. */
export async function register(page, server, username) {
  await page.goto(`${server.url}/`, { timeout: STEP_TIMEOUT });
  await visible(page.getByTestId("auth-screen"));
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(PASSWORD);
  await page.getByTestId("register-button").click();
  await visible(page.getByTestId("home-page"));
  await untilText(`${username}: current user`, page.getByTestId("current-user"), username);
}

/** The ids of the apps the home page lists, in its order, once the list is shown. */
export async function listedApps(page) {
  await visible(page.getByTestId("app-list"));
  return page.getByTestId("app-item").evaluateAll((items) => items.map((li) => li.getAttribute("data-app-id")));
}

/** Opens an app from the home page by its link (client-side navigation, no reload). */
export async function openApp(page, id) {
  await page.locator(`[data-testid="app-item"][data-app-id="${id}"] [data-testid="app-link"]`).click();
}

