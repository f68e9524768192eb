"""Fixtures for the OTLP end-to-end tests with the OpenTelemetry Python SDK.

Every test gets its own `spanlake serve` on a fresh data dir
(tests/lib/spanlake_server.py). Spans go out through the real OTLP/HTTP
exporter; reads come back through /btql with urllib.
"""

import shutil
import sys
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "lib"))
from spanlake_server import SpanlakeServer, by_name  # noqa: E402,F401

EXPORT_TIMEOUT_S = 30.0


class Server(SpanlakeServer):
    """A spanlake process with OTLP exporters pointed at it."""

    def __init__(self, data_dir: Path, log_dir: Path):
        super().__init__(data_dir, log_dir, key_prefix="sk-e2e-otel-py-")

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
    srv = Server(data_dir, tmp_path)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
