// Load on ONE collaborative-editor document of a running sio-apps (namespace /editor): K clients
// (npm socket.io-client over WebSocket), each an ot.js client (npm `ot`) keeping one operation in
// flight: the next random edit (a few characters inserted or deleted at a random place) leaves as
// soon as the previous one is acknowledged, and incoming operations are transformed past it.
// After --warmup seconds, acknowledgements are counted for --duration seconds; then the clients
// stop editing and every client's text must equal the server's (a fresh openDoc), else exit 1.
//
//   node bench/node/editor-load.mjs --url http://127.0.0.1:3000 [--clients 8] [--processes 1]
//        [--duration 5] [--warmup 2] [--server-pid PID] [--doc-length 2000] [--op-rate 100]
//        [--seed 1] [--accounts FILE]
//
// The server must trust loopback's X-Forwarded-For (`sio-apps --trust-proxy loopback`): each
// client is its own user, registered, logged in and connected from an address of its own, so
// neither the per-address login and handshake limits nor the per-user op rate (API.md) are shared between clients.
// --accounts keeps the users' tokens in FILE for later runs against the same server (making an
// account hashes its password: a few tenths of a second each).
// A client sends at most --op-rate operations a second (default 100, the server's per-user
// limit; 0 = as fast as acknowledgements come); an operation the limit refuses anyway is
// counted in `refused` and sent again 10 ms later.
// The clients run in --processes child processes. The last line printed is the result, JSON:
// ops_per_s (acknowledgements per second, all clients), latency_ms {p50, p99, max} (op sent to
// its ack), server_cpu_s_per_1000_ops, server_cpu_pct, client_cpu_pct (all child processes),
// client_cores (cores the clients may use), client_bound, refused (rate-limited, resent),
// resyncs (a client so far behind that its revision left the server's history reloads the
// document, as API.md says, and its edit in flight is dropped),
// converged, revision, text_length, load_avg (the machine's 1-minute load as the window began).
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';

const require = createRequire(import.meta.url);
const ot = require('ot');

function parseArgs(argv) {
  const o = { url: 'http://127.0.0.1:3000', clients: 8, processes: 1, duration: 5, warmup: 2,
    serverPid: 0, docLength: 2000, opRate: 100, seed: 1, accounts: '',
    child: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    if (key === 'child') { o.child = true; continue; }
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  return o;
}

// Mulberry32: a small seeded generator, so a run's edits can be replayed.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);  // utime + stime
};
const TICKS_PER_S = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A user's /editor connection, from the user's own address (the handshake limit is per address).
function connect(url, user) {
  return io(`${url}/editor`, { transports: ['websocket'], auth: { token: user.token },
    extraHeaders: user.from, forceNew: true, reconnection: false });
}

function call(socket, event, arg) {
  return new Promise((resolve, reject) => {
    socket.timeout(30000).emit(event, arg, (err, res) => {
      if (err) reject(new Error(`${event}: no acknowledgement`));
      else if (!res.success) reject(new Error(`${event}: ${res.error}`));
      else resolve(res);
    });
  });
}

// ---- child: runs its share of the clients ----

// One editing client: ot.js's Client state machine over the /editor contract. Events are applied
// in revision order (acknowledgements and others' operations both carry the revision they made).
class Editor {
  constructor(socket, docId, rnd, job, stats) {
    Object.assign(this, { socket, docId, rnd, stats });
    this.targetLength = job.docLength;
    this.opRate = job.opRate;
    this.running = false;
    this.timer = null;
    this.sentAt = -Infinity;
    this.pending = new Map();  // revision -> the acknowledgement or another client's operation
    socket.on('op', (m) => { if (m.docId === docId) this.arrive(m.revision, m.ops); });
  }

  // Loads the document (again): events that arrive meanwhile wait in `pending`.
  async open() {
    this.client = null;
    const res = await call(this.socket, 'openDoc', { docId: this.docId });
    this.text = res.doc.text;
    this.client = new ot.Client(res.doc.revision);
    this.client.sendOperation = (revision, op) => this.send(revision, op);
    this.client.applyOperation = (op) => { this.text = op.apply(this.text); };
    for (const r of this.pending.keys()) if (r <= res.doc.revision) this.pending.delete(r);
    this.arrive();
  }

  // Applies what arrived (revision -> ops, null for this client's acknowledgement) in revision
  // order, then edits again when nothing is in flight.
  arrive(revision, ops) {
    if (revision !== undefined) this.pending.set(revision, ops);
    if (!this.client) return;
    for (let r = this.client.revision + 1; this.pending.has(r); r++) {
      const ops = this.pending.get(r);
      this.pending.delete(r);
      if (ops === null) this.client.serverAck();
      else this.client.applyServer(ot.TextOperation.fromJSON(ops));
    }
    if (this.client.state instanceof ot.Client.Synchronized && this.running) this.next();
  }

  // The next edit, no sooner than the client's op rate allows (one timer at a time).
  next() {
    if (this.timer) return;
    const wait = this.opRate > 0 ? this.sentAt + 1000 / this.opRate - performance.now() : 0;
    if (wait <= 0) return this.edit();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.running) this.edit();
    }, wait);
  }

  edit() {
    const len = this.text.length;
    const pos = Math.floor(this.rnd() * (len + 1));
    const n = 1 + Math.floor(this.rnd() * 3);
    const op = new ot.TextOperation().retain(pos);
    if (len - pos >= n && this.rnd() < len / (2 * this.targetLength)) {
      op.delete(n).retain(len - pos - n);
    } else {
      let text = '';
    while (text.length < n) text += String.fromCharCode(97 + Math.floor(this.rnd() * 26));
    op.insert(text).retain(len - pos);
    }
    this.text = op.apply(this.text);
    this.sentAt = performance.now();
    this.client.applyClient(op);
  }

  send(revision, op) {
    this.socket.emit('op', { docId: this.docId, revision, ops: op.toJSON() }, (res) => {
      if (res.success) {
        this.stats.acked(performance.now() - this.sentAt);
        this.arrive(res.revision, null);
      } else if (res.error === 'Too many requests, slow down') {
        this.stats.refused++;  // the per-user op rate: the same operation again, rebased
        setTimeout(() => this.send(this.client.revision, this.client.state.outstanding), 10);
      } else if (res.error === 'Revision too old') {
        // This client fell behind the server's history (API.md): reload, dropping the edit.
        this.stats.resyncs++;
        this.open().catch((e) => this.stats.errors.push(e.message));
      } else {
        this.stats.errors.push(res.error);
      }
    });
  }

  idle() {
    return this.client !== null && this.client.state instanceof ot.Client.Synchronized && this.pending.size === 0;
  }
}

async function child() {
  const job = JSON.parse(process.env.EDITOR_LOAD_JOB);
  const { url, users, docId, seed } = job;
  const stats = { counting: false, acks: 0, latencies: [], refused: 0, resyncs: 0, errors: [],
    acked(ms) { if (this.counting) { this.acks++; this.latencies.push(ms); } } };
  const editors = users.map((u, i) =>
    new Editor(connect(url, u), docId, random(seed * 1000 + i), job, stats));
  await Promise.all(editors.map((e) => e.open()));
  process.on('message', async (m) => {
    if (m === 'start') {
      for (const e of editors) { e.running = true; e.edit(); }
    } else if (m === 'count') {
      stats.counting = true;
    } else if (m === 'stop') {
      stats.counting = false;
      for (const e of editors) e.running = false;
      process.send({ stopped: true, acks: stats.acks, latencies: stats.latencies,
        refused: stats.refused, resyncs: stats.resyncs, errors: stats.errors });
    } else if (m.settle !== undefined) {
      const deadline = Date.now() + 30000;
      while (Date.now() < deadline &&
        !editors.every((e) => e.idle() && e.client.revision >= m.settle)) await sleep(20);
      for (const e of editors) e.socket.disconnect();
      const texts = editors.map((e) => ({ revision: e.client?.revision, text: e.text }));
      process.send({ texts }, () => process.exit(0));  // exit once the message is out
    }
  });
  process.send({ ready: true });
}

// ---- parent: accounts, the document, the children, the measurement ----

async function post(url, path, body, headers) {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers } });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function makeUser(url, run, i) {
  const username = `load${run}_${i}`;
  const password = 'load-password';
  const from = { 'X-Forwarded-For': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
  await post(url, '/api/register', { username, password }, from);
  const { token } = await post(url, '/api/login', { username, password }, from);
  return { token, from };
}

// The first --clients users of --accounts FILE (made and added to it when missing), else new ones.
async function accounts(o, run) {
  let users = [];
  if (o.accounts && existsSync(o.accounts)) users = JSON.parse(readFileSync(o.accounts, 'utf8'));
  for (let i = users.length; i < o.clients; i++) users.push(await makeUser(o.url, run, i));
  if (o.accounts) writeFileSync(o.accounts, JSON.stringify(users));
  return users.slice(0, o.clients);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const message = (proc, key) => new Promise((resolve, reject) => {
  const on = (m) => { if (m[key] !== undefined) { proc.off('message', on); resolve(m); } };
  proc.on('message', on);
  proc.once('exit', (code) => reject(new Error(`client process exited (${code}) before ${key}`)));
});

// A fresh connection's view of the document: {text, revision}.
async function serverDoc(url, user, docId) {
  const s = connect(url, user);
  try {
    return (await call(s, 'openDoc', { docId })).doc;
  } finally {
    s.disconnect();
  }
}

async function parent(o) {
  const run = Date.now().toString(36);
  const users = await accounts(o, run);
  const auth = { Authorization: `Bearer ${users[0].token}` };
  const { docId } = await post(o.url, '/api/docs', { title: `load ${run}` }, auth);
  // The document starts at about its target length.
  const seedSocket = connect(o.url, users[0]);
  await call(seedSocket, 'openDoc', { docId });
  await call(seedSocket, 'op', { docId, revision: 0, ops: ['x'.repeat(o.docLength)] });
  seedSocket.disconnect();

  const procs = [];
  for (let p = 0; p < o.processes; p++) {
    const share = users.filter((_, i) => i % o.processes === p);
    if (share.length === 0) continue;
    const job = { url: o.url, users: share, docId, seed: o.seed * 100 + p, docLength: o.docLength,
      opRate: o.opRate };
    procs.push(fork(fileURLToPath(import.meta.url), ['--child'],
      { env: { ...process.env, EDITOR_LOAD_JOB: JSON.stringify(job) } }));
  }
  await Promise.all(procs.map((c) => message(c, 'ready')));
  const cpu = () => ({ server: o.serverPid ? cpuTicks(o.serverPid) : 0,
    clients: procs.reduce((sum, c) => sum + cpuTicks(c.pid), 0), at: performance.now() });

  for (const c of procs) c.send('start');
  await sleep(o.warmup * 1000);
  for (const c of procs) c.send('count');
  const loadAvg = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const before = cpu();
  await sleep(o.duration * 1000);
  const after = cpu();
  const stopped = await Promise.all(procs.map((c) => { c.send('stop'); return message(c, 'stopped'); }));

  // Converged: once everything in flight is acknowledged, every client has the server's text.
  await sleep(200);
  let doc = await serverDoc(o.url, users[0], docId);
  const settled = await Promise.all(procs.map((c) => {
    c.send({ settle: doc.revision });
    return message(c, 'texts');
  }));
  doc = await serverDoc(o.url, users[0], docId);  // nothing moved since: same revision
  const texts = settled.flatMap((m) => m.texts);
  const converged = texts.every((t) => t.revision === doc.revision && t.text === doc.text);

  const seconds = (after.at - before.at) / 1000;
  const acks = stopped.reduce((s, m) => s + m.acks, 0);
  const lat = stopped.flatMap((m) => m.latencies).sort((a, b) => a - b);
  const serverCpu = (after.server - before.server) / TICKS_PER_S;
  const clientCpu = (after.clients - before.clients) / TICKS_PER_S;
  const clientCores = availableParallelism();
  const errors = stopped.flatMap((m) => m.errors);
  const round = (x, d = 2) => (x === null ? null : Number(x.toFixed(d)));
  const result = {
    clients: o.clients, processes: procs.length, seconds: round(seconds),
    ops_per_s: round(acks / seconds, 1),
    latency_ms: { p50: round(percentile(lat, 50)), p99: round(percentile(lat, 99)),
      max: round(lat.at(-1) ?? null) },
    server_cpu_pct: o.serverPid ? round((100 * serverCpu) / seconds, 1) : null,
    server_cpu_s_per_1000_ops: o.serverPid && acks ? round((1000 * serverCpu) / acks, 4) : null,
    client_cpu_pct: round((100 * clientCpu) / seconds, 1), client_cores: clientCores,
    client_bound: clientCpu / seconds > 0.9 * Math.min(clientCores, procs.length),
    refused: stopped.reduce((s, m) => s + m.refused, 0),
    resyncs: stopped.reduce((s, m) => s + m.resyncs, 0), errors: errors.length,
    converged, revision: doc.revision, text_length: doc.text.length, load_avg: loadAvg,
  };
  if (errors.length) console.error(`editor-load: refusals: ${[...new Set(errors)].join('; ')}`);
  if (!converged) {
    const bad = texts.filter((t) => t.revision !== doc.revision || t.text !== doc.text).length;
    console.error(`editor-load: ${bad} of ${texts.length} clients differ from the server`);
  }
  console.log(JSON.stringify(result));
  process.exit(converged && errors.length === 0 ? 0 : 1);
}

const opts = parseArgs(process.argv.slice(2));
(opts.child ? child() : parent(opts)).catch((e) => {
  console.error(`editor-load: ${e.message}`);
  process.exit(1);
});
