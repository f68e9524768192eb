// /btql on project_functions('<project id or name>'): the prompts and functions the REST API
// stores, readable with the query language; deleted ones are gone; other orgs see nothing.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { call, createOrg, ok, startServer, uniq } from "./lib.mjs";

let server;
let project;

before(async () => {
  server = await startServer();
  project = await ok(server, "POST", "/v1/project", { body: { name: uniq("fns") } });
});

after(async () => {
  await server?.dispose();
});

const chat = (text) => ({ prompt: { type: "chat", messages: [{ role: "user", content: text }] } });

test("prompts are rows of project_functions, by project id or name", async () => {
  const a = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "A", slug: uniq("a"), prompt_data: chat("hi") } });
  const b = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "B", slug: uniq("b"), prompt_data: chat("yo") } });
  const byId = await call(server, "POST", "/btql", { body: { query: `SELECT id, slug FROM project_functions('${project.id}')` } });
  assert.equal(byId.status, 200, byId.text);
  assert.deepEqual(byId.json.data.map((r) => r.id).sort(), [a.id, b.id].sort());
  const byName = await call(server, "POST", "/btql", { body: { query: `select: slug | from: project_functions('${project.name}') | filter: name = 'B'` } });
  assert.equal(byName.status, 200, byName.text);
  assert.deepEqual(byName.json.data, [{ slug: b.slug }]);

  await ok(server, "DELETE", `/v1/prompt/${a.id}`);
  const after = await call(server, "POST", "/btql", { body: { query: btqlQuery("project_functions", project.id) } });
  assert.deepEqual(after.json.data.map((r) => r.id), [b.id]);
});

test("another org cannot read them", async () => {
  const otherKey = createOrg(server, uniq("other-org"));
  const res = await call(server, "POST", "/btql", { key: otherKey, body: { query: btqlQuery("project_functions", project.id) } });
  assert.equal(res.status, 404, res.text);
});
