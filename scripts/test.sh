#!/usr/bin/env bash
# Set everything up on a fresh machine and run every check: ruff, mypy, the whole test suite.
# Tests that need PostgreSQL, Redis or Chromium fail under CI=true when those are missing,
# and skip with a reason elsewhere. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "== installing Chromium (Debian package) for the browser tests"
  (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null) \
    || echo "could not install chromium; browser tests will report it"
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi

echo "== setting up the virtualenv"
bash scripts/setup.sh

echo "== ruff"
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
echo "== mypy (strict on src/)"
.venv/bin/mypy
echo "== pytest"
exec .venv/bin/pytest -q "$@"
