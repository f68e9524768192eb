"""Fixtures for end-to-end tests of spanlake with the official Python SDK.

Every test gets its own server on a fresh temporary data dir. SDK work runs in a
child process (scenarios/<name>.py) so that the SDK's global state (login cache,
background logger, atexit hooks) never leaks from one test into another. Reads
go through the server's own HTTP API (/btql and friends) with urllib.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "lib"))
from spanlake_server import SpanlakeServer, by_name  # noqa: E402,F401

SCENARIOS = HERE / "scenarios"
SCENARIO_TIMEOUT_S = 180.0


class Server(SpanlakeServer):
    """A spanlake process that also runs SDK scenarios against itself."""

    def __init__(self, data_dir: Path, log_dir: Path):
        super().__init__(data_dir, log_dir, key_prefix="sk-e2e-py-")

    # ---- SDK environment -------------------------------------------------

    def sdk_env(self, home: Path) -> dict:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("BRAINTRUST_") and not k.startswith("OTEL_")
        }
        env.update(
            {
                "BRAINTRUST_APP_URL": self.url,
                "BRAINTRUST_API_URL": self.url,
                "BRAINTRUST_API_KEY": self.key,
                # flush() raises on a failed request instead of printing and dropping.
                "BRAINTRUST_SYNC_FLUSH": "1",
                "BRAINTRUST_NUM_RETRIES": "1",
                "HOME": str(home),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def project_args(self, name, mode):
        """Scenario args naming a project: by name only (the SDK looks it up through
        POST /v1/project) or also by a pre-registered id (no lookup)."""
        if mode == "sdk_lookup":
            return {"project": name}
        assert mode == "known_id", mode
        return {"project": name, "project_id": self.register_project(name)}

    def logs3(self, rows, *, key="default"):
        return self.http("POST", "/logs3", {"rows": rows, "api_version": 2}, key=key)

    # ---- SDK scenarios in a child process --------------------------------

    def run_scenario(self, name, args=None, *, env=None, home=None, timeout=SCENARIO_TIMEOUT_S):
        """Runs scenarios/<name>.py with the venv's python; returns its RESULT json."""
        home = home or Path(tempfile.mkdtemp(prefix="home-", dir=self.log_dir))
        full_env = self.sdk_env(home)
        full_env.update(env or {})
        cmd = [sys.executable, str(SCENARIOS / f"{name}.py"), json.dumps(args or {})]
        try:
            proc = subprocess.run(
                cmd, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=str(home)
            )
        except subprocess.TimeoutExpired as err:
            raise AssertionError(
                f"scenario {name} timed out after {timeout}s\nstdout:\n{err.stdout}\n"
                f"stderr:\n{err.stderr}\nserver:\n{self.log_text()}"
            )
        result = None
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT "):])
        if proc.returncode != 0 or result is None:
            errors = [l for l in proc.stderr.splitlines() if re.match(r"^[\w.]*(Error|Exception)\b", l)]
            raise AssertionError(
                f"scenario {name} failed (exit {proc.returncode}): "
                f"{errors[0] if errors else 'see stderr'}\nstdout:\n{proc.stdout[-6000:]}\n"
                f"stderr:\n{proc.stderr[-6000:]}\nserver:\n{self.log_text()}"
            )
        result["_stderr"] = proc.stderr
        return result


@pytest.fixture
def server(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    srv = Server(data_dir, log_dir)
    srv.start()
    try:
        yield srv
    finally:
        srv.kill9()
        shutil.rmtree(data_dir, ignore_errors=True)


# ---- row helpers ----------------------------------------------------------

XACT_RE = re.compile(r"^[0-9]{19}$")


def by_id(rows):
    out = {}
    for row in rows:
        assert row["id"] not in out, f"duplicate id {row['id']} in read-back"
        out[row["id"]] = row
    return out


def eq(field, value):
    return {
        "op": "eq",
        "left": {"op": "ident", "name": [field] if isinstance(field, str) else field},
        "right": {"op": "literal", "value": value},
    }
