// The query language over HTTP: BTQL and SQL text on /btql (errors with line and column, cursors
// in the body and the x-bt-cursor header, jsonl, sources by name), and the REST data routes:
// insert, fetch (GET and POST; limit counts traces), feedback, cross-object insert, summarize.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, http, httpJson } from "./harness.mjs";

let server;
let project;
let experiment;
let dataset;

before(async () => {
  server = await SpanlakeServer.start();
  project = await httpJson(server, "POST", "/v1/project", { body: { name: "e2e-query" } });
  experiment = await httpJson(server, "POST", "/v1/experiment", {
    body: { project_id: project.id, name: "exp-query" },
  });
  dataset = await httpJson(server, "POST", "/v1/dataset", { body: { project_id: project.id, name: "ds-query" } });
});

after(async () => {
  await server?.dispose();
});

function span(id, root, extra = {}) {
  const row = { id, span_id: id, root_span_id: root, ...extra };
  if (id !== root) row.span_parents = [root];
  return row;
}

const btql = (query, extra = {}) => http(server, "POST", "/btql", { body: { query, ...extra } });

test("REST insert, then BTQL and SQL text read the same rows", async () => {
  const events = [
    span("t1", "t1", { input: "refund my order", scores: { acc: 1 }, metadata: { model: "a" } }),
    span("t1a", "t1", { span_attributes: { type: "llm" }, metrics: { tokens: 10 } }),
    span("t2", "t2", { input: "hello", scores: { acc: 0 }, metadata: { model: "b" } }),
    span("t3", "t3", { input: "order status", scores: { acc: 0.5 }, metadata: { model: "a" } }),
  ];
  const ins = await httpJson(server, "POST", `/v1/experiment/${experiment.id}/insert`, { body: { events } });
  assert.deepEqual(ins.row_ids, ["t1", "t1a", "t2", "t3"]);

  const text = await btql(`select: id | from: experiment('${experiment.id}') | filter: input match 'order' | sort: id`);
  assert.equal(text.status, 200, text.text);
  assert.deepEqual(text.json.data, [{ id: "t1" }, { id: "t3" }]);
  assert.equal(text.json.schema.items.properties.id.type, "string");

  const sql = await btql(
    `SELECT metadata.model AS model, count(*) AS n, avg(scores.acc) AS acc FROM experiment('${experiment.id}') ` +
      `WHERE is_root GROUP BY 1 ORDER BY model`,
  );
  assert.equal(sql.status, 200, sql.text);
  assert.deepEqual(sql.json.data, [
    { model: "a", n: 2, acc: 0.75 },
    { model: "b", n: 1, acc: 0 },
  ]);
});

test("syntax errors answer 400 with the line and column", async () => {
  const res = await btql(`select: id\n| from: experiment('${experiment.id}')\n| filter: id =`);
  assert.equal(res.status, 400);
  assert.match(res.json.error, /line 3, column 15: expected an expression, found end of input/);
  const sql = await btql("SELECT id FROM");
  assert.equal(sql.status, 400);
  assert.match(sql.json.error, /line 1, column 15: expected a source/);
});

test("cursors page in the body and the x-bt-cursor header; jsonl; sources by name", async () => {
  const seen = [];
  let cursor;
  for (let i = 0; i < 10; i++) {
    const q = `select: id | from: experiment('${experiment.id}') | limit: 3` + (cursor ? ` | cursor: '${cursor}'` : "");
    const res = await btql(q);
    assert.equal(res.status, 200, res.text);
    seen.push(...res.json.data.map((r) => r.id));
    assert.equal(res.headers.get("x-bt-cursor") ?? undefined, res.json.cursor);
    if (!res.json.cursor) break;
    cursor = res.json.cursor;
  }
  assert.deepEqual(seen, ["t3", "t2", "t1a", "t1"]);

  const jsonl = await btql(`select: id | from: experiment('${experiment.id}') | limit: 2`, { fmt: "jsonl" });
  assert.equal(jsonl.status, 200);
  assert.deepEqual(jsonl.text.trim().split("\n").map((l) => JSON.parse(l)), [{ id: "t3" }, { id: "t2" }]);
  assert.ok(jsonl.headers.get("x-bt-cursor"));

  await httpJson(server, "POST", `/v1/project_logs/${project.id}/insert`, { body: { events: [{ id: "log1" }] } });
  const byName = await btql("SELECT id FROM project_logs('e2e-query')");
  assert.equal(byName.status, 200, byName.text);
  assert.deepEqual(byName.json.data, [{ id: "log1" }]);
  const missing = await btql("SELECT id FROM project_logs('no-such-project')");
  assert.equal(missing.status, 404);
});

test("fetch: limit counts traces, GET and POST, cursors, old filters", async () => {
  const page1 = await httpJson(server, "POST", `/v1/experiment/${experiment.id}/fetch`, { body: { limit: 2 } });
  assert.deepEqual(page1.events.map((e) => e.id).sort(), ["t2", "t3"]);
  assert.ok(page1.cursor);
  const page2 = await httpJson(server, "GET", `/v1/experiment/${experiment.id}/fetch?limit=2&cursor=${page1.cursor}`);
  assert.deepEqual(page2.events.map((e) => e.id).sort(), ["t1", "t1a"]);
  assert.equal(page2.cursor, undefined);

  const filtered = await httpJson(server, "POST", `/v1/experiment/${experiment.id}/fetch`, {
    body: { filters: [{ type: "path_lookup", path: ["metadata", "model"], value: "b" }] },
  });
  assert.deepEqual(filtered.events.map((e) => e.id), ["t2"]);
});

test("feedback merges scores and adds a comment; /v1/insert writes several objects at once", async () => {
  const fb = await httpJson(server, "POST", `/v1/experiment/${experiment.id}/feedback`, {
    body: { feedback: [{ id: "t2", scores: { acc: 1 }, comment: "better now", source: "api" }] },
  });
  assert.deepEqual(fb, { status: "success" });
  const res = await btql(`select: id, scores, comments | from: experiment('${experiment.id}') | filter: id = 't2'`);
  assert.equal(res.json.data[0].scores.acc, 1);
  assert.equal(res.json.data[0].comments[0].comment.text, "better now");

  const multi = await httpJson(server, "POST", "/v1/insert", {
    body: {
      dataset: { [dataset.id]: { events: [{ id: "d1", input: "x", expected: "y" }, { id: "d2", input: "z" }] } },
      experiment: { [experiment.id]: { feedback: [{ id: "t3", tags: ["checked"] }] } },
    },
  });
  assert.deepEqual(multi.dataset[dataset.id].row_ids, ["d1", "d2"]);
  const tagged = await btql(`SELECT tags FROM experiment('${experiment.id}') WHERE id = 't3'`);
  assert.deepEqual(tagged.json.data, [{ tags: ["checked"] }]);
});

test("summarize experiments and datasets", async () => {
  const exp = await httpJson(server, "GET", `/v1/experiment/${experiment.id}/summarize`);
  assert.equal(exp.project_name, "e2e-query");
  assert.equal(exp.experiment_name, "exp-query");
  assert.ok(exp.experiment_url.endsWith("/experiments/exp-query"));
  assert.ok(exp.scores.acc, JSON.stringify(exp));
  const ds = await httpJson(server, "GET", `/v1/dataset/${dataset.id}/summarize`);
  assert.equal(ds.dataset_name, "ds-query");
  assert.deepEqual(ds.data_summary, { total_records: 2 });
  const noData = await httpJson(server, "GET", `/v1/dataset/${dataset.id}/summarize?summarize_data=false`);
  assert.equal(noData.data_summary, null);
});
