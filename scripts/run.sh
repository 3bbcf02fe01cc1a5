#!/usr/bin/env bash
# Builds Parta and runs it on its embedded defaults (SQLite and files in ./parta-data,
# listening on 127.0.0.1:8080) with a demo school. Extra arguments go to `parta serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked --bin parta -- serve --demo "$@"
