#!/usr/bin/env bash
# Peak memory of indexing one very large web page:
#   bench/html-memory.sh [SIZE_MB ...]        (default: 200 1000)
# For each size, generates in a temporary folder one HTML page of that many
# MB (a nav menu, then one <main> of distinct short paragraphs, then a
# footer), indexes the folder with the release binary (or $POLICY_SEARCH_BIN,
# e.g. an older build to compare with) and prints one Markdown row: size, peak
# resident memory (from /usr/bin/time), wall time and the run's summary line.
# Needs GNU time at /usr/bin/time and perl.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(200 1000)
[ -n "${POLICY_SEARCH_BIN:-}" ] || cargo build --release --quiet --bin policy-search
bin="${POLICY_SEARCH_BIN:-${CARGO_TARGET_DIR:-target}/release/policy-search}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo
echo "| page (MB) | peak RSS (MB) | wall (s) | summary |"
echo "|--:|--:|--:|---|"
for mb in "${sizes[@]}"; do
  rm -rf "$work/pages" "$work/idx"
  mkdir "$work/pages"
  perl -e '
    my $target = $ARGV[0] * 1_000_000;
    my $out = "<!DOCTYPE html><html><head><meta charset=utf-8>"
      . "<title>Generated board papers | NHS</title></head><body>\n<nav><ul>"
      . join("", map { "<li><a href=/s$_>Section $_</a></li>" } 1 .. 50)
      . "</ul></nav>\n<main><h1>Board papers</h1>\n";
    my ($n, $size) = (0, 0);
    while ($size < $target) {
      for (1 .. 1000) {
        $out .= "<p>Paragraph $n: the integrated care board agreed item $n "
          . "of the plan for waiting lists and the workforce.</p>\n";
        $n++;
      }
      $size += length $out;
      print $out;
      $out = "";
    }
    print "</main><footer>Terms and privacy</footer></body></html>\n";
  ' "$mb" >"$work/pages/page.html"
  bytes=$(stat -c %s "$work/pages/page.html")
  summary=$(/usr/bin/time -o "$work/time" -f "%M %e" \
    "$bin" index "$work/pages" --index "$work/idx" --no-progress 2>&1 | tail -1)
  read -r kib secs <"$work/time"
  echo "| $((bytes / 1000000)) | $((kib / 1024)) | $secs | $summary |"
done
