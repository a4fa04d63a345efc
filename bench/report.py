#!/usr/bin/env python3
"""Turns bench/run.sh's results.jsonl into BENCHMARKS.md and two gnuplot PNGs.

Each line of results.jsonl: {"group", "server", "rep", "args", "result": <sio-bench --json line>}.
Every figure is the median over repetitions with its spread (min-max); a run where the generator
was saturated is marked, and so is a figure built from such runs.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
from collections import defaultdict

P99_TARGET_MS = 10.0


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        return ""


def read_lines(path):
    """The JSON lines of `path` (none when the file does not exist yet)."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out


def run_meta(a, kind):
    return {"meta": {"run": kind, "date": sh("date -u +%Y-%m-%dT%H:%MZ"),
                     "git": sh("git rev-parse --short HEAD") or "n/a",
                     "dirty": bool(sh("git status --porcelain --untracked-files=no")),
                     "elapsed": a.elapsed, "reps": a.reps, "duration": a.duration, "quick": a.quick,
                     "sections": a.sections}}


def record_run(a):
    """Adds this run's description to results.jsonl; a partial run's groups replace the old ones."""
    new = read_lines(a.measured) if a.measured else []
    if a.partial != "1":
        lines = read_lines(a.results) + [run_meta(a, "full")]
    else:
        groups = {r["group"] for r in new if "group" in r}
        old = [r for r in read_lines(a.results) if r.get("group") not in groups]
        lines = old + new + [run_meta(a, "partial")]
        os.remove(a.measured)
    with open(a.results, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in lines)


def metas(path):
    return [r["meta"] for r in read_lines(path) if "meta" in r]


def load(path):
    runs = defaultdict(list)  # (group, server) -> [result]
    for r in read_lines(path):
        if "group" in r:
            res = r["result"]
            if isinstance(res, dict):
                res["_rep"] = r.get("rep")
            runs[(r["group"], r["server"])].append(res)
    return runs


def ok(results):
    return [r for r in results if not r.get("failed")]


def vals(results, key, sub=None):
    out = []
    for r in ok(results):
        v = r.get(key)
        if sub is not None and isinstance(v, dict):
            v = v.get(sub)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(float(v))
    return out


def med(v):
    return statistics.median(v) if v else None


def fmt_num(v, digits=0):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def fmt_spread(v, digits=0):
    if not v:
        return "n/a"
    m = med(v)
    if len(v) == 1:
        return fmt_num(m, digits)
    return f"{fmt_num(m, digits)} ({fmt_num(min(v), digits)}–{fmt_num(max(v), digits)})"


def bound_note(results):
    n = sum(1 for r in ok(results) if r.get("generator_bound"))
    return f"generator-bound {n}/{len(ok(results))}" if n else ""


def metrics_section(w, runs):
    """sio with its counters on (the default) against off, same run."""
    groups = [g for g in ("metrics_echo_max", "metrics_fanout_max") if runs.get((g, "sio-nometrics"))]
    if not groups:
        return
    w("## Metrics cost (sio's counters on, the default, against off; same run)")
    w("")
    w("One sio worker pinned, A/B alternated. The ratio is on over off; the target is a cost "
      "under 2 % (a ratio of 0.98 or more), read against the spread of each side. \"Paired\" is "
      "the ratio of the two sides of each repetition (run back to back, so a load that drifts "
      "over the run moves both): its median and range over the repetitions.")
    w("")
    w("| run | metrics | delivered/s | p50 ms | p99 ms | server CPU % | msgs/server-CPU-s | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|")
    for g in groups:
        off = runs.get((g, "sio-nometrics"), [])
        for s, label in (("sio-nometrics", "off"), ("sio", "on")):
            res = runs.get((g, s), [])
            if not res:
                continue
            notes = [n for n in (bound_note(res),) if n]
            if s == "sio":
                thr = ratio(med(vals(res, "delivered_per_s")), med(vals(off, "delivered_per_s")))
                eff = ratio(med(vals(res, "msgs_per_server_cpu_s")),
                            med(vals(off, "msgs_per_server_cpu_s")))
                notes.append(f"throughput {fmt_ratio(thr)}, msgs per CPU-s {fmt_ratio(eff)}")
                paired_thr = paired_ratios(res, off, "delivered_per_s")
                paired_eff = paired_ratios(res, off, "msgs_per_server_cpu_s")
                if paired_thr:
                    notes.append(f"paired over {len(paired_thr)} reps: throughput "
                                 f"{fmt_ratio_spread(paired_thr)}, msgs per CPU-s "
                                 f"{fmt_ratio_spread(paired_eff)}")
            w(f"| {g[8:]} | {label} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
              f"{fmt_spread(vals(res, 'server_cpu_pct'), 1)} | {fmt_spread(vals(res, 'msgs_per_server_cpu_s'))} | "
              f"{fmt_spread(vals(res, 'errors'))} | {'; '.join(notes)} |")
    w("")
    include_notes(w, "metrics.md")


def deflate_section(w, runs):
    """permessage-deflate off / on / nct, sio and Node, same run."""
    groups = [f"deflate_{m}_{k}" for k in ("fanout_max", "echo_max") for m in ("off", "on", "nct")]
    groups = [g for g in groups if runs.get((g, "sio")) or runs.get((g, "node"))]
    if not groups:
        return
    w("## WebSocket permessage-deflate (a 4 KB text payload; off, on, nct)")
    w("")
    w("One server pinned, A/B alternated, the generator's lean client offering the extension "
      "(`--deflate`; it inflates what arrives). on: Node's defaults (context takeover: each "
      "connection compresses its own stream); nct: `server_no_context_takeover` (sio compresses a "
      "broadcast once per worker and every receiver gets that frame). CPU per delivery is the "
      "server's CPU time over the messages delivered; wire bytes are what the generator read per "
      "message received (headers, heartbeats and acks included). sio bounds the connections with "
      "context takeover (`max_context_takeover`, default 1,000, kept here): in a fan-out to more "
      "clients, those past the bound agree no context takeover, so sio's `on` fan-out row mixes "
      "both kinds; Node gives every connection its own streams, whatever their memory.")
    w("")
    w("| run | deflate | server | delivered/s | server CPU us/delivery | wire bytes/msg | p99 ms | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|")
    for g in groups:
        _, mode, kind = g.split("_", 2)
        for s in ("sio", "node"):
            res = runs.get((g, s), [])
            if not res:
                continue
            us = [1e6 / v for v in vals(res, "msgs_per_server_cpu_s") if v]
            notes = [n for n in (bound_note(res),) if n]
            w(f"| {kind} | {mode} | {s} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
              f"{fmt_spread(us, 2)} | {fmt_spread(vals(res, 'wire_bytes_per_msg'))} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | {fmt_spread(vals(res, 'errors'))} | "
              f"{'; '.join(notes)} |")
    w("")


def multiworker_section(w, runs):
    """sio --workers 2 against --workers 1, both unpinned, same run."""
    groups = [g for g in ("mw_echo_max", "mw_fanout_max") if runs.get((g, "sio-w1"))]
    if not groups:
        return
    w("## Multi-worker efficiency (sio --workers 2 against --workers 1; same run)")
    w("")
    w("Closed loop, nothing pinned, A/B alternated: the generator shares the two cores with the "
      "workers, so the rates compare poorly; msgs per server-CPU-second (the server's user + "
      "system time from /proc over the window) compare the cost of a message. The ratio is 2 "
      "workers over 1 (target: 0.90 or more); \"paired\" is the ratio within each repetition, "
      "its median and range.")
    w("")
    w("| run | workers | delivered/s | p50 ms | p99 ms | server CPU % | msgs/server-CPU-s | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|")
    for g in groups:
        one = runs.get((g, "sio-w1"), [])
        for s, label in (("sio-w1", "1"), ("sio", "2")):
            res = runs.get((g, s), [])
            if not res:
                continue
            notes = [n for n in (bound_note(res),) if n]
            if s == "sio":
                eff = ratio(med(vals(res, "msgs_per_server_cpu_s")),
                            med(vals(one, "msgs_per_server_cpu_s")))
                notes.append(f"msgs per CPU-s {fmt_ratio(eff)} of 1 worker")
                paired = paired_ratios(res, one, "msgs_per_server_cpu_s")
                if paired:
                    notes.append(f"paired over {len(paired)} reps {fmt_ratio_spread(paired)}")
            w(f"| {g[3:]} | {label} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
              f"{fmt_spread(vals(res, 'server_cpu_pct'), 1)} | {fmt_spread(vals(res, 'msgs_per_server_cpu_s'))} | "
              f"{fmt_spread(vals(res, 'errors'))} | {'; '.join(notes)} |")
    w("")


def parser_section(w, runs):
    """socket.io-msgpack-parser against the JSON parser, sio and Node, same run."""
    rows = [(kind, parser, s) for kind in ("echo", "fanout") for s in ("sio", "node")
            for parser in ("json", "msgpack") if runs.get((f"parser_{kind}_{parser}", s))]
    if not rows:
        return
    w("## Parsers (socket.io-msgpack-parser against the JSON parser; same run)")
    w("")
    w("Closed loop on the pinned server (one worker), A/B alternated. The generator encodes and "
      "decodes MessagePack through sio's codec (a JSON tree per packet), JSON with its own "
      "scanner: its CPU per message differs between the two, the servers' is what compares.")
    w("")
    w("| run | server | parser | delivered/s | p50 ms | p99 ms | server CPU % | msgs/server-CPU-s | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for kind, parser, s in rows:
        res = runs[(f"parser_{kind}_{parser}", s)]
        notes = [n for n in (bound_note(res),) if n]
        w(f"| {kind} | {s} | {parser} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
          f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
          f"{fmt_spread(vals(res, 'server_cpu_pct'), 1)} | {fmt_spread(vals(res, 'msgs_per_server_cpu_s'))} | "
          f"{fmt_spread(vals(res, 'errors'))} | {'; '.join(notes)} |")
    w("")


def paired_ratios(a_runs, b_runs, key):
    """a/b of `key` for each repetition both sides completed."""
    def by_rep(runs):
        return {r.get("_rep"): r.get(key) for r in ok(runs)
                if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)}
    a, b = by_rep(a_runs), by_rep(b_runs)
    return [a[k] / b[k] for k in sorted(a.keys() & b.keys(), key=str) if b[k]]


def fmt_ratio_spread(v):
    if not v:
        return "n/a"
    if len(v) == 1:
        return fmt_ratio(v[0])
    return f"{fmt_ratio(med(v))} ({min(v):.2f}–{max(v):.2f}×)"


def idle_marginal_row(w, m, idle_ns):
    """Headline row: RSS added per idle WebSocket connection between the smallest and the largest
    count (medians), without the fixed cost the first connections of a fresh server fault in."""
    lo, hi = idle_ns[0], idle_ns[-1]
    if lo == hi:
        return

    def added(server):
        a = m(f"idle_{lo}", server, "server_rss_after_bytes")
        b = m(f"idle_{hi}", server, "server_rss_after_bytes")
        return None if a is None or b is None else (b - a) / (hi - lo)

    per = {server: added(server) for server in ("sio", "node")}
    w(f"| idle: server RSS added per WebSocket connection from {lo:,} to {hi:,} (bytes, medians) | "
      f"{fmt_num(per['sio'])} | {fmt_num(per['node'])} | {fmt_ratio(ratio(per['sio'], per['node']))} | | |")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.2f}×"


def sustained_rate(runs, server, rates):
    """Highest offered echo rate whose median p99 is under target with nothing lost."""
    best = None
    for rate in rates:
        res = runs.get((f"echo_{rate}", server), [])
        if not ok(res):
            break  # not run: a lower rate was already overloaded
        p99 = med(vals(res, "latency_ms", "p99"))
        errs = med(vals(res, "errors"))
        delivered = med(vals(res, "delivered"))
        expected = med(vals(res, "expected"))
        if p99 is not None and p99 < P99_TARGET_MS and errs == 0 and delivered and expected and delivered >= expected:
            best = rate
        else:
            break
    return best


def recovery_net(runs, server, key):
    """Per repetition: the figure with recovery on minus the same figure with it off."""
    on = {r.get("_rep"): r for r in ok(runs.get(("recovery_on", server), []))}
    off = {r.get("_rep"): r for r in ok(runs.get(("recovery_off", server), []))}
    return [float(on[k][key] - off[k][key]) for k in sorted(on, key=str) if k in off]


def recovery_section(w, runs):
    servers = [s for s in ("sio", "node") if runs.get(("recovery_on", s))]
    if not servers:
        return
    first = ok(runs[("recovery_on", servers[0])])
    if not first:
        return
    n, p, b = first[0]["sessions"], first[0]["packets"], first[0]["payload_bytes"]
    w("## Connection state recovery: memory")
    w("")
    w(f"`bench/node/recovery-memory.mjs` against each server with recovery on (2-minute window) and "
      f"off: {n:,} clients join a room and drop their connections (a TCP close, so the server keeps "
      f"a session for each when recovery is on), then {p:,} broadcasts of a {b}-byte string go to "
      "that room (each logged for the missed-packet replay). Memory is the server's heap in use, "
      "read through its `stats` event: sio, glibc's count of allocated bytes (`mallinfo2`); Node, "
      "V8 heap used + external after a full GC (`--expose-gc`). *Net* is on minus off in the same "
      "repetition, which removes what dropped connections leave behind without recovery. Median "
      "(min–max) over repetitions.")
    w("")
    w("| figure | sio | Node | sio/Node |")
    w("|---|---|---|---|")
    for label, key in (("bytes per disconnected session, net", "session_bytes"),
                       (f"bytes per logged packet ({b}-byte payload), net", "packet_bytes")):
        sv, nv = recovery_net(runs, "sio", key), recovery_net(runs, "node", key)
        w(f"| {label} | {fmt_spread(sv)} | {fmt_spread(nv)} | {fmt_ratio(ratio(med(sv), med(nv)))} |")
    for label, key in (("bytes per dropped connection, recovery on (raw)", "session_bytes"),
                       ("bytes per broadcast, recovery on (raw)", "packet_bytes")):
        sv = vals(runs.get(("recovery_on", "sio"), []), key)
        nv = vals(runs.get(("recovery_on", "node"), []), key)
        w(f"| {label} | {fmt_spread(sv)} | {fmt_spread(nv)} | {fmt_ratio(ratio(med(sv), med(nv)))} |")
    for label, key in (("bytes per dropped connection, recovery off", "session_bytes"),
                       ("bytes per broadcast, recovery off", "packet_bytes")):
        sv = vals(runs.get(("recovery_off", "sio"), []), key)
        nv = vals(runs.get(("recovery_off", "node"), []), key)
        w(f"| {label} | {fmt_spread(sv)} | {fmt_spread(nv)} | {fmt_ratio(ratio(med(sv), med(nv)))} |")
    w("")


def client_section(w, runs):
    """sio's C++ client (sio-bench --ws-client sio) against the generator's lean client."""
    kinds = [k for k in ("lean", "sio") if runs.get((f"client_echo_max_{k}", "sio"))]
    if "sio" not in kinds:
        return
    w("## The C++ client's cost (sio::client against sio-bench's lean client)")
    w("")
    w("The same load on the same server (`sio-bench-server`, one worker pinned), generated once by "
      "sio-bench's lean client (hand-written framing, no allocation per message) and once through "
      "sio's own client (`--ws-client sio`: one `sio::client::manager` per simulated client on the "
      "generator's io_context, WebSocket only). Memory is the generator's RSS growth over the idle "
      "clients once connected, per client; CPU is the generator's per message it received "
      "(closed loop: the client is the bottleneck, so throughput shows its cost too).")
    w("")
    w("| run | client | delivered/s | p50 ms | p99 ms | generator CPU % | generator µs/msg | "
      "generator RSS/client B | server CPU % | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for g in ("client_idle", "client_echo_max", "client_fanout_max"):
        for k in kinds:
            res = runs.get((f"{g}_{k}", "sio"), [])
            if not res:
                continue
            notes = [n for n in (bound_note(res),) if n]
            if k == "sio":
                lean = med(vals(runs.get((f"{g}_lean", "sio"), []), "generator_cpu_us_per_msg"))
                mine = med(vals(res, "generator_cpu_us_per_msg"))
                if lean and mine:
                    notes.append(f"CPU per message {fmt_ratio(ratio(mine, lean))} of lean")
            w(f"| {g[7:]} | {k} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
              f"{fmt_spread(vals(res, 'generator_cpu_pct'), 1)} | {fmt_spread(vals(res, 'generator_cpu_us_per_msg'), 2)} | "
              f"{fmt_spread(vals(res, 'generator_rss_per_conn_bytes'))} | {fmt_spread(vals(res, 'server_cpu_pct'), 1)} | "
              f"{fmt_spread(vals(res, 'errors'))} | {'; '.join(notes)} |")
    w("")
    include_notes(w, "client.md")


def include_notes(w, name):
    """Appends the hand-written notes bench/<name> (lines starting with <!-- left out)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        w("\n".join(l for l in text.splitlines() if not l.startswith("<!--")).strip())
        w("")


def editor_groups(runs):
    """(workers, clients, group) of every editor run, in that order."""
    out = []
    for g, _ in runs:
        if g.startswith("editor_w"):
            workers, k = g[len("editor_w"):].split("_k")
            out.append((int(workers), int(k), g))
    return sorted(out)


def editor_section(w, runs, ms):
    groups = editor_groups(runs)
    if not groups:
        return
    when = [m for m in ms if "editor" in (m.get("sections") or "").split()]
    w("## Collaborative editor: one document")
    w("")
    w("`bench/node/editor-load.mjs` against `sio-apps` (SQLite in a temporary directory): K clients "
      "(npm `socket.io-client`, WebSocket), each its own user and an ot.js client (npm `ot`), edit "
      "ONE document of about 2,000 characters. Each keeps one operation in flight: the next edit "
      "(1–3 characters inserted or deleted at a random place) leaves when the previous one is "
      "acknowledged, no sooner than the server's per-user limit allows (100 operations/s), and "
      "incoming operations are transformed past it. ops/s counts acknowledgements, latency is op "
      "sent → its ack; server CPU per 1,000 ops comes from `/proc/<pid>/stat` over the window, "
      "client CPU is all the client processes together (K ≥ 32: two processes), *load* the machine's "
      "1-minute load average when the window began (2 cores: above 2, other work competed). After the window "
      "every client's text must equal a fresh `openDoc`'s. `--workers 1`: server pinned to core 1, "
      "clients to core 0; `--workers 2`: nothing pinned. Median (min–max) over repetitions" +
      (f"; measured {when[-1].get('date')}, git {when[-1].get('git')}." if when else "."))
    w("")
    w("| workers | clients | ops/s | p50 ms | p99 ms | server CPU % | server CPU s / 1,000 ops | "
      "client CPU % | refused | converged | notes |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for workers, k, g in groups:
        res = runs[(g, "sio")]
        good = ok(res)
        conv = sum(1 for r in good if r.get("converged"))
        notes = []
        if len(good) < len(res):
            notes.append(f"failed {len(res) - len(good)}/{len(res)}")
        bound = sum(1 for r in good if r.get("client_bound"))
        if bound:
            notes.append(f"client-bound {bound}/{len(good)}")
        resyncs = sum(int(r.get("resyncs") or 0) for r in good)
        if resyncs:
            notes.append(f"{resyncs} reloads by clients past the history")
        if vals(res, "load_avg"):
            notes.append(f"load {fmt_spread(vals(res, 'load_avg'), 1)}")
        w(f"| {workers} | {k} | {fmt_spread(vals(res, 'ops_per_s'))} | "
          f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
          f"{fmt_spread(vals(res, 'server_cpu_pct'), 1)} | {fmt_spread(vals(res, 'server_cpu_s_per_1000_ops'), 3)} | "
          f"{fmt_spread(vals(res, 'client_cpu_pct'), 1)} | {fmt_spread(vals(res, 'refused'))} | "
          f"{conv}/{len(res)} | {'; '.join(notes)} |")
    w("")
    include_notes(w, "editor.md")


CLUSTER_ADAPTERS = (("redis", "pub/sub (`redis`)", "@socket.io/redis-adapter 8.3.0 `createAdapter`"),
                    ("redis-streams", "streams (`redis-streams`)", "@socket.io/redis-streams-adapter 0.3.1"),
                    ("redis-sharded", "sharded (`redis-sharded`, dynamic)",
                     "@socket.io/redis-adapter 8.3.0 `createShardedAdapter`"))
CLUSTER_REACH = (("redis", "pub/sub"), ("redis-streams", "streams"),
                 ("redis-sharded_dynamic", "sharded, dynamic (the default)"),
                 ("redis-sharded_static", "sharded, static"))


def first(results, key):
    """`key` of the first completed run, or None."""
    for r in ok(results):
        if key in r:
            return r[key]
    return None


def cluster_section(w, runs, ms):
    """Two nodes on one private Redis per adapter, sio against Node, and how far a room goes."""
    have = [a for a in CLUSTER_ADAPTERS if any(runs.get((f"cluster_{a[0]}_max", s)) for s in ("sio", "node"))]
    reach = [r for r in CLUSTER_REACH if any(runs.get((f"cluster_reach_{r[0]}", s)) for s in ("sio", "node"))]
    if not have and not reach:
        return
    when = [m for m in ms if "cluster" in (m.get("sections") or "").split()]
    w("## Cluster adapters: 2 nodes on one Redis")
    w("")
    some = next((r for a in have for s in ("sio", "node") for r in ok(runs.get((f"cluster_{a[0]}_max", s), []))), {})
    rooms = next((r for a in have for s in ("sio", "node") for r in ok(runs.get((f"cluster_{a[0]}_rooms", s), []))), {})
    w("For each adapter, two nodes of one kind (`sio-bench-server --workers 1 --adapter ...`, or "
      "`bench/node/server.mjs` with the matching npm adapter) on one private `redis-server` 7 "
      "(for sharded: a Redis Cluster of that one node holding every slot). Nodes and Redis share "
      "core 1, the generator has core 0. A Redis Cluster of 6 (3 primaries, 3 replicas) on these 2 "
      "cores would measure the machine, not the adapters: sharded runs on one Redis 7, so its "
      "figures show the cost of the adapter, not the spread over shards. "
      f"`sio-bench` spreads {fmt_num(some.get('clients'))} receivers over both nodes (every room has "
      "members on each) and puts one sender on each node: every broadcast crosses Redis to the other "
      "node. *max*: one room of every receiver, closed loop, 16 broadcasts in flight per sender; "
      f"*rooms*: rooms of 100, {fmt_num(rooms.get('rate'))} broadcasts/s offered in all. Redis CPU is "
      "`INFO cpu` (used_cpu_user + used_cpu_sys) over the window divided by the deliveries in it; "
      "nodes' CPU is both nodes together (100 % = one core). Median (min–max) over repetitions" +
      (f"; measured {when[-1].get('date')}, git {when[-1].get('git')}" if when else "") +
      (" (a quick run: one repetition, 2 s windows; indicative only)." if when and str(when[-1].get("quick")) == "1"
       else "."))
    w("")
    w("| adapter | server | max: deliveries/s | max: p99 ms | rooms: p99 ms | Redis CPU µs / delivery (max) | "
      "nodes' CPU % (max) | errors | Node peer |")
    w("|---|---|---|---|---|---|---|---|---|")
    for adapter, label, peer in have:
        for s in ("sio", "node"):
            mx = runs.get((f"cluster_{adapter}_max", s), [])
            rm = runs.get((f"cluster_{adapter}_rooms", s), [])
            if not mx and not rm:
                continue
            notes = [n for n in (bound_note(mx),) if n]
            if any(r.get("server_died") for r in mx + rm):
                notes.append("a node died")
            errors = vals(mx, "errors") + vals(rm, "errors")
            w(f"| {label} | {s} | {fmt_spread(vals(mx, 'delivered_per_s'))} | "
              f"{fmt_spread(vals(mx, 'latency_ms', 'p99'), 2)} | {fmt_spread(vals(rm, 'latency_ms', 'p99'), 2)} | "
              f"{fmt_spread(vals(mx, 'redis_cpu_us_per_delivery'), 3)} | {fmt_spread(vals(mx, 'server_cpu_pct'), 1)} | "
              f"{fmt_num(sum(errors)) if errors else 'n/a'}{' (' + '; '.join(notes) + ')' if notes else ''} | "
              f"{peer if s == 'node' else ''} |")
    w("")
    if reach:
        w("### A broadcast to a room that exists on one node only: how many nodes receive it")
        w("")
        w("A client joins a room on one of the 2 nodes; `bench/node/cluster-probe.mjs` then publishes, "
          "on the channel the adapter uses for a broadcast to that room, a message every node ignores "
          "(it names another namespace), and reports the receivers Redis counts (PUBLISH / SPUBLISH "
          "reply). The streams adapter publishes nothing a receiver count comes from: every node "
          "reads the one stream, counted as the connections blocked in XREAD (`CLIENT LIST`).")
        w("")
        w("| adapter | sio nodes reached | Node nodes reached | measured by |")
        w("|---|---|---|---|")
        for key, label in reach:
            sv = runs.get((f"cluster_reach_{key}", "sio"), [])
            nv = runs.get((f"cluster_reach_{key}", "node"), [])

            def cell(res):
                r = first(res, "receivers")
                return "n/a" if r is None else f"{r} of {first(res, 'nodes')}"
            w(f"| {label} | {cell(sv)} | {cell(nv)} | {first(sv, 'method') or first(nv, 'method') or ''} |")
        w("")
    include_notes(w, "cluster.md")


def header_lines(a, ms):
    """Which runs the figures come from: the last full run, then any partial re-runs after it."""
    full = [m for m in ms if m.get("run") == "full"]
    last = full[-1] if full else run_meta(a, "full")["meta"]
    later = ms[ms.index(last) + 1:] if last in ms else []
    # A later re-run of the same sections supersedes an earlier one.
    later = [m for i, m in enumerate(later)
             if not any(n.get("sections") == m.get("sections") for n in later[i + 1:])]

    def at(m):
        return f"{m['date']}, git {m['git']}{' (uncommitted changes)' if m.get('dirty') else ''}"

    quick = str(last.get("quick")) == "1"
    out = [f"Generated by `make bench` (bench/run.sh{' --quick' if quick else ''}) on {at(last)}; "
           f"the run took {last.get('elapsed')} s."]
    for m in later:
        out.append("")
        out.append(f"Re-measured later with `SECTIONS=\"{m.get('sections')}\" bench/run.sh` on {at(m)} "
                   f"({m.get('elapsed')} s): those sections' figures come from that run.")
    if quick:
        out += ["", "**Quick run**: one repetition, short windows, fewer points. Indicative only."]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--elapsed", type=int, default=0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", default="")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--measured", default="", help="this run's results (written by run.sh)")
    ap.add_argument("--sections", default="")
    ap.add_argument("--partial", default="0")
    a = ap.parse_args()
    if a.measured:
        record_run(a)
    runs = load(a.results)
    os.makedirs(a.out, exist_ok=True)

    groups = sorted({g for g, _ in runs})
    echo_rates = sorted(int(g.split("_")[1]) for g in groups if g.startswith("echo_") and g.split("_")[1].isdigit())
    idle_ns = sorted(int(g.split("_")[1]) for g in groups
                     if g.startswith("idle_") and g.split("_")[1].isdigit())
    idle_poll_ns = sorted(int(g.split("_")[2]) for g in groups if g.startswith("idle_polling_"))

    def m(group, server, key, sub=None):
        return med(vals(runs.get((group, server), []), key, sub))

    # --- plots ---------------------------------------------------------------------------------
    plots = []

    def render(name, gp, title):
        """Writes <name>.gp, runs gnuplot, lists <name>.png under `title` when it was drawn.

        The script names its files relative to its own folder (where gnuplot runs), so the
        committed .gp files hold no path of the machine that made them."""
        open(os.path.join(a.out, f"{name}.gp"), "w").write(gp)
        sh(f"cd '{a.out}' && gnuplot '{name}.gp'")
        if os.path.exists(os.path.join(a.out, f"{name}.png")):
            plots.append((title, f"{name}.png"))

    if echo_rates:
        png, dat = "latency_vs_rate.png", "latency_vs_rate.dat"  # in a.out, where gnuplot runs
        with open(os.path.join(a.out, dat), "w") as f:
            f.write("# offered_rate sio_p50 sio_p99 node_p50 node_p99 (ms, medians)\n")
            for rate in echo_rates:
                row = [rate]
                for s in ("sio", "node"):
                    for q in ("p50", "p99"):
                        v = m(f"echo_{rate}", s, "latency_ms", q)
                        row.append("NaN" if v is None else v)
                f.write(" ".join(str(x) for x in row) + "\n")
        gp = f"""set terminal png size 900,520
set output '{png}'
set title 'echo: latency from intended send vs offered rate (medians)'
set xlabel 'offered rate (acked echoes/s)'
set ylabel 'latency (ms)'
set logscale xy
set grid
set key top left
plot '{dat}' using 1:2 with linespoints title 'sio p50', \\
     '{dat}' using 1:3 with linespoints title 'sio p99', \\
     '{dat}' using 1:4 with linespoints title 'Node p50', \\
     '{dat}' using 1:5 with linespoints title 'Node p99', \\
     {P99_TARGET_MS} with lines dashtype 2 title 'p99 target'
"""
        render("latency_vs_rate", gp, "Echo latency against offered rate")
    if idle_ns:
        png, dat = "memory_vs_connections.png", "memory_vs_connections.dat"
        with open(os.path.join(a.out, dat), "w") as f:
            f.write("# connections sio_rss_mb node_rss_mb (server VmRSS with N idle connections, medians)\n")
            base = [0]  # the fresh process, before its first connection
            for s_ in ("sio", "node"):
                v = m(f"idle_{idle_ns[0]}", s_, "server_rss_before_bytes")
                base.append("NaN" if v is None else v / 1e6)
            f.write(" ".join(str(x) for x in base) + "\n")
            for n in idle_ns:
                row = [n]
                for s in ("sio", "node"):
                    v = m(f"idle_{n}", s, "server_rss_after_bytes")
                    row.append("NaN" if v is None else v / 1e6)
                f.write(" ".join(str(x) for x in row) + "\n")
        gp = f"""set terminal png size 900,520
set output '{png}'
set title 'idle WebSocket connections: server RSS (medians)'
set xlabel 'connections'
set ylabel 'server RSS (MB)'
set grid
set key top left
set yrange [0:*]
plot '{dat}' using 1:2 with linespoints title 'sio', \\
     '{dat}' using 1:3 with linespoints title 'Node'
"""
        render("memory_vs_connections", gp, "Server memory against idle connections")

    # --- headline -------------------------------------------------------------------------------
    rel = os.path.relpath(a.out, os.path.dirname(os.path.abspath(a.report)))
    L = []
    w = L.append
    w("# sio benchmarks")
    w("")
    full_runs = [m for m in metas(a.results) if m.get("run") == "full"]
    base = full_runs[-1] if full_runs else run_meta(a, "full")["meta"]
    for line in header_lines(a, metas(a.results)):
        w(line)
    w("")
    w("## Machine")
    w("")
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("free -g | awk '/Mem:/ {print $2}'")
    cxx = sh("c++ --version | head -1")
    nodev = sh("node --version")

    def npm_version(pkg):
        try:
            with open(os.path.join("bench/node/node_modules", pkg, "package.json")) as f:
                return json.load(f).get("version", "?")
        except OSError:
            return "?"

    load_avg = " ".join(open("/proc/loadavg").read().split()[:3])
    w(f"- CPU: {cpu or platform.processor()}, {os.cpu_count()} cores; memory {mem} GiB")
    w(f"- Kernel: {platform.release()}; compiler: {cxx}")
    w(f"- Node.js {nodev}, socket.io {npm_version('socket.io')} with bufferutil {npm_version('bufferutil')}")
    w(f"- Load average at report time: {load_avg} (other work on the machine disturbs the figures)")
    w("")
    w("## Method")
    w("")
    w("- Load generator: `sio-bench` (bench/sio-bench), C++ on Asio/Beast, one event loop, speaking "
      "Engine.IO v4 / Socket.IO v5 itself with pre-formatted frames; it answers pings. Latency is "
      "measured from each message's *intended* send time (open-loop schedule), so queueing caused by "
      "a slow server is charged to it; histograms are log-bucketed (~1.6 % resolution).")
    w("- Servers implement one contract: `echo` → ack with the same arguments; `join {room}` → join "
      "(acked when asked); `fanout {room, payload}` → emit `fanout` with the payload to the room. "
      "sio: `sio-bench-server --workers 1`; Node: `bench/node/server.mjs` (npm socket.io, bufferutil).")
    w("- Headline runs: server pinned to core 1 (`taskset -c 1`), generator to core 0. Every "
      "measurement starts a fresh server process. sio and Node alternate (A/B, then B/A) for each "
      f"repetition; a warm-up precedes the measured runs; {base.get('reps')} repetition(s), window "
      f"{base.get('duration')} s after 1 s of in-run warm-up. Figures: median (min–max).")
    w("- CPU: the generator samples `/proc/<pid>/stat` (utime+stime) of the server and of itself over "
      "each window. *msgs per server-CPU-second* = messages received by clients in the window / "
      "server CPU seconds. A run is **generator-bound** when the generator used ≥ 95 % of its core.")
    w("- Calibration: the same scenarios against `sio-raw-echo`, a bare Beast WebSocket server that "
      "only frames Engine.IO/Socket.IO (no parser, no rooms logic beyond a set, one write per frame). "
      "Fan-out runs are closed loops: the sender keeps 4 (or 16) messages in flight and sends the "
      "next when every member got one. Connects run 512 at a time.")
    w("- Correctness: `--verify` runs check that every message is delivered exactly once, in order "
      "per connection, with intact payload (sequence numbers in every message).")
    w("")

    w("## Headline (against sio's performance targets)")
    w("")
    w("| figure | sio | Node | sio/Node | target | met |")
    w("|---|---|---|---|---|---|")

    def row(label, group, key, sub=None, digits=0, target=None, better="higher"):
        sv = vals(runs.get((group, "sio"), []), key, sub)
        nv = vals(runs.get((group, "node"), []), key, sub)
        r = ratio(med(sv), med(nv))
        met = ""
        if target is not None and r is not None:
            met = "yes" if (r >= target if better == "higher" else r <= target) else "**no**"
        notes = " ".join(x for x in (bound_note(runs.get((group, "sio"), [])),
                                     bound_note(runs.get((group, "node"), []))) if x)
        tgt = "" if target is None else (f"≥ {target}×" if better == "higher" else f"≤ {target}×")
        w(f"| {label}{' (' + notes + ')' if notes else ''} | {fmt_spread(sv, digits)} | "
          f"{fmt_spread(nv, digits)} | {fmt_ratio(r)} | {tgt} | {met} |")

    if runs.get(("fanout_max", "sio")) or runs.get(("fanout_max", "node")):
        row("fanout, 5,000-member room, 4 messages in flight: delivered msgs/s", "fanout_max",
            "delivered_per_s")
    if runs.get(("fanout_w16", "sio")) or runs.get(("fanout_w16", "node")):
        row("fanout, 5,000-member room, 16 messages in flight: delivered msgs/s", "fanout_w16",
            "delivered_per_s")
        # Each server at its own better window, so a window that suits one server only cannot
        # decide the comparison.
        best = {}
        for srv in ("sio", "node"):
            cands = [(med(vals(runs.get((g, srv), []), "delivered_per_s")), g)
                     for g in ("fanout_max", "fanout_w16") if runs.get((g, srv))]
            cands = [c for c in cands if c[0] is not None]
            if cands:
                best[srv] = max(cands)
        if len(best) == 2:
            r = ratio(best["sio"][0], best["node"][0])
            wn = {"fanout_max": "4", "fanout_w16": "16"}
            w(f"| fanout, 5,000-member room: delivered msgs/s, each server at its better window "
              f"(sio {wn[best['sio'][1]]}, Node {wn[best['node'][1]]} in flight) | "
              f"{fmt_spread(vals(runs[(best['sio'][1], 'sio')], 'delivered_per_s'))} | "
              f"{fmt_spread(vals(runs[(best['node'][1], 'node')], 'delivered_per_s'))} | "
              f"{fmt_ratio(r)} | ≥ 10× | {'' if r is None else ('yes' if r >= 10 else '**no**')} |")
    if echo_rates:
        ss, sn = sustained_rate(runs, "sio", echo_rates), sustained_rate(runs, "node", echo_rates)
        r = ratio(ss, sn)

        def fmt_rate(v):  # the sweep's top rate passing only bounds the answer from below
            return ("≥ " if v is not None and v == echo_rates[-1] else "") + fmt_num(v)

        w(f"| echo: highest offered rate sustained with p99 < {P99_TARGET_MS:g} ms, nothing lost "
          f"(of {', '.join(map(str, echo_rates))}) | {fmt_rate(ss)} | {fmt_rate(sn)} | {fmt_ratio(r)} | ≥ 3× | "
          f"{'' if r is None else ('yes' if r >= 3 else '**no**')} |")
    row("echo, closed loop: acked round trips/s", "echo_max", "delivered_per_s")
    if runs.get(("polling_high", "sio")) or runs.get(("polling_high", "node")):
        rate = med(vals(runs.get(("polling_high", "sio"), []) + runs.get(("polling_high", "node"), []),
                        "rate"))
        row(f"polling echo at {fmt_num(rate)} msgs/s offered: msgs per server-CPU-second",
            "polling_high", "msgs_per_server_cpu_s", target=5)
        row(f"polling echo at {fmt_num(rate)} msgs/s offered: p99 ms (sio target < {P99_TARGET_MS:g})",
            "polling_high", "latency_ms", "p99", digits=2)
    if idle_ns:
        n = idle_ns[-1]
        row(f"idle: server RSS per WebSocket connection at {n:,} (bytes)", f"idle_{n}",
            "rss_per_conn_bytes", target=0.2, better="lower")
        idle_marginal_row(w, m, idle_ns)
    if idle_poll_ns:
        n = idle_poll_ns[-1]
        row(f"idle: server RSS per polling session at {n:,} (bytes; one GET held)",
            f"idle_polling_{n}", "rss_per_conn_bytes", better="lower")
    sv = vals(runs.get(("connect", "sio"), []), "connects_per_s")
    nv = vals(runs.get(("connect", "node"), []), "connects_per_s")
    ms_ = med(sv)
    w(f"| connects/s ({bound_note(runs.get(('connect', 'sio'), [])) or 'WebSocket + Socket.IO CONNECT'}) | "
      f"{fmt_spread(sv)} | {fmt_spread(nv)} | {fmt_ratio(ratio(ms_, med(nv)))} | ≥ 20,000/s (sio) | "
      f"{'' if ms_ is None else ('yes' if ms_ >= 20000 else '**no**')} |")
    if runs.get(("connect_upgrade", "sio")) or runs.get(("connect_upgrade", "node")):
        row("connects/s, polling then WebSocket upgrade (a browser's io(url))", "connect_upgrade",
            "connects_per_s", target=5)
        row("connects (polling then upgrade) per server-CPU-second", "connect_upgrade",
            "msgs_per_server_cpu_s", target=5)
    row("echo closed loop: msgs per server-CPU-second", "echo_max", "msgs_per_server_cpu_s")
    row("fanout closed loop: msgs per server-CPU-second", "fanout_max", "msgs_per_server_cpu_s")
    w("")
    calib = [(g, "raw") for g in ("calib_echo", "calib_fanout", "calib_connect") if runs.get((g, "raw"))]
    if calib:
        ce = m("calib_echo", "raw", "delivered_per_s")
        cf = m("calib_fanout", "raw", "delivered_per_s")
        cc = m("calib_connect", "raw", "connects_per_s")
        w(f"Calibration (against sio-raw-echo, a bare Beast server writing one frame per syscall): "
          f"echo {fmt_num(ce)} round trips/s, fanout {fmt_num(cf)} deliveries/s, {fmt_num(cc)} "
          "connects/s. sio's own WebSocket writer batches frames, so sio can pass these; whether the "
          "generator limited a run is shown by its CPU (generator-bound at ≥ 95 %).")
        w("")

    # --- details --------------------------------------------------------------------------------
    w("## All runs (medians over repetitions, spread in parentheses)")
    w("")
    w("| run | server | delivered/s | p50 ms | p99 ms | p99.9 ms | server CPU % | generator CPU % | msgs/server-CPU-s | errors | notes |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    order = ["calib_echo", "calib_fanout", "calib_connect", "connect", "connect_upgrade"] + [f"idle_{n}" for n in idle_ns] + \
        [f"idle_polling_{n}" for n in idle_poll_ns] + \
        [f"echo_{r}" for r in echo_rates] + ["echo_max", "fanout_max", "fanout_w16", "fanout_10", "rooms", "polling",
                                             "polling_high", "mw_echo_max", "mw_fanout_max"]
    for g in order:
        for s in ("raw", "sio", "node"):
            res = runs.get((g, s))
            if not res:
                continue
            okr = ok(res)
            notes = []
            if len(okr) < len(res):
                notes.append(f"{len(res) - len(okr)} failed")
            if any(r.get("server_died") for r in res):
                notes.append("server died")
            bn = bound_note(res)
            if bn:
                notes.append(bn)
            if g.startswith("idle_"):
                notes.append(f"RSS/conn {fmt_spread(vals(res, 'rss_per_conn_bytes'))} B")
            if g in ("connect", "calib_connect", "connect_upgrade"):
                notes.append(f"connects/s {fmt_spread(vals(res, 'connects_per_s'))}")
            if g == "connect_upgrade":
                notes.append(f"CONNECT (over polling) p50 {fmt_spread(vals(res, 'sio_connect_ms', 'p50'), 2)} ms")
            if g.startswith("mw_"):
                notes.append("sio --workers 2, unpinned")
            w(f"| {g} | {s} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
              f"{fmt_spread(vals(res, 'latency_ms', 'p999'), 2)} | {fmt_spread(vals(res, 'server_cpu_pct'), 1)} | "
              f"{fmt_spread(vals(res, 'generator_cpu_pct'), 1)} | {fmt_spread(vals(res, 'msgs_per_server_cpu_s'))} | "
              f"{fmt_spread(vals(res, 'errors'))} | {'; '.join(notes)} |")
    w("")
    w("For connect and idle runs the latency columns are connect → Socket.IO CONNECT answer and "
      "delivered/s is connects/s; for connect_upgrade (polling handshake, CONNECT over polling, "
      "then the WebSocket probe and upgrade, 1,024 at a time) they run to the upgrade's end, "
      "which Node holds up to 100 ms (engine.io releases the probe's poll by a noop on its 100 ms "
      "upgrade check; sio releases it as soon as the probe is answered).")
    w("")

    recovery_section(w, runs)
    editor_section(w, runs, metas(a.results))
    cluster_section(w, runs, metas(a.results))

    tls_groups = [g for g in ("tls_echo_max", "tls_fanout_max") if runs.get((g, "sio-tls"))]
    if tls_groups:
        w("## TLS cost (sio over TLS against sio over plain TCP, same run)")
        w("")
        w("Both sides measured with Beast's WebSocket client (`--ws-client beast`, the generator's "
          "TLS client), one sio worker pinned. The ratio is TLS over plain; the generator pays for "
          "TLS too, so a generator-bound TLS run understates the server's throughput.")
        w("")
        w("| run | transport | delivered/s | p50 ms | p99 ms | server CPU % | generator CPU % | msgs/server-CPU-s | errors | notes |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for g in tls_groups:
            for s, label in (("sio", "plain TCP"), ("sio-tls", "TLS")):
                res = runs.get((g, s), [])
                if not res:
                    continue
                notes = [n for n in (bound_note(res),) if n]
                if s == "sio-tls":
                    plain = med(vals(runs.get((g, "sio"), []), "msgs_per_server_cpu_s"))
                    tls = med(vals(res, "msgs_per_server_cpu_s"))
                    thr = ratio(med(vals(res, "delivered_per_s")),
                                med(vals(runs.get((g, "sio"), []), "delivered_per_s")))
                    notes.append(f"throughput {fmt_ratio(thr)}, msgs per CPU-s {fmt_ratio(ratio(tls, plain))}")
                w(f"| {g[4:]} | {label} | {fmt_spread(vals(res, 'delivered_per_s'))} | "
                  f"{fmt_spread(vals(res, 'latency_ms', 'p50'), 2)} | {fmt_spread(vals(res, 'latency_ms', 'p99'), 2)} | "
                  f"{fmt_spread(vals(res, 'server_cpu_pct'), 1)} | {fmt_spread(vals(res, 'generator_cpu_pct'), 1)} | "
                  f"{fmt_spread(vals(res, 'msgs_per_server_cpu_s'))} | {fmt_spread(vals(res, 'errors'))} | "
                  f"{'; '.join(notes)} |")
        w("")

    multiworker_section(w, runs)
    parser_section(w, runs)
    metrics_section(w, runs)
    client_section(w, runs)
    deflate_section(w, runs)

    vgroups = [g for g in groups if g.startswith("verify_")]
    if vgroups:
        w("## Correctness (`--verify`)")
        w("")
        w("| run | server | result | delivered / expected |")
        w("|---|---|---|---|")
        for g in vgroups:
            for s in ("sio", "node"):
                for r in runs.get((g, s), []):
                    res = "failed to run" if r.get("failed") else ("OK" if r.get("verify_ok") else f"**FAILED** {r.get('error_detail')}")
                    w(f"| {g[7:]} | {s} | {res} | {r.get('delivered', 'n/a')} / {r.get('expected', 'n/a')} |")
        w("")

    if plots:
        w("## Plots")
        w("")
        for title, f in plots:
            w(f"### {title}")
            w("")
            w(f"![{title}]({rel}/{f})")
            w("")

    w("## Profile")
    w("")
    perf = sorted(f for f in os.listdir(a.out) if f.startswith("perf-") and f.endswith(".txt"))
    if perf:
        w("perf samples of sio (`PROFILE=1`, first repetition): " +
          ", ".join(f"[{f}]({rel}/{f})" for f in perf) + ".")
    else:
        w("Not recorded in this run (`PROFILE=1 bench/run.sh` records perf samples of sio during "
          "the closed-loop echo and fanout).")
    w("")
    # The hand-written analysis (profiles, before/after of optimisations) lives in bench/profile.md.
    include_notes(w, "profile.md")
    w("## Reproduce")
    w("")
    w("`make bench` (full, about 16 minutes) or `bench/run.sh --quick`; `bench/run.sh editor` "
      "re-measures only the editor's document (about 4 minutes). Raw results: "
      f"`{rel}/results.jsonl` (one generator JSON line per run), log: `{rel}/run.log`.")
    with open(a.report, "w") as f:
        f.write("\n".join(L) + "\n")
    print(f"report: {a.report}")


if __name__ == "__main__":
    main()
