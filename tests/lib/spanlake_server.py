"""A `spanlake serve` process for Python end-to-end suites.

One process bound to one data dir on a free loopback port, with a known admin
key; it can be stopped, killed with SIGKILL and restarted on the same data dir.
Reads go through the server's own HTTP API with urllib. The SDK suite
(tests/e2e/py) and the OTLP suite (tests/e2e/otel/py) subclass it.
"""

import json
import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LISTEN_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 30.0


class ServerError(Exception):
    """The server could not be started."""


def server_binary() -> str:
    return os.environ.get("SPANLAKE_BIN", str(REPO / "build" / "spanlake"))


class SpanlakeServer:
    def __init__(self, data_dir: Path, log_dir: Path, key_prefix: str = "sk-e2e-"):
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.key = key_prefix + secrets.token_hex(16)
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
            raise ServerError(f"server binary not found: {binary} (set SPANLAKE_BIN)")
        self._starts += 1
        log_path = self.log_dir / f"server-{self._starts}.log"
        self._log_file = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir)],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, SPANLAKE_ADMIN_KEY=self.key),
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            match = LISTEN_RE.search(log_path.read_text(errors="replace"))
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
        raise ServerError(f"server {why}; output:\n{output}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        self._close_log()

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
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

    def json(self, method, path, body=None):
        """The parsed body of a request that must answer 200."""
        status, parsed, _ = self.http(method, path, body)
        assert status == 200, f"{method} {path} -> {status}: {parsed}\n{self.log_text()}"
        return parsed

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
            resp = self.json("POST", "/btql", body)
            assert isinstance(resp, dict) and isinstance(resp.get("data"), list), resp
            rows.extend(resp["data"])
            cursor = resp.get("cursor")
            if not cursor or not resp["data"]:
                return rows
        raise AssertionError("btql: too many pages")

    def register_project(self, name):
        """Creates (or gets) a project through the control-plane calls the JS SDK makes."""
        org_id = self.json("POST", "/api/apikey/login")["org_info"][0]["id"]
        body = self.json("POST", "/api/project/register", {"project_name": name, "org_id": org_id})
        return body["project"]["id"]


def by_name(rows):
    """Rows keyed by span name; each name must be unique."""
    out = {}
    for row in rows:
        name = (row.get("span_attributes") or {}).get("name")
        assert name not in out, f"duplicate span name {name!r}"
        out[name] = row
    return out
