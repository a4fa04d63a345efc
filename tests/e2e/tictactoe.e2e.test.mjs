// End-to-end test of tic-tac-toe in headless Chromium: two users in two browser contexts. A creates
// a game from the lobby, B joins it from the open games; they play to a win by clicking cells (the
// cells of the player not to move are disabled), both pages show the same board, the winner and the
// winning line. Both ask for a rematch: the roles swap (B moves first) on an empty board; a third
// user watches from the lobby's games being played. The lobby's stats show the win and the loss; a
// cancelled quick match leaves the queue and the next one pairs A and B again; a player who drops is
// shown to the other with the forfeit countdown until they are back; a reload and a restart of the
// server keep the game. Screenshots: tests/artifacts/e2e/tictactoe-*.png,
// tictactoe-side-by-side.png the two finished pages composed (the README's docs/tictactoe-screenshot.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ARTIFACTS,
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

// A dropped connection is noticed by the server and the page reconnects through the client's
// back-off: waits for that are generous.
const RECONNECT_TIMEOUT = 45000;

const status = (page) => page.getByTestId("ttt-status");
const cell = (page, n) => page.getByTestId("ttt-board").getByRole("button", { name: new RegExp(`^cell ${n}, `) });

/** The accessible names of the nine cells, in order ("cell 1, X", "cell 2, empty", ...). */
const board = (page) =>
  page.getByTestId("ttt-board").getByRole("button").evaluateAll((cells) => cells.map((c) => c.getAttribute("aria-label")));

/** The numbers (from 1) of the cells marked as the winning line. */
const winningCells = (page) =>
  page.getByTestId("ttt-board").locator("[data-winning]").evaluateAll((cells) =>
    cells.map((c) => Number(/^cell (\d)/.exec(c.getAttribute("aria-label"))[1])),
  );

/** The names of the enabled cells. */
const enabledCells = (page) =>
  page
    .getByTestId("ttt-board")
    .getByRole("button")
    .evaluateAll((cells) => cells.filter((c) => !c.disabled).map((c) => c.getAttribute("aria-label")));

/** Which user plays X and which O, as the page lists them. */
const players = (page) =>
  page.getByTestId("ttt-players").locator("li").evaluateAll((items) =>
    Object.fromEntries(
      items.map((li) => [li.dataset.role, li.querySelector(".ttt-player-name").firstChild.textContent.trim()]),
    ),
  );

const gameIdOf = (page) => Number(/^\/tictactoe\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1]);

/** Opens tic-tac-toe from the home page, waiting for the lobby. */
async function openLobby(page) {
  await openApp(page, "tictactoe");
  await visible(page.getByTestId("ttt-lobby"));
  assert.equal(new URL(page.url()).pathname, "/tictactoe");
}

/** The board of nine cells as `marks` (a string like "XX-OO----") names them. */
const expectedBoard = (marks) => [...marks].map((m, i) => `cell ${i + 1}, ${m === "-" ? "empty" : m}`);

/** Waits until both pages show the board `marks`. */
async function bothShow(pages, marks) {
  for (const [label, page] of pages) {
    await until(`${label}: the board ${marks}`, () => board(page), (v) => JSON.stringify(v) === JSON.stringify(expectedBoard(marks)));
  }
}

/**
 * `mover` puts its mark on cell `n` (from 1): first the other page's cells are all disabled (not its
 * turn), then the cell is clicked and both pages show `marks` after it.
 */
async function play(mover, waiter, n, marks) {
  await until(`${mover.label}: cell ${n} enabled`, () => cell(mover.page, n).isEnabled(), (v) => v === true);
  assert.deepEqual(await enabledCells(waiter.page), [], `${waiter.label} cannot move out of turn`);
  await cell(mover.page, n).click();
  await bothShow([[mover.label, mover.page], [waiter.label, waiter.page]], marks);
}

test("two users play tic-tac-toe in Chromium to a win, a rematch with roles swapped, a spectator, their stats, a quick match, a reconnect and a restart", { timeout: 280000 }, async (t) => {
  const shot = screenshots("tictactoe");
  const server = await startServer();
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const A = await newUserPage(browser, "A", pageErrors);
  const B = await newUserPage(browser, "B", pageErrors);
  const a = A.page;
  const b = B.page;
  const both = [["A", a], ["B", b]];
  const alice = { label: "A", page: a };
  const bob = { label: "B", page: b };
  let gameId = 0;

  await t.test("A creates a game from the lobby; B joins it from the open games", async () => {
    await register(a, server, "alice");
    await register(b, server, "bob");
    await openLobby(a);
    await untilText("A: no record yet", a.getByTestId("ttt-record"), "0 wins · 0 losses · 0 draws");
    await a.getByRole("button", { name: "New game" }).click();
    await visible(a.getByTestId("ttt-game"));
    gameId = gameIdOf(a);
    assert.ok(gameId > 0, `A is at a game's address: ${a.url()}`);
    await untilText("A: waiting", status(a), "Waiting for an opponent — share this link");
    await visible(a.getByTestId("ttt-copy-link"));
    assert.equal(await a.locator("#ttt-link").inputValue(), a.url(), "the shared link is the game's address");

    await openLobby(b);
    const listed = b.getByTestId("ttt-open-games").locator(`li[data-game-id="${gameId}"]`);
    await visible(listed);
    assert.equal(await text(listed.locator(".ttt-game-name")), "alice's game");
    await shot(b, "01-lobby");
    await listed.getByRole("button", { name: "Join: alice's game" }).click();
    await visible(b.getByTestId("ttt-game"));
    assert.equal(b.url(), a.url(), "both at the game's address");
    await untilText("A: its turn", status(a), "Your turn");
    await untilText("B: waits for alice", status(b), "Waiting for alice");
    for (const [label, page] of both) {
      await until(`${label}: the players`, () => players(page), (v) => v.X === "alice" && v.O === "bob");
    }
    await bothShow(both, "---------");
  });

  await t.test("they play to a win by clicking cells; out of turn the cells are disabled", async () => {
    await play(alice, bob, 1, "X--------");
    await untilText("B: its turn", status(b), "Your turn");
    await untilText("A: waits for bob", status(a), "Waiting for bob");
    await play(bob, alice, 5, "X---O----");
    await play(alice, bob, 2, "XX--O----");
    await play(bob, alice, 9, "XX--O---O");
    await play(alice, bob, 3, "XXX-O---O");
    await untilText("A: won", status(a), "You won!");
    await untilText("B: alice won", status(b), "alice won");
    for (const [label, page] of both) {
      await until(`${label}: the winning line`, () => winningCells(page), (v) => JSON.stringify(v) === "[1,2,3]");
      assert.deepEqual(await enabledCells(page), [], `${label}: no move after the end`);
    }
    assert.deepEqual(await board(a), await board(b), "both pages show the same board");
  });

  await t.test("A asks for a rematch, B is told (side by side: the finished game, the README's picture)", async () => {
    for (const [, page] of both) await page.setViewportSize({ width: 640, height: 720 });
    await a.getByTestId("ttt-rematch").click();
    await untilText("A: waits for bob", a.getByTestId("ttt-rematch-text"), "Rematch asked — waiting for bob");
    await untilText("B: alice asks", b.getByTestId("ttt-rematch-text"), "alice wants a rematch");
    assert.ok(await a.getByTestId("ttt-rematch").isDisabled(), "A asked once");
    const [left, right] = [await a.screenshot(), await b.screenshot()];
    await sideBySide(browser, left, right, `${ARTIFACTS}/tictactoe-side-by-side.png`);
  });

  await t.test("B asks too: the roles swap, B moves first on an empty board", async () => {
    await b.getByTestId("ttt-rematch").click();
    await bothShow(both, "---------");
    for (const [label, page] of both) {
      await until(`${label}: roles swapped`, () => players(page), (v) => v.X === "bob" && v.O === "alice");
      await untilText(`${label}: round 2`, page.locator("#ttt-game-title"), `Game ${gameId} · round 2`);
    }
    await untilText("B: its turn", status(b), "Your turn");
    await untilText("A: waits for bob", status(a), "Waiting for bob");
    assert.equal(gameIdOf(a), gameId, "the same game");
    await play(bob, alice, 5, "----X----");
  });

  await t.test("C watches the game from the lobby's games being played: a spectator who cannot move", async () => {
    const C = await newUserPage(browser, "C", pageErrors);
    t.after(() => C.context.close());
    const c = C.page;
    await register(c, server, "carol");
    await openLobby(c);
    const listed = c.getByTestId("ttt-playing-games").locator(`li[data-game-id="${gameId}"]`);
    await visible(listed);
    await listed.getByRole("button", { name: "Watch: bob vs alice" }).click();
    await visible(c.getByTestId("ttt-spectator"));
    assert.equal(c.url(), a.url(), "at the game's address");
    await bothShow([["C", c]], "----X----");
    await untilText("C: alice to move", status(c), "alice to move");
    assert.deepEqual(await enabledCells(c), [], "a spectator cannot move");
    await play(alice, bob, 1, "O---X----");
    await bothShow([["C", c]], "O---X----");
    await untilText("C: bob to move", status(c), "bob to move");
  });

  await t.test("the lobby's stats show the win and the loss", async () => {
    for (const [, page] of both) await page.setViewportSize({ width: 1100, height: 720 });
    await a.getByRole("button", { name: "← Lobby" }).click();
    await visible(a.getByTestId("ttt-lobby"));
    assert.equal(new URL(a.url()).pathname, "/tictactoe");
    await untilText("A: one win", a.getByTestId("ttt-record"), "1 win · 0 losses · 0 draws");
    await untilText("A: the round in its recent games", a.getByTestId("ttt-recent").locator("li span").first(), "Won against bob");
    // The game being played (round 2) is listed to watch; for A, to resume.
    await visible(a.getByTestId("ttt-playing-games").locator(`li[data-game-id="${gameId}"]`).getByRole("button", { name: /^Resume/ }));
    await shot(a, "02-stats");
    await b.getByRole("button", { name: "← Lobby" }).click();
    await untilText("B: one loss", b.getByTestId("ttt-record"), "0 wins · 1 loss · 0 draws");
    await untilText("B: the round in its recent games", b.getByTestId("ttt-recent").locator("li span").first(), "Lost to alice");
    await until("B: alice on top", () => text(b.getByTestId("ttt-top").locator("tbody tr th").first()), (v) => v === "alice");
  });

  await t.test("a cancelled quick match leaves the queue; the next quick match pairs them, the one who waited plays X", async () => {
    await a.getByRole("button", { name: "Quick match" }).click();
    await visible(a.getByTestId("ttt-matching"));
    await a.getByRole("button", { name: "Cancel" }).click();
    // Cancelling reconnects A's socket (the buttons wait for it): then the server has dropped A's call.
    const again = a.getByRole("button", { name: "Quick match" });
    await until("A: quick match offered again", () => again.isEnabled(), (v) => v === true);
    await b.getByRole("button", { name: "Quick match" }).click();
    await visible(b.getByTestId("ttt-matching"));
    await a.getByRole("button", { name: "Quick match" }).click();
    for (const [label, page] of both) {
      await visible(page.getByTestId("ttt-game"));
      await until(`${label}: a new game`, () => gameIdOf(page), (v) => v > 0 && v !== gameId);
      await until(`${label}: bob waited, so plays X`, () => players(page), (v) => v.X === "bob" && v.O === "alice");
    }
    assert.equal(a.url(), b.url(), "both in the same game");
    await untilText("B: its turn", status(b), "Your turn");
  });

  await t.test("A drops: B sees the forfeit countdown until A is back and the game goes on", async () => {
    await A.context.setOffline(true);
    await untilText("B: alice away", b.getByTestId("ttt-away"), /^alice disconnected — they forfeit in \d+ s$/, RECONNECT_TIMEOUT);
    await shot(b, "03-away");
    await A.context.setOffline(false);
    await until("B: alice back", () => b.getByTestId("ttt-away").count(), (v) => v === 0, RECONNECT_TIMEOUT);
    await untilText("A: connected again", a.getByTestId("ttt-connection"), "Connected", RECONNECT_TIMEOUT);
    await play(bob, alice, 1, "X--------");
    await untilText("A: its turn", status(a), "Your turn");
  });

  await t.test("a reload and a restart of the server keep the game", async () => {
    await b.reload();
    await visible(b.getByTestId("ttt-board"));
    await bothShow([["B after the reload", b]], "X--------");
    await untilText("B: waits for alice", status(b), "Waiting for alice");
    await server.restart();
    // Both pages reconnect by themselves to the restarted server on the same port.
    for (const [label, page] of both) {
      await untilText(`${label}: reconnected`, page.getByTestId("ttt-connection"), "Connected", RECONNECT_TIMEOUT);
    }
    await play(alice, bob, 5, "X---O----");
    await untilText("B: its turn", status(b), "Your turn");
  });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
});
