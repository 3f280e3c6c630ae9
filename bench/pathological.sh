#!/usr/bin/env bash
# Indexing time on pathological inputs (bench/pathological.rs), one table:
#   bench/pathological.sh [--bin PATH] [--dir DIR] [--timeout SECS] [--only NAME]
# Generates the inputs (about 400 MB) under DIR (default
# /tmp/policy-search-pathological) once, then times `policy-search index` on
# each, alone, with the release build unless --bin names another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin policy-search --example pathological
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target=$PWD/$target ;; esac
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
exec "$target/release/examples/pathological" --bin "$target/release/policy-search" "$@"
