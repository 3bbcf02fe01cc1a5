#!/usr/bin/env bash
# Workload D on PostgreSQL beside pgbench, in turns, for comparing builds: each run
# provisions the small school (20 classes) into a fresh schema, runs D (100,000 sends
# flat out, acknowledged after commit), then pgbench's single-row inserts
# (scripts/pgbench-insert.sh) in the same schema, and drops it. One line per run in
# bench-results/pg-ingest-<time>/summary.
#
# Usage: scripts/bench-pg-ingest.sh <rounds> <label>=<dir with parta and parta-bench> …
#   scripts/bench-pg-ingest.sh 3 before=/tmp/old/release after=target/release
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"
rounds=$1
shift
pg="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
out="bench-results/pg-ingest-$(date +%Y-%m-%d-%H%M%S)"
mkdir -p "$out"
for round in $(seq "$rounds"); do
  for build in "$@"; do
    label=${build%%=*} bin=${build#*=}
    run="$out/$label-$round"
    mkdir -p "$run"
    schema="ingest_$(date +%s%N)"
    psql "$pg" -qc "CREATE SCHEMA $schema"
    "$bin/parta-bench" run --parta-bin "$bin/parta" --label "$label" --workloads d --no-floor --classes 20 \
      --data "$run/data" --database-url "$pg?options=-c%20search_path%3D$schema" --json "$run/d.json" >"$run/d.log" 2>&1
    scripts/pgbench-insert.sh "$pg" "$schema" "$run" >/dev/null
    psql "$pg" -qc "DROP SCHEMA $schema CASCADE" 2>/dev/null
    d=$(grep -oE 'acked [0-9]+/[0-9]+ \([0-9]+/s achieved' "$run/d.log" | grep -oE '[0-9]+/s')
    tps=$(grep -oE 'tps = [0-9.]+' "$run/pgbench.log" | head -1 | grep -oE '[0-9.]+$')
    echo "$label round $round: D $d, pgbench ${tps%.*}/s" | tee -a "$out/summary"
  done
done
