#!/usr/bin/env bash
# Set everything up on a fresh machine and run consentry on SQLite (./consentry.db).
# The admin token comes from CONSENTRY_ADMIN_TOKEN, or one is made and printed.
# On first start (no SQLite database file yet, or an empty one) 50 synthetic accounts are
# seeded through the service layer so there is something to look at, plus two existing
# users with no choice yet, whose notice is pending; a token of each kind is printed with
# its label (training on, training off, notice pending, commercial plan) and its plan.
# CONSENTRY_SEED=0 starts empty instead. An existing database, or one that is not SQLite,
# is never seeded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CONSENTRY_ADMIN_TOKEN="${CONSENTRY_ADMIN_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}"
url="${CONSENTRY_DATABASE_URL:-sqlite:///consentry.db}"
fresh=0
case "$url" in
  sqlite:///*)
    file="${url#sqlite:///}"
    file="${file%%\?*}"                # drop ?query options
    [ -s "$file" ] || fresh=1 ;;        # missing or zero bytes
esac
.venv/bin/consentry db upgrade --database-url "$url"
if [ "$fresh" = 1 ] && [ "${CONSENTRY_SEED:-1}" != 0 ]; then
  echo "== seeding 50 synthetic accounts (CONSENTRY_SEED=0 to skip)"
  .venv/bin/consentry demo --accounts 50 --pending-notices 2 --database-url "$url"
fi
echo "admin token (sign in at /admin/signin): $CONSENTRY_ADMIN_TOKEN"
exec .venv/bin/consentry serve --database-url "$url" --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
