// Nested spans with GenAI, OpenInference and braintrust.* attributes, sent by the OpenTelemetry JS
// SDK over OTLP/HTTP (protobuf with gzip, and JSON) to a real server, read back through /btql, with
// every mapped field checked.

import assert from "node:assert/strict";
import { test } from "node:test";

import { SpanKind, SpanStatusCode } from "@opentelemetry/api";

import { ISO_RE, SpanlakeServer, btqlRows, byId, registerProject } from "../../js/harness.mjs";
import { batchProvider, hrSeconds, recordingExporter, spanIds, withSpan } from "./otel.mjs";

const ROOT_ATTRS = {
  "braintrust.input_json": JSON.stringify({ question: "Weather in Paris?" }),
  "braintrust.output_json": JSON.stringify({ answer: "Sunny" }),
  "braintrust.expected": "Sunny",
  "braintrust.metadata": JSON.stringify({ customer: "acme" }),
  "braintrust.scores": JSON.stringify({ helpful: 0.75 }),
  "braintrust.tags": ["e2e", "otel"],
  "braintrust.metrics.retries": 2,
  "braintrust.span_attributes": JSON.stringify({ type: "eval" }),
  "app.user_count": 3,
  "app.flags": [true, false],
  "app.ratio": 0.5,
};

const GENAI_ATTRS = {
  "gen_ai.operation.name": "chat",
  "gen_ai.provider.name": "openai",
  "gen_ai.request.model": "gpt-4o",
  "gen_ai.response.model": "gpt-4o-2024-08-06",
  "gen_ai.request.temperature": 0.2,
  "gen_ai.usage.input_tokens": 25,
  "gen_ai.usage.output_tokens": 9,
  "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
  "gen_ai.input.messages": JSON.stringify([
    { role: "user", parts: [{ type: "text", content: "Weather in Paris?" }] },
  ]),
  "gen_ai.output.messages": JSON.stringify([
    {
      role: "assistant",
      parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }],
      finish_reason: "tool_call",
    },
  ]),
  "gen_ai.response.finish_reasons": ["tool_call"],
};

const TOOL_ATTRS = {
  "gen_ai.operation.name": "execute_tool",
  "gen_ai.tool.name": "get_weather",
  "gen_ai.tool.call.id": "call_1",
  "gen_ai.tool.call.arguments": JSON.stringify({ city: "Paris" }),
  "gen_ai.tool.call.result": JSON.stringify({ forecast: "sunny" }),
};

const OPENINFERENCE_LLM_ATTRS = {
  "openinference.span.kind": "LLM",
  "llm.model_name": "claude-3-5-sonnet",
  "llm.provider": "anthropic",
  "llm.input_messages.0.message.role": "system",
  "llm.input_messages.0.message.content": "You are terse.",
  "llm.input_messages.1.message.role": "user",
  "llm.input_messages.1.message.content": "Hi",
  "llm.output_messages.0.message.role": "assistant",
  "llm.output_messages.0.message.content": "Hello!",
  "llm.token_count.prompt": 11,
  "llm.token_count.completion": 2,
  "llm.token_count.total": 13,
  "llm.invocation_parameters": JSON.stringify({ max_tokens: 100 }),
  "session.id": "sess-1",
};

const OPENINFERENCE_CHAIN_ATTRS = {
  "openinference.span.kind": "CHAIN",
  "input.value": JSON.stringify({ query: "paris" }),
  "input.mime_type": "application/json",
  "output.value": "done",
  "output.mime_type": "text/plain",
};

// Emits the trace; returns the live span objects by role.
function emitTrace(tracer) {
  const spans = {};
  withSpan(tracer, "agent-run", { kind: SpanKind.SERVER, attributes: ROOT_ATTRS }, (root) => {
    spans.root = root;
    withSpan(tracer, "chat gpt-4o", { kind: SpanKind.CLIENT, attributes: GENAI_ATTRS }, (llm) => {
      spans.llm = llm;
      withSpan(tracer, "execute_tool get_weather", { attributes: TOOL_ATTRS }, (t) => {
        spans.tool = t;
      });
    });
    withSpan(tracer, "oi-llm", { attributes: OPENINFERENCE_LLM_ATTRS }, (s) => {
      spans.oi = s;
    });
    withSpan(tracer, "oi-chain", { attributes: OPENINFERENCE_CHAIN_ATTRS }, (s) => {
      spans.chain = s;
    });
    withSpan(tracer, "legacy chat", { attributes: { "gen_ai.system": "openai", "gen_ai.request.model": "gpt-3.5-turbo" } }, (s) => {
      spans.events = s;
      s.addEvent("gen_ai.user.message", { content: "Ping?" });
      s.addEvent("gen_ai.choice", {
        index: 0,
        finish_reason: "stop",
        message: JSON.stringify({ role: "assistant", content: "Pong!" }),
      });
    });
    withSpan(tracer, "fails", {}, (s) => {
      spans.fail = s;
      s.recordException(new Error("kaput"));
      s.setStatus({ code: SpanStatusCode.ERROR, message: "tool crashed" });
    });
  });
  return spans;
}

function createdIso([s, ns]) {
  return new Date(s * 1000 + Math.floor(ns / 1e6)).toISOString();
}

// Fields every row carries, whatever its conventions.
function checkCommon(row, span, parentSpan, { traceId }) {
  const { spanId } = spanIds(span);
  assert.equal(row.id, spanId);
  assert.equal(row.span_id, spanId);
  assert.equal(row.root_span_id, traceId);
  if (parentSpan) {
    assert.deepEqual(row.span_parents, [spanIds(parentSpan).spanId]);
  } else {
    assert.ok(row.span_parents == null || row.span_parents.length === 0, JSON.stringify(row.span_parents));
  }
  assert.equal(row.span_attributes.name, span.name);
  assert.match(row.created, ISO_RE);
  assert.equal(row.created, createdIso(span.startTime));
  assert.ok(Math.abs(row.metrics.start - hrSeconds(span.startTime)) < 1e-5, `${row.metrics.start}`);
  assert.ok(Math.abs(row.metrics.end - hrSeconds(span.endTime)) < 1e-5, `${row.metrics.end}`);
  assert.ok(row.metrics.end >= row.metrics.start);
  assert.deepEqual(row.metadata["otel.resource"], { "service.name": "e2e-js", "deployment.environment": "e2e" });
  assert.deepEqual(row.metadata["otel.scope"], { name: "spanlake-e2e", version: "1.2.3" });
  for (const key of Object.keys(row.metadata)) {
    assert.ok(!key.startsWith("braintrust."), `braintrust attribute ${key} left in metadata`);
  }
}

function checkRoot(row) {
  assert.deepEqual(row.input, { question: "Weather in Paris?" });
  assert.deepEqual(row.output, { answer: "Sunny" });
  assert.equal(row.expected, "Sunny");
  assert.deepEqual(row.scores, { helpful: 0.75 });
  assert.deepEqual(row.tags, ["e2e", "otel"]);
  assert.equal(row.metrics.retries, 2);
  assert.equal(row.span_attributes.type, "eval");
  assert.equal(row.metadata.customer, "acme");
  assert.equal(row.metadata["app.user_count"], 3);
  assert.deepEqual(row.metadata["app.flags"], [true, false]);
  assert.equal(row.metadata["app.ratio"], 0.5);
  assert.equal(row.metadata["otel.span_kind"], "server");
  assert.equal(row.error ?? null, null);
}

function checkGenAi(row) {
  assert.equal(row.span_attributes.type, "llm");
  assert.deepEqual(row.input, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather in Paris?" },
  ]);
  assert.deepEqual(row.output, [
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
      finish_reason: "tool_call",
    },
  ]);
  assert.equal(row.metadata.model, "gpt-4o-2024-08-06");
  assert.equal(row.metadata.provider, "openai");
  assert.equal(row.metadata.temperature, 0.2);
  assert.equal(row.metadata["gen_ai.request.model"], "gpt-4o");
  assert.equal(row.metadata["gen_ai.operation.name"], "chat");
  assert.deepEqual(row.metadata["gen_ai.response.finish_reasons"], ["tool_call"]);
  assert.equal(row.metadata["otel.span_kind"], "client");
  assert.equal(row.metrics.prompt_tokens, 25);
  assert.equal(row.metrics.completion_tokens, 9);
  assert.equal(row.metrics.tokens, 34);
  for (const consumed of ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.usage.input_tokens"]) {
    assert.equal(row.metadata[consumed], undefined, consumed);
  }
}

function checkTool(row) {
  assert.equal(row.span_attributes.type, "tool");
  assert.deepEqual(row.input, { city: "Paris" });
  assert.deepEqual(row.output, { forecast: "sunny" });
  assert.equal(row.metadata["gen_ai.tool.name"], "get_weather");
  assert.equal(row.metadata["gen_ai.tool.call.id"], "call_1");
}

function checkOpenInference(row) {
  assert.equal(row.span_attributes.type, "llm");
  assert.deepEqual(row.input, [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Hi" },
  ]);
  assert.deepEqual(row.output, [{ role: "assistant", content: "Hello!" }]);
  assert.equal(row.metadata.model, "claude-3-5-sonnet");
  assert.equal(row.metadata.provider, "anthropic");
  assert.equal(row.metadata.max_tokens, 100);
  assert.equal(row.metadata["session.id"], "sess-1");
  assert.equal(row.metadata["openinference.span.kind"], "LLM");
  assert.equal(row.metrics.prompt_tokens, 11);
  assert.equal(row.metrics.completion_tokens, 2);
  assert.equal(row.metrics.tokens, 13);
}

function checkChain(row) {
  assert.equal(row.span_attributes.type, "task");
  assert.deepEqual(row.input, { query: "paris" });
  assert.equal(row.output, "done");
}

function checkEvents(row) {
  assert.equal(row.span_attributes.type, "llm");
  assert.deepEqual(row.input, [{ role: "user", content: "Ping?" }]);
  assert.deepEqual(row.output, [{ role: "assistant", content: "Pong!", finish_reason: "stop" }]);
  assert.equal(row.metadata.model, "gpt-3.5-turbo");
  assert.equal(row.metadata.provider, "openai");
  assert.equal(row.metadata["otel.events"], undefined);
}

function checkFailure(row) {
  assert.equal(row.span_attributes.type, "function");
  assert.match(row.error, /^Error: kaput\n\s+at /);
  assert.equal(row.error.indexOf("Error: kaput", 1), -1, "the message appears once");
}

for (const encoding of ["protobuf", "json"]) {
  test(`nested spans over OTLP/${encoding} map to rows field by field`, async () => {
    const server = await SpanlakeServer.start();
    try {
      const projectName = `otel-js-${encoding}`;
      const exporter = recordingExporter(server, {
        encoding,
        parent: `project_name:${projectName}`,
        gzip: encoding === "protobuf",
      });
      const provider = batchProvider(exporter, "e2e-js");
      const spans = emitTrace(provider.getTracer("spanlake-e2e", "1.2.3"));
      await provider.forceFlush();
      await provider.shutdown();
      exporter.assertAllSucceeded();
      assert.ok(exporter.results.length >= 1);

      const project = await registerProject(server, projectName);
      const rows = byId(await btqlRows(server, "project_logs", project.id));
      assert.equal(rows.size, 7, [...rows.values()].map((r) => r.span_attributes?.name).join(", "));
      const ids = spanIds(spans.root);
      const expect = [
        ["root", null, checkRoot],
        ["llm", spans.root, checkGenAi],
        ["tool", spans.llm, checkTool],
        ["oi", spans.root, checkOpenInference],
        ["chain", spans.root, checkChain],
        ["events", spans.root, checkEvents],
        ["fail", spans.root, checkFailure],
      ];
      for (const [role, parent, check] of expect) {
        const row = rows.get(spanIds(spans[role]).spanId);
        assert.ok(row, `no row for the ${role} span`);
        checkCommon(row, spans[role], parent, ids);
        check(row);
      }
    } catch (e) {
      e.message += `\n--- server output ---\n${server.outputTail()}`;
      throw e;
    } finally {
      await server.dispose();
    }
  });
}
