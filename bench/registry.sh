#!/usr/bin/env bash
# The registry: nearest-fingerprint lookups among 1,000,000 registered items,
# in SQLite and in PostgreSQL, median and p95 per distance.
#
#   bench/registry.sh           # needs: PostgreSQL's server binaries (Debian:
#                               # apt-get install postgresql); ROWS=… QUERIES=…
#
# Goal (issue 17): a lookup under 50 ms in both databases at the distance the
# fingerprints need (12 bits of 64). The PostgreSQL side is a throwaway
# cluster in a temporary folder (as the tests start it), unix socket only,
# default settings. The filled databases are kept under target/registry-bench
# so a second run only measures lookups; delete that folder to refill.
# Results go to bench/registry-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
QUERIES=${QUERIES:-200}
DIST=${DIST:-4,8,12,15}
OUT=bench/registry-results.md
KEEP=target/registry-bench
mkdir -p "$KEEP"

cargo build --release --locked -q -p tamga-registry --example registry_bench
BIN=target/release/examples/registry_bench

{
  echo "## Nearest lookups among $ROWS items, $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo
  echo '```'
  "$BIN" --rows "$ROWS" --queries "$QUERIES" --distances "$DIST" \
    --backend sqlite --sqlite-path "$KEEP/bench.sqlite"
  "$BIN" --rows "$ROWS" --queries "$QUERIES" --distances "$DIST" --backend postgres
  echo '```'
} | tee "$OUT"
