#!/usr/bin/env bash
# Runs every test Parta has. SQLite always; PostgreSQL whenever it is reachable —
# and under CI=true an unreachable PostgreSQL fails the run instead of being skipped.
# Installs what the web client's tests need: its npm packages and Debian's chromium.
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

# Calls' TURN fallback is checked against a real relay: Debian's coturn, driven by
# PyPI's aioice (scripts/turn-check.py).
if ! command -v turnserver >/dev/null 2>&1; then
  echo "installing Debian's coturn for the TURN check"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null
fi
if ! python3 -c 'import aioice' >/dev/null 2>&1; then
  echo "installing aioice for the TURN check"
  python3 -m pip install -q --disable-pip-version-check aioice==0.13.0
fi

# Web push goes to a push service started by the tests, which decrypts as a browser
# does with PyPI's http_ece (and cryptography).
if ! python3 -c 'import http_ece, cryptography' >/dev/null 2>&1; then
  echo "installing http_ece for the push checks"
  python3 -m pip install -q --disable-pip-version-check http-ece==1.2.1
fi
# E-mail goes through a real SMTP server: PyPI's aiosmtpd, started by the tests.
if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "installing aiosmtpd for the e-mail checks"
  python3 -m pip install -q --disable-pip-version-check aiosmtpd==1.4.6
fi

# Single sign-on is tested against a real OpenID provider (npm's oidc-provider, a
# certified library) that the API and end-to-end tests start; it needs Node.
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js is needed for the OpenID provider the SSO tests start." >&2
  exit 1
fi
echo "installing the test OpenID provider's packages"
if ! (cd crates/parta-server/tests/api/oidc_provider && npm ci --no-audit --no-fund --loglevel=error); then
  if [ "${CI:-}" = "true" ]; then
    echo "the OpenID provider's packages could not be installed; under CI=true that is a failure." >&2
    exit 1
  fi
  echo "note: the OpenID provider's packages could not be installed; the SSO tests are skipped." >&2
fi

echo "== Rust: unit tests and API tests on: $backends"
cargo test --workspace --locked

echo "== Web client: packages, type check, build, unit tests"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the end-to-end tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)

echo "== Web client: wire types match the API, end-to-end in Chromium"
cargo build --locked --bin parta
parta_bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/parta"
(cd web && PARTA_BIN="$parta_bin" npm run check:api && PARTA_BIN="$parta_bin" npm run e2e)

echo "== The binary serves the web client built into it"
data_dir="$(mktemp -d)"; port=$((20000 + RANDOM % 20000))
"$parta_bin" serve --listen "127.0.0.1:$port" --data "$data_dir" >"$data_dir/log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data_dir"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
page="$(curl -fs "http://127.0.0.1:$port/chats")"
grep -q '<script type="module"' <<<"$page" || { echo "the binary does not carry the web client"; cat "$data_dir/log"; exit 1; }
kill $server; wait $server 2>/dev/null || true

echo "== Backends tested: $backends"
