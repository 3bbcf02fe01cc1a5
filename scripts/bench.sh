#!/usr/bin/env bash
# The load benchmarks of BENCHMARKS.md in one command: builds the release binaries,
# runs `parta-bench run` against a fresh Parta on SQLite and against the floor
# (workloads E, D, C, F, A, G, B), then workloads D, F and A on PostgreSQL in a fresh
# schema when the local PostgreSQL answers, beside pgbench's single-row insert rate.
# Results: bench-results/<time>/*.json and the logs beside them, and the SQLite data directory (pass it back with `--data` to
# rerun workloads on the school it holds without provisioning it again).
#
# Usage: scripts/bench.sh [extra parta-bench run flags]
#   scripts/bench.sh --classes 20 --duration 10 --b-rates 250,500   # a quick smoke run
# BENCH_POSTGRES=0 skips PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
# 10,000 clients need 10,000 sockets in this process (and as many in the server).
ulimit -n "$(ulimit -Hn)"
cargo build --release --locked -p parta-server --bin parta
cargo build --release --locked -p parta-bench
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release"
out="bench-results/$(date +%Y-%m-%d-%H%M%S)"
mkdir -p "$out"
echo "results in $out"

"$bin/parta-bench" run --parta-bin "$bin/parta" --label sqlite --data "$out/sqlite-data" \
  --json "$out/sqlite.json" "$@" 2>&1 | tee "$out/sqlite.log"

pg="postgres://postgres@127.0.0.1:5432/test"
if [ "${BENCH_POSTGRES:-1}" != 0 ] && psql "$pg" -qc 'SELECT 1' >/dev/null 2>&1; then
  schema="bench_$(date +%s)"
  psql "$pg" -qc "CREATE SCHEMA $schema"
  trap 'psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true' EXIT
  "$bin/parta-bench" run --parta-bin "$bin/parta" --label postgres --workloads d,f,a --no-floor \
    --data "$out/postgres-data" \
    --database-url "$pg?options=-c%20search_path%3D$schema" --json "$out/postgres.json" "$@" 2>&1 | tee "$out/postgres.log"
  scripts/pgbench-insert.sh "$pg" "$schema" "$out"
fi
