#!/usr/bin/env bash
# Runs every test Parta has. SQLite always; PostgreSQL whenever it is reachable —
# and under CI=true an unreachable PostgreSQL fails the run instead of being skipped.
# Installs nothing system-wide yet: the Rust suites need only cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${PARTA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
nats_url="${PARTA_TEST_NATS_URL:-nats://127.0.0.1:4222}"

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

# NATS carries events between nodes: the cluster suite runs two nodes on PostgreSQL + NATS.
nats_hostport="${nats_url#*://}"
nats_host="${nats_hostport%%:*}"; nats_port="${nats_hostport##*:}"
if reachable "$nats_host" "$nats_port" && [ -n "${PARTA_TEST_POSTGRES_URL:-}" ]; then
  export PARTA_TEST_NATS_URL="$nats_url"
  backends="$backends nats"
elif [ "${CI:-}" = "true" ]; then
  echo "NATS is not reachable at $nats_url; under CI=true that is a failure." >&2
  exit 1
else
  echo "note: NATS (or PostgreSQL) is not reachable; the two-node suite is skipped." >&2
fi

echo "== Rust: unit tests and API tests on: $backends"
cargo test --workspace --locked

echo "== Backends tested: $backends"
