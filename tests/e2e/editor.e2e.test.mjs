// End-to-end test of the collaborative editor in headless Chromium: two users in two browser
// contexts open one document from the home page and type at the same time at different places;
// each sees the other's text, coloured caret and name, and both names in the presence list; at rest
// both editors and a freshly opened copy show the same text holding every character typed. One
// page then goes offline while both keep typing: its status line counts the unsent edits, and back
// online it catches up with nothing lost or doubled. A reload and a restart of the server keep the
// document. Screenshots: tests/artifacts/e2e/editor-*.png, editor-side-by-side.png the two pages
// composed (the README's docs/editor-screenshot.png). Server, browser and helpers: harness.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ARTIFACTS,
  STEP_TIMEOUT,
  launchBrowser,
  newUserPage,
  openApp,
  register,
  screenshots,
  sideBySide,
  startServer,
  text,
  tick,
  until,
  untilText,
  visible,
} from "./harness.mjs";

// Catching up after a reconnect goes through the client's back-off: waits are generous.
const CATCH_UP_TIMEOUT = 45000;

/** A small seeded generator (mulberry32), so that a failing run can be repeated with its seed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words of one writer, numbered so that a lost or doubled character shows where. */
function words(prefix, count, rnd) {
  const letters = "abcdefghijklmnopqrstuvwxyzé";
  const out = [];
  for (let i = 0; i < count; i++) {
    let w = `${prefix}${i}`;
    for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) w += letters[Math.floor(rnd() * letters.length)];
    out.push(w);
  }
  return out.join(" ") + " ";
}

/** Types `s` at the page's caret in small chunks of random length, pausing briefly between them. */
async function typeInChunks(page, s, rnd) {
  for (let i = 0; i < s.length; ) {
    const n = 1 + Math.floor(rnd() * 5);
    await page.keyboard.type(s.slice(i, i + n), { delay: Math.floor(rnd() * 15) });
    i += n;
    await tick(Math.floor(rnd() * 40));
  }
}

/** The text the page's editor shows: its lines, without the other users' carets and names. */
const editorText = (page) =>
  page.locator(".cm-content").evaluate((content) =>
    [...content.querySelectorAll(":scope > .cm-line")]
      .map((line) => {
        const copy = line.cloneNode(true);
        for (const caret of copy.querySelectorAll(".ed-remote-caret")) caret.remove();
        return copy.textContent;
      })
      .join("\n"),
  );

const statusLine = (page) => page.locator(".ed-status");
const SAVED = "Connected · all changes saved";

/** The names in the page's presence list ("(you)" left out), sorted. */
const presence = (page) =>
  page
    .locator(".ed-presence li")
    .evaluateAll((items) => items.map((li) => li.textContent.replace("(you)", "").trim()).sort());

/** The names on the other users' carets drawn in the page's editor. */
const caretNames = (page) =>
  page.locator(".ed-remote-caret-label").evaluateAll((labels) => labels.map((l) => l.textContent));

/** The colour of the caret drawn for `name`, and of `name`'s dot in the presence list. */
const colours = (page, name) =>
  page.locator(".ed-doc-view").evaluate((view, who) => {
    const label = [...view.querySelectorAll(".ed-remote-caret-label")].find((l) => l.textContent === who);
    const item = [...view.querySelectorAll(".ed-presence li")].find((li) => li.textContent.trim() === who);
    const dot = item?.querySelector(".ed-presence-dot");
    return {
      caret: label ? getComputedStyle(label.parentElement).borderLeftColor : null,
      presence: dot ? getComputedStyle(dot).backgroundColor : null,
    };
  }, name);

/** Waits until the page is connected with every edit saved and its editor shows `expected`. */
async function untilSettled(label, page, expected, timeout = CATCH_UP_TIMEOUT) {
  await untilText(`${label}: all changes saved`, statusLine(page), SAVED, timeout);
  await until(`${label}: the expected text`, () => editorText(page), (v) => v === expected, timeout);
}

/** Opens the editor from the home page, waiting for the document list. */
async function openEditor(page) {
  await openApp(page, "editor");
  await visible(page.locator(".ed-list"));
  assert.equal(new URL(page.url()).pathname, "/editor");
}

/** Opens the document titled `title` from the list; resolves once its text is loaded. */
async function openDoc(page, title) {
  await page.locator(".ed-doc").filter({ hasText: title }).first().click();
  await visible(page.locator(".cm-content"));
  await untilText("document title", page.locator("#ed-doc-title"), title);
}

test("two users edit one document at once in Chromium, converge, catch up after going offline, keep it across a reload and a restart", { timeout: 280000 }, async (t) => {
  const shot = screenshots("editor");
  const server = await startServer();
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const seed = Number(process.env.SIO_E2E_SEED) || Date.now() % 100000;
  t.diagnostic(`seed ${seed} (SIO_E2E_SEED repeats it)`);
  const rnd = random(seed);
  const pageErrors = [];
  const title = "Meeting notes";
  const seedText = "\n-- shared notes --\n";
  const A = await newUserPage(browser, "A", pageErrors);
  const B = await newUserPage(browser, "B", pageErrors);
  const a = A.page;
  const b = B.page;
  let expected = "";
  let aPart = "";
  let bPart = "";

  await t.test("both register, open the editor from the home page and the same document", async () => {
    await register(a, server, "alice");
    await register(b, server, "bob");
    await openEditor(a);
    await shot(a, "01-empty-list");
    await a.locator("#ed-new-title").fill(title);
    await a.getByRole("button", { name: "New document" }).click();
    await visible(a.locator(".cm-content"));
    assert.match(new URL(a.url()).pathname, /^\/editor\/\d+$/);
    await untilText("A: the title", a.locator("#ed-doc-title"), title);
    await untilText("A: connected", statusLine(a), SAVED);
    await a.locator(".cm-content").click();
    await a.keyboard.type(seedText);
    expected = seedText;
    await untilSettled("A", a, expected, STEP_TIMEOUT);

    await openEditor(b);
    await visible(b.locator(".ed-doc").filter({ hasText: title }));
    await shot(b, "02-list");
    await openDoc(b, title);
    assert.equal(b.url(), a.url(), "both at the document's address");
    await untilSettled("B", b, expected, STEP_TIMEOUT);
    for (const [label, page] of [["A", a], ["B", b]]) {
      await until(`${label}: both names in the presence list`, () => presence(page),
        (v) => JSON.stringify(v) === JSON.stringify(["alice", "bob"]));
    }
  });

  await t.test("they type at the same time at different places; each sees the other's text and caret", async () => {
    // A writes before the shared line, B after it.
    await a.locator(".cm-content").focus();
    await a.keyboard.press("Control+Home");
    await b.locator(".cm-content").focus();
    await b.keyboard.press("Control+End");
    aPart = words("a", 30, rnd);
    bPart = words("b", 30, rnd);
    const half = (s) => s.slice(0, s.indexOf(" ", s.length / 2) + 1);
    // Each sees the other's first half while both are still typing.
    const seesOther = Promise.all([
      until("A sees B's first words", () => editorText(a), (v) => v.includes(half(bPart)), CATCH_UP_TIMEOUT),
      until("B sees A's first words", () => editorText(b), (v) => v.includes(half(aPart)), CATCH_UP_TIMEOUT),
    ]);
    await Promise.all([typeInChunks(a, aPart, rnd), typeInChunks(b, bPart, rnd)]);
    await seesOther;
    expected = aPart + seedText + bPart;
    await untilSettled("A", a, expected);
    await untilSettled("B", b, expected);
    await until("A: bob's caret", () => caretNames(a), (v) => v.length === 1 && v[0] === "bob");
    await until("B: alice's caret", () => caretNames(b), (v) => v.length === 1 && v[0] === "alice");
    for (const [page, other] of [[a, "bob"], [b, "alice"]]) {
      const { caret, presence: dot } = await colours(page, other);
      assert.ok(caret && caret === dot, `${other}'s caret in the presence list's colour: ${caret} vs ${dot}`);
    }
    const [colourOfBob, colourOfAlice] = [(await colours(a, "bob")).caret, (await colours(b, "alice")).caret];
    assert.notEqual(colourOfBob, colourOfAlice, "each user has a colour of their own");
    await shot(a, "03-a-after-typing");
    await shot(b, "04-b-after-typing");
  });

  await t.test("a freshly opened copy shows the same text as the server has it", async () => {
    const fresh = await A.context.newPage();
    await fresh.goto(a.url());
    await visible(fresh.locator(".cm-content"));
    await untilSettled("fresh page", fresh, expected, STEP_TIMEOUT);
    await fresh.close();
    await until("B: alice still present", () => presence(b),
      (v) => JSON.stringify(v) === JSON.stringify(["alice", "bob"]));
  });

  await t.test("A goes offline and both keep typing; back online, A catches up with nothing lost or doubled", async () => {
    await A.context.setOffline(true);
    await untilText("A: offline", statusLine(a), /^Offline · \d+ unsent edits?$/);
    await until("B: alice left", () => presence(b), (v) => JSON.stringify(v) === JSON.stringify(["bob"]));
    const aOffline = words("x", 20, rnd);
    const bMeanwhile = words("y", 20, rnd);
    await Promise.all([typeInChunks(a, aOffline, rnd), typeInChunks(b, bMeanwhile, rnd)]);
    await untilText("A: its edits wait", statusLine(a), /^Offline · [1-9]\d* unsent edits?$/);
    await shot(a, "05-a-offline");
    assert.ok(!(await editorText(b)).includes(aOffline.slice(0, 4)), "B has none of A's offline typing yet");
    await A.context.setOffline(false);
    expected = aPart + aOffline + seedText + bPart + bMeanwhile;
    await untilSettled("A", a, expected);
    await untilSettled("B", b, expected);
    await until("B: alice back", () => presence(b), (v) => JSON.stringify(v) === JSON.stringify(["alice", "bob"]));
  });

  await t.test("a reload keeps the document, and so does a restart of the server", async () => {
    await b.reload();
    await visible(b.locator(".cm-content"));
    await untilSettled("B after the reload", b, expected, STEP_TIMEOUT);
    await server.restart();
    // Both pages reconnect by themselves to the restarted server on the same port.
    await untilSettled("A after the restart", a, expected);
    await untilSettled("B after the restart", b, expected);
    const more = " after the restart";
    await b.locator(".cm-content").focus();
    await b.keyboard.press("Control+End");
    await b.keyboard.type(more);
    expected += more;
    await untilSettled("A sees B's edit after the restart", a, expected);
    await a.reload();
    await visible(a.locator(".cm-content"));
    await untilSettled("A after a reload", a, expected, STEP_TIMEOUT);
    assert.equal(await text(a.locator("#ed-doc-title")), title);
    await shot(a, "06-after-restart");
  });

  await t.test("side by side on a new document: both carets, a selection and the presence list (the README's picture)", async () => {
    const plan = "Release plan";
    for (const page of [a, b]) await page.setViewportSize({ width: 640, height: 720 });
    await a.getByRole("button", { name: "← Documents" }).click();
    await a.locator("#ed-new-title").fill(plan);
    await a.getByRole("button", { name: "New document" }).click();
    await untilText("A: the new document", a.locator("#ed-doc-title"), plan);
    await a.locator(".cm-content").click();
    const heading = "Release plan\n\nShipping this week:\n\n";
    await a.keyboard.type(heading);
    await a.keyboard.press("ArrowLeft"); // A writes the list on the empty line, B after it
    await untilText("A: saved", statusLine(a), SAVED);
    await b.getByRole("button", { name: "← Documents" }).click();
    await openDoc(b, plan);
    await untilSettled("B", b, heading, STEP_TIMEOUT);
    await b.locator(".cm-content").focus();
    await b.keyboard.press("Control+End");
    const aLines = "- WebSocket and long-polling transports\n- Redis adapter for clusters\n- ";
    const bLines = "Reviewed by bob: benchmarks look good, docs next.";
    await Promise.all([typeInChunks(a, aLines, rnd), typeInChunks(b, bLines, rnd)]);
    await a.keyboard.type("Collaborative editor");
    await b.keyboard.press("Shift+Control+ArrowLeft");
    await b.keyboard.press("Shift+Control+ArrowLeft");
    const all = heading.slice(0, -1) + aLines + "Collaborative editor\n" + bLines;
    await untilSettled("A", a, all);
    await untilSettled("B", b, all);
    await until("A: bob's caret", () => caretNames(a), (v) => v.length === 1 && v[0] === "bob");
    await until("B: alice's caret", () => caretNames(b), (v) => v.length === 1 && v[0] === "alice");
    await visible(a.locator(".ed-remote-selection"));
    for (const page of [a, b]) {
      await until("both names in the presence list", () => presence(page),
        (v) => JSON.stringify(v) === JSON.stringify(["alice", "bob"]));
    }
    const [left, right] = [await a.screenshot(), await b.screenshot()];
    await sideBySide(browser, left, right, `${ARTIFACTS}/editor-side-by-side.png`);
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
});
