#!/usr/bin/env bash
# Scores ranking variants on the public test collections, side by side.
# Usage: bench/ranking-variants.sh [EVAL_DIR]   (default ../shared/eval)
# Each variant is a POLICY_SEARCH_RANKING setting (name=value,...) over the
# product's defaults (src/search/params.rs: Ranking, DocParams).
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=${1:-../shared/eval}
if [ ! -d "$eval_dir/scifact" ] || [ ! -d "$eval_dir/cranfield" ]; then
  echo "skipping: $eval_dir/{scifact,cranfield} not found"; exit 0
fi
cargo build --release --quiet
bin=target/release/policy-search
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for c in scifact cranfield; do
  "$bin" index "$eval_dir/$c/corpus.jsonl" --index "$work/$c" --no-progress >/dev/null
done

# name | setting
variants=(
  "BM25 k1 0.9 b 0.4, nothing else|k1=0.9,b=0.4,title_weight=0,proximity_weight=0,feedback_docs=0,expand=0,correct=0"
  "BM25 k1 1.2 b 0.75, nothing else|title_weight=0,proximity_weight=0,feedback_docs=0,expand=0,correct=0"
  "+ title (weight 0.5)|proximity_weight=0,feedback_docs=0,expand=0,correct=0"
  "+ typo correction|proximity_weight=0,feedback_docs=0,expand=0"
  "+ acronym expansion (max over forms)|proximity_weight=0,feedback_docs=0"
  "+ proximity of typed terms (0.4, window 5)|feedback_docs=0"
  "+ feedback: 10 docs, 50 terms, weight 0.45 (defaults)|"
  "defaults, feedback 20 terms, weight 0.3 (the defaults before)|feedback_terms=20,feedback_weight=0.3"
  "defaults, feedback 40 terms, weight 0.45|feedback_terms=40"
  "defaults, feedback 60 terms|feedback_terms=60"
  "defaults, feedback weight 0.4|feedback_weight=0.4"
  "defaults, feedback weight 0.5|feedback_weight=0.5"
  "defaults, feedback temperature 2|feedback_temperature=2"
  "defaults, feedback 5 docs|feedback_docs=5"
  "defaults, feedback docs weighted equally|feedback_doc_weighting=2"
  "defaults, feedback docs weighted score/best|feedback_doc_weighting=1"
  "defaults, feedback terms not idf-weighted|feedback_idf=0"
  "defaults, feedback with titles|feedback_title=1"
  "defaults, feedback terms counted in every document found|feedback_rescored=0"
  "defaults, feedback terms counted in the leading 300 documents|feedback_rescored=300"
  "defaults, no proximity|proximity_weight=0"
  "defaults, proximity 1.0|proximity_weight=1"
  "defaults, no acronym expansion|expand=0"
  "defaults, expansions at half weight|alternative_weight=0.5"
  "defaults, no typo correction|correct=0"
  "defaults, title 0.3|title_weight=0.3"
  "defaults, title 1.0|title_weight=1"
  "defaults, title length-normalised (title_b 0.5)|title_b=0.5"
  "defaults, title_b 0.75, title 0.7|title_b=0.75,title_weight=0.7"
  "defaults, k1 0.9 b 0.4|k1=0.9,b=0.4"
  "defaults, k1 1.2 b 0.5|b=0.5"
)

metric() { # collection setting -> "ndcg recall map"
  POLICY_SEARCH_RANKING="$2" "$bin" eval --queries "$eval_dir/$1/queries.jsonl" \
    --qrels "$eval_dir/$1/qrels.tsv" --index "$work/$1" --json |
    sed -E 's/.*"ndcg_10":([0-9.]+).*"recall_100":([0-9.]+).*"map":([0-9.]+).*/\1 \2 \3/'
}

echo "| variant | SciFact nDCG@10 | R@100 | MAP | Cranfield nDCG@10 | R@100 | MAP |"
echo "|---|--:|--:|--:|--:|--:|--:|"
for v in "${variants[@]}"; do
  name=${v%%|*}; setting=${v#*|}
  read -r sn sr sm < <(metric scifact "$setting")
  read -r cn cr cm < <(metric cranfield "$setting")
  printf "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |\n" "$name" "$sn" "$sr" "$sm" "$cn" "$cr" "$cm"
done
