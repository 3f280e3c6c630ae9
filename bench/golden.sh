#!/usr/bin/env bash
# Golden outputs: what a user sees from one build, with timings blanked, so
# two builds can be compared byte for byte (a refactoring must not change
# them).
#
#   bench/golden.sh BINARY OUTDIR     # record
#   diff -r OUTDIR_BEFORE OUTDIR_AFTER   # or bench/golden-compare.sh OLD NEW
#
# Records, for seeds/ and (when present) ../shared/corpus in all formats:
# the `index` summary line, `--json` results of every query in
# bench/golden-queries.txt (with exit codes), `status --json`, `glossary
# --json`; and for ../shared/eval/scifact the TREC run of `query --batch` and
# `eval --json`. Indexing runs with one thread, so the index is the same
# from run to run. Documents are copied under one fixed folder, so paths in
# the output do not depend on where the checkout is.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "$2")
queries=$(realpath bench/golden-queries.txt)
work=${GOLDEN_WORK:-/tmp/policy-search-golden}
rm -rf "$work" "$out"
mkdir -p "$work/bin" "$out"
# One name for every build, as usage lines print it.
cp "$1" "$work/bin/policy-search"
bin=$work/bin/policy-search
cp -r seeds "$work/seeds"
[ -d ../shared/corpus ] && ln -s "$(realpath ../shared/corpus)" "$work/corpus"
[ -d ../shared/eval/scifact ] && ln -s "$(realpath ../shared/eval/scifact)" "$work/scifact"
cd "$work"

blank() {
  sed -E -e 's/ in [0-9.]+ s \([0-9.]+ MB\/s\)/ in _ s (_ MB\/s)/' \
    -e 's/"updated":[0-9]+/"updated":_/' -e 's/"index_bytes":[0-9]+/"index_bytes":_/' \
    -e 's/in [0-9.]+ s, [0-9.]+ queries\/s/in _ s, _ queries\/s/'
}

record() { # NAME INDEX PATHS...
  local name=$1 index=$2
  shift 2
  "$bin" index "$@" --index "$index" --threads 1 --no-progress 2>"$out/$name.index.stderr" |
    blank >"$out/$name.index"
  while IFS= read -r q; do
    [ -z "$q" ] && continue
    printf '## %s\n' "$q"
    set +e
    "$bin" query "$q" --index "$index" --json -n 20 2>&1
    printf 'exit %s\n' "$?"
    set -e
  done <"$queries" >"$out/$name.queries"
  "$bin" status --index "$index" --json | blank >"$out/$name.status"
  "$bin" glossary --index "$index" --json >"$out/$name.glossary"
}

record seeds idx-seeds seeds
[ -e corpus ] && record corpus idx-corpus corpus
if [ -e scifact ]; then
  "$bin" index scifact/corpus.jsonl --index idx-scifact --threads 1 --no-progress | blank >"$out/scifact.index"
  "$bin" query --batch scifact/queries.jsonl --format trec -n 100 --index idx-scifact >"$out/scifact.trec"
  "$bin" eval --queries scifact/queries.jsonl --qrels scifact/qrels.tsv --index idx-scifact --json >"$out/scifact.eval"
fi
echo "golden outputs of $bin in $out:"
wc -c "$out"/* | sed 's/^/  /'
