#!/usr/bin/env bash
# Runs every test Parta has. SQLite always; PostgreSQL whenever it is reachable —
# and under CI=true an unreachable PostgreSQL fails the run instead of being skipped.
# Installs nothing system-wide yet: the Rust suites need only cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${PARTA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
nats_url="${PARTA_TEST_NATS_URL:-127.0.0.1:4222}"

reachable() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

pg_hostport="${pg_url#*@}"; pg_hostport="${pg_hostport%%/*}"
pg_host="${pg_hostport%%:*}"; pg_port="${pg_hostport##*:}"
backends="sqlite"
if reachable "$pg_host" "$pg_port"; then
  export PARTA_TEST_POSTGRES_URL="$pg_url"
  backends="$backends postgresql"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $pg_host:$pg_port; under CI=true that is a failure." >&2
  exit 1
else
  echo "note: PostgreSQL is not reachable at $pg_host:$pg_port; API tests run on SQLite only." >&2
fi

# NATS carries events between nodes; no suite uses it yet, but CI still checks the service is there.
nats_host="${nats_url%%:*}"; nats_port="${nats_url##*:}"
if reachable "$nats_host" "$nats_port"; then
  nats_note="reachable (no suite needs it yet)"
elif [ "${CI:-}" = "true" ]; then
  echo "NATS is not reachable at $nats_url; under CI=true that is a failure." >&2
  exit 1
else
  nats_note="not reachable (no suite needs it yet)"
fi

echo "== Rust: unit tests and API tests on: $backends"
cargo test --workspace --locked

echo "== Backends tested: $backends; NATS: $nats_note"
