#!/usr/bin/env bash
# Runs the Python SDK end-to-end suite against build/spanlake (or $SPANLAKE_BIN).
# Creates tests/e2e/py/.venv (needs the python3-venv package on Debian), installs the
# pinned requirements into it, and exits with pytest's exit code.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
cd "$HERE"
set +e
"$VENV/bin/python" -m pytest -q "$@" "$HERE"
status=$?
set -e
exit "$status"
