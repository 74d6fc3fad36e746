#!/usr/bin/env bash
# Idempotent set-up shared by serve.sh and test.sh: a virtualenv with consentry installed.
# The filter's compiled scan (src/consentry/redaction/_native.cpp) needs a C++ compiler and
# RE2's headers; as root on Debian they are installed here, elsewhere consentry installs
# without the compiled scan and filters in Python (same findings, about 6x slower on dense text).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if { [ ! -f /usr/include/re2/re2.h ] || ! command -v g++ >/dev/null 2>&1; } \
  && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing RE2's headers and g++ (Debian packages) for the compiled filter scan"
  (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    libre2-dev g++ >/dev/null) || echo "could not install libre2-dev/g++; the filter will run in Python"
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.consentry-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ setup.py -nt "$stamp" ] \
  || [ src/consentry/redaction/_native.cpp -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[${CONSENTRY_EXTRAS:-dev}]"
  touch "$stamp"
fi
