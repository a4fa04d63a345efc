#!/usr/bin/env bash
# Builds the chat front end (apps/chat/web -> apps/chat/web/dist) when its sources are newer than
# the last build. Called by `make build` after the C++ build; `scripts/deps.sh` has run `npm ci`.
# FORCE=1 rebuilds unconditionally.
set -euo pipefail
cd "$(dirname "$0")/.."
WEB=apps/chat/web
OUT="$WEB/dist/index.html"

if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm not found (run 'make deps')" >&2
  exit 1
fi
if [ ! -d "$WEB/node_modules" ]; then
  echo "build-web: installing $WEB dependencies (npm ci)"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT" ]; then
  newer=$(find "$WEB/src" "$WEB/index.html" "$WEB/vite.config.ts" "$WEB/tsconfig.json" \
    "$WEB/package.json" "$WEB/package-lock.json" $( [ -d "$WEB/public" ] && echo "$WEB/public" ) \
    -newer "$OUT" -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "build-web: $WEB/dist is up to date"
    exit 0
  fi
fi

echo "build-web: npm run build in $WEB"
(cd "$WEB" && npm run build --silent)
touch "$OUT"
