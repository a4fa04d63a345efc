#!/usr/bin/env bash
# sio's benchmark run (what `make bench` runs): every scenario against sio (build/bin/sio-bench-server)
# and the Node.js reference (bench/node/server.mjs), A/B alternated, a warm-up then REPS
# repetitions, the generator calibrated against a raw WebSocket server (sio-raw-echo); writes
# BENCHMARKS.md and the plots in bench/results/.
#
# Headline runs pin the server to core 1 (sio --workers 1) and the generator to core 0; sio's
# multi-worker figures are taken separately, unpinned. Server and generator CPU are sampled by the
# generator from /proc/<pid>/stat over each measurement window.
#
#   bench/run.sh            full run (about 16 minutes on 2 cores)
#   bench/run.sh --quick    short run (about 3 minutes): 1 repetition, fewer points, 2 s windows
#   bench/run.sh --smoke    tiny loads (about a minute): checks the script, not the servers
#   bench/run.sh editor     only the named sections (here the collaborative editor's document,
#                           about 4 minutes); the same as SECTIONS=editor bench/run.sh
#   bench/run.sh --quick metrics   only the metrics cost pair, short (about 2 minutes): counters
#                           on and off A/B alternated over METRICS_REPS repetitions (5 with
#                           --quick), each side's spread and the ratios paired by repetition
#   bench/run.sh --quick client    only the C++ client's cost (about a minute): sio-bench's
#                           lean client against sio's own (--ws-client sio) on sio-bench-server:
#                           generator RSS per connected client, CPU per message received
#   bench/run.sh --quick deflate   only WebSocket permessage-deflate (about 2 minutes): fanout
#                           and closed-loop echo of a 4 KB text payload, sio and Node, the
#                           extension off, on (context takeover) and nct (server_no_context_takeover:
#                           a broadcast's frame compressed once); CPU per delivery, wire bytes
#   bench/run.sh --quick cluster   only the cluster adapters (about 3 minutes): for each of
#                           pub/sub, streams and sharded, 2 sio nodes against 2 Node nodes (the
#                           matching npm adapter) on one private Redis 7, clients and senders
#                           split over both nodes; then how many nodes a broadcast to a room of
#                           one node reaches (bench/node/cluster-probe.mjs)
# Environment: BUILD (build dir, default build), REPS, DURATION, OUT (results dir), REPORT (file),
# PROFILE=1 (perf record of sio during the closed-loop echo and fanout: OUT/perf-*.txt),
# SECTIONS (default all: calibration connect connect_upgrade idle echo fanout rooms polling
# verify recovery multiworker tls metrics client deflate editor cluster msgpack): a subset re-measures only those and replaces their runs in OUT/results.jsonl;
# the report says which figures came from which run (e.g. SECTIONS=tls bench/run.sh);
# EDITOR_KS (the editor's client counts, default "1 8 32 64"); METRICS_REPS (the metrics pair's
# repetitions: REPS, or 5 with --quick, at least 3 for a spread).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

QUICK=0
named=()
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    --smoke) QUICK=2 ;;
    --*)
      echo "bench: unknown option $arg (--quick, --smoke, then section names)" >&2
      exit 2
      ;;
    *) named+=("$arg") ;;
  esac
done
[ ${#named[@]} -gt 0 ] && SECTIONS="${named[*]}"
REPS_GIVEN="${REPS:-}"
BUILD="${BUILD:-build}"
BIN="$ROOT/$BUILD/bin"
[[ "$BUILD" = /* ]] && BIN="$BUILD/bin"
OUT="${OUT:-$ROOT/bench/results}"
REPORT="${REPORT:-$ROOT/BENCHMARKS.md}"
PROFILE="${PROFILE:-0}"

if [ "$QUICK" = 2 ]; then  # checks the script itself: tiny loads, about a minute
  REPS="${REPS:-1}"; DURATION="${DURATION:-1}"; WARMUP=0.5
  CONNECT_N=500; UPGRADE_N=300; IDLE_NS="200 500"; IDLE_POLL_NS="200"; ECHO_CLIENTS=50; ECHO_RATES="500 2000"
  FANOUT_N=200; ROOMS_N=400; ROOMS_RATE=50; POLL_N=20; POLL_RATE=100; POLL_HIGH_RATE=500
  RECOVERY_SESSIONS=200; RECOVERY_PACKETS=1000; EDITOR_KS="${EDITOR_KS:-1 8}"
  CLUSTER_N=200; CLUSTER_RATE=50; CLIENT_IDLE_N=200
elif [ "$QUICK" = 1 ]; then
  REPS="${REPS:-1}"; DURATION="${DURATION:-2}"; WARMUP=1
  CONNECT_N=5000; UPGRADE_N=3000; IDLE_NS="1000 5000"; IDLE_POLL_NS="1000"; ECHO_CLIENTS=500; ECHO_RATES="5000 20000 40000 80000 120000"
  FANOUT_N=5000; ROOMS_N=5000; ROOMS_RATE=200; POLL_N=200; POLL_RATE=2000; POLL_HIGH_RATE=20000
  RECOVERY_SESSIONS=1000; RECOVERY_PACKETS=5000; EDITOR_KS="${EDITOR_KS:-1 8 32}"
  CLUSTER_N=1000; CLUSTER_RATE=200; CLIENT_IDLE_N=2000
else
  REPS="${REPS:-3}"; DURATION="${DURATION:-4}"; WARMUP=1
  CONNECT_N=10000; UPGRADE_N=5000; IDLE_NS="1000 4000 10000"; IDLE_POLL_NS="1000 10000"; ECHO_CLIENTS=1000
  ECHO_RATES="2000 5000 10000 20000 40000 80000 120000 160000"
  FANOUT_N=5000; ROOMS_N=10000; ROOMS_RATE=500; POLL_N=200; POLL_RATE=2000; POLL_HIGH_RATE=20000
  RECOVERY_SESSIONS=2000; RECOVERY_PACKETS=10000; EDITOR_KS="${EDITOR_KS:-1 8 32 64}"
  CLUSTER_N=2000; CLUSTER_RATE=300; CLIENT_IDLE_N=5000
fi
RECOVERY_PAYLOAD=100
DEFLATE_PAYLOAD=4096  # over the 1 KB threshold, text that compresses like chat
ROOM_SIZE=100
# The metrics pair compares two sides of one server whose difference is small: enough
# repetitions for a spread even in a quick run.
if [ "$QUICK" = 1 ] && [ -z "$REPS_GIVEN" ]; then
  METRICS_REPS="${METRICS_REPS:-5}"
else
  METRICS_REPS="${METRICS_REPS:-$REPS}"
fi

ALL_SECTIONS="calibration connect connect_upgrade idle echo fanout rooms polling verify recovery multiworker tls metrics client deflate editor cluster msgpack"
SECTIONS="${SECTIONS:-$ALL_SECTIONS}"
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
for s in $SECTIONS; do
  if [[ " $ALL_SECTIONS " != *" $s "* ]]; then
    echo "bench: unknown section $s (one of: $ALL_SECTIONS)" >&2
    exit 2
  fi
done

needed=()
[ "$SECTIONS" != editor ] && needed+=(sio-bench sio-bench-server sio-raw-echo)
if want cluster; then
  for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "bench: $tool missing (the cluster section)" >&2; exit 1; }
  done
  if [ ! -d bench/node/node_modules/@socket.io/redis-streams-adapter ]; then
    echo "bench: bench/node/node_modules lacks the Redis adapters (npm ci in bench/node)" >&2
    exit 1
  fi
fi
want editor && needed+=(sio-apps)
for b in "${needed[@]}"; do
  if [ ! -x "$BIN/$b" ]; then
    echo "bench: $BIN/$b missing (make bench builds it)" >&2
    exit 1
  fi
done
if [ "$SECTIONS" != tls ] && [ "$SECTIONS" != metrics ] && [ "$SECTIONS" != client ] &&
  [ ! -d bench/node/node_modules/socket.io-client ]; then
  echo "bench: bench/node/node_modules missing (scripts/deps.sh installs it)" >&2
  exit 1
fi

# Pinning: server on core 1, generator on core 0 (when there are two cores or more).
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  PIN_SERVER=(taskset -c 1)
  PIN_GEN=(taskset -c 0)
else
  PIN_SERVER=()
  PIN_GEN=()
fi
# Enough descriptors for the servers and the generator (root may raise the hard limit).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"

# The TLS scenarios' server certificate: self-signed, made for this run, removed at exit.
TLS_DIR=""
if want tls; then
  TLS_DIR=$(mktemp -d)
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null; then
    echo "bench: openssl could not make the TLS certificate" >&2
    exit 1
  fi
fi
PARTIAL=0
[ "$SECTIONS" != "$ALL_SECTIONS" ] && PARTIAL=1
# A partial run measures into its own file, then replaces those groups in results.jsonl.
MEASURED="$RESULTS"
[ "$PARTIAL" = 1 ] && MEASURED="$OUT/results.partial.jsonl"
LOG="$OUT/run.log"
: >"$MEASURED"
: >"$LOG"
START_TS=$(date +%s)

# Below the ephemeral range (32768-60999 here): the generator's many outgoing connections could
# otherwise hold the port a fresh server wants to listen on.
PORT=23000
SERVER_PID=""
SCHEME=http  # https while a TLS server runs
LAST_LINE=""
# start_server KIND [pin|nopin] [workers] [server args...]: starts a fresh server on a fresh port;
# sets SERVER_PID.
start_server() {
  local kind=$1 pin=${2:-pin} workers=${3:-1}
  shift $(($# < 3 ? $# : 3))
  local pre=()
  [ "$pin" = pin ] && pre=("${PIN_SERVER[@]}")
  PORT=$((PORT + 1))
  SCHEME=http
  case "$kind" in
    sio) "${pre[@]}" "$BIN/sio-bench-server" --port "$PORT" --workers "$workers" "$@" >>"$LOG" 2>&1 & ;;
    sio-nometrics)
      "${pre[@]}" "$BIN/sio-bench-server" --port "$PORT" --workers "$workers" --metrics 0 "$@" \
        >>"$LOG" 2>&1 &
      ;;
    sio-tls)
      SCHEME=https
      "${pre[@]}" "$BIN/sio-bench-server" --port "$PORT" --workers "$workers" \
        --tls-cert "$TLS_DIR/cert.pem" --tls-key "$TLS_DIR/key.pem" >>"$LOG" 2>&1 &
      ;;
    node) "${pre[@]}" node --expose-gc bench/node/server.mjs --port "$PORT" "$@" >>"$LOG" 2>&1 & ;;
    raw) "${pre[@]}" "$BIN/sio-raw-echo" --port "$PORT" >>"$LOG" 2>&1 & ;;
    apps)  # the demo host; the editor's load generator speaks for many users (X-Forwarded-For)
      "${pre[@]}" "$BIN/sio-apps" --port "$PORT" --host 127.0.0.1 --workers "$workers" \
        --trust-proxy loopback "$@" >>"$LOG" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "bench: $kind server did not start (see $LOG)" >&2
  return 1
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}
EDITOR_DIR=""

# A cluster (the cluster section): a private Redis and two nodes of one kind, pinned with the
# servers; CLUSTER_ARGS then replaces gen's one --url/--server-pid with theirs.
CLUSTER_DIR=""
REDIS_PID=""
NODE_PIDS=()
CLUSTER_ARGS=()
# start_redis [sharded]: a fresh redis-server on a fresh port (sharded: a Redis Cluster of this
# one node holding every slot, as the sharded adapters want a cluster); sets REDIS_PORT.
start_redis() {
  local extra=()
  PORT=$((PORT + 1))
  REDIS_PORT=$PORT
  rm -rf "$CLUSTER_DIR/redis" && mkdir -p "$CLUSTER_DIR/redis"
  # The cluster bus port (default: port + 10000) must stay out of the ephemeral range too.
  if [ "${1:-}" = sharded ]; then
    PORT=$((PORT + 1))
    extra=(--cluster-enabled yes --cluster-config-file nodes.conf --cluster-port "$PORT")
  fi
  "${PIN_SERVER[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" \
    --appendonly no --dir "$CLUSTER_DIR/redis" "${extra[@]}" >>"$LOG" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.05
  done
  [ "${1:-}" = sharded ] || return 0
  redis-cli -p "$REDIS_PORT" cluster addslotsrange 0 16383 >>"$LOG" 2>&1
  for _ in $(seq 1 300); do
    redis-cli -p "$REDIS_PORT" cluster info 2>/dev/null | grep -q cluster_state:ok && return 0
    sleep 0.05
  done
  echo "bench: the one-node Redis Cluster did not come up (see $LOG)" >&2
  return 1
}

# start_cluster KIND ADAPTER [MODE]: Redis, then two KIND (sio|node) nodes with ADAPTER (redis,
# redis-streams, redis-sharded; MODE: the sharded subscription mode), each waited for until it
# says it listens (sio: once its adapter is subscribed).
start_cluster() {
  local kind=$1 adapter=$2 mode=${3:-dynamic} kinds=(plain) urls=() pids=() i
  [ "$adapter" = redis-sharded ] && kinds=(sharded)
  [ -z "$CLUSTER_DIR" ] && CLUSTER_DIR=$(mktemp -d)
  if ! start_redis "${kinds[0]}"; then
    stop_cluster
    return 1
  fi
  local redis_args=(--redis "redis://127.0.0.1:$REDIS_PORT" --adapter "$adapter")
  [ "$adapter" = redis-sharded ] && redis_args+=(--sharded-mode "$mode")
  NODE_PIDS=()
  for i in 1 2; do
    PORT=$((PORT + 1))
    if [ "$kind" = sio ]; then
      "${PIN_SERVER[@]}" "$BIN/sio-bench-server" --port "$PORT" --workers 1 "${redis_args[@]}" \
        >"$CLUSTER_DIR/node$i.log" 2>&1 &
    else
      "${PIN_SERVER[@]}" node --expose-gc bench/node/server.mjs --port "$PORT" "${redis_args[@]}" \
        >"$CLUSTER_DIR/node$i.log" 2>&1 &
    fi
    NODE_PIDS+=($!)
    urls+=(--url "http://127.0.0.1:$PORT")
    pids+=(--server-pid "$!")
  done
  for i in 1 2; do
    for _ in $(seq 1 300); do
      grep -q listening "$CLUSTER_DIR/node$i.log" && break
      kill -0 "${NODE_PIDS[$((i - 1))]}" 2>/dev/null || break
      sleep 0.05
    done
    if ! grep -q listening "$CLUSTER_DIR/node$i.log"; then
      cat "$CLUSTER_DIR/node$i.log" >>"$LOG"
      echo "bench: $kind node $i ($adapter) did not start (see $LOG)" >&2
      stop_cluster
      return 1
    fi
  done
  CLUSTER_URL1="${urls[1]}"
  CLUSTER_ARGS=("${urls[@]}" "${pids[@]}" --redis-info "127.0.0.1:$REDIS_PORT")
}

stop_cluster() {
  local p
  for p in "${NODE_PIDS[@]}" $REDIS_PID; do kill "$p" 2>/dev/null; done
  for p in "${NODE_PIDS[@]}" $REDIS_PID; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  [ -n "$CLUSTER_DIR" ] && cat "$CLUSTER_DIR"/node*.log >>"$LOG" 2>/dev/null
  [ -n "$CLUSTER_DIR" ] && rm -f "$CLUSTER_DIR"/node*.log
  NODE_PIDS=()
  REDIS_PID=""
  CLUSTER_ARGS=()
}

trap 'stop_server; stop_cluster; [ -n "$TLS_DIR" ] && rm -rf "$TLS_DIR"; [ -n "$EDITOR_DIR" ] && rm -rf "$EDITOR_DIR"; [ -n "$CLUSTER_DIR" ] && rm -rf "$CLUSTER_DIR"' \
  EXIT INT TERM

# gen GROUP SERVER REP [pin|nopin] ARGS...: one generator run against the current server; its JSON
# line, tagged, goes to results.jsonl.
gen() {
  local group=$1 server=$2 rep=$3 pin=$4
  shift 4
  local pre=()
  [ "$pin" = pin ] && pre=("${PIN_GEN[@]}")
  local line perf_pid=""
  echo "--- $group $server rep=$rep: $*" >>"$LOG"
  # PROFILE=1: perf samples sio during the first repetition of the closed-loop echo and fanout.
  if [ "$PROFILE" = 1 ] && [ "$server" = sio ] && [ "$rep" = 1 ] && command -v perf >/dev/null &&
    { [ "$group" = echo_max ] || [ "$group" = fanout_max ]; }; then
    perf record -F 999 -g -p "$SERVER_PID" -o "$OUT/perf-$group.data" >>"$LOG" 2>&1 &
    perf_pid=$!
  fi
  local target=(--url "$SCHEME://127.0.0.1:$PORT" --server-pid "$SERVER_PID")
  [ ${#CLUSTER_ARGS[@]} -gt 0 ] && target=("${CLUSTER_ARGS[@]}")
  line=$("${pre[@]}" "$BIN/sio-bench" "${target[@]}" --json "$@" 2>>"$LOG" | tee -a "$LOG" |
    tail -n 1)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
    {
      perf report -i "$OUT/perf-$group.data" --no-children --sort dso --stdio -g none
      perf report -i "$OUT/perf-$group.data" --no-children --percent-limit 0.5 --stdio -g none
    } >"$OUT/perf-$group.txt" 2>>"$LOG"
  fi
  if [[ "$line" != \{* ]]; then
    line='{"failed":true}'
  fi
  local pid
  for pid in ${SERVER_PID:-} "${NODE_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && continue
    echo "bench: $server server died during $group (see $LOG)" >&2
    line="${line%\}},\"server_died\":true}"
    break
  done
  LAST_LINE=$line
  printf '{"group":"%s","server":"%s","rep":%s,"args":"%s","result":%s}\n' \
    "$group" "$server" "$rep" "$*" "$line" >>"$MEASURED"
  printf '  %-12s %-5s rep %s %s\n' "$group" "$server" "$rep" \
    "$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("failed" if r.get("failed") else "delivered/s=%s p99=%sms errors=%s srv_cpu=%s%% gen_cpu=%s%%%s%s" % (r.get("delivered_per_s"), r.get("latency_ms",{}).get("p99"), r.get("errors"), r.get("server_cpu_pct","-"), r.get("generator_cpu_pct","-"), " redis_us/delivery=%s" % r["redis_cpu_us_per_delivery"] if "redis_cpu_us_per_delivery" in r else "", " GENERATOR-BOUND" if r.get("generator_bound") else ""))' "$line")"
}

# recovery_mem GROUP SERVER REP: bench/node/recovery-memory.mjs against the current server; its JSON
# line, tagged, goes to results.jsonl.
recovery_mem() {
  local group=$1 server=$2 rep=$3 line
  echo "--- $group $server rep=$rep" >>"$LOG"
  line=$("${PIN_GEN[@]}" node bench/node/recovery-memory.mjs --url "http://127.0.0.1:$PORT" \
    --sessions "$RECOVERY_SESSIONS" --packets "$RECOVERY_PACKETS" --payload "$RECOVERY_PAYLOAD" \
    2>>"$LOG" | tee -a "$LOG" | tail -n 1)
  [[ "$line" != \{* ]] && line='{"failed":true}'
  printf '{"group":"%s","server":"%s","rep":%s,"args":"","result":%s}\n' \
    "$group" "$server" "$rep" "$line" >>"$MEASURED"
  printf '  %-12s %-5s rep %s %s\n' "$group" "$server" "$rep" "$line"
}

# editor_load GROUP REP [pin|nopin] K: bench/node/editor-load.mjs, K clients on one new document of
# the current sio-apps; its JSON line, tagged, goes to results.jsonl.
editor_load() {
  local group=$1 rep=$2 pin=$3 k=$4 line pre=() procs=1
  [ "$pin" = pin ] && pre=("${PIN_GEN[@]}")
  [ "$k" -ge 32 ] && procs=2
  echo "--- $group sio rep=$rep: clients=$k processes=$procs" >>"$LOG"
  line=$("${pre[@]}" node bench/node/editor-load.mjs --url "http://127.0.0.1:$PORT" \
    --server-pid "$SERVER_PID" --clients "$k" --processes "$procs" --duration "$DURATION" \
    --warmup "$WARMUP" --accounts "$EDITOR_DIR/accounts.json" 2>>"$LOG" | tee -a "$LOG" | tail -n 1)
  [[ "$line" != \{* ]] && line='{"failed":true}'
  printf '{"group":"%s","server":"sio","rep":%s,"args":"--clients %s","result":%s}\n' \
    "$group" "$rep" "$k" "$line" >>"$MEASURED"
  printf '  %-16s rep %s %s\n' "$group" "$rep" "$line"
}

# order REP: A/B alternation, "sio node" on even repetitions and "node sio" on odd ones.
order() { if [ $(($1 % 2)) -eq 0 ]; then echo "sio node"; else echo "node sio"; fi; }
tls_order() { if [ $(($1 % 2)) -eq 0 ]; then echo "sio sio-tls"; else echo "sio-tls sio"; fi; }
workers_order() { if [ $(($1 % 2)) -eq 0 ]; then echo "2 1"; else echo "1 2"; fi; }
metrics_order() {
  if [ $(($1 % 2)) -eq 0 ]; then echo "sio sio-nometrics"; else echo "sio-nometrics sio"; fi
}

common=(--duration "$DURATION" --warmup "$WARMUP")

echo "bench: results in $OUT, report $REPORT (reps=$REPS, window=${DURATION}s)"

if want calibration; then
  echo "== calibration: generator ceiling against sio-raw-echo"
  for rep in $(seq 1 "$REPS"); do
    start_server raw || continue
    gen calib_echo raw "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 "${common[@]}"
    gen calib_fanout raw "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 0 "${common[@]}"
    stop_server
    start_server raw || continue
    gen calib_connect raw "$rep" pin --scenario connect --clients "$CONNECT_N" --concurrency 512
    stop_server
  done
fi

# connect_runs GROUP SCENARIO CLIENTS CONCURRENCY WARMUP_CLIENTS WARMUP_CONCURRENCY: a fresh server
# per run, sio and Node A/B alternated, a warm-up repetition then REPS measured ones.
connect_runs() {
  local group=$1 scenario=$2 clients=$3 concurrency=$4 warmup_clients=$5 warmup_concurrency=$6
  local rep s
  for rep in $(seq 0 "$REPS"); do
    for s in $(order "$rep"); do
      start_server "$s" || continue
      if [ "$rep" = 0 ]; then  # warm-up
        gen warmup "$s" 0 pin --scenario "$scenario" --clients "$warmup_clients" \
          --concurrency "$warmup_concurrency"
      else
        gen "$group" "$s" "$rep" pin --scenario "$scenario" --clients "$clients" \
          --concurrency "$concurrency"
      fi
      stop_server
    done
  done
}

if want connect; then
  echo "== connect: $CONNECT_N WebSocket connections"
  connect_runs connect connect "$CONNECT_N" 512 1000 256  # the warm-up at the default concurrency
fi

# The default connect path of a browser: polling handshake, CONNECT over polling, probe, upgrade.
# Node holds the probe's poll up to 100 ms (engine.io's upgrade check), so many attempts run at once.
if want connect_upgrade; then
  echo "== connect_upgrade: $UPGRADE_N clients, polling then the WebSocket upgrade"
  connect_runs connect_upgrade connect-upgrade "$UPGRADE_N" 1024 500 1024
  for s in sio node; do
    start_server "$s" || continue
    gen verify_connect_upgrade "$s" 1 pin --verify --scenario connect-upgrade --clients 500 \
      --concurrency 1024
    stop_server
  done
fi

if want idle; then
  echo "== idle: server RSS per connection ($IDLE_NS)"
  for n in $IDLE_NS; do
    for rep in $(seq 1 "$REPS"); do
      for s in $(order "$rep"); do
        start_server "$s" || continue
        sleep 0.5  # let the fresh process settle before the baseline
        gen "idle_$n" "$s" "$rep" pin --scenario idle --clients "$n" --duration 3
        stop_server
      done
    done
  done
  # Idle polling sessions: each client holds one GET pending (and its keep-alive POST
  # connection), as a browser behind a proxy that blocks WebSocket does.
  echo "== idle polling: server RSS per polling session ($IDLE_POLL_NS)"
  for n in $IDLE_POLL_NS; do
    for rep in $(seq 1 "$REPS"); do
      for s in $(order "$rep"); do
        start_server "$s" || continue
        sleep 0.5
        gen "idle_polling_$n" "$s" "$rep" pin --scenario idle --transport polling --clients "$n" \
          --duration 3
        stop_server
      done
    done
  done
fi

if want echo; then
  echo "== echo: $ECHO_CLIENTS clients, offered rates $ECHO_RATES, then closed loop"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      start_server "$s" || continue
      gen warmup "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 --duration 2 \
        --warmup 0
      for r in $ECHO_RATES; do
        gen "echo_$r" "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate "$r" \
          "${common[@]}"
        # Past the first clearly overloaded rate, higher ones only measure a backlog: next server.
        if ! python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if not r.get("failed") and r.get("latency_ms",{}).get("p99",1e9) < 100 and r.get("errors",1) == 0 else 1)' "$LAST_LINE"; then
          break
        fi
      done
      gen echo_max "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 "${common[@]}"
      stop_server
    done
  done
fi

if want fanout; then
  echo "== fanout: one sender, a room of $FANOUT_N receivers"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      start_server "$s" || continue
      gen warmup "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 0 --duration 2 \
        --warmup 0
      gen fanout_max "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 0 "${common[@]}"
      gen fanout_w16 "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 0 --window 16 \
        "${common[@]}"
      gen fanout_10 "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 10 "${common[@]}"
      stop_server
    done
  done
fi

if want rooms; then
  echo "== rooms: $ROOMS_N receivers in rooms of $ROOM_SIZE, $ROOMS_RATE msgs/s"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      start_server "$s" || continue
      gen rooms "$s" "$rep" pin --scenario rooms --clients "$ROOMS_N" --room-size "$ROOM_SIZE" \
        --rate "$ROOMS_RATE" "${common[@]}"
      stop_server
    done
  done
fi

if want polling; then
  echo "== polling: $POLL_N polling-only clients, $POLL_RATE and $POLL_HIGH_RATE msgs/s"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      start_server "$s" || continue
      gen polling "$s" "$rep" pin --scenario polling --clients "$POLL_N" --rate "$POLL_RATE" \
        "${common[@]}"
      stop_server
      start_server "$s" || continue
      gen polling_high "$s" "$rep" pin --scenario polling --clients "$POLL_N" \
        --rate "$POLL_HIGH_RATE" "${common[@]}"
      stop_server
    done
  done
fi

if want verify; then
  echo "== correctness (--verify): exactly once, in order, intact payloads"
  for s in sio node; do
    start_server "$s" || continue
    gen verify_echo "$s" 1 pin --verify --scenario echo --clients 200 --rate 5000 --duration 2
    gen verify_fanout "$s" 1 pin --verify --scenario fanout --clients 1000 --rate 50 --duration 2
    gen verify_fanout_w16 "$s" 1 pin --verify --scenario fanout --clients 1000 --rate 0 --window 16 \
      --duration 2
    gen verify_rooms "$s" 1 pin --verify --scenario rooms --clients 2000 --room-size 50 \
      --rate 200 --duration 2
    gen verify_polling "$s" 1 pin --verify --scenario polling --clients 50 --rate 500 --duration 2
    stop_server
  done
fi

if want recovery; then
  echo "== recovery memory: $RECOVERY_SESSIONS dropped sessions, $RECOVERY_PACKETS logged broadcasts"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      for mode in on off; do
        args=()
        [ "$mode" = on ] && args=(--recovery 120000)
        start_server "$s" pin 1 "${args[@]}" || continue
        recovery_mem "recovery_$mode" "$s" "$rep"
        stop_server
      done
    done
  done
fi

if want msgpack; then
  # The parser: socket.io-msgpack-parser against the default JSON parser, on both servers, the
  # four (server, parser) pairs alternated within each repetition; closed-loop echo and fan-out.
  echo "== msgpack: closed-loop echo and fan-out, MessagePack parser against JSON, sio and Node"
  for rep in $(seq 1 "$REPS"); do
    for s in $(order "$rep"); do
      for parser in json msgpack; do
        start_server "$s" pin 1 --parser "$parser" || continue
        gen "parser_echo_$parser" "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" \
          --rate 0 --parser "$parser" "${common[@]}"
        gen "parser_fanout_$parser" "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" \
          --rate 0 --parser "$parser" "${common[@]}"
        stop_server
      done
    done
  done
fi

if want multiworker; then
  # Both worker counts unpinned in the same run, A/B alternated: the generator shares the two
  # cores with the workers, so what compares is msgs per server-CPU-second, not the rates.
  echo "== sio multi-worker (--workers 2 against --workers 1, nothing pinned; generator shares the cores)"
  for rep in $(seq 1 "$REPS"); do
    for workers in $(workers_order "$rep"); do
      label=sio
      [ "$workers" = 1 ] && label=sio-w1
      start_server sio nopin "$workers" || continue
      gen mw_echo_max "$label" "$rep" nopin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 \
        "${common[@]}"
      gen mw_fanout_max "$label" "$rep" nopin --scenario fanout --clients "$FANOUT_N" --rate 0 \
        "${common[@]}"
      stop_server
    done
  done
fi

if want tls; then
  echo "== tls: sio over TLS and over plain TCP, same run (Beast WebSocket client on both)"
  for rep in $(seq 1 "$REPS"); do
    for s in $(tls_order "$rep"); do
      start_server "$s" || continue
      gen warmup "$s" "$rep" pin --ws-client beast --scenario echo --clients "$ECHO_CLIENTS" \
        --rate 0 --duration 2 --warmup 0
      gen tls_echo_max "$s" "$rep" pin --ws-client beast --scenario echo --clients "$ECHO_CLIENTS" \
        --rate 0 "${common[@]}"
      gen tls_fanout_max "$s" "$rep" pin --ws-client beast --scenario fanout \
        --clients "$FANOUT_N" --rate 0 "${common[@]}"
      stop_server
    done
  done
fi

if want metrics; then
  echo "== metrics: sio with its counters on (the default) and off, same run ($METRICS_REPS reps)"
  for rep in $(seq 1 "$METRICS_REPS"); do
    for s in $(metrics_order "$rep"); do
      start_server "$s" || continue
      gen warmup "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 --duration 2 \
        --warmup 0
      gen metrics_echo_max "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" --rate 0 \
        "${common[@]}"
      gen metrics_fanout_max "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" --rate 0 \
        "${common[@]}"
      stop_server
    done
  done
fi

if want client; then
  echo "== client: sio's C++ client (--ws-client sio) against the generator's lean client," \
    "same server (sio-bench-server, pinned)"
  for rep in $(seq 1 "$REPS"); do
    start_server sio || continue
    for kind in lean sio; do
      gen "client_idle_$kind" sio "$rep" pin --ws-client "$kind" --scenario idle \
        --clients "$CLIENT_IDLE_N" "${common[@]}"
      gen "client_echo_max_$kind" sio "$rep" pin --ws-client "$kind" --scenario echo \
        --clients "$ECHO_CLIENTS" --rate 0 "${common[@]}"
      gen "client_fanout_max_$kind" sio "$rep" pin --ws-client "$kind" --scenario fanout \
        --clients "$FANOUT_N" --rate 0 "${common[@]}"
    done
    stop_server
  done
fi

if want deflate; then
  echo "== deflate: a ${DEFLATE_PAYLOAD}-byte text payload, fanout to $FANOUT_N and echo, sio and" \
    "Node, permessage-deflate off / on (context takeover) / nct (no server context takeover)"
  for rep in $(seq 1 "$REPS"); do
    for mode in off on nct; do
      for s in $(order "$rep"); do
        server_args=()
        gen_args=(--payload "$DEFLATE_PAYLOAD" "${common[@]}")
        if [ "$mode" != off ]; then
          server_args=(--per-message-deflate "$mode")
          gen_args+=(--deflate)
        fi
        start_server "$s" pin 1 "${server_args[@]}" || continue
        gen "deflate_${mode}_fanout_max" "$s" "$rep" pin --scenario fanout --clients "$FANOUT_N" \
          --rate 0 "${gen_args[@]}"
        gen "deflate_${mode}_echo_max" "$s" "$rep" pin --scenario echo --clients "$ECHO_CLIENTS" \
          --rate 0 "${gen_args[@]}"
        stop_server
      done
    done
  done
fi

if want editor; then
  echo "== editor: one document, K clients ($EDITOR_KS), sio-apps --workers 1 (pinned) and 2"
  # One database for the section: the accounts are made once, every run edits a new document.
  EDITOR_DIR=$(mktemp -d)
  for workers in 1 2; do
    pin=pin
    [ "$workers" -gt 1 ] && pin=nopin
    for rep in $(seq 1 "$REPS"); do
      start_server apps "$pin" "$workers" --db "$EDITOR_DIR/apps.db" || continue
      for k in $EDITOR_KS; do
        editor_load "editor_w${workers}_k$k" "$rep" "$pin" "$k"
      done
      stop_server
    done
  done
fi

# cluster_reach GROUP SERVER ADAPTER [MODE]: on the current cluster, how many nodes a broadcast to
# a room of the first node reaches (bench/node/cluster-probe.mjs); its JSON line goes to
# results.jsonl.
cluster_reach() {
  local group=$1 server=$2 adapter=$3 mode=${4:-dynamic} line
  echo "--- $group $server" >>"$LOG"
  line=$("${PIN_GEN[@]}" node bench/node/cluster-probe.mjs --url "$CLUSTER_URL1" \
    --redis "redis://127.0.0.1:$REDIS_PORT" --adapter "$adapter" --sharded-mode "$mode" \
    --nodes 2 2>>"$LOG" | tee -a "$LOG" | tail -n 1)
  [[ "$line" != \{* ]] && line='{"failed":true}'
  printf '{"group":"%s","server":"%s","rep":1,"args":"","result":%s}\n' \
    "$group" "$server" "$line" >>"$MEASURED"
  printf '  %-20s %-5s %s\n' "$group" "$server" "$line"
}

if want cluster; then
  echo "== cluster: 2 nodes on one private Redis 7 per adapter, sio against Node ($CLUSTER_N" \
    "receivers over both nodes, a sender on each)"
  for adapter in redis redis-streams redis-sharded; do
    for rep in $(seq 1 "$REPS"); do
      for s in $(order "$rep"); do
        start_cluster "$s" "$adapter" || continue
        gen cluster_warmup "$s" "$rep" pin --scenario fanout --clients "$CLUSTER_N" --senders 2 \
          --rate 0 --window 16 --duration 1 --warmup 0
        gen "cluster_${adapter}_max" "$s" "$rep" pin --scenario fanout --clients "$CLUSTER_N" \
          --senders 2 --rate 0 --window 16 "${common[@]}"
        gen "cluster_${adapter}_rooms" "$s" "$rep" pin --scenario rooms --clients "$CLUSTER_N" \
          --room-size "$ROOM_SIZE" --senders 2 --rate "$CLUSTER_RATE" "${common[@]}"
        stop_cluster
      done
    done
  done
  echo "== cluster reach: a broadcast to a room that exists on one of the 2 nodes"
  for s in sio node; do
    for spec in redis redis-streams redis-sharded:dynamic redis-sharded:static; do
      adapter=${spec%%:*}
      mode=dynamic
      [[ "$spec" == *:* ]] && mode=${spec#*:}
      start_cluster "$s" "$adapter" "$mode" || continue
      cluster_reach "cluster_reach_${spec/:/_}" "$s" "$adapter" "$mode"
      stop_cluster
    done
  done
fi

ELAPSED=$(($(date +%s) - START_TS))
echo "== report (run took ${ELAPSED}s)"
python3 bench/report.py --results "$RESULTS" --measured "$MEASURED" --sections "$SECTIONS" \
  --partial "$PARTIAL" --out "$OUT" --report "$REPORT" \
  --elapsed "$ELAPSED" --reps "$([ "$SECTIONS" = metrics ] && echo "$METRICS_REPS" || echo "$REPS")" --duration "$DURATION" --quick "$QUICK"
