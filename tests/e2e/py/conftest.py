"""Fixtures for end-to-end tests of spanlake with the official Python SDK.

Every test gets its own server on a fresh temporary data dir. SDK work runs in a
child process (scenarios/<name>.py) so that the SDK's global state (login cache,
background logger, atexit hooks) never leaks from one test into another. Reads
go through the server's own HTTP API (/btql and friends) with urllib.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SCENARIOS = HERE / "scenarios"
LISTEN_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 30.0
SCENARIO_TIMEOUT_S = 180.0


def server_binary() -> str:
    return os.environ.get("SPANLAKE_BIN", str(REPO / "build" / "spanlake"))


class Server:
    """One spanlake process bound to one data dir; can be killed and restarted."""

    def __init__(self, data_dir: Path, log_dir: Path):
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.key = "sk-e2e-py-" + secrets.token_hex(16)
        self.proc = None
        self.port = None
        self._log_file = None
        self._starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = server_binary()
        if not os.path.exists(binary):
            pytest.fail(f"server binary not found: {binary} (set SPANLAKE_BIN)")
        self._starts += 1
        log_path = self.log_dir / f"server-{self._starts}.log"
        self._log_file = open(log_path, "wb")
        env = dict(os.environ, SPANLAKE_ADMIN_KEY=self.key)
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir)],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = log_path.read_text(errors="replace")
            match = LISTEN_RE.search(text)
            if match:
                self.port = int(match.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        output = log_path.read_text(errors="replace")
        code = self.proc.poll()
        self.kill9()
        why = f"exited with status {code}" if code is not None else (
            f"did not report its port within {START_TIMEOUT_S}s")
        pytest.fail(f"server {why}; output:\n{output}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._close_log()

    def kill9(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._close_log()

    def restart(self) -> None:
        self.start()

    def log_text(self) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("server-*.log")):
            parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        self.proc = None

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

    # ---- raw HTTP --------------------------------------------------------

    def http(self, method, path, body=None, *, raw=None, key="default", headers=None):
        """Returns (status, parsed JSON body or text, headers). Never raises on 4xx/5xx."""
        data = None
        hdrs = {"Accept": "application/json"}
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if key == "default":
            key = self.key
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        hdrs.update(headers or {})
        url = path if path.startswith("http") else self.url + path
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
                status, payload, rh = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            status, payload, rh = err.code, err.read(), dict(err.headers)
        text = payload.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, parsed, rh

    def btql(self, kind, object_id, *, filter=None, version=None, limit=None):
        """All current rows of one object, following cursors (bounded)."""
        rows, cursor = [], None
        for _ in range(200):
            query = {
                "select": [{"op": "star"}],
                "from": {
                    "op": "function",
                    "name": {"op": "ident", "name": [kind]},
                    "args": [{"op": "literal", "value": object_id}],
                },
            }
            if filter is not None:
                query["filter"] = filter
            if limit is not None:
                query["limit"] = limit
            if cursor:
                query["cursor"] = cursor
            body = {"query": query}
            if version is not None:
                body["version"] = version
            status, resp, _ = self.http("POST", "/btql", body)
            assert status == 200, f"/btql {kind}({object_id}) -> {status}: {resp}"
            assert isinstance(resp, dict) and isinstance(resp.get("data"), list), resp
            rows.extend(resp["data"])
            cursor = resp.get("cursor")
            if not cursor or not resp["data"]:
                return rows
        raise AssertionError("btql: too many pages")

    def register_project(self, name):
        """Creates (or gets) a project through the JS SDK's control-plane calls.

        Used where a test is about the data plane, so that the Python SDK can be
        given the project id up front (init_logger(project=, project_id=) makes
        no project lookup then)."""
        status, body, _ = self.http("POST", "/api/apikey/login")
        assert status == 200, f"login -> {status}: {body}"
        org_id = body["org_info"][0]["id"]
        status, body, _ = self.http(
            "POST", "/api/project/register", {"project_name": name, "org_id": org_id})
        assert status == 200, f"project/register -> {status}: {body}"
        return body["project"]["id"]

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


def by_name(rows):
    out = {}
    for row in rows:
        name = (row.get("span_attributes") or {}).get("name")
        assert name not in out, f"duplicate span name {name!r}"
        out[name] = row
    return out


def eq(field, value):
    return {
        "op": "eq",
        "left": {"op": "ident", "name": [field] if isinstance(field, str) else field},
        "right": {"op": "literal", "value": value},
    }
