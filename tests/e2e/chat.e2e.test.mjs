// End-to-end test of the chat app in headless Chromium (Debian `chromium`, npm `playwright-core`):
// the real React front end (apps/demo/web/dist) served by the real sio-chat, three users in three
// browser contexts. Users A and B register at /, see the chat on the home page and open it at
// /chat, join "general", see each other online, A types and B
// sees it, A sends (pending -> sent) and B receives, B answers; A creates a private room and user C
// is refused when opening it by its URL; A loses its connection while B writes and comes back with
// its socket recovered, each missed message shown once; a page of another origin cannot create a
// room with A's cookie; B leaves a private room A added it to. Screenshots of every step go to
// tests/artifacts/e2e/chat-*.png. A second, short test runs sio-chat with --per-message-deflate:
// both browsers negotiate the extension and a message over the 1 KB threshold goes through.
// Server, browser and helpers: harness.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import {
  ARTIFACTS,
  HOST,
  attr,
  launchBrowser,
  listedApps,
  newUserPage,
  openApp,
  register,
  screenshots,
  startServer,
  text,
  tick,
  until,
  untilAttr,
  untilText,
  visible,
} from "./harness.mjs";

/** From the home page, opens the chat (at /chat) and waits for its socket. */
async function openChat(page, who) {
  assert.ok((await listedApps(page)).includes("chat"), `${who}: the home page lists the chat`);
  await openApp(page, "chat");
  await visible(page.getByTestId("chat-app"));
  assert.equal(new URL(page.url()).pathname, "/chat");
  await untilAttr(`${who}: socket connected`, page.getByTestId("connection-status"), "data-state", "connected");
}

const roomItem = (page, name) => page.locator(`[data-testid="room-item"][data-room-name="${name}"]`);

async function openRoom(page, who, name) {
  await visible(roomItem(page, name));
  await roomItem(page, name).click();
  await visible(page.getByTestId("chat-room"));
  await untilText(`${who}: title of ${name}`, page.getByTestId("room-title"), name);
  await until(`${who}: joined ${name}`, async () => (await page.getByTestId("room-joining").count()) === 0, (v) => v);
  await untilAttr(`${who}: ${name} is the current room`, roomItem(page, name), "aria-current", "page");
}

/**
 * Records, in the page, every data-status change of message rows (with the old value) and every row
 * added with its status at insertion, so that the pending -> sent transition is observed even when
 * the ack arrives faster than anything could poll.
 */
async function watchStatuses(page) {
  await page.evaluate(() => {
    const log = [];
    window.__statusLog = log;
    const list = document.querySelector('[data-testid="message-list"]');
    const describe = (el) => el.getAttribute("data-temp-id") || el.getAttribute("data-id");
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === "attributes" && r.target instanceof Element && r.target.matches('[data-testid="message"]')) {
          log.push({ key: describe(r.target), from: r.oldValue, to: r.target.getAttribute("data-status") });
        }
        if (r.type === "childList") {
          for (const n of r.addedNodes) {
            if (n instanceof Element && n.matches('[data-testid="message"]')) {
              log.push({ key: describe(n), added: n.getAttribute("data-status"), text: n.textContent });
            }
          }
        }
      }
    }).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"], attributeOldValue: true });
  });
}

/**
 * Types like a person (key presses, so React sees input events) and keeps typing until `done`
 * resolves: a short message, then "!"/Backspace pairs so that the draft never becomes empty and
 * the "typing" notification stays alive however long the other side takes to show it.
 */
async function typeUntil(page, draft, done) {
  const input = page.getByTestId("message-input");
  await input.click();
  await input.pressSequentially(draft, { delay: 20 });
  let finished = false;
  done.then(() => (finished = true), () => (finished = true));
  while (!finished) {
    await input.press("!");
    await Promise.race([done.catch(() => undefined), tick(400)]);
    await input.press("Backspace");
    await Promise.race([done.catch(() => undefined), tick(400)]);
  }
  return done;
}

/* ---------------------------------------------------------------- the scenario */

test("two users chat in Chromium, see typing and online counts; a third is refused a private room; a dropped connection is recovered", { timeout: 240000 }, async (t) => {
  const shot = screenshots("chat");
  const server = await startServer();
  t.after(() => server.stop());

  const browser = await launchBrowser();
  t.after(() => browser.close());

  const pageErrors = [];
  // Each run has its own fresh database, so the names are free.
  const nameA = "alice";
  const nameB = "bob";
  const nameC = "carol";
  const pages = {};
  const step = async (title, fn) => {
    t.diagnostic(title);
    await fn();
  };

  try {
    /* 1. A and B register in two browser contexts */
    const A = (pages.a = (await newUserPage(browser, "A", pageErrors)).page);
    const B = (pages.b = (await newUserPage(browser, "B", pageErrors)).page);

    await step("A and B register, see the chat on the home page and open it", async () => {
      await A.goto(`${server.url}/`);
      await visible(A.getByTestId("auth-screen"));
      await shot(A, "01-login-screen");
      await register(A, server, nameA);
      await register(B, server, nameB);
      await shot(A, "02-a-home");
      await openChat(A, "A");
      await openChat(B, "B");
      await visible(A.getByTestId("no-room"));
      await shot(A, "02-a-chat-opened");
    });

    /* 2. both join "general" and see two people online */
    await step("both open general and see 2 online", async () => {
      await openRoom(A, "A", "general");
      await untilAttr("A: 1 online before B joins", A.getByTestId("online-count"), "data-count", "1");
      await openRoom(B, "B", "general");
      await untilAttr("B: 2 online", B.getByTestId("online-count"), "data-count", "2");
      await untilAttr("A: 2 online after B joined", A.getByTestId("online-count"), "data-count", "2");
      assert.equal(await text(A.getByTestId("online-count")), "2 online");
      assert.equal(await text(B.getByTestId("online-count")), "2 online");
      await visible(B.getByTestId("room-empty"));
      await shot(A, "03-a-general-2-online");
      await shot(B, "03-b-general-2-online");
    });

    /* 3. A types, B sees "A is typing…" */
    await step("A types, B sees the typing indicator", async () => {
      assert.equal(await text(B.getByTestId("typing-indicator")), "");
      const seen = untilText("B: typing indicator for A", B.getByTestId("typing-indicator"), `${nameA} is typing…`);
      await typeUntil(A, "Hi Bob", seen.then(() => shot(B, "04-b-sees-a-typing")));
      await shot(A, "04-a-typing");
    });

    /* 4. A sends: pending then sent on A's side, received by B; B's indicator clears */
    const first = `Hello ${nameB}, this is ${nameA} — can you read me?`;
    await step("A sends, sees pending -> sent, B receives", async () => {
      await watchStatuses(A);
      await A.getByTestId("message-input").fill(first);
      await A.getByTestId("message-input").press("Enter");
      const mineA = A.locator('[data-testid="message"][data-mine="true"]').filter({ hasText: first });
      await untilAttr("A: own message sent", mineA, "data-status", "sent");
      assert.equal(await mineA.count(), 1, "A shows its message exactly once");
      assert.match((await attr(mineA, "data-id")) ?? "", /^\S+$/, "the sent message has its server id");
      assert.equal(await attr(mineA.getByTestId("message-status"), "aria-label"), "Sent");

      const log = await A.evaluate(() => window.__statusLog);
      const added = log.find((e) => "added" in e && e.text.includes(first));
      assert.ok(added, `A's message row was added to the list: ${JSON.stringify(log)}`);
      assert.equal(added.added, "pending", `A's message first appeared as pending: ${JSON.stringify(log)}`);
      assert.ok(
        log.some((e) => e.key === added.key && e.from === "pending" && e.to === "sent"),
        `A's message went from pending to sent on the same row: ${JSON.stringify(log)}`,
      );
      assert.equal(await A.getByTestId("message-input").inputValue(), "", "the draft is cleared on send");

      const gotB = B.locator('[data-testid="message"][data-mine="false"]').filter({ hasText: first });
      await visible(gotB);
      assert.equal(await gotB.count(), 1, "B shows A's message exactly once");
      assert.equal(await attr(gotB, "data-author"), nameA);
      assert.equal(await text(gotB.getByTestId("message-text")), first);
      assert.equal(await attr(gotB, "data-id"), await attr(mineA, "data-id"), "same server id on both sides");
      await untilText("B: typing indicator cleared after A sent", B.getByTestId("typing-indicator"), "");
      await shot(A, "05-a-message-sent");
      await shot(B, "05-b-message-received");
    });

    /* 5. B answers, A receives */
    const reply = `Loud and clear, ${nameA}!`;
    await step("B answers, A receives", async () => {
      await B.getByTestId("message-input").click();
      await B.getByTestId("message-input").pressSequentially(reply, { delay: 10 });
      await B.getByTestId("send-button").click();
      const mineB = B.locator('[data-testid="message"][data-mine="true"]').filter({ hasText: reply });
      await untilAttr("B: own reply sent", mineB, "data-status", "sent");
      const gotA = A.locator('[data-testid="message"][data-mine="false"]').filter({ hasText: reply });
      await visible(gotA);
      assert.equal(await attr(gotA, "data-author"), nameB);
      assert.equal(await A.getByTestId("message").count(), 2, "A: exactly the two messages");
      assert.equal(await B.getByTestId("message").count(), 2, "B: exactly the two messages");
      await untilText("A: nobody typing after B sent", A.getByTestId("typing-indicator"), "");
      await shot(A, "06-a-conversation");
      await shot(B, "06-b-conversation");
    });

    /* 6. A creates a private room with nobody else in it */
    const privateName = "secret-plans";
    const secret = "The launch code is 0000 (members only)";
    let privateId;
    await step("A creates a private room", async () => {
      await A.getByTestId("new-room-button").click();
      await visible(A.getByTestId("create-room-form"));
      await A.getByTestId("create-room-name").fill(privateName);
      await A.getByTestId("create-room-private").check();
      await visible(A.getByTestId("create-room-members"));
      await shot(A, "07-a-create-private-room");
      await A.getByTestId("create-room-submit").click();
      const item = roomItem(A, privateName);
      await visible(item);
      assert.equal(await attr(item, "data-private"), "true");
      privateId = await attr(item, "data-room-id");
      assert.ok(privateId, "the private room has an id");
      await untilAttr("A: private room opened", A.getByTestId("chat-room"), "data-room-id", privateId);
      await untilText("A: private room title", A.getByTestId("room-title"), privateName);
      await untilAttr("A: alone in the private room", A.getByTestId("online-count"), "data-count", "1");
      await visible(A.getByTestId("room-empty"));
      assert.equal(await A.getByTestId("room-error").count(), 0);
      assert.equal(new URL(A.url()).hash, `#/room/${encodeURIComponent(privateId)}`);
      await A.getByTestId("message-input").fill(secret);
      await A.getByTestId("message-input").press("Enter");
      const mine = A.locator('[data-testid="message"][data-mine="true"]').filter({ hasText: secret });
      await untilAttr("A: message in the private room sent", mine, "data-status", "sent");
      await shot(A, "08-a-private-room");
    });

    /* 7. C registers and is refused the private room opened by its URL */
    await step("C is refused the private room", async () => {
      const C = (pages.c = (await newUserPage(browser, "C", pageErrors)).page);
      await register(C, server, nameC);
      await openChat(C, "C");
      await visible(roomItem(C, "general"));
      assert.equal(await roomItem(C, privateName).count(), 0, "C's room list does not show A's private room");
      await C.goto(`${server.url}/chat#/room/${encodeURIComponent(privateId)}`);
      await untilAttr("C: chat view of the private room", C.getByTestId("chat-room"), "data-room-id", privateId);
      await untilText("C: Access denied", C.getByTestId("room-error"), /Access denied/);
      await visible(C.getByTestId("room-denied"));
      assert.equal(await C.getByTestId("message").count(), 0, "C sees no messages of the private room");
      assert.ok(!(await C.content()).includes(secret), "the private message appears nowhere in C's page");
      assert.ok(await C.getByTestId("message-input").isDisabled(), "C cannot write in the private room");
      assert.equal(await C.getByTestId("online-count").count(), 0, "no online count for a refused room");
      await shot(C, "09-c-access-denied");
      // A, still alone in the room, was not joined by C; B (in general) got nothing of it either.
      assert.equal(await attr(A.getByTestId("online-count"), "data-count"), "1");
      assert.equal(await B.getByTestId("message").count(), 2, "B: still the two messages of general");
      assert.ok(!(await B.content()).includes(secret), "the private message did not reach B");
    });

    /* 8. A loses its connection while B writes; back online, A's socket is recovered */
    await step("A goes offline while B writes, comes back recovered with each message once", async () => {
      const contextA = A.context();
      await openRoom(A, "A", "general");
      await untilAttr("B: A back in general", B.getByTestId("online-count"), "data-count", "2");
      const before = await A.getByTestId("message").count();
      // What A sends from now on: WebSocket frames and polling POST bodies (Engine.IO payloads).
      const sent = [];
      A.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
      A.on("request", (r) => {
        if (r.method() === "POST" && r.url().includes("/socket.io/")) sent.push(r.postData() ?? "");
      });
      // Chromium's offline emulation closes the open WebSocket too (checked: the banner shows and
      // the server counts A out); the client then goes through its own reconnection.
      await contextA.setOffline(true);
      await untilAttr("A: connection lost", A.getByTestId("connection-status"), "data-state", "reconnecting");
      await visible(A.getByTestId("reconnect-banner"));
      await untilAttr("B: the server noticed A left", B.getByTestId("online-count"), "data-count", "1");
      await shot(A, "10-a-offline");
      const missed = ["Are you there?", "Still here?", "Ping from bob"];
      for (const text of missed) {
        await B.getByTestId("message-input").fill(text);
        await B.getByTestId("message-input").press("Enter");
        const mine = B.locator('[data-testid="message"][data-mine="true"]').filter({ hasText: text });
        await untilAttr(`B: "${text}" sent`, mine, "data-status", "sent");
      }
      await contextA.setOffline(false);
      await untilAttr("A: reconnected", A.getByTestId("connection-status"), "data-state", "connected", 30000);
      assert.equal(await attr(A.getByTestId("connection-status"), "data-recovered"), "true", "A's socket was recovered");
      for (const text of missed) {
        const got = A.locator('[data-testid="message"][data-mine="false"]').filter({ hasText: text });
        await visible(got);
        assert.equal(await got.count(), 1, `A shows "${text}" exactly once`);
      }
      assert.equal(await A.getByTestId("message").count(), before + missed.length, "A: nothing else, nothing twice");
      const packets = sent.flatMap((p) => p.split("\x1e")); // a polling body may hold several
      const reconnect = packets.find((p) => /^40\{/.test(p));
      assert.match(reconnect ?? "", /"pid":"[^"]+","offset":"[^"]+"/, `A's CONNECT asked for its session: ${JSON.stringify(sent)}`);
      assert.ok(!packets.some((p) => /^42\d*\["joinRoom"/.test(p)), `a recovered A does not rejoin: ${JSON.stringify(sent)}`);
      await untilAttr("B: A counted online again", B.getByTestId("online-count"), "data-count", "2");
      await untilAttr("A: 2 online", A.getByTestId("online-count"), "data-count", "2");
      await shot(A, "11-a-recovered");
    });

    /* 9. a page of another origin (same host, another port: same site, so the cookie goes along)
       tries to create a room with A's cookie: a no-cors fetch, then a posted form */
    await step("a cross-origin page cannot create a room with A's cookie", async () => {
      const evil = http.createServer((req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end(`<!doctype html><title>elsewhere</title>
<form id="f" method="POST" enctype="text/plain" action="${server.url}/api/rooms">
<input name='{"name":"forged-form","x":"' value='"}'></form>
<script>
fetch(${JSON.stringify(server.url + "/api/rooms")}, { method: "POST", mode: "no-cors", credentials: "include",
  headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ name: "forged-fetch" }) })
  .finally(() => { document.title = "fetched"; document.getElementById("f").submit(); });
</script>`);
      });
      await new Promise((resolve) => evil.listen(0, HOST, resolve));
      t.after(() => evil.close());
      const evilUrl = `http://${HOST}:${evil.address().port}/`;
      const E = (pages.e = await A.context().newPage());
      await E.goto(evilUrl);
      // The form's answer replaces the page: the server's refusal.
      await until("the forged form to be answered", () => E.url(), (u) => u.startsWith(`${server.url}/api/rooms`));
      await untilText("the server refused the form", E.locator("body"), /refused/);
      await shot(E, "12-cross-origin-refused");
      const names = await A.evaluate(async () => {
        const res = await fetch("/api/rooms?limit=100");
        return (await res.json()).map((r) => r.name);
      });
      assert.ok(names.includes("general"), `A's session still works: ${JSON.stringify(names)}`);
      assert.ok(!names.some((n) => n.startsWith("forged")), `no forged room: ${JSON.stringify(names)}`);
      await E.close();
    });

    /* 10. A adds B to a private room; B leaves it and it is gone from B's list for good */
    await step("B leaves a private room A added it to", async () => {
      const clubName = "book-club";
      const created = await A.evaluate(async ({ name, member }) => {
        const res = await fetch("/api/rooms", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name, private: true, members: [member] }),
        });
        return res.status;
      }, { name: clubName, member: nameB });
      assert.equal(created, 201);
      const club = roomItem(B, clubName);
      await visible(club); // the invite notification adds it to B's list
      await shot(B, "13-b-invited");
      await B.locator(`[data-testid="leave-room"][aria-label="Leave ${clubName}"]`).click();
      await until(`B: ${clubName} gone from the list`, () => club.count(), (n) => n === 0);
      await B.reload();
      await visible(roomItem(B, "general"));
      assert.equal(await roomItem(B, clubName).count(), 0, "still gone after a reload");
      const namesA = await A.evaluate(async () => (await (await fetch("/api/rooms?limit=100")).json()).map((r) => r.name));
      assert.ok(namesA.includes(clubName), `A is still a member: ${JSON.stringify(namesA)}`);
      await shot(B, "14-b-left");
    });

    assert.ok(server.alive(), `sio-chat is still running:\n${server.output()}`);
    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  } catch (err) {
    // Keep what the pages looked like when it failed.
    for (const [who, page] of Object.entries(pages)) {
      await page.screenshot({ path: path.join(ARTIFACTS, `chat-failure-${who}.png`), timeout: 5000 }).catch(() => undefined);
    }
    err.message += `\n--- sio-chat output ---\n${server.output()}`;
    throw err;
  }
});


/* ---------------------------------------------------------------- with permessage-deflate */

/** The Sec-WebSocket-Extensions of every WebSocket the page opens from now on (read over CDP). */
async function watchExtensions(page) {
  const seen = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on("Network.webSocketHandshakeResponseReceived", (e) => {
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    seen.push(headers["sec-websocket-extensions"] ?? "");
  });
  await cdp.send("Network.enable");
  return seen;
}

test("with --per-message-deflate the browsers negotiate it and a long message goes through", { timeout: 120000 }, async (t) => {
  const server = await startServer({ args: ["--per-message-deflate"] });
  t.after(() => server.stop());
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const pageErrors = [];
  const A = (await newUserPage(browser, "A", pageErrors)).page;
  const B = (await newUserPage(browser, "B", pageErrors)).page;
  const extensions = { A: await watchExtensions(A), B: await watchExtensions(B) };
  await register(A, server, "dora");
  await register(B, server, "eve");
  await openChat(A, "A");
  await openChat(B, "B");
  await openRoom(A, "A", "general");
  await openRoom(B, "B", "general");
  for (const [who, seen] of Object.entries(extensions)) {
    assert.ok(seen.length > 0 && seen.every((e) => e === "permessage-deflate"), `${who}: ${JSON.stringify(seen)}`);
  }
  // Over the 1 KB threshold: compressed both ways (Chromium compresses what it sends too).
  const long = Array.from({ length: 60 }, (_, i) => `line ${i} of a long message`).join(" ");
  await A.getByTestId("message-input").fill(long);
  await A.getByTestId("message-input").press("Enter");
  const gotB = B.locator('[data-testid="message"][data-mine="false"]').filter({ hasText: "line 59 of" });
  await visible(gotB);
  assert.equal(await text(gotB.getByTestId("message-text")), long);
  assert.ok(server.alive(), `sio-chat is still running:\n${server.output()}`);
  assert.deepEqual(pageErrors, []);
});
