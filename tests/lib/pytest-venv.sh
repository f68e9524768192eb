#!/usr/bin/env bash
# usage: tests/lib/pytest-venv.sh DIR [pytest args...]
# Runs the pytest suite in DIR inside DIR/.venv (created on first use; needs
# python3-venv on Debian) with DIR/requirements.txt installed, and exits with
# pytest's exit code.
set -euo pipefail
dir="$(cd "$1" && pwd)"; shift
venv="$dir/.venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$dir/requirements.txt"
cd "$dir"
exec "$venv/bin/python" -m pytest -q "$@" "$dir"
