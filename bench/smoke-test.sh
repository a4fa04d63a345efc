#!/usr/bin/env bash
# bench/smoke-test.sh BIN_DIR sio|raw: starts that bench server on a free loopback port and runs
# sio-bench in --verify mode over every message scenario at low rates: every message must arrive
# exactly once, in order, intact, with no connection lost (for sio also through sio's own C++
# client, --ws-client sio, and over the polling-then-upgrade connect path). For sio it then runs
# the recovery memory probe (bench/node/recovery-memory.mjs) against a server with recovery on:
# the dropped clients' sessions and the broadcasts' log must show in its heap. Registered with
# ctest (integration).
set -euo pipefail
BIN=$1
KIND=$2
HERE="$(cd "$(dirname "$0")" && pwd)"
log=$(mktemp)
pid=""
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

# start_server ARGS...: starts the bench server; sets pid and port.
start_server() {
  case "$KIND" in
    sio) "$BIN/sio-bench-server" --port 0 "$@" >"$log" 2>&1 & ;;
    raw) "$BIN/sio-raw-echo" --port 0 >"$log" 2>&1 & ;;
    *) echo "usage: $0 BIN_DIR sio|raw" >&2; exit 2 ;;
  esac
  pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "smoke-test: $KIND server did not start" >&2
  cat "$log" >&2
  exit 1
}

stop_server() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

start_server --workers 2

run() {
  echo "== sio-bench $*"
  "$BIN/sio-bench" --url "http://127.0.0.1:$port" --server-pid "$pid" --verify --duration 1 \
    --warmup 0.2 "$@"
}
run --scenario connect --clients 300
run --scenario echo --clients 50 --rate 500
run --scenario echo --clients 20 --rate 0 --threads 2
run --scenario fanout --clients 200 --rate 20
run --scenario rooms --clients 300 --room-size 30 --rate 50
if [ "$KIND" = sio ]; then  # the raw server speaks WebSocket only
  run --scenario polling --clients 10 --rate 100
  # A browser's connect path: polling handshake, CONNECT over polling, then the upgrade.
  run --scenario connect-upgrade --clients 200
  # The same load through sio's own C++ client (sio::client).
  run --ws-client sio --scenario echo --clients 50 --rate 500
  run --ws-client sio --scenario fanout --clients 200 --rate 20
  run --ws-client sio --scenario rooms --clients 300 --room-size 30 --rate 50
fi
stop_server

if [ "$KIND" = sio ]; then
  start_server --workers 2 --recovery 60000
  echo "== recovery-memory.mjs"
  out=$(node "$HERE/node/recovery-memory.mjs" --url "http://127.0.0.1:$port" --sessions 100 \
    --packets 500)
  echo "$out"
  node -e 'const r = JSON.parse(process.argv[1]);
    if (!(r.session_bytes > 0 && r.packet_bytes >= r.payload_bytes)) process.exit(1);' "$out"
  stop_server
fi
echo "smoke-test: $KIND OK"
