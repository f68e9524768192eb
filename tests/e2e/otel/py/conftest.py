"""Fixtures for the OTLP end-to-end tests with the OpenTelemetry Python SDK.

Every test gets its own `spanlake serve` on a fresh data dir (adapted from
tests/e2e/py/conftest.py, which is not importable from here without clashing
with this conftest). Spans go out through the real OTLP/HTTP exporter; reads
come back through /btql with urllib.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
LISTEN_RE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 30.0
EXPORT_TIMEOUT_S = 30.0


def server_binary() -> str:
    return os.environ.get("SPANLAKE_BIN", str(REPO / "build" / "spanlake"))


class Server:
    """One spanlake process on one data dir."""

    def __init__(self, data_dir: Path, log_path: Path):
        self.data_dir = data_dir
        self.log_path = log_path
        self.key = "sk-e2e-otel-py-" + secrets.token_hex(16)
        self.proc = None
        self.port = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = server_binary()
        if not os.path.exists(binary):
            pytest.fail(f"server binary not found: {binary} (set SPANLAKE_BIN)")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, SPANLAKE_ADMIN_KEY=self.key),
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            match = LISTEN_RE.search(self.log_path.read_text(errors="replace"))
            if match:
                self.port = int(match.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        output = self.log_path.read_text(errors="replace")
        self.stop()
        pytest.fail(f"server did not report its port within {START_TIMEOUT_S}s; output:\n{output}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    # ---- raw HTTP ------------------------------------------------------

    def http(self, method, path, body=None, *, raw=None, key="default", headers=None):
        """Returns (status, body bytes, headers). Never raises on 4xx/5xx."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Content-Type": "application/json", "Accept": "application/json"}
        key = self.key if key == "default" else key
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def json(self, method, path, body=None):
        status, payload, _ = self.http(method, path, body)
        assert status == 200, f"{method} {path} -> {status}: {payload[:2000]!r}\n{self.log_tail()}"
        return json.loads(payload)

    def register_project(self, name):
        return self.json("POST", "/api/project/register", {"project_name": name})["project"]["id"]

    def btql(self, kind, object_id):
        """All current rows of one object, following cursors (bounded)."""
        rows, cursor = [], None
        for _ in range(100):
            query = {
                "select": [{"op": "star"}],
                "from": {
                    "op": "function",
                    "name": {"op": "ident", "name": [kind]},
                    "args": [{"op": "literal", "value": object_id}],
                },
            }
            if cursor:
                query["cursor"] = cursor
            resp = self.json("POST", "/btql", {"query": query})
            rows.extend(resp["data"])
            cursor = resp.get("cursor")
            if not cursor or not resp["data"]:
                return rows
        raise AssertionError("btql: too many pages")

    # ---- OTLP ----------------------------------------------------------

    def exporter(self, parent=None, *, key="default", gzip=False):
        headers = {"Authorization": f"Bearer {self.key if key == 'default' else key}"}
        if parent is not None:
            headers["x-bt-parent"] = parent
        inner = OTLPSpanExporter(
            endpoint=f"{self.url}/otel/v1/traces",
            headers=headers,
            timeout=EXPORT_TIMEOUT_S,
            compression=Compression.Gzip if gzip else Compression.NoCompression,
        )
        return RecordingExporter(inner)


class RecordingExporter(SpanExporter):
    """Records each export's result: span processors log failures and move on."""

    def __init__(self, inner):
        self.inner = inner
        self.results = []

    def export(self, spans):
        result = self.inner.export(spans)
        self.results.append(result)
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True

    def assert_all_succeeded(self):
        assert self.results, "nothing was exported"
        assert all(r == SpanExportResult.SUCCESS for r in self.results), self.results


@pytest.fixture
def server(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    srv = Server(data_dir, tmp_path / "server.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def by_name(rows):
    out = {}
    for row in rows:
        name = row["span_attributes"]["name"]
        assert name not in out, f"duplicate span name {name!r}"
        out[name] = row
    return out
