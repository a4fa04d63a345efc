#!/usr/bin/env bash
# Runs official test suites of the socketio/socket.io repository against sio. They are not part of
# this tree: point the script at a checkout of that repository, or at an archive of it (.tar.gz,
# .tgz, .tar, .zip), which is extracted into a temporary directory for the run:
#
#   scripts/run-official-suites.sh SOURCE [WHICH]
#
# WHICH: engineio | socketio | both (default: the protocol suites) | engineio-client |
#        socketio-client | clients (the two client suites) | all
#
# Protocol suites (docs/engine.io-protocol/v4-test-suite, docs/socket.io-protocol/v5-test-suite)
# run against sio-conformance-server. SOURCE may also hold them directly as v4-test-suite/ and
# v5-test-suite/. Their npm dependencies are installed in place on first use.
#   SERVER=path     server to test (default build/bin/sio-conformance-server; a .mjs/.js runs with node,
#                   e.g. tests/interop/reference-server.mjs for the Node.js reference)
#   SERVER_ARGS     extra arguments for the server
#   PORT=3000       the suites target localhost:3000; another port runs a patched copy of the suite
#
# Client suites (packages/engine.io-client, packages/socket.io-client) run in Node.js mode, as their
# `test:node` scripts do, against their own Node.js fixture (the unmodified test/support/hooks) and
# against build/bin/sio-client-fixture (--suite ..., ports 3000 and 3210, which the suites hard-code):
# each package is copied into a temporary directory, its npm dependencies are installed there (the
# versions of the repository's root package.json; the Node.js fixture's socket.io / engine.io as
# pinned in tests/js), it is compiled (`npm run compile`), and for the sio runs mocha loads
# test/support/hooks-sio.js, written at run time, which starts nothing, instead of the hook that
# starts Node's fixture. Differences from `test:node`:
#   - engine.io-client: test/webtransport.mjs is not loaded (WebTransport needs HTTP/3, which sio
#     does not serve), and --bail is dropped so that every test is counted;
#   - both: --exit, since the sio fixture outlives mocha (open client sockets would keep it alive).
# Each mocha run is its own process group, ended afterwards: the autoUnref tests leave a client
# process behind (they kill only the shell that started it).
#   FIXTURES="node sio"  which fixtures to run against
#   WORKERS="1 4"        worker counts of the sio fixture (one run each)
#   CLIENT_FIXTURE=path  default build/bin/sio-client-fixture
# Tests that cannot pass against any server but Node's own fixture: none known. The fixture turns
# connection state recovery on, as Node's does (the suite's "connection state recovery" test). Some
# tests are timing-sensitive, against either server, on
# a loaded machine: socket.io-client's autoUnref tests (a child process must connect within mocha's
# 2 s); socket "should not timeout when the server does acknowledge the event" (connect, with the
# fixture's 10 ms allowRequest, and ack within 50 ms); retry "should not emit a packet twice in
# the 'connect' handler" (counts every Engine.IO packet received within 100 ms: an upgrade's noop in
# that window fails it; both servers send that noop 100 ms after the probe, so only a slow run of
# the test itself sees it); and
# connection "reconnect timeout" (a Manager without URL connects to localhost:80, where nothing
# listens: when the refusal is seen within the fake clock's first 500 ms it fails, leaves the fake
# timers installed, and every later test of the run then times out).
#
# Prints each mocha report, then one line per run, the tests that passed against Node's fixture but
# not against sio, and a total over the sio runs: "N passed, N failed". Exits 0 when nothing failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)

usage() {
  sed -n '2,48p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}
[ $# -ge 1 ] || usage
WHICH=${2:-both}
SERVER=${SERVER:-$ROOT/build/bin/sio-conformance-server}
SERVER_ARGS=${SERVER_ARGS:-}
PORT=${PORT:-3000}
FIXTURES=${FIXTURES:-node sio}
WORKERS=${WORKERS:-1 4}
CLIENT_FIXTURE=${CLIENT_FIXTURE:-$ROOT/build/bin/sio-client-fixture}

case "$WHICH" in
  engineio) PROTOCOLS=(v4-test-suite) CLIENTS=() ;;
  socketio) PROTOCOLS=(v5-test-suite) CLIENTS=() ;;
  both) PROTOCOLS=(v4-test-suite v5-test-suite) CLIENTS=() ;;
  engineio-client) PROTOCOLS=() CLIENTS=(engine.io-client) ;;
  socketio-client) PROTOCOLS=() CLIENTS=(socket.io-client) ;;
  clients) PROTOCOLS=() CLIENTS=(engine.io-client socket.io-client) ;;
  all) PROTOCOLS=(v4-test-suite v5-test-suite) CLIENTS=(engine.io-client socket.io-client) ;;
  *) usage ;;
esac

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_port() {
  if port_open "$1"; then
    echo "run-official-suites: something already listens on port $1; stop it first" >&2
    exit 2
  fi
}

# Starts "$@" in the background and waits until it listens on port $1 (first argument).
start_server() {
  local port=$1
  shift
  "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 150); do
    port_open "$port" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run-official-suites: server did not start on port $port:" >&2
  cat "$WORK/server.log" >&2
  exit 2
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=
}

# False (and the log shown) when the server died during a run.
server_survived() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then return 0; fi
  echo "run-official-suites: the server died during the run; its log:" >&2
  cat "$WORK/server.log" >&2
  return 1
}

# The directory holding the repository: SOURCE itself, or SOURCE extracted.
SOURCE=$1
if [ -f "$SOURCE" ]; then
  mkdir -p "$WORK/source"
  case "$SOURCE" in
    *.zip) unzip -q "$SOURCE" -d "$WORK/source" ;;
    *) tar -xf "$SOURCE" -C "$WORK/source" ;;
  esac || { echo "run-official-suites: cannot extract $SOURCE" >&2; exit 2; }
  # GitHub archives have one top-level directory.
  SUITES=$WORK/source
  entries=("$SUITES"/*)
  [ ${#entries[@]} -eq 1 ] && [ -d "${entries[0]}" ] && SUITES=${entries[0]}
else
  SUITES=$(cd "$SOURCE" && pwd) || usage
fi

total_pass=0
total_fail=0
summary=()

# --- protocol suites -----------------------------------------------------------------------------

find_suite() { # name -> directory
  for d in "$SUITES/$1" "$SUITES/docs/engine.io-protocol/$1" "$SUITES/docs/socket.io-protocol/$1"; do
    if [ -f "$d/test-suite.js" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

run_protocol_suites() {
  local cmd
  if [[ "$SERVER" == *.mjs || "$SERVER" == *.js ]]; then
    cmd=(node "$SERVER")
  else
    cmd=("$SERVER")
    if [ ! -x "$SERVER" ]; then
      echo "run-official-suites: no server binary at $SERVER (build it, or set SERVER=)" >&2
      exit 2
    fi
  fi
  require_free_port "$PORT"
  # shellcheck disable=SC2086
  start_server "$PORT" "${cmd[@]}" $SERVER_ARGS --port "$PORT"
  local name dir suite_file pass fail expected missing
  for name in "${PROTOCOLS[@]}"; do
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
    (cd "$dir" && npx --no-install mocha --reporter spec --timeout 10000 "$suite_file") 2>&1 |
      tee "$WORK/$name.out"
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
  server_survived || total_fail=$((total_fail + 1))
  stop_server
}

# --- client suites -------------------------------------------------------------------------------

# Spec on the console, and the titles of passed / failed / pending tests as JSON in $SIO_RESULTS.
write_reporter() {
  cat >"$1" <<'EOF'
const fs = require("fs");
const { Spec } = require("mocha").reporters;
class SpecAndResults extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const r = { passed: new Set(), failed: new Set(), pending: new Set() };
    runner.on("pass", (t) => r.passed.add(t.fullTitle()));
    runner.on("fail", (t) => r.failed.add(t.fullTitle()));
    runner.on("pending", (t) => r.pending.add(t.fullTitle()));
    runner.once("end", () => {
      for (const t of r.failed) r.passed.delete(t);
      const out = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v]]));
      fs.writeFileSync(process.env.SIO_RESULTS, JSON.stringify(out));
    });
  }
}
module.exports = SpecAndResults;
EOF
}

# npm packages (name@range) a client suite needs beyond its own dependencies: the root
# package.json's devDependencies when the source has one, else the ranges below.
suite_dev_deps() {
  local names fallback
  case "$1" in
    socket.io-client)
      names="mocha tsx expect.js has-cors @sinonjs/fake-timers text-blob-builder base64-arraybuffer
             typescript @types/node @types/mocha rimraf"
      ;;
    engine.io-client)
      names="mocha expect.js @sinonjs/fake-timers blob typescript @types/node rimraf express cookie
             rollup @rollup/plugin-node-resolve @rollup/plugin-commonjs @rollup/plugin-babel
             @babel/core @babel/preset-env @babel/plugin-transform-object-assign
             rollup-plugin-terser"
      ;;
  esac
  fallback='{"mocha":"^10.6.0","tsx":"~4.20.6","expect.js":"^0.3.1","has-cors":"^1.1.0",
    "@sinonjs/fake-timers":"^11.2.2","text-blob-builder":"^0.0.1","base64-arraybuffer":"^1.0.2",
    "typescript":"^5.5.3","@types/node":"^20.0.0","@types/mocha":"^10.0.7","rimraf":"^6.0.0",
    "blob":"^0.1.0","express":"^4.19.2","cookie":"~0.7.2","rollup":"^2.79.1",
    "@rollup/plugin-node-resolve":"^15.2.3","@rollup/plugin-commonjs":"^26.0.1",
    "@rollup/plugin-babel":"^6.0.4","@babel/core":"^7.24.7","@babel/preset-env":"^7.24.7",
    "@babel/plugin-transform-object-assign":"^7.24.7","rollup-plugin-terser":"^7.0.2"}'
  # shellcheck disable=SC2086,SC2016 # word-split names; JavaScript in single quotes
  ROOT_PKG="$SUITES/package.json" FALLBACK="$fallback" node -e '
    const fs = require("fs");
    let dev = {};
    try { dev = JSON.parse(fs.readFileSync(process.env.ROOT_PKG, "utf8")).devDependencies || {}; }
    catch {}
    const fallback = JSON.parse(process.env.FALLBACK);
    console.log(process.argv.slice(1).map((n) => `${n}@${dev[n] || fallback[n]}`).join(" "));
  ' $names
}

# The Node.js fixture's server package, at the version tests/js pins.
node_fixture_dep() {
  local name=socket.io
  [ "$1" = engine.io-client ] && name=engine.io
  # shellcheck disable=SC2016 # JavaScript in single quotes
  node -e 'const p = require(process.argv[1]); const n = process.argv[2];
           console.log(`${n}@${p.devDependencies[n]}`)' "$ROOT/tests/js/package.json" "$name"
}

# Copies and prepares package $1 in $WORK/$1 (outside the monorepo, so npm sees no workspaces).
prepare_client_suite() {
  local pkg=$1 dir=$WORK/$1
  if [ ! -f "$SUITES/packages/$pkg/package.json" ]; then
    echo "run-official-suites: packages/$pkg not found under $SUITES" >&2
    exit 2
  fi
  cp -r "$SUITES/packages/$pkg" "$dir"
  rm -rf "$dir/node_modules" "$dir/build"
  echo "=== $pkg: installing its dependencies and compiling it in $dir ==="
  # shellcheck disable=SC2046
  (cd "$dir" && npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    $(suite_dev_deps "$pkg") "$(node_fixture_dep "$pkg")") || exit 2
  (cd "$dir" && npm run --silent compile) || exit 2
  echo 'exports.mochaHooks = {};' >"$dir/test/support/hooks-sio.js"
  write_reporter "$dir/test/support/sio-reporter.js"
}

# Runs mocha for package $1 with hook file $2; results in $3 (JSON), output in $3.out.
run_mocha() {
  local pkg=$1 hooks=$2 results=$3 args
  if [ "$pkg" = socket.io-client ]; then
    args=(--import=tsx --require "$hooks" --exit test/index.ts)
  else
    args=(--require "$hooks" --exit test/index.js)
  fi
  rm -f "$results"
  # shellcheck disable=SC2016 # expanded by the inner shell
  (cd "$WORK/$pkg" && SIO_RESULTS=$results timeout 900 setsid bash -c \
    'echo $$ >"$0.pgid"; exec npx --no-install mocha --reporter test/support/sio-reporter.js "$@"' \
    "$results" "${args[@]}") 2>&1 | tee "$results.out"
  kill -- -"$(cat "$results.pgid")" 2>/dev/null
  [ -f "$results" ] || echo '{"passed":[],"failed":["(the run ended without a report)"],"pending":[]}' >"$results"
}

# The numbers of passed, failed and pending tests of a results file.
count_results() {
  node -e 'const r = require(process.argv[1]);
           console.log(r.passed.length, r.failed.length, r.pending.length)' "$1"
}

# Tests that passed in results $1 but not in $2.
regressions() {
  node -e 'const a = require(process.argv[1]), b = new Set(require(process.argv[2]).passed);
           for (const t of a.passed) if (!b.has(t)) console.log("    " + t);' "$1" "$2"
}

run_client_suite() {
  local pkg=$1 port=3210 fixture w res p f n
  [ "$pkg" = engine.io-client ] && port=3000
  prepare_client_suite "$pkg"
  for fixture in $FIXTURES; do
    if [ "$fixture" = node ]; then
      require_free_port "$port"
      res=$WORK/$pkg-node.json
      echo "=== $pkg against its Node.js fixture ==="
      run_mocha "$pkg" "test/support/hooks.$([ "$pkg" = socket.io-client ] && echo ts || echo js)" "$res"
      read -r p f n < <(count_results "$res")
      summary+=("$pkg, Node.js fixture: $p/$((p + f)) passed ($n pending)")
      continue
    fi
    if [ ! -x "$CLIENT_FIXTURE" ]; then
      echo "run-official-suites: no fixture binary at $CLIENT_FIXTURE (build sio-client-fixture)" >&2
      exit 2
    fi
    for w in $WORKERS; do
      require_free_port "$port"
      start_server "$port" "$CLIENT_FIXTURE" --suite "$pkg" --port "$port" --workers "$w"
      res=$WORK/$pkg-sio-w$w.json
      echo "=== $pkg against sio-client-fixture --workers $w ==="
      run_mocha "$pkg" test/support/hooks-sio.js "$res"
      read -r p f n < <(count_results "$res")
      server_survived || f=$((f + 1))
      stop_server
      summary+=("$pkg, sio --workers $w: $p/$((p + f)) passed ($n pending)")
      if [ -f "$WORK/$pkg-node.json" ]; then
        local lost
        lost=$(regressions "$WORK/$pkg-node.json" "$res")
        [ -n "$lost" ] && summary+=("  passed against Node.js, not against sio --workers $w:" "$lost")
      fi
      total_pass=$((total_pass + p))
      total_fail=$((total_fail + f))
    done
  done
}

[ ${#PROTOCOLS[@]} -gt 0 ] && run_protocol_suites
for pkg in "${CLIENTS[@]}"; do run_client_suite "$pkg"; done

echo
for line in "${summary[@]}"; do echo "$line"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
