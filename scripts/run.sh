#!/usr/bin/env bash
# Builds the web client and Parta, and runs it on its embedded defaults (SQLite and
# files in ./parta-data, listening on 127.0.0.1:8080) with a demo school.
# Extra arguments go to `parta serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build)
# The client in web/dist is built into the binary.
exec cargo run --release --locked --bin parta -- serve --demo "$@"
