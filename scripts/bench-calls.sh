#!/usr/bin/env bash
# The calls benchmark of BENCHMARKS.md («Calls: broadcast and class») in one command:
# builds the release binaries, then `parta-bench calls` starts Parta with its media
# unit on a loopback UDP port, provisions a school through the API (SQLite in the
# run's directory) and measures a broadcast (one presenter, 300 receive-only viewers)
# and a class call (the teacher's video and audio, 29 students' audio), each on the
# unit and then on a plain UDP relay (the floor), every device in the bench process.
# Results: bench-results/<time>-calls/{broadcast,class}.json and calls.log beside them.
#
# Usage: scripts/bench-calls.sh [extra parta-bench calls flags]
#   scripts/bench-calls.sh --viewers 50 --secs 5            # a quick run
#   scripts/bench-calls.sh --workloads class --class-size 20
set -euo pipefail
cd "$(dirname "$0")/.."
# 300 WebSocket and 300 UDP sockets in this process.
ulimit -n "$(ulimit -Hn)"
cargo build --release --locked -p parta-server --bin parta
cargo build --release --locked -p parta-bench
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release"
out="bench-results/$(date +%Y-%m-%d-%H%M%S)-calls"
mkdir -p "$out"
echo "results in $out"

"$bin/parta-bench" calls --parta-bin "$bin/parta" --data "$out/data" --out "$out" "$@" 2>&1 | tee "$out/calls.log"
