// Prompts and functions are versioned by `_xact_id`: every create, replace and patch is a new
// version, readable "as of" any earlier one given in decimal or the SDK's 16-hex form, over REST
// and through the TypeScript SDK's loadPrompt.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import * as bt from "braintrust";

import { XACT_RE, expectStatus, ok, startServer, uniq } from "./lib.mjs";

let server;
let project;

before(async () => {
  server = await startServer();
  project = await ok(server, "POST", "/v1/project", { body: { name: uniq("prompts") } });
});

after(async () => {
  await server?.dispose();
});

// The SDK's "pretty" form of an xact id (16 hex digits).
function prettyXact(xact) {
  const encoded = (BigInt(xact) * 205891132094649n) % (1n << 64n);
  return encoded.toString(16).padStart(16, "0");
}

function chat(text) {
  return { prompt: { type: "chat", messages: [{ role: "user", content: text }] }, options: { model: "gpt-4o-mini" } };
}

function loadPrompt(args) {
  return bt.loadPrompt({ ...args, apiKey: server.adminKey, appUrl: server.url, forceLogin: true });
}

// Creates a prompt with three versions: POST, PUT (replace), PATCH.
async function threeVersions(slug) {
  const v1 = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "Greeter", slug, prompt_data: chat("v1 {{name}}") } });
  const v2 = await ok(server, "PUT", "/v1/prompt", { body: { project_id: project.id, name: "Greeter", slug, prompt_data: chat("v2 {{name}}"), tags: ["two"] } });
  const v3 = await ok(server, "PATCH", `/v1/prompt/${v1.id}`, { body: { prompt_data: { prompt: { messages: [{ role: "user", content: "v3 {{name}}" }] } }, description: "third" } });
  return [v1, v2, v3];
}

function content(p) {
  return p.prompt_data.prompt.messages[0].content;
}

test("every write is a version; reads as of a version take decimal and hex", async () => {
  const [v1, v2, v3] = await threeVersions(uniq("greet"));
  for (const v of [v1, v2, v3]) {
    assert.match(v._xact_id, XACT_RE);
    assert.equal(v.id, v1.id);
    assert.equal(v.log_id, "p");
    assert.equal(v.project_id, project.id);
  }
  assert.ok(v1._xact_id < v2._xact_id && v2._xact_id < v3._xact_id, "versions increase");
  assert.equal(v3.created, v1.created, "created is kept across versions");
  assert.equal(content(v3), "v3 {{name}}");
  assert.equal(v3.prompt_data.options.model, "gpt-4o-mini", "PATCH deep-merges prompt_data");
  assert.deepEqual(v3.tags, ["two"]);

  const current = await ok(server, "GET", `/v1/prompt/${v1.id}`);
  assert.deepEqual(current, v3);
  for (const [v, text] of [[v1, "v1 {{name}}"], [v2, "v2 {{name}}"], [v3, "v3 {{name}}"]]) {
    const dec = await ok(server, "GET", `/v1/prompt/${v1.id}`, { query: { version: v._xact_id } });
    assert.equal(content(dec), text);
    assert.equal(dec._xact_id, v._xact_id);
    const hex = await ok(server, "GET", `/v1/prompt/${v1.id}`, { query: { version: prettyXact(v._xact_id) } });
    assert.deepEqual(hex, dec);
    const listed = await ok(server, "GET", "/v1/prompt", { query: { project_name: project.name, slug: v1.slug, version: v._xact_id } });
    assert.deepEqual(listed.objects, [dec]);
  }
  // Between two versions: the older one.
  const between = (BigInt(v2._xact_id) - 1n).toString();
  assert.equal(content(await ok(server, "GET", `/v1/prompt/${v1.id}`, { query: { version: between } })), "v1 {{name}}");
  // Before the prompt existed: not found; not a version at all: 400.
  const before = (BigInt(v1._xact_id) - 1n).toString();
  await expectStatus(server, 404, "GET", `/v1/prompt/${v1.id}`, { query: { version: before } });
  assert.deepEqual((await ok(server, "GET", "/v1/prompt", { query: { project_id: project.id, slug: v1.slug, version: before } })).objects, []);
  await expectStatus(server, 400, "GET", `/v1/prompt/${v1.id}`, { query: { version: "last-tuesday" } });
});

test("loadPrompt through the SDK: latest, by version (decimal and hex), by id", async () => {
  const slug = uniq("sdk");
  const [v1, , v3] = await threeVersions(slug);

  const latest = await loadPrompt({ projectName: project.name, slug });
  assert.equal(latest.id, v1.id);
  assert.equal(latest.version, v3._xact_id);
  assert.equal(latest.build({ name: "Ada" }).messages[0].content, "v3 Ada");

  const old = await loadPrompt({ projectName: project.name, slug, version: v1._xact_id });
  assert.equal(old.version, v1._xact_id);
  assert.equal(old.build({ name: "Ada" }).messages[0].content, "v1 Ada");
  assert.equal(old.build({ name: "Ada" }).model, "gpt-4o-mini");

  const hex = await loadPrompt({ projectId: project.id, slug, version: prettyXact(v1._xact_id) });
  assert.equal(hex.version, v1._xact_id);

  const byId = await loadPrompt({ id: v1.id });
  assert.equal(byId.version, v3._xact_id);
  const byIdOld = await loadPrompt({ id: v1.id, version: v1._xact_id });
  assert.equal(byIdOld.build({ name: "Bo" }).messages[0].content, "v1 Bo");

  await assert.rejects(loadPrompt({ projectName: project.name, slug: uniq("missing") }), /not found/i);
});

test("a deleted prompt is gone from every read, at every version", async () => {
  const slug = uniq("gone");
  const [v1] = await threeVersions(slug);
  const deleted = await ok(server, "DELETE", `/v1/prompt/${v1.id}`);
  assert.equal(deleted.id, v1.id);
  await expectStatus(server, 404, "GET", `/v1/prompt/${v1.id}`);
  await expectStatus(server, 404, "GET", `/v1/prompt/${v1.id}`, { query: { version: v1._xact_id } });
  assert.deepEqual((await ok(server, "GET", "/v1/prompt", { query: { project_id: project.id, slug } })).objects, []);
  await assert.rejects(loadPrompt({ projectName: project.name, slug }));
  // The slug can be used again, by a new prompt.
  const again = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "G", slug, prompt_data: chat("new") } });
  assert.notEqual(again.id, v1.id);
});

test("slugs are unique per project; renaming a slug onto another is 409", async () => {
  const a = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "A", slug: uniq("a"), prompt_data: chat("a") } });
  const b = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "B", slug: uniq("b"), prompt_data: chat("b") } });
  await expectStatus(server, 409, "PATCH", `/v1/prompt/${b.id}`, { body: { slug: a.slug } });
  const renamed = await ok(server, "PATCH", `/v1/prompt/${b.id}`, { body: { slug: `${b.slug}-2` } });
  assert.equal(renamed.slug, `${b.slug}-2`);
  assert.deepEqual((await ok(server, "GET", "/v1/prompt", { query: { project_id: project.id, slug: `${b.slug}-2` } })).objects.map((p) => p.id), [b.id]);
  assert.deepEqual((await ok(server, "GET", "/v1/prompt", { query: { project_id: project.id, slug: b.slug } })).objects, []);
  // Another project may use the same slug.
  const other = await ok(server, "POST", "/v1/project", { body: { name: uniq("other") } });
  const same = await ok(server, "POST", "/v1/prompt", { body: { project_id: other.id, name: "A", slug: a.slug, prompt_data: chat("x") } });
  assert.notEqual(same.id, a.id);
});

test("functions: CRUD and versions; prompts are functions, functions are not prompts", async () => {
  const code = { type: "code", data: { type: "inline", runtime_context: { runtime: "node", version: "20" }, code: "return 1" } };
  const slug = uniq("fn");
  const f1 = await ok(server, "POST", "/v1/function", { body: { project_id: project.id, name: "Scorer", slug, function_type: "scorer", function_data: code } });
  assert.deepEqual(f1.function_data, code);
  assert.equal(f1.function_type, "scorer");
  assert.equal(f1.log_id, "p");
  const code2 = { ...code, data: { ...code.data, code: "return 2" } };
  const f2 = await ok(server, "PATCH", `/v1/function/${f1.id}`, { body: { function_data: code2 } });
  assert.ok(f2._xact_id > f1._xact_id);
  assert.equal((await ok(server, "GET", `/v1/function/${f1.id}`, { query: { version: f1._xact_id } })).function_data.data.code, "return 1");
  assert.equal((await ok(server, "GET", `/v1/function/${f1.id}`, { query: { version: prettyXact(f2._xact_id) } })).function_data.data.code, "return 2");
  assert.deepEqual((await ok(server, "GET", "/v1/function", { query: { project_id: project.id, function_name: "Scorer" } })).objects.map((f) => f.id), [f1.id]);

  // A code function is not a prompt; a prompt is also listed as a function.
  await expectStatus(server, 404, "GET", `/v1/prompt/${f1.id}`);
  assert.ok(!(await ok(server, "GET", "/v1/prompt", { query: { project_id: project.id } })).objects.some((p) => p.id === f1.id));
  const p = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "P", slug: uniq("p"), prompt_data: chat("p") } });
  const asFunction = await ok(server, "GET", `/v1/function/${p.id}`);
  assert.deepEqual(asFunction.function_data, { type: "prompt" });
  assert.equal(p.function_data, undefined, "the Prompt shape has no function_data");

  assert.equal((await ok(server, "DELETE", `/v1/function/${f1.id}`)).id, f1.id);
  await expectStatus(server, 404, "GET", `/v1/function/${f1.id}`);
});

test("environments exist; pinning a version to one is refused, not ignored", async () => {
  const env = await ok(server, "POST", "/environment", { body: { name: "Production", slug: uniq("prod") } });
  const p = await ok(server, "POST", "/v1/prompt", { body: { project_id: project.id, name: "E", slug: uniq("e"), prompt_data: chat("e") } });
  await expectStatus(server, 400, "GET", `/v1/prompt/${p.id}`, { query: { environment: env.slug } });
  await expectStatus(server, 404, "GET", `/v1/prompt/${p.id}`, { query: { environment: "no-such-env" } });
});
