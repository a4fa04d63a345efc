#!/usr/bin/env bash
# Runs every libFuzzer target in $1 for $2 seconds each, seeded from tests/fuzz/corpus/<name>/,
# $3 of them at a time (default 2: one a core).
set -euo pipefail
bin=$1 seconds=${2:-20} jobs=${3:-2}
root="$(cd "$(dirname "$0")/.." && pwd)"
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# One target: prints its line, leaves "ok" or "failed" in $results/<name>.
fuzz_one() {
  local f=$1 name work seeds
  name=$(basename "$f")
  work=$(mktemp -d)
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  if "$f" -max_total_time="$seconds" -artifact_prefix="$bin/" -max_len=4096 -rss_limit_mb=2048 \
      -print_final_stats=0 "$work" >"$work.log" 2>&1; then
    echo "fuzz: $name for ${seconds}s: ok"
    echo ok >"$results/$name"
  else
    { echo "fuzz: $name FAILED (reproducer in $bin/)"; grep -E "ERROR|SUMMARY|#[0-9]+ 0x" "$work.log" | head -30; }
    echo failed >"$results/$name"
  fi
  rm -rf "$work" "$work.log"
}

targets=0
for f in "$bin"/fuzz_*; do
  [ -x "$f" ] || continue
  targets=$((targets + 1))
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_one "$f" &
done
wait
ran=$(grep -lx ok "$results"/* 2>/dev/null | wc -l)
failed=$((targets - ran))  # a target that left no result failed too
echo "fuzz: $ran passed, $failed failed"
[ "$failed" -eq 0 ]
