#!/usr/bin/env bash
# Builds the demo's web front end (the shell apps/demo/web with the apps' pages it loads, all npm
# workspaces under apps/) into apps/demo/web/dist when a workspace's sources are newer than the
# last build. Called by `make build` after the C++ build; `scripts/deps.sh` has run `npm ci` in apps/.
# FORCE=1 rebuilds unconditionally.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=apps
OUT=apps/demo/web/dist/index.html

if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm not found (run 'make deps')" >&2
  exit 1
fi
if [ ! -d "$ROOT/node_modules" ]; then
  echo "build-web: installing the $ROOT workspaces (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The Socket.IO Admin UI's static build (the npm package @socket.io/admin-ui, a dependency of
# apps/demo/web) goes to dist/admin-ui/, which the demo server serves at /admin-ui/.
copy_admin_ui() {
  local ui="$ROOT/node_modules/@socket.io/admin-ui/ui/dist" out=apps/demo/web/dist/admin-ui
  if [ ! -f "$ui/index.html" ]; then
    echo "build-web: $ui missing (run 'npm ci' in $ROOT)" >&2
    return 1
  fi
  if ! cmp -s "$ui/index.html" "$out/index.html"; then
    rm -rf "$out"
    mkdir -p "$out"
    cp -R "$ui/." "$out/"
    echo "build-web: Admin UI copied to $out"
  fi
}

# Stale when any file of a workspace (apps/*/web, but installed packages and build output) or the
# workspace root's package.json / lock file is newer than the last build.
if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT" ]; then
  newer=$( { find "$ROOT"/*/web \( -name node_modules -o -name dist \) -prune -o -type f -newer "$OUT" -print -quit
             find "$ROOT/package.json" "$ROOT/package-lock.json" -newer "$OUT" -print -quit; } 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "build-web: apps/demo/web/dist is up to date"
    copy_admin_ui
    exit 0
  fi
fi

echo "build-web: npm run build in apps/demo/web"
(cd "$ROOT" && npm run build --silent -w sio-demo-web)
touch "$OUT"
copy_admin_ui
