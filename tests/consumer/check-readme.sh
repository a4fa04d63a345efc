#!/usr/bin/env bash
# Every snippet marked in the given files ("# readme: <name>" ... "# readme: end", indentation
# removed) must appear in README.md as a fenced code block with exactly those lines.
#   check-readme.sh README.md <file>...
set -euo pipefail
readme=$1
shift

# The fenced code blocks of README.md, each followed by a line "\x1f" (a separator).
readme_blocks=$(awk '/^```/ { if (inside) { print "\x1f"; inside = 0 } else inside = 1; next }
                     inside { print }' "$readme")

# The marked snippets of a file, dedented by their marker's indentation, each followed by "\x1f".
snippets() {
  awk '/# readme: end$/ { if (name != "") print "\x1f"; name = ""; next }
       /# readme: / { name = $0; sub(/.*# readme: /, "", name); match($0, /^ */); indent = RLENGTH; next }
       name != "" { print substr($0, indent + 1) }' "$1"
}

checked=0 missing=0
for file in "$@"; do
  while IFS= read -r -d $'\x1f' snippet; do
    snippet=${snippet#$'\n'}
    [ -z "$snippet" ] && continue
    checked=$((checked + 1))
    found=0
    while IFS= read -r -d $'\x1f' block; do
      block=${block#$'\n'}
      if [ "$block" = "$snippet" ]; then
        found=1
        break
      fi
    done <<<"$readme_blocks"
    if [ "$found" = 0 ]; then
      missing=$((missing + 1))
      printf 'README.md lacks this snippet of %s:\n%s\n' "$file" "$snippet" >&2
    fi
  done < <(snippets "$file")
done
echo "readme snippets: $checked checked, $missing missing"
[ "$checked" -gt 0 ] && [ "$missing" = 0 ]
