// Socket.IO client helpers shared by the socketio*.test.mjs files.
import assert from "node:assert/strict";
import { io, Manager, msgpackParser } from "../js/index.mjs";
import { waitFor, toBuffer } from "./helpers.mjs";

export const MODES = {
  websocket: { transports: ["websocket"], upgrade: false },
  polling: { transports: ["polling"], upgrade: false },
  upgrade: { transports: ["polling", "websocket"], upgrade: true },
};
// SIO_PARSER=msgpack: every client speaks socket.io-msgpack-parser (the server under test is
// started with --parser msgpack, see helpers.mjs); default: the JSON parser.
export const PARSER = process.env.SIO_PARSER === "msgpack" ? { parser: msgpackParser } : {};
const FINAL_TRANSPORT = { polling: "polling", websocket: "websocket", upgrade: "websocket" };

const live = new Set();

/**
 * A new client (own Manager, no auto-reconnect unless asked) for namespace `nsp` of the server.
 * closeAll() disconnects it unless `keep` is set (for clients a whole describe block shares).
 */
export function client(server, mode, { nsp = "/", keep = false, ...opts } = {}) {
  const socket = io(`${server.url}${nsp}`, {
    forceNew: true,
    reconnection: false,
    ...PARSER,
    ...MODES[mode],
    ...opts,
  });
  if (!keep) live.add(socket);
  return socket;
}

/** A Manager (one Engine.IO connection) for several namespace sockets. */
export function manager(server, mode, opts = {}) {
  const m = new Manager(server.url, { reconnection: false, ...PARSER, ...MODES[mode], ...opts });
  return m;
}

/** Tracks a socket created from a Manager so closeAll() disconnects it. */
export function track(socket) {
  live.add(socket);
  return socket;
}

/** Waits for "connect" (failing on "connect_error") and, in upgrade mode, for the websocket upgrade. */
export async function connected(socket, mode, { timeout = 10000 } = {}) {
  if (!socket.connected) {
    await waitFor(socket, "connect", { timeout, failOn: ["connect_error", "disconnect"] });
  }
  const engine = socket.io.engine;
  if (mode && engine.transport.name !== FINAL_TRANSPORT[mode]) {
    await waitFor(engine, "upgrade", { timeout, failOn: ["upgradeError", "close"] });
  }
  if (mode) assert.equal(engine.transport.name, FINAL_TRANSPORT[mode]);
  return socket;
}

export function closeAll() {
  for (const s of live) s.disconnect();
  live.clear();
}

/** Deep copy with every binary value (Buffer, ArrayBuffer, typed array) turned into a Buffer. */
export function normalize(v) {
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return toBuffer(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}
