// Interop: sio's per-address handshake limit (server_options::handshakes_per_second) as the official
// npm `socket.io-client` (v4) sees it. The conformance server runs with one handshake per second, a
// burst of two, and loopback as a trusted proxy, so each client names its address in
// X-Forwarded-For. A refused handshake (HTTP 429) surfaces as "connect_error", the client's
// reconnection succeeds once the bucket has refilled, and clients from other addresses are served
// meanwhile. (A sio option: the Node reference server has no such limit.)
import { describe, it, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer, waitFor } from "./helpers.mjs";
import { client, connected, closeAll } from "./sioclient.mjs";

let server;
before(async () => {
  server = await startServer({
    args: ["--handshakes-per-second", "1", "--handshake-burst", "2", "--trust-proxy", "loopback"],
  });
});
afterEach(() => closeAll());
after(async () => {
  closeAll();
  await server.stop();
});

const from = (address) => ({ extraHeaders: { "X-Forwarded-For": address } });

describe("handshakes over the per-address rate", () => {
  ["polling", "websocket"].forEach((mode, k) => {
    it(`${mode}: refused as connect_error, then the reconnection succeeds`, async () => {
      const address = `203.0.113.${10 + k}`;
      for (let i = 0; i < 2; i++) await connected(client(server, mode, from(address)), mode);
      const refused = client(server, mode, {
        ...from(address),
        reconnection: true,
        reconnectionDelay: 200,
        reconnectionDelayMax: 500,
      });
      const err = await waitFor(refused, "connect_error", { timeout: 10000, failOn: ["connect"] });
      assert.ok(err instanceof Error);
      if (mode === "polling") assert.equal(err.description, 429);  // the HTTP status
      // Another address is served meanwhile.
      await connected(client(server, mode, from(`198.51.100.${10 + k}`)), mode);
      // The manager retries on its own; a token is back within a second or so.
      await waitFor(refused, "connect", { timeout: 15000 });
      assert.ok(refused.connected);
    });
  });
});
