// Scenario 1: initLogger with a nested span tree, span.log updates sent after the span start was
// already flushed (so the server has to deep-merge), then read back through /btql.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { ISO_RE, SpanlakeServer, XACT_RE, btqlRows, connectSdk, orgId } from "./harness.mjs";

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

test("nested traced spans fold into 4 rows with the tree and merged fields", async () => {
  const logger = sdk.bt.initLogger({ projectName: "e2e-spans", asyncFlush: true });
  const ids = {};

  await logger.traced(
    async (root) => {
      ids.root = { id: root.id, spanId: root.spanId, rootSpanId: root.rootSpanId };
      root.log({
        input: { question: "What is 2+2?" },
        metadata: { user: "alice", nested: { a: 1, keep: "x" } },
        tags: ["math", "smoke"],
      });
      // The start row reaches the server before any update, so later logs arrive as merges.
      await logger.flush();

      await root.traced(
        async (child) => {
          ids.child1 = { id: child.id, spanId: child.spanId };
          child.log({ input: "prompt-1", metrics: { prompt_tokens: 10 } });
          await logger.flush();
          await child.traced(
            async (grandchild) => {
              ids.grandchild = { id: grandchild.id, spanId: grandchild.spanId };
              grandchild.log({ input: { sql: "select 1" }, output: [1, 2, 3] });
            },
            { name: "grandchild", type: "tool" },
          );
          child.log({ output: "4", metrics: { completion_tokens: 2, tokens: 12 } });
        },
        { name: "child1", type: "llm" },
      );

      await root.traced(
        async (child) => {
          ids.child2 = { id: child.id, spanId: child.spanId };
          child.log({ output: { ok: true }, scores: { helpful: 0.75 } });
        },
        { name: "child2", type: "function" },
      );
      await logger.flush();

      root.log({
        output: "4",
        expected: "4",
        scores: { correct: 1, partial: 0.5 },
        metadata: { nested: { b: [1, 2] }, stage: "done" },
        metrics: { tokens: 30 },
      });
    },
    { name: "root-span" },
  );
  await logger.flush();
  sdk.assertFlushed();

  const projectId = await logger.id;
  const org = await orgId(server);
  const rows = await btqlRows(server, "project_logs", projectId);
  assert.equal(rows.length, 4, `expected 4 rows, got ${JSON.stringify(rows, null, 1)}`);
  const byIdMap = new Map(rows.map((r) => [r.id, r]));
  const root = byIdMap.get(ids.root.id);
  const child1 = byIdMap.get(ids.child1.id);
  const child2 = byIdMap.get(ids.child2.id);
  const grandchild = byIdMap.get(ids.grandchild.id);
  for (const [name, row] of Object.entries({ root, child1, child2, grandchild })) {
    assert.ok(row, `row for ${name} missing; got ids ${[...byIdMap.keys()]}`);
  }

  // Tree shape.
  for (const row of rows) {
    assert.equal(row.root_span_id, ids.root.rootSpanId, "all spans share the trace id");
    assert.equal(row.project_id, projectId);
    assert.equal(row.log_id, "g");
    assert.equal(row.org_id, org);
    assert.match(row._xact_id, XACT_RE, "_xact_id is a 19-digit decimal string");
    assert.equal(typeof row.created, "string");
    assert.match(row.created, ISO_RE);
    assert.ok(!Number.isNaN(Date.parse(row.created)));
  }
  assert.equal(root.span_id, ids.root.spanId);
  assert.equal(root.is_root, true);
  assert.ok(root.span_parents === undefined || root.span_parents === null || root.span_parents.length === 0);
  assert.deepEqual(child1.span_parents, [ids.root.spanId]);
  assert.deepEqual(child2.span_parents, [ids.root.spanId]);
  assert.deepEqual(grandchild.span_parents, [ids.child1.spanId]);
  for (const row of [child1, child2, grandchild]) assert.equal(row.is_root, false);
  assert.equal(child1.span_id, ids.child1.spanId);
  assert.equal(grandchild.span_id, ids.grandchild.spanId);

  // Merged fields of the root: deep-merged metadata, replaced scalars, merged metrics.
  assert.deepEqual(root.input, { question: "What is 2+2?" });
  assert.equal(root.output, "4");
  assert.equal(root.expected, "4");
  assert.deepEqual(root.scores, { correct: 1, partial: 0.5 });
  assert.deepEqual(root.metadata, { user: "alice", nested: { a: 1, keep: "x", b: [1, 2] }, stage: "done" });
  assert.deepEqual([...root.tags].sort(), ["math", "smoke"]);
  assert.equal(root.metrics.tokens, 30);
  assert.equal(typeof root.metrics.start, "number");
  assert.equal(typeof root.metrics.end, "number");
  assert.ok(root.metrics.end >= root.metrics.start);
  assert.equal(root.span_attributes.name, "root-span");
  assert.equal(root.span_attributes.type, "task");

  assert.equal(child1.input, "prompt-1");
  assert.equal(child1.output, "4");
  assert.equal(child1.metrics.prompt_tokens, 10);
  assert.equal(child1.metrics.completion_tokens, 2);
  assert.equal(child1.metrics.tokens, 12);
  assert.equal(typeof child1.metrics.start, "number");
  assert.equal(typeof child1.metrics.end, "number");
  assert.deepEqual(child1.span_attributes.name, "child1");
  assert.deepEqual(child1.span_attributes.type, "llm");

  assert.deepEqual(child2.output, { ok: true });
  assert.deepEqual(child2.scores, { helpful: 0.75 });
  assert.equal(child2.span_attributes.type, "function");

  assert.deepEqual(grandchild.input, { sql: "select 1" });
  assert.deepEqual(grandchild.output, [1, 2, 3]);
  assert.equal(grandchild.span_attributes.name, "grandchild");
  assert.equal(grandchild.span_attributes.type, "tool");

  // SDK identity travels in context and must be stored verbatim.
  assert.equal(root.context.span_origin.name, "braintrust.sdk.javascript");
  assert.equal(root.context.span_origin.version, "3.35.0");

  // Control fields are write-only.
  for (const row of rows) {
    assert.equal(row._is_merge, undefined, "_is_merge must not be stored");
  }
});
