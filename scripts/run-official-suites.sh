#!/usr/bin/env bash
# Runs the official Engine.IO v4 and Socket.IO v5 protocol test suites against the conformance server.
# The suites are not part of this tree: extract docs/engine.io-protocol/v4-test-suite and
# docs/socket.io-protocol/v5-test-suite of the socketio/socket.io repository somewhere, then
#
#   scripts/run-official-suites.sh SUITES_DIR [engineio|socketio|both]
#
# SUITES_DIR holds the two suites, either as docs/<protocol>/<suite> (a checkout or extracted archive)
# or directly as v4-test-suite/ and v5-test-suite/. Their npm dependencies are installed on first use.
# Environment:
#   SERVER=path     server to test (default build/bin/sio-conformance-server; a .mjs/.js runs with node,
#                   e.g. tests/interop/reference-server.mjs for the Node.js reference)
#   SERVER_ARGS     extra arguments for the server
#   PORT=3000       the suites target localhost:3000; another port runs a patched copy of the suite
# Prints each suite's mocha report, then one line per suite and a total: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}
[ $# -ge 1 ] || usage
SUITES=$(cd "$1" && pwd) || usage
WHICH=${2:-both}
SERVER=${SERVER:-$ROOT/build/bin/sio-conformance-server}
SERVER_ARGS=${SERVER_ARGS:-}
PORT=${PORT:-3000}

find_suite() { # name -> directory
  for d in "$SUITES/$1" "$SUITES/docs/engine.io-protocol/$1" "$SUITES/docs/socket.io-protocol/$1"; do
    if [ -f "$d/test-suite.js" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

case "$WHICH" in
  engineio) NAMES=(v4-test-suite) ;;
  socketio) NAMES=(v5-test-suite) ;;
  both) NAMES=(v4-test-suite v5-test-suite) ;;
  *) usage ;;
esac

if [[ "$SERVER" == *.mjs || "$SERVER" == *.js ]]; then
  SERVER_CMD=(node "$SERVER")
else
  SERVER_CMD=("$SERVER")
fi
if [ "${SERVER_CMD[0]}" != node ] && [ ! -x "$SERVER" ]; then
  echo "run-official-suites: no server binary at $SERVER (build it, or set SERVER=)" >&2
  exit 2
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open "$PORT"; then
  echo "run-official-suites: something already listens on port $PORT; stop it or set PORT=" >&2
  exit 2
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2086
"${SERVER_CMD[@]}" $SERVER_ARGS --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do
  port_open "$PORT" && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if ! port_open "$PORT"; then
  echo "run-official-suites: server did not start on port $PORT:" >&2
  cat "$WORK/server.log" >&2
  exit 2
fi

total_pass=0
total_fail=0
summary=()
for name in "${NAMES[@]}"; do
  dir=$(find_suite "$name") || {
    echo "run-official-suites: $name not found under $SUITES" >&2
    exit 2
  }
  if [ ! -d "$dir/node_modules/mocha" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || exit 2
  fi
  suite_file=test-suite.js
  if [ "$PORT" != 3000 ]; then
    suite_file=".test-suite-port-$PORT.js"
    sed "s#localhost:3000#localhost:$PORT#g" "$dir/test-suite.js" >"$dir/$suite_file"
  fi
  echo "=== $name ($dir) ==="
  (cd "$dir" && npx --no-install mocha --reporter spec --timeout 10000 "$suite_file") 2>&1 | tee "$WORK/$name.out"
  [ "$suite_file" != test-suite.js ] && rm -f "$dir/$suite_file"
  pass=$(grep -Eo '^ +[0-9]+ passing' "$WORK/$name.out" | grep -Eo '[0-9]+' | tail -1)
  fail=$(grep -Eo '^ +[0-9]+ failing' "$WORK/$name.out" | grep -Eo '[0-9]+' | tail -1)
  expected=$(grep -cE '^\s*it\(' "$dir/test-suite.js")
  pass=${pass:-0}
  fail=${fail:-0}
  # Tests that never reported (a crashed run) count as failed.
  missing=$((expected - pass - fail))
  [ "$missing" -gt 0 ] && fail=$((fail + missing))
  summary+=("$name: $pass passed, $fail failed (of $expected)")
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
done

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "run-official-suites: the server died during the run; its log:" >&2
  cat "$WORK/server.log" >&2
  total_fail=$((total_fail + 1))
fi

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
