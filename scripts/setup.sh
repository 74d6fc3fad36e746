#!/usr/bin/env bash
# Idempotent set-up shared by serve.sh and test.sh: a virtualenv with consentry installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.consentry-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[${CONSENTRY_EXTRAS:-dev}]"
  touch "$stamp"
fi
