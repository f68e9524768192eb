// Ad hoc OTLP ingest throughput: starts `spanlake serve` ($SPANLAKE_BIN, best a release build),
// builds protobuf export requests of realistic GenAI traces with the OpenTelemetry JS SDK's own
// serializer (before the clock starts), posts them over keep-alive connections and reports
// spans/s, then checks that every span is readable.
//
// usage: node bench.mjs [batches=40] [spans_per_batch=512] [concurrency=4]

import { SpanKind } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

import { SpanlakeServer, btqlRows, registerProject } from "../../js/harness.mjs";
import { memoryProvider, withSpan } from "./otel.mjs";

const [batches = 40, perBatch = 512, concurrency = 4] = process.argv.slice(2).map(Number);

// One trace = a root, an LLM call with messages and usage, and a tool call: 3 spans.
function buildBatch(tracer, memory, spans) {
  memory.reset();
  for (let i = 0; i * 3 < spans; i++) {
    withSpan(tracer, "agent", { kind: SpanKind.SERVER, attributes: {
      "braintrust.input_json": JSON.stringify({ question: `question ${i}: what is the weather?` }),
      "braintrust.output_json": JSON.stringify({ answer: "sunny, 21°C" }),
      "user.id": `u-${i % 97}`,
    } }, () => {
      withSpan(tracer, "chat gpt-4o", { kind: SpanKind.CLIENT, attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 120 + (i % 50),
        "gen_ai.usage.output_tokens": 30,
        "gen_ai.input.messages": JSON.stringify([
          { role: "system", parts: [{ type: "text", content: "You are a helpful weather assistant." }] },
          { role: "user", parts: [{ type: "text", content: `question ${i}: what is the weather in Paris today?` }] },
        ]),
        "gen_ai.output.messages": JSON.stringify([
          { role: "assistant", parts: [{ type: "text", content: "It is sunny and 21°C in Paris." }], finish_reason: "stop" },
        ]),
      } }, () => {
        withSpan(tracer, "get_weather", { attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": "get_weather",
          "gen_ai.tool.call.arguments": JSON.stringify({ city: "Paris" }),
          "gen_ai.tool.call.result": JSON.stringify({ temp_c: 21, sky: "clear" }),
        } }, () => {});
      });
    });
  }
  const finished = memory.getFinishedSpans().slice(0, spans);
  return { body: ProtobufTraceSerializer.serializeRequest(finished), spans: finished.length };
}

async function post(server, parent, body) {
  const res = await fetch(`${server.url}/otel/v1/traces`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-protobuf",
      Authorization: `Bearer ${server.adminKey}`,
      "x-bt-parent": parent,
    },
    body,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200 || bytes.length !== 0) throw new Error(`export -> ${res.status} (${bytes.length} bytes)`);
}

const server = await SpanlakeServer.start();
try {
  const project = await registerProject(server, "otel-bench");
  const parent = `project_id:${project.id}`;
  const { provider, memory } = memoryProvider("bench");
  const tracer = provider.getTracer("bench");
  const requests = [];
  for (let b = 0; b < batches; b++) requests.push(buildBatch(tracer, memory, perBatch));
  const totalSpans = requests.reduce((n, r) => n + r.spans, 0);
  const totalBytes = requests.reduce((n, r) => n + r.body.length, 0);

  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) await post(server, parent, requests[next++].body);
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  const rows = await btqlRows(server, "project_logs", project.id);
  if (rows.length !== totalSpans) throw new Error(`read back ${rows.length} rows, sent ${totalSpans} spans`);
  console.log(
    `${batches} requests x ${perBatch} spans (${(totalBytes / batches / 1024).toFixed(0)} KiB protobuf each), ` +
      `concurrency ${concurrency}: ${totalSpans} spans in ${seconds.toFixed(2)} s = ` +
      `${Math.round(totalSpans / seconds)} spans/s, ${(totalBytes / seconds / 1048576).toFixed(1)} MiB/s; ` +
      `all ${rows.length} read back`,
  );
} finally {
  await server.dispose();
}
