#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently: Debian packages that are missing
# (one apt-get update, only when something is missing) and the JS tooling from committed lock files.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ccache pkg-config clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev googletest libgtest-dev libbenchmark-dev
  clang-14 libfuzzer-14-dev
  nodejs npm
)
if [ -f scripts/deps.extra ]; then
  # Later layers (Redis, chat storage, browsers) list their packages here, one a line.
  mapfile -t extra < <(grep -v '^\s*#' scripts/deps.extra | grep -v '^\s*$')
  PACKAGES+=("${extra[@]}")
fi

missing=()
for p in "${PACKAGES[@]}"; do
  # node/npm may come from elsewhere than Debian (e.g. preinstalled): accept the commands.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# JS tooling: every folder with a committed package-lock.json listed in scripts/npm-dirs.
if [ -f scripts/npm-dirs ]; then
  while read -r dir; do
    [ -z "$dir" ] && continue
    case "$dir" in \#*) continue ;; esac
    stamp="$dir/node_modules/.sio-lock-stamp"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
      echo "deps: npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$dir/package-lock.json" "$stamp"
    fi
  done < scripts/npm-dirs
fi
