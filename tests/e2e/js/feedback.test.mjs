// Scenario 2: logFeedback (scores, tags, comment) on a logged span and updateSpan through an
// exported span, each flushed separately so the server merges them into the stored rows.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, connectSdk } from "./harness.mjs";

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

function commentTexts(row) {
  assert.ok(Array.isArray(row.comments), `row ${row.id} has no comments array: ${JSON.stringify(row)}`);
  return row.comments.map((c) => c?.comment?.text ?? c?.text);
}

test("feedback merges scores, unions tags and attaches the comment; updateSpan merges", async () => {
  const logger = sdk.bt.initLogger({ projectName: "e2e-feedback", asyncFlush: true });

  const answer = await logger.traced(
    async (span) => {
      span.log({
        input: "question",
        output: "draft answer",
        scores: { correct: 0 },
        tags: ["alpha"],
        metadata: { model: "m1" },
      });
      return { id: span.id, spanId: span.spanId, rootSpanId: span.rootSpanId, exported: await span.export() };
    },
    { name: "answer" },
  );
  const other = await logger.traced(
    async (span) => {
      span.log({ input: "other question", output: "other answer", metadata: { model: "m2", temp: 0.5 } });
      return { id: span.id, exported: await span.export() };
    },
    { name: "other" },
  );
  await logger.flush();
  sdk.assertFlushed();

  logger.logFeedback({
    id: answer.id,
    scores: { correct: 1, human: 0.25 },
    tags: ["reviewed"],
    comment: "checked by bob",
    metadata: { reviewer: "bob" },
  });
  await logger.flush();
  sdk.assertFlushed();

  sdk.bt.updateSpan({
    exported: other.exported,
    output: "edited answer",
    metadata: { edited: true },
  });
  await logger.flush();
  sdk.assertFlushed();

  const projectId = await logger.id;
  const rows = await btqlRows(server, "project_logs", projectId);
  assert.equal(rows.length, 2, `a comment must not surface as its own row: ${JSON.stringify(rows, null, 1)}`);
  const byIdMap = new Map(rows.map((r) => [r.id, r]));
  const target = byIdMap.get(answer.id);
  const edited = byIdMap.get(other.id);
  assert.ok(target, "feedback target row missing");
  assert.ok(edited, "updated row missing");

  assert.deepEqual(target.scores, { correct: 1, human: 0.25 });
  assert.deepEqual([...target.tags].sort(), ["alpha", "reviewed"]);
  assert.equal(target.input, "question");
  assert.equal(target.output, "draft answer");
  assert.deepEqual(target.metadata, { model: "m1" }, "feedback metadata is audit metadata, not row metadata");
  assert.equal(target.span_id, answer.spanId);
  assert.equal(target.root_span_id, answer.rootSpanId);
  assert.equal(target.is_root, true);
  assert.deepEqual(commentTexts(target), ["checked by bob"]);

  assert.equal(edited.input, "other question");
  assert.equal(edited.output, "edited answer");
  assert.deepEqual(edited.metadata, { model: "m2", temp: 0.5, edited: true });
  assert.equal(edited.is_root, true);
  assert.ok(
    edited.comments === undefined || edited.comments === null || edited.comments.length === 0,
    "no comment on the other row",
  );

  // The comment row is not a span: nothing references an unknown id or has an `origin` pointer.
  for (const row of rows) {
    assert.equal(row.comment, undefined, `row ${row.id} carries a raw comment field`);
    assert.equal(row._audit_source, undefined);
    assert.equal(row._audit_metadata, undefined);
  }

  // A filtered read for roots (what a UI list does) also gives exactly the two spans.
  const roots = await btqlRows(server, "project_logs", projectId, {
    filter: { op: "eq", left: { op: "ident", name: ["is_root"] }, right: { op: "literal", value: true } },
  });
  assert.deepEqual(roots.map((r) => r.id).sort(), [answer.id, other.id].sort());
});
