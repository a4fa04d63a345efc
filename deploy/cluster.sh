#!/usr/bin/env bash
# Starts a sio-chat cluster on loopback: Redis, PostgreSQL, N sio-chat nodes (Redis adapter,
# shared PostgreSQL database) and nginx balancing them with sticky sessions
# (deploy/nginx.conf.template). Everything lives in one run folder; Ctrl-C (or SIGTERM) stops it
# all and removes the folder.
#
#   deploy/cluster.sh                 # 3 nodes, nginx on http://127.0.0.1:8100
#   NODES=5 PORT=9000 deploy/cluster.sh
#
# Environment (all optional):
#   NODES         number of sio-chat nodes (default 3)
#   PORT          nginx port (default 8100); REDIS_PORT (PORT+1), PG_PORT (PORT+2)
#   NODE_PORTS    comma-separated node ports (default PORT+10, PORT+11, ...)
#   SIO_CHAT_BIN  the sio-chat binary (default build/bin/sio-chat of this repository)
#   WEB_DIR       the built front end (default: sio-chat's own default)
#   WORKERS       worker threads per node (default 2)
#   NODE_ARGS     more sio-chat flags for every node, separated by spaces (e.g.
#                 "--tictactoe-away 10 --auction-extension 15")
#   RUN_DIR       the run folder (default: a new one under $TMPDIR, removed at exit; a given
#                 folder is kept)
#   PG_BINDIR     PostgreSQL binaries (default: the newest /usr/lib/postgresql/<v>/bin)
#
# Once everything answers it prints "cluster ready: http://127.0.0.1:<PORT>" and writes
# $RUN_DIR/cluster.env (ports, URLs, pid files) for scripts and tests. As root, PostgreSQL runs
# as the `postgres` user (it refuses root) and nginx workers as nginx's default user.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"

NODES="${NODES:-3}"
PORT="${PORT:-8100}"
REDIS_PORT="${REDIS_PORT:-$((PORT + 1))}"
PG_PORT="${PG_PORT:-$((PORT + 2))}"
WORKERS="${WORKERS:-2}"
SIO_CHAT_BIN="${SIO_CHAT_BIN:-$repo/build/bin/sio-chat}"
HOST=127.0.0.1

if [ -n "${NODE_PORTS:-}" ]; then
  IFS=, read -r -a node_ports <<<"$NODE_PORTS"
  NODES="${#node_ports[@]}"
else
  node_ports=()
  for ((i = 0; i < NODES; i++)); do node_ports+=($((PORT + 10 + i))); done
fi
[ "$NODES" -ge 1 ] || { echo "cluster: NODES must be at least 1" >&2; exit 2; }

die() { echo "cluster: $*" >&2; exit 1; }
[ -x "$SIO_CHAT_BIN" ] || die "no sio-chat binary at $SIO_CHAT_BIN (build it, or set SIO_CHAT_BIN)"
command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX" ] || die "nginx not found (apt-get install nginx)"
if [ -z "${PG_BINDIR:-}" ]; then
  PG_BINDIR="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V |
    tail -n 1 || true)"
  [ -n "$PG_BINDIR" ] || PG_BINDIR="$(dirname "$(command -v initdb || echo /nonexistent/initdb)")"
fi
[ -x "$PG_BINDIR/initdb" ] || die "PostgreSQL binaries not found (apt-get install postgresql)"

keep_run_dir=1
if [ -z "${RUN_DIR:-}" ]; then
  RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sio-cluster.XXXXXX")"
  keep_run_dir=0
fi
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"
# PostgreSQL (as postgres) and nginx workers must reach their files inside.
chmod 755 "$RUN_DIR"

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a postgres user to run PostgreSQL"
  as_pg=(runuser -u postgres --)
fi

log() { echo "cluster: $*"; }

# --- stop everything on exit (only what this script started, by pid) ------------------------
stopping=0
nginx_pid=""
cleanup() {
  [ "$stopping" -eq 1 ] && return
  stopping=1
  trap - INT TERM
  log "stopping"
  local f pid
  if [ -n "$nginx_pid" ]; then kill -TERM "$nginx_pid" 2>/dev/null || true; fi
  for f in "$RUN_DIR"/nginx.pid "$RUN_DIR"/node-*.pid "$RUN_DIR"/redis.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f" 2>/dev/null || true)"
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  if [ -f "$RUN_DIR/pg/data/postmaster.pid" ]; then
    "${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$RUN_DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  # Give the nodes a moment to stop gracefully, then make sure.
  for _ in $(seq 1 50); do
    local alive=0
    for f in "$RUN_DIR"/nginx.pid "$RUN_DIR"/node-*.pid "$RUN_DIR"/redis.pid; do
      [ -f "$f" ] || continue
      pid="$(cat "$f" 2>/dev/null || true)"
      [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for f in "$RUN_DIR"/nginx.pid "$RUN_DIR"/node-*.pid "$RUN_DIR"/redis.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f" 2>/dev/null || true)"
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [ "$keep_run_dir" -eq 0 ]; then rm -rf "$RUN_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits until `cmd...` succeeds (every 100 ms, at most $1 seconds).
wait_until() {
  local seconds="$1"
  shift
  local tries=$((seconds * 10))
  until "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.1
  done
}
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# --- Redis ----------------------------------------------------------------------------------
mkdir -p "$RUN_DIR/redis"
cat >"$RUN_DIR/redis.conf" <<EOF
port $REDIS_PORT
bind $HOST
protected-mode yes
daemonize no
pidfile $RUN_DIR/redis.pid
logfile $RUN_DIR/redis.log
dir $RUN_DIR/redis
save ""
appendonly no
EOF
redis-server "$RUN_DIR/redis.conf" &
echo $! >"$RUN_DIR/redis.pid"
wait_until 10 port_open "$REDIS_PORT" || die "Redis did not start (see $RUN_DIR/redis.log)"
log "redis on $HOST:$REDIS_PORT"

# --- PostgreSQL -----------------------------------------------------------------------------
mkdir -p "$RUN_DIR/pg"
[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$RUN_DIR/pg"
"${as_pg[@]}" "$PG_BINDIR/initdb" -D "$RUN_DIR/pg/data" -A trust -U chat --no-locale -E UTF8 \
  --no-sync >"$RUN_DIR/pg/initdb.log" 2>&1 || die "initdb failed (see $RUN_DIR/pg/initdb.log)"
"${as_pg[@]}" "$PG_BINDIR/pg_ctl" -D "$RUN_DIR/pg/data" -l "$RUN_DIR/pg/postgres.log" -w -t 60 \
  -o "-p $PG_PORT -k $RUN_DIR/pg -c listen_addresses=$HOST" start >/dev/null ||
  die "PostgreSQL did not start (see $RUN_DIR/pg/postgres.log)"
"$PG_BINDIR/createdb" -h "$HOST" -p "$PG_PORT" -U chat chat
DB_URL="postgresql://chat@$HOST:$PG_PORT/chat"
log "postgresql on $HOST:$PG_PORT"

# --- sio-chat nodes (started together: migrations and seeding are safe to race) -------------
web_args=()
[ -n "${WEB_DIR:-}" ] && web_args=(--web "$WEB_DIR")
read -r -a node_args <<<"${NODE_ARGS:-}"
# One token signing secret for every node (a login works on any of them), in a file of its own.
secret_file="$RUN_DIR/jwt-secret"
(umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$secret_file")
for ((i = 0; i < NODES; i++)); do
  # Each node is named as nginx's sticky cookie names it (n0, n1, ...; the dashboard shows it).
  # nginx (on loopback) is the trusted proxy: its X-Forwarded-For gives the client address that
  # the per-address and login limits count by.
  env -u JWT_SECRET -u JWT_SECRET_FILE -u DB_PATH -u REDIS_URL -u PORT -u HOST -u TRUST_PROXY \
    -u NODE_NAME \
    "$SIO_CHAT_BIN" --host "$HOST" --port "${node_ports[$i]}" --db "$DB_URL" \
    --jwt-secret-file "$secret_file" --node-name "n$i" \
    --redis "redis://$HOST:$REDIS_PORT" --workers "$WORKERS" --trust-proxy "$HOST" \
    "${web_args[@]}" "${node_args[@]}" \
    >"$RUN_DIR/node-$i.log" 2>&1 &
  echo $! >"$RUN_DIR/node-$i.pid"
done
for ((i = 0; i < NODES; i++)); do
  wait_until 30 grep -q "listening on" "$RUN_DIR/node-$i.log" ||
    die "node $i did not start (see $RUN_DIR/node-$i.log): $(tail -n 5 "$RUN_DIR/node-$i.log")"
  log "node n$i on $HOST:${node_ports[$i]} (pid $(cat "$RUN_DIR/node-$i.pid"))"
done

# --- nginx ----------------------------------------------------------------------------------
mkdir -p "$RUN_DIR/tmp"
pool="" upstreams="" cookie_map="" addr_map=""
for ((i = 0; i < NODES; i++)); do
  p="${node_ports[$i]}"
  pool+="server $HOST:$p max_fails=1 fail_timeout=5s;"$'\n'
  upstreams+="upstream sio_node_$i {"$'\n'"  server $HOST:$p max_fails=1 fail_timeout=5s;"$'\n'
  for ((j = 1; j < NODES; j++)); do
    k=$(((i + j) % NODES))
    upstreams+="  server $HOST:${node_ports[$k]} backup max_fails=1 fail_timeout=5s;"$'\n'
  done
  upstreams+="}"$'\n'
  cookie_map+="n$i sio_node_$i;"$'\n'
  addr_map+="\"~(^|[ ,])${HOST//./\\.}:$p\$\" \"sio_node=n$i; Path=/socket.io/; HttpOnly; SameSite=Lax\";"$'\n'
done
render_block() {  # indentation of the placeholder line, then the block
  local indent="$1" block="$2" line
  while IFS= read -r line; do
    if [ -n "$line" ]; then printf '%s%s\n' "$indent" "$line"; fi
  done <<<"$block"
}
{
  while IFS= read -r line || [ -n "$line" ]; do
    indent="${line%%[! ]*}"
    case "$line" in
      *@POOL_SERVERS@*) render_block "$indent" "$pool" ;;
      *@NODE_UPSTREAMS@*) render_block "$indent" "$upstreams" ;;
      *@COOKIE_MAP@*) render_block "$indent" "$cookie_map" ;;
      *@ADDR_MAP@*) render_block "$indent" "$addr_map" ;;
      *)
        line="${line//@RUN_DIR@/$RUN_DIR}"
        line="${line//@LISTEN@/$HOST:$PORT}"
        printf '%s\n' "$line"
        ;;
    esac
  done <"$here/nginx.conf.template"
} >"$RUN_DIR/nginx.conf"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" -t -q ||
  die "invalid nginx configuration ($RUN_DIR/nginx.conf)"
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" &
nginx_pid=$!
wait_until 10 port_open "$PORT" || die "nginx did not start (see $RUN_DIR/nginx-error.log)"
log "nginx on $HOST:$PORT"

node_urls="" node_pids=""
for ((i = 0; i < NODES; i++)); do
  node_urls+="${node_urls:+,}http://$HOST:${node_ports[$i]}"
  node_pids+="${node_pids:+,}$(cat "$RUN_DIR/node-$i.pid")"
done
cat >"$RUN_DIR/cluster.env" <<EOF
URL=http://$HOST:$PORT
NODES=$NODES
NODE_URLS=$node_urls
NODE_PIDS=$node_pids
REDIS_URL=redis://$HOST:$REDIS_PORT
REDIS_CONF=$RUN_DIR/redis.conf
REDIS_PID_FILE=$RUN_DIR/redis.pid
DB_URL=$DB_URL
NGINX_PID=$nginx_pid
RUN_DIR=$RUN_DIR
EOF
log "cluster ready: http://$HOST:$PORT ($NODES nodes; run folder $RUN_DIR)"

# Stay in the foreground until told to stop. A node that dies stays dead (tests kill nodes).
while true; do
  sleep 1 &
  wait $! || true
done
