// Spans of one trace sent in separate requests, out of order and in both encodings, form one
// trace; a re-sent span replaces its row; spans reach experiments and per-span destinations.

import assert from "node:assert/strict";
import { test } from "node:test";

import { SpanlakeServer, btqlRows, byId, httpJson, registerProject } from "../../js/harness.mjs";
import { memoryProvider, recordingExporter, spanIds, withSpan } from "./otel.mjs";

// root → child → grandchild, and a sibling of child; returns the finished spans by name.
function emitTree(provider, memory) {
  const tracer = provider.getTracer("ordering");
  withSpan(tracer, "root", {}, () => {
    withSpan(tracer, "child", {}, () => {
      withSpan(tracer, "grandchild", { attributes: { step: 2 } }, () => {});
    });
    withSpan(tracer, "sibling", {}, () => {});
  });
  return Object.fromEntries(memory.getFinishedSpans().map((s) => [s.name, s]));
}

async function sendOk(exporter, spans) {
  const result = await exporter.send(spans);
  assert.equal(result.code, 0, `export failed: ${result.error}`);
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

test("spans sent out of order in separate requests form one trace", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-order");
    const parent = `project_id:${project.id}`;
    const proto = recordingExporter(server, { encoding: "protobuf", parent });
    const json = recordingExporter(server, { encoding: "json", parent });
    const { provider, memory } = memoryProvider("ordering");
    const s = emitTree(provider, memory);
    // Children before their parents, split over requests and encodings.
    await sendOk(json, [s.grandchild]);
    await sendOk(proto, [s.sibling, s.root]);
    await sendOk(json, [s.child]);

    const rows = byId(await btqlRows(server, "project_logs", project.id));
    assert.equal(rows.size, 4);
    const traceId = spanIds(s.root).traceId;
    const parentOf = { root: null, child: "root", grandchild: "child", sibling: "root" };
    for (const [name, parentName] of Object.entries(parentOf)) {
      const row = rows.get(spanIds(s[name]).spanId);
      assert.ok(row, name);
      assert.equal(row.root_span_id, traceId);
      assert.equal(row.span_attributes.name, name);
      if (parentName === null) {
        assert.ok(row.span_parents == null || row.span_parents.length === 0);
      } else {
        assert.deepEqual(row.span_parents, [spanIds(s[parentName]).spanId]);
      }
    }
    assert.equal(rows.get(spanIds(s.grandchild).spanId).metadata.step, 2);
  }));

test("a re-sent span replaces the earlier row", () =>
  withServer(async (server) => {
    const project = await registerProject(server, "otel-resend");
    const exporter = recordingExporter(server, { encoding: "protobuf", parent: `project_id:${project.id}` });
    const { provider, memory } = memoryProvider("resend");
    const s = emitTree(provider, memory);
    await sendOk(exporter, [s.grandchild]);
    await sendOk(exporter, [s.grandchild]);  // an exporter retry: same span, same ids
    let rows = await btqlRows(server, "project_logs", project.id);
    assert.equal(rows.length, 1);

    // The same ids with other content: the row is replaced, not merged.
    const changed = Object.create(s.grandchild);
    Object.defineProperty(changed, "name", { value: "grandchild v2" });
    Object.defineProperty(changed, "attributes", { value: { "braintrust.output": "second" } });
    await sendOk(exporter, [changed]);
    rows = await btqlRows(server, "project_logs", project.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].id, spanIds(s.grandchild).spanId);
    assert.equal(rows[0].span_attributes.name, "grandchild v2");
    assert.equal(rows[0].output, "second");
    assert.equal(rows[0].metadata.step, undefined, "the first version's attributes are gone");
  }));

test("experiment_id destination and per-span braintrust.parent", () =>
  withServer(async (server) => {
    const registered = await httpJson(server, "POST", "/api/experiment/register", {
      body: { project_name: "otel-exp", experiment_name: "otel-run" },
    });
    const experimentId = registered.experiment.id;
    const other = await registerProject(server, "otel-other");
    const exporter = recordingExporter(server, { encoding: "json", parent: `experiment_id:${experimentId}` });
    const { provider, memory } = memoryProvider("experiment");
    const tracer = provider.getTracer("experiment");
    withSpan(tracer, "eval-case", { attributes: { "braintrust.scores.correct": 1 } }, () => {
      withSpan(tracer, "elsewhere", { attributes: { "braintrust.parent": `project_name:otel-other` } }, () => {});
    });
    const spans = memory.getFinishedSpans();
    await sendOk(exporter, spans);

    const inExperiment = await btqlRows(server, "experiment", experimentId);
    assert.equal(inExperiment.length, 1);
    assert.equal(inExperiment[0].span_attributes.name, "eval-case");
    assert.deepEqual(inExperiment[0].scores, { correct: 1 });
    const inOther = await btqlRows(server, "project_logs", other.id);
    assert.equal(inOther.length, 1);
    assert.equal(inOther[0].span_attributes.name, "elsewhere");
    assert.equal(inOther[0].metadata["braintrust.parent"], undefined);
  }));
