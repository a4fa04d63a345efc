#!/usr/bin/env bash
# `make test` after the build: every CTest rung of the Release build, then the ASan+UBSan build of
# the unit, session, integration and C++ client tests, then a short fuzz run; a closing line counts
# what ran.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build} JOBS=${JOBS:-2} CTEST_ARGS=${CTEST_ARGS:---output-on-failure --timeout 300}
passed=0 failed=0 status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

failures=""

# Adds the counts of ctest's "N% tests passed, F tests failed out of T" line in $log, and the names
# under its "The following tests FAILED:" to $failures (printed again last: CI shows the tail).
count() {
  local line what=$1
  failures+=$(sed -n '/The following tests FAILED:/,$p' "$log" | grep -E '^\s+[0-9]+ - ' |
    sed -E "s/^\s+[0-9]+ - /  $what: /")$'\n'
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    failures+="  $what: did not finish"$'\n'
    return
  fi
  local f t
  f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  t=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
  passed=$((passed + t - f)) failed=$((failed + f))
}

echo "== ctest: Release build, every rung"
(cd "$BUILD" && ctest $CTEST_ARGS -j"$JOBS") 2>&1 | tee "$log" || status=1
count Release

echo "== ASan+UBSan: unit, session, integration and C++ client tests"
make --no-print-directory asan 2>&1 | tee "$log" || status=1
count ASan

echo "== libFuzzer: every decoder"
make --no-print-directory fuzz 2>&1 | tee "$log" || status=1
line=$(grep -E "^fuzz: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
if [ -n "$line" ]; then
  passed=$((passed + $(sed -E 's/fuzz: ([0-9]+) passed.*/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$line")))
else
  failed=$((failed + 1))
fi
failures+=$(grep -E "^fuzz: .* FAILED" "$log" | sed 's/^/  /')

[ -n "${failures//[[:space:]]/}" ] && printf 'failed:\n%s\n' "$(grep -v '^\s*$' <<<"$failures")"

[ "$failed" -ne 0 ] && status=1
echo "total: $passed passed, $failed failed"
exit $status
