#!/usr/bin/env bash
# bench/editor-smoke-test.sh BIN_DIR: starts sio-apps (SQLite in a temporary directory) on a free
# loopback port and runs bench/node/editor-load.mjs briefly with 8 clients on one document: every
# client's text must end equal to the server's, with no operation refused. Registered with ctest
# (integration).
set -euo pipefail
BIN=$1
HERE="$(cd "$(dirname "$0")" && pwd)"
dir=$(mktemp -d)
pid=""
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT

: >"$dir/log"  # exists before the server's shell opens it: the loop below reads it at once
"$BIN/sio-apps" --port 0 --host 127.0.0.1 --workers 2 --trust-proxy loopback \
  --db "$dir/apps.db" >"$dir/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/log")
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "editor-smoke: sio-apps did not start" >&2
  cat "$dir/log" >&2
  exit 1
fi
# editor-load exits 1 when a client's text differs from the server's or an operation is refused.
node "$HERE/node/editor-load.mjs" --url "http://127.0.0.1:$port" --server-pid "$pid" \
  --clients 8 --processes 2 --duration 2 --warmup 0.5
