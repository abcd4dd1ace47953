#!/usr/bin/env bash
# Regenerates fuzz/corpus/tls_server/ and fuzz/corpus/tls_client/ (the seeds
# of fuzz_tls_server and fuzz_tls_client) from in-memory pairs with the
# engine compiled with -DCAPTLS_FUZZING, as the fuzz variants build it
# (identity record protection). Run from anywhere; writes into the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t core < <(find core -name '*.c' ! -name 'test_*' ! -name 'main_*' | sort)
clang -std=c11 -O1 -g -DCAPTLS_FUZZING -D_DEFAULT_SOURCE -I. -w \
  fuzz/tls_corpus_gen.c "${core[@]}" /usr/lib/x86_64-linux-gnu/libbearssl.a \
  -o "$tmp/gen"
mkdir -p fuzz/corpus/tls_server fuzz/corpus/tls_client
"$tmp/gen" fuzz/corpus/tls_server fuzz/corpus/tls_client
