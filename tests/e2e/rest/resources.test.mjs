// Every REST resource through the shared conventions: POST create-or-return-existing, list
// with limit / starting_after / ending_before / ids / name filters / org_name, GET by id, PATCH,
// PUT (where the spec has it) and soft DELETE.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { XACT_RE, UUID_RE, call, expectStatus, ids, ok, startServer, uniq } from "./lib.mjs";

let server;
const ctx = {};

before(async () => {
  server = await startServer();
  ctx.project = await ok(server, "POST", "/v1/project", { body: { name: uniq("res-project") } });
  ctx.dataset = await ok(server, "POST", "/v1/dataset", { body: { project_id: ctx.project.id, name: uniq("ds") } });
  await ok(server, "POST", `/v1/dataset/${ctx.dataset.id}/insert`, { body: { events: [{ input: 1 }] } });
  ctx.xact = (await call(server, "GET", "/xact-id")).text.trim();
});

after(async () => {
  await server?.dispose();
});

const CHAT = { prompt: { type: "chat", messages: [{ role: "user", content: "hi {{name}}" }] }, options: { model: "gpt-4o" } };

// name: the unique field; create(name) a create body; patch: a PATCH body and the fields it must
// change; list: extra query the list needs; filter: the list's name filter parameter.
function specs() {
  const pid = ctx.project.id;
  return [
    { path: "/v1/project", create: (n) => ({ name: n, description: "first" }), patch: { description: "second" }, filter: "project_name" },
    { path: "/v1/experiment", create: (n) => ({ project_id: pid, name: n, metadata: { a: 1 } }), patch: { description: "x", metadata: { b: 2 }, tags: ["t"] }, merged: { metadata: { a: 1, b: 2 } }, filter: "experiment_name", list: { project_id: pid } },
    { path: "/v1/dataset", create: (n) => ({ project_id: pid, name: n, description: "first" }), patch: { description: "second", tags: ["t"] }, filter: "dataset_name", list: { project_id: pid } },
    { path: "/v1/role", put: true, create: (n) => ({ name: n, member_permissions: [{ permission: "read", restrict_object_type: null }] }), patch: { description: "r" }, filter: "role_name" },
    { path: "/v1/group", put: true, create: (n) => ({ name: n, description: "first" }), patch: { description: "second" }, filter: "group_name" },
    { path: "/v1/project_score", put: true, create: (n) => ({ project_id: pid, name: n, score_type: "slider" }), patch: { score_type: "categorical", categories: [{ name: "good", value: 1 }] }, filter: "project_score_name", list: { project_id: pid } },
    { path: "/v1/project_tag", put: true, create: (n) => ({ project_id: pid, name: n, color: "red" }), patch: { color: "blue" }, filter: "project_tag_name", list: { project_id: pid } },
    { path: "/v1/span_iframe", put: true, create: (n) => ({ project_id: pid, name: n, url: "https://a.example/x" }), patch: { url: "https://b.example/y", post_message: true }, filter: "span_iframe_name", list: { project_id: pid } },
    { path: "/v1/view", put: true, create: (n) => ({ object_type: "project", object_id: pid, view_type: "experiments", name: n, view_data: { search: { filter: ["a"] } } }), patch: { options: { columnOrder: ["x"] } }, filter: "view_name", list: { object_type: "project", object_id: pid } },
    { path: "/v1/dataset_snapshot", put: true, create: (n) => ({ dataset_id: ctx.dataset.id, name: n, xact_id: ctx.xact, description: "first" }), patch: { description: "second" }, filter: "dataset_snapshot_name", list: { dataset_id: ctx.dataset.id } },
    { path: "/environment", create: (n) => ({ name: n, slug: n, description: "first" }), patch: { description: "second" }, filter: "name" },
    { path: "/v1/prompt", put: true, create: (n) => ({ project_id: pid, name: n, slug: n, prompt_data: CHAT }), patch: { description: "d", tags: ["x"] }, filter: "slug", list: { project_id: pid } },
    { path: "/v1/function", put: true, create: (n) => ({ project_id: pid, name: n, slug: n, function_type: "scorer", function_data: { type: "global", name: "ExactMatch" } }), patch: { description: "d" }, filter: "slug", list: { project_id: pid } },
  ];
}

async function list(path, query) {
  const res = await ok(server, "GET", path, { query });
  assert.ok(Array.isArray(res.objects), `${path} list has no objects array: ${JSON.stringify(res)}`);
  return res.objects;
}

function assertSubset(actual, expected, what) {
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(actual[k], v, `${what}.${k}`);
}

describe("every resource follows the REST conventions", () => {
  for (const spec of [
    "/v1/project", "/v1/experiment", "/v1/dataset", "/v1/role", "/v1/group", "/v1/project_score", "/v1/project_tag",
    "/v1/span_iframe", "/v1/view", "/v1/dataset_snapshot", "/environment", "/v1/prompt", "/v1/function",
  ]) {
    test(spec, async () => {
      const s = specs().find((x) => x.path === spec);
      const names = [uniq("a"), uniq("b"), uniq("c")];

      // POST creates; POST again with the same name returns the existing object unchanged.
      const a = await ok(server, "POST", s.path, { body: s.create(names[0]) });
      assert.match(a.id, UUID_RE);
      assertSubset(a, s.create(names[0]), "created");
      const again = await ok(server, "POST", s.path, { body: { ...s.create(names[0]), description: "changed?" } });
      assert.equal(again.id, a.id);
      assert.deepEqual(again.description ?? null, a.description ?? null);
      const b = await ok(server, "POST", s.path, { body: s.create(names[1]) });
      const c = await ok(server, "POST", s.path, { body: s.create(names[2]) });

      // Lists: newest first, name filter, ids, paging both ways.
      const all = await list(s.path, s.list);
      const ours = ids(all).filter((id) => [a.id, b.id, c.id].includes(id));
      assert.deepEqual(ours, [c.id, b.id, a.id]);
      const named = await list(s.path, { ...s.list, [s.filter]: names[1] });
      assert.deepEqual(ids(named), [b.id]);
      assert.deepEqual(ids(await list(s.path, { ...s.list, ids: [a.id, c.id] })).sort(), [a.id, c.id].sort());
      assert.deepEqual(ids(await list(s.path, { ...s.list, limit: 1 })), [all[0].id]);
      assert.deepEqual(ids(await list(s.path, { ...s.list, limit: 1, starting_after: all[0].id })), [all[1].id]);
      assert.deepEqual(ids(await list(s.path, { ...s.list, limit: 1, ending_before: all[2].id })), [all[1].id]);
      assert.deepEqual(ids(await list(s.path, { ...s.list, ending_before: all[1].id })), [all[0].id]);
      assert.deepEqual(await list(s.path, { ...s.list, org_name: "no-such-org" }), []);
      await expectStatus(server, 400, "GET", s.path, { query: { ...s.list, starting_after: a.id, ending_before: b.id } });

      // GET by id; PATCH changes only what it names (objects deep-merge).
      assert.deepEqual(await ok(server, "GET", `${s.path}/${b.id}`), b);
      const patched = await ok(server, "PATCH", `${s.path}/${b.id}`, { body: s.patch });
      assert.equal(patched.id, b.id);
      assertSubset(patched, s.merged ?? s.patch, "patched");
      assert.equal(patched.name ?? names[1], names[1]);
      assertSubset(await ok(server, "GET", `${s.path}/${b.id}`), s.merged ?? s.patch, "re-read");

      // PUT replaces the object of that name (same id), or creates one.
      if (s.put) {
        const replaced = await ok(server, "PUT", s.path, { body: s.create(names[1]) });
        assert.equal(replaced.id, b.id);
        const fresh = await ok(server, "PUT", s.path, { body: s.create(uniq("d")) });
        assert.notEqual(fresh.id, b.id);
      }

      // DELETE returns the object; it then disappears from every read; the name is free again.
      const deleted = await ok(server, "DELETE", `${s.path}/${a.id}`);
      assert.equal(deleted.id, a.id);
      await expectStatus(server, 404, "GET", `${s.path}/${a.id}`);
      await expectStatus(server, 404, "PATCH", `${s.path}/${a.id}`, { body: s.patch });
      await expectStatus(server, 404, "DELETE", `${s.path}/${a.id}`);
      assert.ok(!ids(await list(s.path, s.list)).includes(a.id));
      assert.deepEqual(await list(s.path, { ...s.list, ids: [a.id] }), []);
      const reborn = await ok(server, "POST", s.path, { body: s.create(names[0]) });
      assert.notEqual(reborn.id, a.id);
    });
  }
});

test("GET /v1 answers without a key; unknown keys are 401", async () => {
  const hello = await call(server, "GET", "/v1", { key: null });
  assert.equal(hello.status, 200);
  assert.equal(hello.text, "Hello, World!");
  await expectStatus(server, 401, "GET", "/v1/project", { key: null });
  await expectStatus(server, 401, "GET", "/v1/project", { key: "sk-not-a-key-000000000000" });
});

test("validation errors are 400 and name the field", async () => {
  const pid = ctx.project.id;
  for (const [path, body, field] of [
    ["/v1/project", {}, "name"],
    ["/v1/experiment", {}, "project_id"],
    ["/v1/dataset", { project_id: pid }, "name"],
    ["/v1/project_score", { project_id: pid, name: "s", score_type: "bogus" }, "score_type"],
    ["/v1/view", { object_type: "project", object_id: pid, name: "v", view_type: "nope" }, "view_type"],
    ["/v1/dataset_snapshot", { dataset_id: ctx.dataset.id, name: "s", xact_id: "yesterday" }, "xact_id"],
    ["/v1/role", { name: "r", member_permissions: [{ permission: "fly" }] }, "permission"],
    ["/v1/prompt", { project_id: pid, name: "p" }, "slug"],
    ["/v1/function", { project_id: pid, name: "f", slug: "f", function_data: { type: "teleport" } }, "function_data"],
    ["/v1/function", { project_id: pid, name: "f", slug: "f", function_data: { type: "prompt" }, function_type: "x" }, "function_type"],
    ["/v1/acl", { object_type: "project", object_id: pid, permission: "read" }, "user_id"],
  ]) {
    const res = await expectStatus(server, 400, "POST", path, { body });
    assert.match(res.json.error, new RegExp(field), `${path}: ${res.text}`);
  }
});

test("experiments: ensure_new and generated names; references are checked", async () => {
  const pid = ctx.project.id;
  const first = await ok(server, "POST", "/v1/experiment", { body: { project_id: pid, name: "same" } });
  const second = await ok(server, "POST", "/v1/experiment", { body: { project_id: pid, name: "same", ensure_new: true } });
  assert.notEqual(second.id, first.id);
  assert.notEqual(second.name, "same");
  const unnamed = await ok(server, "POST", "/v1/experiment", { body: { project_id: pid } });
  assert.ok(unnamed.name.length > 0);
  const withBase = await ok(server, "POST", "/v1/experiment", { body: { project_id: pid, name: uniq("e"), base_exp_id: first.id, dataset_id: ctx.dataset.id } });
  assert.equal(withBase.base_exp_id, first.id);
  await expectStatus(server, 404, "POST", "/v1/experiment", { body: { project_id: pid, base_exp_id: "00000000-0000-4000-8000-000000000000" } });
  await expectStatus(server, 404, "POST", "/v1/experiment", { body: { project_id: "00000000-0000-4000-8000-000000000000" } });
  // The list filters by project name as well as id.
  const byName = await list("/v1/experiment", { project_name: ctx.project.name, experiment_name: "same" });
  assert.deepEqual(ids(byName), [first.id]);
});

test("project settings deep-merge on PATCH", async () => {
  const p = await ok(server, "POST", "/v1/project", { body: { name: uniq("settings") } });
  await ok(server, "PATCH", `/v1/project/${p.id}`, { body: { settings: { comparison_key: "input" } } });
  const after = await ok(server, "PATCH", `/v1/project/${p.id}`, { body: { settings: { spanFieldOrder: [{ a: 1 }] } } });
  assert.deepEqual(after.settings, { comparison_key: "input", spanFieldOrder: [{ a: 1 }] });
});

test("organization: list, get, patch; renaming is refused", async () => {
  const orgs = await list("/v1/organization");
  assert.equal(orgs.length, 1);
  const org = orgs[0];
  assert.equal(org.name, "spanlake");
  assert.equal((await ok(server, "GET", `/v1/organization/${org.id}`)).id, org.id);
  const patched = await ok(server, "PATCH", `/v1/organization/${org.id}`, { body: { is_universal_api: true, image_rendering_mode: "blocked" } });
  assert.equal(patched.is_universal_api, true);
  assert.equal(patched.image_rendering_mode, "blocked");
  assert.equal((await ok(server, "GET", `/v1/organization/${org.id}`)).image_rendering_mode, "blocked");
  await expectStatus(server, 400, "PATCH", `/v1/organization/${org.id}`, { body: { name: "renamed" } });
  await expectStatus(server, 404, "GET", "/v1/organization/00000000-0000-4000-8000-000000000000");
  assert.deepEqual(await list("/v1/organization", { org_name: "other" }), []);
});

test("members, users and API keys", async () => {
  const email = `${uniq("m")}@example.com`;
  const invited = await ok(server, "PATCH", "/v1/organization/members", { body: { invite_users: { emails: [email] } } });
  assert.equal(invited.status, "success");
  const user = invited.added_users[0];
  assert.equal(user.email, email);

  const users = await list("/v1/user");
  assert.ok(ids(users).includes(user.id));
  assert.ok(users.some((u) => u.given_name === "admin"), "the owner user is listed");
  assert.deepEqual(ids(await list("/v1/user", { email })), [user.id]);
  assert.equal((await ok(server, "GET", `/v1/user/${user.id}`)).email, email);

  // A key is shown once, at creation; it acts as its user.
  const created = await ok(server, "POST", "/v1/api_key", { body: { name: "laptop", user_id: user.id } });
  assert.match(created.key, /^sk-/);
  assert.equal(created.user_id, user.id);
  assert.equal(created.user_email, email);
  const keys = await list("/v1/api_key");
  const listed = keys.find((k) => k.id === created.id);
  assert.ok(listed, "new key is listed");
  assert.equal(listed.key, undefined, "the plaintext is never listed");
  assert.ok(!JSON.stringify(keys).includes(created.key));
  assert.ok(created.key.startsWith(listed.preview_name.replace("...", "")));
  assert.deepEqual(ids(await list("/v1/api_key", { api_key_name: "laptop" })), [created.id]);
  const mine = await ok(server, "GET", "/v1/api_key", { key: created.key });
  assert.deepEqual(ids(mine.objects), [created.id], "a member sees only its own keys");
  await expectStatus(server, 403, "POST", "/v1/api_key", { key: created.key, body: { name: "more" } });

  assert.equal((await ok(server, "DELETE", `/v1/api_key/${created.id}`)).id, created.id);
  await expectStatus(server, 401, "GET", "/v1/project", { key: created.key });
  await expectStatus(server, 404, "GET", `/v1/api_key/${created.id}`);

  // Removing a member revokes its keys and removes the user.
  const second = await ok(server, "POST", "/v1/api_key", { body: { name: "k2", user_id: user.id } });
  await ok(server, "PATCH", "/v1/organization/members", { body: { remove_users: { emails: [email] } } });
  await expectStatus(server, 401, "GET", "/v1/project", { key: second.key });
  await expectStatus(server, 404, "GET", `/v1/user/${user.id}`);
});

test("ACL resource: create-or-return, list, get, list_org, batch_update, delete by item and id", async () => {
  const pid = ctx.project.id;
  const email = `${uniq("acl")}@example.com`;
  const { added_users: [user] } = await ok(server, "PATCH", "/v1/organization/members", { body: { invite_users: { emails: [email] } } });
  const item = { object_type: "project", object_id: pid, user_id: user.id, permission: "read" };
  const acl = await ok(server, "POST", "/v1/acl", { body: item });
  assert.match(acl.id, UUID_RE);
  assert.equal(acl._object_org_id, (await list("/v1/organization"))[0].id);
  assert.equal((await ok(server, "POST", "/v1/acl", { body: item })).id, acl.id);
  assert.deepEqual(ids(await list("/v1/acl", { object_type: "project", object_id: pid, user_id: user.id })), [acl.id]);
  assert.equal((await ok(server, "GET", `/v1/acl/${acl.id}`)).permission, "read");
  const org = await ok(server, "GET", "/v1/acl/list_org", { query: { user_id: user.id } });
  assert.ok(Array.isArray(org), "list_org answers a bare array");
  assert.deepEqual(ids(org), [acl.id]);
  await expectStatus(server, 400, "GET", "/v1/acl", { query: { object_type: "project" } });

  const group = await ok(server, "POST", "/v1/group", { body: { name: uniq("g"), member_users: [user.id] } });
  const role = await ok(server, "POST", "/v1/role", { body: { name: uniq("r"), member_permissions: [{ permission: "update", restrict_object_type: "experiment" }] } });
  const batch = await ok(server, "POST", "/v1/acl/batch_update", {
    body: {
      add_acls: [{ object_type: "project", object_id: pid, group_id: group.id, role_id: role.id }],
      remove_acls: [item],
    },
  });
  assert.equal(batch.added_acls.length, 1);
  assert.equal(batch.added_acls[0].role_id, role.id);
  assert.deepEqual(ids(batch.removed_acls), [acl.id]);
  await expectStatus(server, 404, "GET", `/v1/acl/${acl.id}`);

  const byItem = await ok(server, "DELETE", "/v1/acl", { body: { object_type: "project", object_id: pid, group_id: group.id, role_id: role.id } });
  assert.equal(byItem.id, batch.added_acls[0].id);
  const third = await ok(server, "POST", "/v1/acl", { body: { ...item, permission: "update" } });
  assert.equal((await ok(server, "DELETE", `/v1/acl/${third.id}`)).id, third.id);
  assert.deepEqual(await list("/v1/acl", { object_type: "project", object_id: pid, user_id: user.id }), []);
});

test("roles and groups: PATCH adds and removes members", async () => {
  const base = await ok(server, "POST", "/v1/role", { body: { name: uniq("base"), member_permissions: [{ permission: "read" }] } });
  const role = await ok(server, "POST", "/v1/role", { body: { name: uniq("role") } });
  const patched = await ok(server, "PATCH", `/v1/role/${role.id}`, {
    body: { add_member_permissions: [{ permission: "update", restrict_object_type: "dataset" }, { permission: "delete" }], add_member_roles: [base.id] },
  });
  assert.deepEqual(patched.member_permissions, [
    { permission: "update", restrict_object_type: "dataset" },
    { permission: "delete", restrict_object_type: null },
  ]);
  assert.deepEqual(patched.member_roles, [base.id]);
  const trimmed = await ok(server, "PATCH", `/v1/role/${role.id}`, { body: { remove_member_permissions: [{ permission: "delete" }], remove_member_roles: [base.id] } });
  assert.deepEqual(trimmed.member_permissions, [{ permission: "update", restrict_object_type: "dataset" }]);
  assert.deepEqual(trimmed.member_roles, []);
  await expectStatus(server, 404, "PATCH", `/v1/role/${role.id}`, { body: { add_member_roles: ["00000000-0000-4000-8000-000000000000"] } });

  const email = `${uniq("g")}@example.com`;
  const { added_users: [user] } = await ok(server, "PATCH", "/v1/organization/members", { body: { invite_users: { emails: [email] } } });
  const inner = await ok(server, "POST", "/v1/group", { body: { name: uniq("inner") } });
  const group = await ok(server, "POST", "/v1/group", { body: { name: uniq("outer") } });
  const g2 = await ok(server, "PATCH", `/v1/group/${group.id}`, { body: { add_member_users: [user.id], add_member_groups: [inner.id] } });
  assert.deepEqual(g2.member_users, [user.id]);
  assert.deepEqual(g2.member_groups, [inner.id]);
  const g3 = await ok(server, "PATCH", `/v1/group/${group.id}`, { body: { remove_member_users: [user.id] } });
  assert.deepEqual(g3.member_users, []);
  await expectStatus(server, 404, "POST", "/v1/group", { body: { name: uniq("bad"), member_users: ["00000000-0000-4000-8000-000000000000"] } });
  // Inviting into a group by name.
  const email2 = `${uniq("g")}@example.com`;
  const inv = await ok(server, "PATCH", "/v1/organization/members", { body: { invite_users: { emails: [email2], group_name: group.name } } });
  assert.deepEqual((await ok(server, "GET", `/v1/group/${group.id}`)).member_users, [inv.added_users[0].id]);
});

test("dataset snapshots made over REST are the SDK's snapshots", async () => {
  const snap = await ok(server, "POST", "/v1/dataset_snapshot", { body: { dataset_id: ctx.dataset.id, name: uniq("s"), xact_id: ctx.xact } });
  assert.match(snap.xact_id, XACT_RE);
  const viaSdk = await ok(server, "POST", "/api/dataset_snapshot/get", { body: { dataset_id: ctx.dataset.id, name: snap.name } });
  assert.deepEqual(ids(viaSdk), [snap.id]);
});
