// Memory of connection state recovery, measured on a bench server (sio-bench-server or
// server.mjs) through its "stats" event: the heap in use while nothing but one control client is
// connected, after `--sessions` clients joined a room and dropped their connections (the server
// keeps a session for each when recovery is on), and after `--packets` broadcasts of a
// `--payload`-byte string to that room (the server logs each for the missed-packet replay).
// The clients speak Engine.IO v4 / Socket.IO v5 over raw WebSocket frames (ws), so the driver's
// own footprint stays small and the drop is a plain TCP close.
//
//   node recovery-memory.mjs --url http://127.0.0.1:PORT [--sessions N] [--packets N]
//     [--payload BYTES]
//
// Prints one JSON line: {sessions, packets, payload_bytes, heap_base, heap_sessions,
// heap_packets, session_bytes, packet_bytes}.
import WebSocket from "ws";

const opts = { url: "http://127.0.0.1:3000", sessions: 2000, packets: 10000, payload: 100 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opts[argv[i].replace(/^--/, "")] = argv[i + 1];
const sessions = Number(opts.sessions), packets = Number(opts.packets);
const payload = "x".repeat(Number(opts.payload));
const wsUrl = opts.url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";

// One Socket.IO client on the main namespace: connect(), emit(event, arg, withAck) -> Promise.
function connect() {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    const acks = new Map();
    let nextId = 0;
    const client = {
      ws,
      emit(event, arg, withAck = true) {
        const body = JSON.stringify(arg === undefined ? [event] : [event, arg]);
        if (!withAck) return ws.send("42" + body), Promise.resolve();
        const id = nextId++;
        ws.send("42" + id + body);
        return new Promise((res) => acks.set(id, res));
      },
    };
    ws.on("message", (data) => {
      const s = data.toString();
      if (s === "2") ws.send("3");
      else if (s.startsWith("0")) ws.send("40");
      else if (s.startsWith("40")) resolve(client);
      else if (s.startsWith("43")) {
        const m = /^43(\d+)(.*)$/s.exec(s);
        const res = m && acks.get(Number(m[1]));
        if (res) acks.delete(Number(m[1])), res(JSON.parse(m[2])[0]);
      }
    });
    ws.on("error", reject);
  });
}

const stats = (control) => control.emit("stats");

// Polls until the server counts `n` Engine.IO clients.
async function waitForClients(control, n) {
  for (;;) {
    const s = await stats(control);
    if (s.clients === n) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main() {
  const control = await connect();
  const base = await waitForClients(control, 1);
  const clients = [];
  for (let i = 0; i < sessions; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(sessions, i + 200); j++) batch.push(connect());
    clients.push(...(await Promise.all(batch)));
  }
  await Promise.all(clients.map((c) => c.emit("join", { room: "r" })));
  for (const c of clients) c.ws.terminate();
  const afterSessions = await waitForClients(control, 1);
  for (let i = 0; i < packets; i++) control.emit("fanout", { room: "r", payload }, false);
  const afterPackets = await stats(control);
  control.ws.terminate();
  console.log(
    JSON.stringify({
      sessions,
      packets,
      payload_bytes: payload.length,
      heap_base: base.heap,
      heap_sessions: afterSessions.heap,
      heap_packets: afterPackets.heap,
      session_bytes: Math.round((afterSessions.heap - base.heap) / sessions),
      packet_bytes: Math.round((afterPackets.heap - afterSessions.heap) / packets),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
