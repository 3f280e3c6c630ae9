#!/usr/bin/env bash
# The performance benchmark, in one command from a clean checkout:
#   bench/run.sh [CORPUS_DIR] [SCALE_MB]
# CORPUS_DIR defaults to ../shared/corpus (its .txt, .md and .html files);
# SCALE_MB (default 1000) sets the size of the large corpus, distinct text
# generated from CORPUS_DIR's sentences (bench/corpus.rs); 0 skips it.
# Needs ripgrep (`rg`) on PATH for the side-by-side search (Debian: ripgrep);
# without it that column is left out. Prints one Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
if [ ! -d "$corpus" ]; then
  echo "skipping: corpus folder $corpus not found"
  exit 0
fi
cargo build --release --quiet --bin policy-search --example plain-tantivy --example bench --example corpus
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); rustc $(rustc --version | cut -d' ' -f2)"
exec target/release/examples/bench "$corpus" "${2:-1000}"
