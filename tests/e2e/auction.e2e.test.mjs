// End-to-end test of the live auction in headless Chromium, three users in three browser contexts:
// the seller starts an auction ending in about 20 s through the form (after the form showed the
// server's refusal of an end time too soon, naming the minimum duration); it appears in the two bidders' open lists, which
// refresh by themselves; they open it and bid against each other with the bid button and a typed
// amount; the one outbid is told by whom and for how much; a bid too low shows the server's
// refusal; a bidder offline meanwhile catches up once back (and is told he was outbid); a bid with
// less than the extension left (short here: --auction-extension) moves the end time on every
// screen; at the close every page shows the same winner
// and final price (the highest bid), the bid controls are disabled and the list shows the result;
// past the limit on new auctions the form says when to retry. Screenshots:
// tests/artifacts/e2e/auction-*.png, auction-side-by-side.png the two bidders' pages while one is
// outbid (the README's docs/auction-screenshot.png). Server, browser and helpers: harness.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ARTIFACTS,
  STEP_TIMEOUT,
  attr,
  launchBrowser,
  newUserPage,
  openApp,
  register,
  screenshots,
  sideBySide,
  startServer,
  text,
  until,
  untilText,
  visible,
} from "./harness.mjs";
import { EXTENSION_MS, MIN_DURATION_MS, auctionWindowArgs } from "../interop/auction_helpers.mjs";

// How long the auction runs: time enough for the steps before the late bid.
const DURATION_MS = 20000;
// The close comes within a second of the end, which a late bid pushes up to the extension away:
// generous.
const CLOSE_TIMEOUT = EXTENSION_MS + 30000;
// The late bid is placed once this little time is left (anti-sniping acts below the extension).
const LATE_MS = EXTENSION_MS - 1000;
// Back online, socket.io-client retries with a back-off of up to 5 s.
const RECONNECT_TIMEOUT = 30000;

const countdown = (page) => page.getByTestId("countdown");
const endsAt = async (page) => Number(await attr(countdown(page), "data-ends-at"));
const bidButton = (page) => page.getByTestId("bid-button");
const amountInput = (page) => page.getByLabel("Your bid in dollars");
const notice = (page, kind) => page.getByTestId(`auction-${kind}`);

/** The bids the page's history lists, newest first: "seq name amount". */
const history = (page) =>
  page
    .getByTestId("bid-history")
    .locator("li")
    .evaluateAll((items) =>
      items.map(
        (li) =>
          `${li.dataset.seq} ${li.querySelector(".au-bid-who").textContent.replace(" (you)", "")} ` +
          li.querySelector(".au-bid-amount").textContent,
      ),
    );

/** Opens the auction app from the home page and waits for the list. */
async function openAuctions(page) {
  await openApp(page, "auction");
  await visible(page.getByTestId("create-auction"));
  assert.equal(new URL(page.url()).pathname, "/auction");
}

/** Fills the create form with a custom end time `ms` from now (the browser's clock and time zone). */
async function fillCreateForm(page, { title, start, step, endsInMs }) {
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Starting price ($)").fill(start);
  await page.getByLabel("Minimum increment ($)").fill(step);
  await page.getByLabel("Ends").selectOption("custom");
  const end = await page.evaluate((ms) => {
    const d = new Date(Date.now() + ms);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }, endsInMs);
  await page.getByLabel("End time").fill(end);
}

/** Waits until the page shows `price` and `leader` (the highest-bidder line). */
async function untilPrice(label, page, price, leader) {
  await untilText(`${label}: price ${price}`, page.getByTestId("current-price"), price);
  await untilText(`${label}: ${leader}`, page.getByTestId("highest-bidder"), leader);
}

test("three users run a live auction in Chromium: create, bid, outbid, anti-sniping, close", { timeout: 280000 }, async (t) => {
  const shot = screenshots("auction");
  const server = await startServer({ args: auctionWindowArgs });
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const S = await newUserPage(browser, "seller", pageErrors);
  const A = await newUserPage(browser, "A", pageErrors);
  const B = await newUserPage(browser, "B", pageErrors);
  const [s, a, b] = [S.page, A.page, B.page];
  for (const page of [a, b]) await page.setViewportSize({ width: 640, height: 720 });
  const title = "Vintage road bike";
  let auctionPath = "";

  await t.test("the seller starts an auction through the form; the server's refusal shows inline", async () => {
    await register(s, server, "sam");
    await register(a, server, "alice");
    await register(b, server, "bob");
    for (const page of [a, b]) {
      await openAuctions(page);
      await visible(page.getByText("No open auctions: start one."));
    }
    await openAuctions(s);
    // An end time 1 s away is the server's to refuse (at least the minimum duration): its 400
    // shows in the form.
    await fillCreateForm(s, { title, start: "10", step: "0.50", endsInMs: 1000 });
    await s.getByRole("button", { name: "Start auction" }).click();
    await untilText("seller: the refusal", s.getByTestId("create-error"), new RegExp(`from now \\+ ${MIN_DURATION_MS / 1000} s to`));
    assert.equal(new URL(s.url()).pathname, "/auction", "still on the list");
    await shot(s, "01-refused");
    await fillCreateForm(s, { title, start: "10", step: "0.50", endsInMs: DURATION_MS });
    await s.getByRole("button", { name: "Start auction" }).click();
    await until("seller: the new auction's page", () => new URL(s.url()).pathname, (p) => /^\/auction\/\d+$/.test(p));
    auctionPath = new URL(s.url()).pathname;
    await untilText("seller: the title", s.locator("#au-room-title"), title);
    await untilPrice("seller", s, "$10.00", "No bids yet");
    await visible(s.getByTestId("own-auction"));
    assert.equal(await bidButton(s).count(), 0, "no bid button on one's own auction");
    await untilText("seller: connected", s.getByTestId("connection-status"), "Connected · live");
  });

  await t.test("it appears in both bidders' lists (refreshed by themselves); they open it", async () => {
    for (const [label, page] of [["A", a], ["B", b]]) {
      const item = page.getByTestId("open-auctions").getByTestId("auction-item").filter({ hasText: title });
      await visible(item);
      assert.equal(await text(item.locator(".au-item-price")), "$10.00");
      assert.match(await text(item.locator(".au-item-meta")), /^0 bids · \d+:\d\d left$/);
      await item.click();
      await until(`${label}: the auction's address`, () => new URL(page.url()).pathname, (p) => p === auctionPath);
      await untilPrice(label, page, "$10.00", "No bids yet");
      await untilText(`${label}: the first bid is the starting price`, bidButton(page), "Bid $10.00");
      await untilText(`${label}: connected`, page.getByTestId("connection-status"), "Connected · live");
    }
  });

  await t.test("they bid against each other; the one outbid is told by whom (the README's picture)", async () => {
    await bidButton(a).click();
    await untilPrice("A", a, "$10.00", "You are the highest bidder");
    await untilPrice("B", b, "$10.00", "Highest bidder: alice");
    await untilText("B: the next valid amount", bidButton(b), "Bid $10.50");

    await bidButton(b).click();
    await untilPrice("B", b, "$10.50", "You are the highest bidder");
    await untilText("A: outbid", notice(a, "outbid"), "You have been outbid by bob: $10.50");
    assert.equal(await attr(notice(a, "outbid"), "aria-live"), "assertive", "announced to screen readers");
    await untilText("A: the next valid amount", bidButton(a), "Bid $11.00");
    await untilPrice("seller", s, "$10.50", "Highest bidder: bob");
    const [left, right] = [await a.screenshot(), await b.screenshot()];
    await sideBySide(browser, left, right, `${ARTIFACTS}/auction-side-by-side.png`);

    // Too low: the server's refusal, with the price it measured against.
    await amountInput(b).fill("10.50");
    await b.getByTestId("bid-custom-button").click();
    await untilText("B: refused", b.getByTestId("bid-error"), /^Bid too low \(current price \$10\.50\)/);
    await shot(b, "02-refused-bid");

  });

  await t.test("bob drops off while alice bids a typed amount; back online he catches up and is told", async () => {
    await B.context.setOffline(true);
    await untilText("B: reconnecting", b.getByTestId("connection-status"), /^Reconnecting/);
    assert.equal(await bidButton(b).isDisabled(), true, "no bids while disconnected");
    await amountInput(a).fill("12.25");
    await a.getByTestId("bid-custom-button").click();
    await untilPrice("A", a, "$12.25", "You are the highest bidder");
    await until("A: no longer outbid", () => notice(a, "outbid").count(), (n) => n === 0);
    await B.context.setOffline(false);
    await untilText("B: connected again", b.getByTestId("connection-status"), "Connected · live", RECONNECT_TIMEOUT);
    await untilText("B: outbid", notice(b, "outbid"), "You have been outbid by alice: $12.25");
    await untilPrice("B", b, "$12.25", "Highest bidder: alice");
    await untilText("B: the next valid amount", bidButton(b), "Bid $12.75");
    await until("B: the bid it missed in the history", () => history(b), (v) => v[0] === "3 alice $12.25");
  });

  await t.test("a bid with less than the extension left moves the end on every screen", async () => {
    const before = await endsAt(s);
    assert.ok(before > 0, "the countdown carries the end time");
    for (const page of [a, b]) assert.equal(await endsAt(page), before, "every page has the same end time");
    await until("the last seconds of the auction", async () => before - Date.now(), (left) => left < LATE_MS, 60000);
    // The page marks the countdown once a bid would extend (the server's window, not a fixed one).
    await until("B: the countdown marked", () => attr(b.locator(".au-time-left"), "class"), (c) => /au-time-short/.test(c ?? ""));
    await bidButton(b).click();
    for (const [label, page] of [["seller", s], ["A", a], ["B", b]]) {
      await until(`${label}: a later end`, () => endsAt(page), (v) => v > before);
      await visible(page.getByTestId("extended"));
    }
    const after = await endsAt(b);
    for (const page of [s, a]) assert.equal(await endsAt(page), after, "every page has the new end time");
    // The new end is the late bid's time + the extension (the auction as the server has it).
    const stored = await b.evaluate(
      async (route) => (await fetch(route, { credentials: "same-origin" })).json(),
      auctionPath.replace("/auction/", "/api/auctions/"),
    );
    assert.equal(after, stored.bids[0].at + EXTENSION_MS, "endsAt = the late bid's time + the extension");
    await untilText("A: outbid", notice(a, "outbid"), "You have been outbid by bob: $12.75");
    await untilPrice("B", b, "$12.75", "You are the highest bidder");
    await shot(a, "03-a-extended");
  });

  await t.test("at the close every page shows the same winner and final price, controls disabled", async () => {
    await untilText("B: won", notice(b, "result"), "You won this auction for $12.75", CLOSE_TIMEOUT);
    await untilText("A: sold to bob", notice(a, "result"), "Sold to bob for $12.75", CLOSE_TIMEOUT);
    await untilText("seller: sold to bob", notice(s, "result"), "Sold to bob for $12.75", CLOSE_TIMEOUT);
    for (const [label, page] of [["A", a], ["B", b]]) {
      await untilText(`${label}: closed`, page.locator(".au-time-left"), "Closed");
      assert.equal(await bidButton(page).isDisabled(), true, `${label}: bid button disabled`);
      assert.equal(await amountInput(page).isDisabled(), true, `${label}: amount disabled`);
      assert.equal(await text(page.getByTestId("current-price")), "$12.75");
    }
    const expected = ["4 bob $12.75", "3 alice $12.25", "2 bob $10.50", "1 alice $10.00"];
    for (const [label, page] of [["seller", s], ["A", a], ["B", b]]) {
      assert.deepEqual(await history(page), expected, `${label}: every accepted bid, newest first`);
    }
    await shot(b, "04-b-won");
    await shot(a, "05-a-sold");
  });

  await t.test("the list shows the result, and a reload of the auction shows it too", async () => {
    await a.getByRole("button", { name: "← Auctions" }).click();
    const item = a.getByTestId("closed-auctions").getByTestId("auction-item").filter({ hasText: title });
    await visible(item);
    await untilText("A: the final price in the list", item.locator(".au-item-price"), "$12.75");
    assert.equal(await text(item.locator(".au-item-meta")), "Won by bob");
    await shot(a, "06-list");
    await b.reload();
    await untilText("B after a reload: won", notice(b, "result"), "You won this auction for $12.75", STEP_TIMEOUT);
    assert.equal(await bidButton(b).isDisabled(), true);
  });

  await t.test("past the limit on new auctions, the form says when to try again", async () => {
    // Spends the seller's allowance from the page (same cookie), then uses the form. The allowance
    // refills over time, so a form that still got one through simply tries again.
    const spend = () =>
      s.evaluate(async () => {
        for (let i = 0; i < 40; i++) {
          const res = await fetch("/api/auctions", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            credentials: "same-origin",
            body: JSON.stringify({ title: `Lot ${i}`, startingPrice: 100, minIncrement: 10, endsAt: Date.now() + 3600000 }),
          });
          if (res.status === 429) return true;
        }
        return false;
      });
    const refusal = s.getByTestId("create-error");
    for (let attempt = 0; ; attempt++) {
      assert.ok(attempt < 5, "the form met the limit");
      await s.getByRole("button", { name: "← Auctions" }).click();
      await fillCreateForm(s, { title: "One lot too many", start: "1", step: "1", endsInMs: 3600000 });
      assert.equal(await spend(), true, "the server limits new auctions");
      await s.getByRole("button", { name: "Start auction" }).click();
      const outcome = await until(
        "seller: refused or created",
        async () => ((await refusal.count()) ? await text(refusal) : new URL(s.url()).pathname),
        (v) => /^\/auction\/\d+$/.test(v ?? "") || /retry in \d+ s/.test(v ?? ""),
      );
      if (/retry in \d+ s/.test(outcome)) break;
    }
    await shot(s, "07-too-many");
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
});
