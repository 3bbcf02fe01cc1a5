#!/usr/bin/env bash
# Goals H and F (first half) of the benchmarks: cold start to `/readyz` on an existing
# data directory, and the resident memory right after start. Builds the release
# binary, prepares a data directory with the demo school once, then starts
# `parta serve` RUNS times and measures the time until /readyz answers.
# Usage: scripts/bench-startup.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release --locked -p parta-server --bin parta >/dev/null
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/parta"
data="$(mktemp -d)"
port=18789
trap 'rm -rf "$data"' EXIT

start_and_wait() { # prints milliseconds from exec to the first 200 from /readyz
  local started ended pid
  started=$(date +%s%N)
  "$bin" serve --data "$data" --listen "127.0.0.1:$port" "$@" >/dev/null 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do sleep 0.002; done
  ended=$(date +%s%N)
  rss_kib=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (ended - started) / 1000000 )) $rss_kib"
}

start_and_wait --demo >/dev/null   # creates and seeds the database once
times=(); rss=()
for _ in $(seq "$runs"); do
  read -r ms kib <<<"$(start_and_wait)"
  times+=("$ms"); rss+=("$kib")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk -v n="$runs" 'NR == int((n + 1) / 2)')
rss_median=$(printf '%s\n' "${rss[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2)')
echo "cold start to /readyz, SQLite, existing data dir, $runs runs: median ${median} ms, min $(echo "$sorted" | head -1) ms, max $(echo "$sorted" | tail -1) ms"
echo "resident memory right after start: median $(( rss_median / 1024 )) MiB (${rss_median} KiB)"
