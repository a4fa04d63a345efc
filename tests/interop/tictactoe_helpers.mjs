// Helpers of the tic-tac-toe contract tests (namespace /tictactoe of sio-chat): a
// socket.io-client on /tictactoe, a game's states as a socket receives them, and the rules
// replayed on the client side to check every state the server sends.
import { api, request, uniqueName, withTimeout, connectAs, closeSockets } from "./chat_helpers.mjs";

/** A socket on /tictactoe authenticated as `user`; resolves once connected. */
export function connectGame(server, user, options = {}) {
  return connectAs(server, user, options, "/tictactoe");
}

export const closeGameSockets = closeSockets;

/**
 * The away window the tests start sio-chat with (--tictactoe-away): a player gone forfeits within
 * seconds instead of the default 30 s.
 */
export const AWAY_MS = 3000;
export const awayArgs = ["--tictactoe-away", String(AWAY_MS / 1000)];

let clients = 0;
/**
 * Registers and logs in a new user from an address of its own (the server trusts the loopback
 * proxy: start it with --trust-proxy 127.0.0.1), so that many players stay within the per-address
 * login limits: { userId, username, token }.
 */
export async function newPlayer(server, prefix) {
  clients += 1;
  const headers = { "x-forwarded-for": `198.18.${clients >> 8}.${clients & 255}` };
  const username = uniqueName(prefix);
  const password = "password123";
  const reg = await api(server, "POST", "/api/register", { body: { username, password }, headers });
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${reg.text}`);
  const login = await api(server, "POST", "/api/login", { body: { username, password }, headers });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${login.text}`);
  return login.body;
}

/** Emits and asserts success: the acknowledgement. */
export async function ok(socket, event, payload) {
  const ack = await request(socket, event, payload, 10000);
  if (!ack?.success) throw new Error(`${event} ${JSON.stringify(payload)}: ${JSON.stringify(ack)}`);
  return ack;
}

/**
 * The states of games a socket receives (event `state`), newest per game by version; `all`
 * keeps every one in arrival order. wait(gameId, pred) resolves with the first state (newest
 * kept or later) passing `pred`.
 */
export class StateLog {
  constructor(socket) {
    this.latest = new Map();
    this.all = [];
    this.waiters = new Set();
    socket.on("state", (s) => this.add(s));
  }
  add(s) {
    this.all.push(s);
    const cur = this.latest.get(s.gameId);
    if (!cur || s.version > cur.version) this.latest.set(s.gameId, s);
    for (const w of [...this.waiters]) {
      if (w.gameId === s.gameId && w.pred(s)) {
        this.waiters.delete(w);
        w.resolve(s);
      }
    }
  }
  wait(gameId, pred, timeout = 10000, what = "a state") {
    const cur = this.latest.get(gameId);
    if (cur && pred(cur)) return Promise.resolve(cur);
    let w;
    const p = new Promise((resolve) => {
      w = { gameId, pred, resolve };
      this.waiters.add(w);
    });
    return withTimeout(p, timeout, () => `${what} of game ${gameId}`).finally(() => this.waiters.delete(w));
  }
}

export const LINES = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6],
];

/** The winner of a board and its line, or null. */
export function judge(board) {
  for (const l of LINES) {
    const m = board[l[0]];
    if (m && board[l[1]] === m && board[l[2]] === m) return { winner: m, line: l };
  }
  return null;
}

/**
 * Why a state is not a legal position of tic-tac-toe (or null): marks counted by whose turn it
 * is, the status consistent with the board (won: a line of the winner's; draw: full, no line;
 * playing: no line and not full).
 */
export function illegal(s) {
  if (!Array.isArray(s.board) || s.board.length !== 9) return "board is not 9 cells";
  if (s.board.some((c) => c !== null && c !== "X" && c !== "O")) return "a cell is not X, O or null";
  const x = s.board.filter((c) => c === "X").length;
  const o = s.board.filter((c) => c === "O").length;
  if (x !== o && x !== o + 1) return `X ${x} O ${o}`;
  const j = judge(s.board);
  const full = x + o === 9;
  switch (s.status) {
    case "waiting":
      return x + o === 0 ? null : "a waiting game has marks";
    case "playing":
      if (j) return "playing with a line";
      if (full) return "playing on a full board";
      return s.turn === (x === o ? "X" : "O") ? null : `turn ${s.turn} with X ${x} O ${o}`;
    case "won":
      if (!j || j.winner !== s.winner) return "won without the winner's line";
      if (!LINES.some((l) => JSON.stringify(l) === JSON.stringify(s.line))) return "no such line";
      if (!s.line.every((c) => s.board[c] === s.winner)) return "line not the winner's";
      return (s.winner === "X" ? x === o + 1 : x === o) ? null : "the winner did not move last";
    case "draw":
      return !j && full && s.winner === null ? null : "draw with a line or a free cell";
    case "abandoned":
      return s.winner === "X" || s.winner === "O" ? null : "abandoned without a winner";
    default:
      return `status ${s.status}`;
  }
}
