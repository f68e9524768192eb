// Soft delete of a project, experiment or dataset: the object and its rows disappear from every
// read (REST fetch, /btql, summaries, the SDK's lookups) and no longer accept writes, at once.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { call, expectStatus, ok, startServer, uniq } from "./lib.mjs";

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.dispose();
});

function btql(kind, id) {
  return call(server, "POST", "/btql", { body: { query: btqlQuery(kind, id) } });
}

async function rowCount(kind, id) {
  const res = await btql(kind, id);
  assert.equal(res.status, 200, res.text);
  return res.json.data.length;
}

async function insert(kind, id, n) {
  const events = Array.from({ length: n }, (_, i) => ({ input: `q${i}`, output: `a${i}` }));
  await ok(server, "POST", `/v1/${kind}/${id}/insert`, { body: { events } });
}

// Every way of reading or writing the rows of `kind` `id` answers 404.
async function assertGone(kind, id) {
  assert.equal((await btql(kind, id)).status, 404, `${kind} btql after delete`);
  await expectStatus(server, 404, "GET", `/v1/${kind}/${id}/fetch`);
  await expectStatus(server, 404, "POST", `/v1/${kind}/${id}/fetch`, { body: {} });
  await expectStatus(server, 404, "POST", `/v1/${kind}/${id}/insert`, { body: { events: [{ input: "late" }] } });
  await expectStatus(server, 404, "POST", `/v1/${kind}/${id}/feedback`, { body: { feedback: [{ id: "x", scores: { s: 1 } }] } });
  if (kind !== "project_logs") {
    await expectStatus(server, 404, "GET", `/v1/${kind}/${id}`);
    await expectStatus(server, 404, "GET", `/v1/${kind}/${id}/summarize`);
  }
}

test("a deleted experiment's rows vanish from every read and take no writes", async () => {
  const project = await ok(server, "POST", "/v1/project", { body: { name: uniq("sd") } });
  const exp = await ok(server, "POST", "/v1/experiment", { body: { project_id: project.id, name: "e" } });
  const keep = await ok(server, "POST", "/v1/experiment", { body: { project_id: project.id, name: "keep" } });
  await insert("experiment", exp.id, 3);
  await insert("experiment", keep.id, 2);
  assert.equal(await rowCount("experiment", exp.id), 3);

  await ok(server, "DELETE", `/v1/experiment/${exp.id}`);
  await assertGone("experiment", exp.id);
  const logs3 = await call(server, "POST", "/logs3", { body: { rows: [{ experiment_id: exp.id, id: "r", input: 1 }], api_version: 2 } });
  assert.equal(logs3.status, 404, logs3.text);
  await expectStatus(server, 404, "GET", "/experiment-comparison2", { query: { experiment_id: exp.id } });
  assert.deepEqual(await ok(server, "POST", "/api/experiment/get", { body: { project_id: project.id, experiment_name: "e" } }), []);
  const info = await ok(server, "POST", "/api/self/get_object_info", { body: { object_type: "experiment", object_ids: [exp.id, keep.id] } });
  assert.deepEqual(info.map((i) => i.object_id), [keep.id]);
  // The sibling is untouched.
  assert.equal(await rowCount("experiment", keep.id), 2);
});

test("a deleted dataset's rows vanish, snapshots included", async () => {
  const project = await ok(server, "POST", "/v1/project", { body: { name: uniq("sd") } });
  const ds = await ok(server, "POST", "/v1/dataset", { body: { project_id: project.id, name: "d" } });
  await insert("dataset", ds.id, 4);
  const xact = (await call(server, "GET", "/xact-id")).text.trim();
  const snap = await ok(server, "POST", "/v1/dataset_snapshot", { body: { dataset_id: ds.id, name: "s", xact_id: xact } });
  assert.equal(await rowCount("dataset", ds.id), 4);

  await ok(server, "DELETE", `/v1/dataset/${ds.id}`);
  await assertGone("dataset", ds.id);
  await expectStatus(server, 404, "GET", "/dataset-summary", { query: { dataset_id: ds.id } });
  await expectStatus(server, 404, "GET", `/v1/dataset_snapshot/${snap.id}`);
  // Registering the same name makes a new, empty dataset.
  const again = await ok(server, "POST", "/api/dataset/register", { body: { project_id: project.id, dataset_name: "d" } });
  assert.notEqual(again.dataset.id, ds.id);
  assert.equal(await rowCount("dataset", again.dataset.id), 0);
});

test("a deleted project takes its logs, experiments, datasets, prompts and configuration along", async () => {
  const name = uniq("sd-project");
  const project = await ok(server, "POST", "/v1/project", { body: { name } });
  const exp = await ok(server, "POST", "/v1/experiment", { body: { project_id: project.id, name: "e" } });
  const ds = await ok(server, "POST", "/v1/dataset", { body: { project_id: project.id, name: "d" } });
  const prompt = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "p", slug: "p", prompt_data: {} } });
  const tag = await ok(server, "POST", "/v1/project_tag", { body: { project_id: project.id, name: "t" } });
  const score = await ok(server, "POST", "/v1/project_score", { body: { project_id: project.id, name: "s", score_type: "slider" } });
  await insert("project_logs", project.id, 5);
  await insert("experiment", exp.id, 2);
  await insert("dataset", ds.id, 2);
  assert.equal(await rowCount("project_logs", project.id), 5);

  const deleted = await ok(server, "DELETE", `/v1/project/${project.id}`);
  assert.equal(deleted.id, project.id);
  assert.ok(deleted.deleted_at);
  await expectStatus(server, 404, "GET", `/v1/project/${project.id}`);
  await assertGone("project_logs", project.id);
  await assertGone("experiment", exp.id);
  await assertGone("dataset", ds.id);
  await expectStatus(server, 404, "GET", `/v1/prompt/${prompt.id}`);
  await expectStatus(server, 404, "GET", `/v1/project_tag/${tag.id}`);
  await expectStatus(server, 404, "GET", `/v1/project_score/${score.id}`);
  const logs3 = await call(server, "POST", "/logs3", { body: { rows: [{ project_id: project.id, log_id: "g", id: "r", input: 1 }], api_version: 2 } });
  assert.equal(logs3.status, 404, logs3.text);
  assert.deepEqual(await ok(server, "POST", "/api/project/get", { body: { id: project.id } }), []);

  // The name is free: the SDK's register makes a new project with no rows.
  const fresh = await ok(server, "POST", "/api/project/register", { body: { project_name: name } });
  assert.notEqual(fresh.project.id, project.id);
  assert.equal(await rowCount("project_logs", fresh.project.id), 0);
  assert.deepEqual((await ok(server, "GET", "/v1/experiment", { query: { project_id: project.id } })).objects, []);
});
