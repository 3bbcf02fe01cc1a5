#!/usr/bin/env bash
# The journal benchmark of BENCHMARKS.md («Journal and diary») in one command: builds
# the release binaries, then `parta-bench journal` provisions a school with a year of
# lessons on a fresh Parta (SQLite in the run's directory) and measures the class grid,
# the diary, the morning rush and the exports. With `--postgres`, the same on the local
# PostgreSQL in a fresh schema.
# Results: bench-results/<time>-journal/*.json and the logs beside them, and the data
# directory (pass it back with `--data` to measure the same school again without
# provisioning it; an interrupted journal is written on from where it stopped).
#
# Usage: scripts/bench-journal.sh [--postgres] [extra parta-bench journal flags]
#   scripts/bench-journal.sh --students 250 --classes 10 --teachers 20 --weeks 4   # a quick run
set -euo pipefail
cd "$(dirname "$0")/.."
postgres=0
if [ "${1:-}" = --postgres ]; then
  postgres=1
  shift
fi
# 3,000 sockets in this process (and as many in the server).
ulimit -n "$(ulimit -Hn)"
cargo build --release --locked -p parta-server --bin parta
cargo build --release --locked -p parta-bench
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release"
out="bench-results/$(date +%Y-%m-%d-%H%M%S)-journal"
mkdir -p "$out"
echo "results in $out"

"$bin/parta-bench" journal --parta-bin "$bin/parta" --label sqlite --data "$out/sqlite-data" \
  --json "$out/sqlite.json" "$@" 2>&1 | tee "$out/sqlite.log"

if [ "$postgres" = 1 ]; then
  pg="postgres://postgres@127.0.0.1:5432/test"
  schema="bench_journal_$(date +%s)"
  psql "$pg" -qc "CREATE SCHEMA $schema"
  trap 'psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true' EXIT
  "$bin/parta-bench" journal --parta-bin "$bin/parta" --label postgres --data "$out/postgres-data" \
    --database-url "$pg?options=-c%20search_path%3D$schema" --json "$out/postgres.json" "$@" 2>&1 | tee "$out/postgres.log"
fi
