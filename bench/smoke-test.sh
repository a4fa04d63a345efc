#!/usr/bin/env bash
# bench/smoke-test.sh BIN_DIR sio|raw: starts that bench server on a free loopback port and runs
# sio-bench in --verify mode over every message scenario at low rates: every message must arrive
# exactly once, in order, intact, with no connection lost. Registered with ctest (integration).
set -euo pipefail
BIN=$1
KIND=$2
log=$(mktemp)
case "$KIND" in
  sio) "$BIN/sio-bench-server" --port 0 --workers 2 >"$log" 2>&1 & ;;
  raw) "$BIN/sio-raw-echo" --port 0 >"$log" 2>&1 & ;;
  *) echo "usage: $0 BIN_DIR sio|raw" >&2; exit 2 ;;
esac
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "smoke-test: $KIND server did not start" >&2
  cat "$log" >&2
  exit 1
fi

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
fi
echo "smoke-test: $KIND OK"
