#!/usr/bin/env bash
# Runs the Python SDK end-to-end suite against build/spanlake (or $SPANLAKE_BIN)
# in its own venv (tests/lib/pytest-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../../lib/pytest-venv.sh" "$here" "$@"
