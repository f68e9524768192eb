// Helpers for the OTLP end-to-end tests: a tracer provider whose OTLP exporter (protobuf or JSON)
// points at a Spanlake server, with every export result recorded so that a failed export fails the
// test instead of being logged and dropped by the span processor.

import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

export const EXPORT_TIMEOUT_MS = 30_000;

// Active spans (startActiveSpan) need a context manager; providers here are not registered
// globally, so install one once for the process.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

// An OTLP exporter that records each export's result.
export function recordingExporter(server, { encoding, parent, apiKey, gzip = false }) {
  const options = {
    url: `${server.url}/otel/v1/traces`,
    headers: { Authorization: `Bearer ${apiKey ?? server.adminKey}` },
    timeoutMillis: EXPORT_TIMEOUT_MS,
  };
  if (parent !== undefined) options.headers["x-bt-parent"] = parent;
  if (gzip) options.compression = "gzip";
  const inner = encoding === "protobuf" ? new ProtoExporter(options) : new JsonExporter(options);
  const results = [];
  return {
    results,
    export(spans, done) {
      inner.export(spans, (result) => {
        results.push(result);
        done(result);
      });
    },
    // Sends `spans` as one request and resolves with the export result.
    send(spans) {
      return new Promise((resolve) => this.export(spans, resolve));
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
    assertAllSucceeded() {
      const failed = results.filter((r) => r.code !== 0);
      if (failed.length > 0) {
        throw new Error(`OTLP export failed: ${failed.map((r) => String(r.error)).join(" | ")}`);
      }
    },
  };
}

// A provider exporting through `exporter` with a batch processor (many spans per request).
export function batchProvider(exporter, serviceName) {
  return new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName, "deployment.environment": "e2e" }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 50 })],
  });
}

// A provider that keeps finished spans in memory, for tests that decide themselves which spans go
// into which request, and in which order.
export function memoryProvider(serviceName) {
  const memory = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  return { provider, memory };
}

// Runs `fn(span)` inside a new active span that ends afterwards; returns fn's result.
export function withSpan(tracer, name, options, fn) {
  return tracer.startActiveSpan(name, options, (span) => {
    try {
      return fn(span);
    } finally {
      span.end();
    }
  });
}

export function spanIds(span) {
  const ctx = span.spanContext();
  return { traceId: ctx.traceId, spanId: ctx.spanId };
}

// HrTime [seconds, nanos] → unix seconds.
export function hrSeconds([s, ns]) {
  return s + ns / 1e9;
}

export { context, trace };
