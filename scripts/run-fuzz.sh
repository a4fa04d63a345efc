#!/usr/bin/env bash
# Runs every libFuzzer target in $1 for $2 seconds each, seeded from tests/fuzz/corpus/<name>/.
set -euo pipefail
bin=$1 seconds=${2:-20}
root="$(cd "$(dirname "$0")/.." && pwd)"
status=0 ran=0 failed=0
for f in "$bin"/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d)
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  if "$f" -max_total_time="$seconds" -artifact_prefix="$bin/" -max_len=4096 -rss_limit_mb=2048 -print_final_stats=0 "$work" \
      >"$work.log" 2>&1; then
    ran=$((ran + 1))
  else
    echo "fuzz: $name FAILED (reproducer in $bin/)"; grep -E "ERROR|SUMMARY|#[0-9]+ 0x" "$work.log" | head -30
    failed=$((failed + 1)); status=1
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzz: $ran passed, $failed failed"
exit $status
