// What the OTLP endpoint refuses, and that a refused request writes nothing: undecodable protobuf
// and JSON, oversize bodies, missing or wrong keys, unknown or malformed destinations, unsupported
// content types; and partial success when only some spans are bad.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";

import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";

import { SpanlakeServer, btqlRows, http, httpJson, registerProject } from "../../js/harness.mjs";
import { memoryProvider, recordingExporter, withSpan } from "./otel.mjs";

const PATH = "/otel/v1/traces";

function finishedSpans() {
  const { provider, memory } = memoryProvider("rejects");
  const tracer = provider.getTracer("rejects");
  withSpan(tracer, "parent", {}, () => withSpan(tracer, "child", {}, () => {}));
  return memory.getFinishedSpans();
}

function post(server, body, { contentType = "application/json", parent, apiKey } = {}) {
  const headers = { "Content-Type": contentType };
  if (parent !== undefined) headers["x-bt-parent"] = parent;
  return http(server, "POST", PATH, { rawBody: body, headers, apiKey });
}

async function projectNamed(server, name) {
  return httpJson(server, "POST", "/api/project/get", { body: { name } });
}

async function withServer(fn) {
  const server = await SpanlakeServer.start();
  try {
    await fn(server);
  } catch (e) {
    e.message += `\n--- server output ---\n${server.outputTail()}`;
    throw e;
  } finally {
    await server.dispose();
  }
}

test("undecodable bodies are 400 with a reason, in the request's encoding", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-bad-bodies");
    const parent = `project_id:${project.id}`;

    const proto = await post(server, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), {
      contentType: "application/x-protobuf",
      parent,
    });
    assert.equal(proto.status, 400);
    assert.equal(proto.headers.get("content-type"), "application/x-protobuf");
    assert.match(proto.text, /cannot decode the OTLP request: malformed protobuf at byte \d+/);

    const notJson = await post(server, "{not json", { parent });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.json.code, 3);
    assert.match(notJson.json.message, /cannot decode the OTLP request: request body is not JSON/);

    const badId = await post(
      server,
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: "not-hex!", spanId: "00" }] }] }] }),
      { parent },
    );
    assert.equal(badId.status, 400);
    assert.match(badId.json.message, /resourceSpans\[0\]: scopeSpans\[0\]: spans\[0\]: 'traceId'/);

    // A valid request whose second span is cut short: nothing of it is written.
    const whole = ProtobufTraceSerializer.serializeRequest(finishedSpans());
    const cut = await post(server, Buffer.from(whole.subarray(0, whole.length - 7)), {
      contentType: "application/x-protobuf",
      parent,
    });
    assert.equal(cut.status, 400);
    assert.deepEqual(await btqlRows(server, "project_logs", project.id), []);
  }));

test("oversize bodies are 413 and write nothing", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-oversize");
    const spans = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(finishedSpans())));
    spans.resourceSpans[0].resource.attributes.push({
      key: "padding",
      value: { stringValue: "x".repeat(17 * 1024 * 1024) },
    });
    const res = await post(server, JSON.stringify(spans), { parent: `project_id:${project.id}` });
    assert.equal(res.status, 413);
    assert.equal(res.json.code, 8);
    assert.match(res.json.message, /over the limit/);
    assert.deepEqual(await btqlRows(server, "project_logs", project.id), []);
  }));

test("keys, destinations and content types are checked before anything is written", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-auth");
    const body = Buffer.from(JsonTraceSerializer.serializeRequest(finishedSpans()));
    const parent = `project_id:${project.id}`;
    const cases = [
      [{ parent, apiKey: null }, 401, /missing API key/],
      [{ parent, apiKey: "sk-not-a-key" }, 401, /invalid API key/],
      [{ parent: "project_name:never-created", apiKey: "sk-not-a-key" }, 401, /invalid API key/],
      [{ parent: `project_id:${randomUUID()}` }, 404, /x-bt-parent: project '.*' not found/],
      [{ parent: `experiment_id:${randomUUID()}` }, 404, /experiment '.*' not found/],
      [{ parent: "team:abc" }, 400, /must be project_id:<id>, project_name:<name> or experiment_id:<id>/],
      [{}, 400, /x-bt-parent header is required/],
    ];
    for (const [options, status, message] of cases) {
      const res = await post(server, body, options);
      assert.equal(res.status, status, `${JSON.stringify(options)}: ${res.text}`);
      assert.match(res.json.message, message);
    }
    const textPlain = await post(server, body, { parent, contentType: "text/plain" });
    assert.equal(textPlain.status, 415);
    assert.deepEqual(await btqlRows(server, "project_logs", project.id), []);
    assert.deepEqual(await projectNamed(server, "never-created"), []);

    // The SDK's exporter sees these as failed exports.
    const exporter = recordingExporter(server, { encoding: "protobuf", parent, apiKey: "sk-wrong" });
    const result = await exporter.send(finishedSpans());
    assert.equal(result.code, 1);
    assert.deepEqual(await btqlRows(server, "project_logs", project.id), []);
  }));

test("bad spans are rejected alone with partial success", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-partial");
    const good = "0af7651916cd43dd8448eb211c80319c";
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: good, spanId: "b7ad6b7169203331", name: "ok", startTimeUnixNano: "1700000000000000000" },
                { traceId: good, spanId: "b7ad6b71", name: "short span id" },
                { traceId: "00000000000000000000000000000000", spanId: "00f067aa0ba902b7", name: "zero trace" },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(server, JSON.stringify(request), { parent: `project_id:${project.id}` });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.json.partialSuccess.rejectedSpans, 2);
    assert.match(res.json.partialSuccess.errorMessage, /span 'short span id': span id must be 8 bytes/);
    assert.match(res.json.partialSuccess.errorMessage, /span 'zero trace': trace id/);
    const rows = await btqlRows(server, "project_logs", project.id);
    assert.deepEqual(rows.map((r) => r.id), ["b7ad6b7169203331"]);

    const empty = await post(server, "{}", { parent: `project_id:${project.id}` });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, {});
  }));
