#!/usr/bin/env bash
# End-to-end tests of OTLP/HTTP trace ingest with the OpenTelemetry Python SDK
# against build/spanlake (or $SPANLAKE_BIN), in their own venv (tests/lib/pytest-venv.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../../../lib/pytest-venv.sh" "$here" "$@"
