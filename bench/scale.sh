#!/usr/bin/env bash
# How indexing and querying grow with the corpus, at several sizes of
# distinct generated text (bench/corpus.rs, seed 1):
#   bench/scale.sh WORK_DIR SIZE... (e.g. bench/scale.sh /tmp/scale 100MB 1GB 10GB)
# For each size: generates the corpus (kept in WORK_DIR/corpus-SIZE for the
# next run), indexes it with 2 threads (wall time, MB/s, peak RSS from
# /usr/bin/time), and times every query of bench/queries.txt as a whole
# process (`query --json -n 10`, best of 3 after one warm-up run). Prints a
# Markdown row per size. Needs ../shared/corpus (or CORPUS=DIR), GNU time
# and python3. Plan on twice the largest SIZE in free disk space.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:?usage: bench/scale.sh WORK_DIR SIZE...}
shift
source_dir=${CORPUS:-../shared/corpus}
[ -d "$source_dir" ] || { echo "skipping: corpus folder $source_dir not found"; exit 0; }
cargo build --release --quiet --bin policy-search --example corpus
bin=$PWD/target/release/policy-search
mkdir -p "$work"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "| corpus | files | index s | MB/s | peak RSS MB | index / text | segments | query p50 ms | p95 ms | max ms |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for size in "$@"; do
  corpus=$work/corpus-$size
  index=$work/index-$size
  [ -d "$corpus" ] || target/release/examples/corpus "$source_dir" "$corpus" "$size" 1 >/dev/null
  bytes=$(du -sb "$corpus" | cut -f1)
  files=$(find "$corpus" -type f | wc -l)
  rm -rf "$index"
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss-$size" \
    "$bin" index "$corpus" --index "$index" --threads 2 --no-progress >"$work/index-$size.log" 2>&1
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  rss=$(( $(cat "$work/rss-$size") / 1024 ))
  index_bytes=$(du -sb "$index" | cut -f1)
  segments=$(ls "$index" | grep -c '\.idx$' || true)
  latency=$(python3 - "$bin" "$index" <<'PY'
import subprocess, sys, time, statistics
b, idx = sys.argv[1], sys.argv[2]
qs = [l.strip() for l in open('bench/queries.txt') if l.strip() and not l.startswith('#')]
ts = []
for q in qs:
    cmd = [b, 'query', '--json', '-n', '10', '--index', idx, '--', q]
    subprocess.run(cmd, capture_output=True)
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True)
        best = min(best, time.perf_counter() - t)
    ts.append(best * 1000)
ts.sort()
print(f"{statistics.median(ts):.1f} | {ts[int(len(ts) * 0.95) - 1]:.1f} | {ts[-1]:.1f}")
PY
)
  printf '| %s (%.2f GB) | %d | %.0f | %.1f | %d | %.2f | %d | %s |\n' "$size" \
    "$(echo "$bytes / 1000000000" | bc -l)" "$files" "$secs" \
    "$(echo "$bytes / 1000000 / $secs" | bc -l)" "$rss" \
    "$(echo "$index_bytes / $bytes" | bc -l)" "$segments" "$latency"
done
