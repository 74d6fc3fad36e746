#!/usr/bin/env bash
# Set everything up on a fresh machine and run consentry on SQLite (./consentry.db).
# The admin token comes from CONSENTRY_ADMIN_TOKEN, or one is made and printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CONSENTRY_ADMIN_TOKEN="${CONSENTRY_ADMIN_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}"
echo "consentry admin token: $CONSENTRY_ADMIN_TOKEN"
.venv/bin/consentry db upgrade
exec .venv/bin/consentry serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
