#!/usr/bin/env bash
# Do two builds show users the same thing? Records the golden outputs of
# each (bench/golden.sh, in the same work folder so paths match) and
# compares them byte for byte. Exit 0 when identical.
#
#   bench/golden-compare.sh OLD_BINARY NEW_BINARY [OUTDIR]
#
# e.g. to check a refactoring against the last commit before it:
#   git worktree add /tmp/before REV && (cd /tmp/before && cargo build --release)
#   bench/golden-compare.sh /tmp/before/target/release/policy-search target/release/policy-search
set -euo pipefail
here=$(dirname "$0")
out=${3:-/tmp/policy-search-golden-compare}
"$here/golden.sh" "$1" "$out/old" >/dev/null
"$here/golden.sh" "$2" "$out/new" >/dev/null
if diff -r "$out/old" "$out/new" >"$out/diff"; then
  echo "identical: $(ls "$out/new" | wc -l) outputs ($(cat "$out"/new/* | wc -c) bytes) in $out"
else
  echo "outputs differ: see $out/diff ($(wc -l <"$out/diff") lines)" >&2
  exit 1
fi
