// The ACL matrix: which member may do what on which object, checked endpoint by endpoint over
// the REST API, the SDK's wire API and /btql. Members act only through ACLs (direct, through
// groups, through roles), inherited from the organization to a project to its objects and
// narrowed by restrict_object_type; the owner may do everything.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { call, newMember, ok, startServer, uniq } from "./lib.mjs";

let server;
let org;
let P; // project the grants are about
let Q; // another project nobody is granted
let E; // experiment in P
let D; // dataset in P
let EQ; // experiment in Q
let PR; // prompt in P
const members = {};

function acl(body) {
  return ok(server, "POST", "/v1/acl", { body });
}

before(async () => {
  server = await startServer();
  org = (await ok(server, "GET", "/v1/organization")).objects[0];
  P = await ok(server, "POST", "/v1/project", { body: { name: uniq("P") } });
  Q = await ok(server, "POST", "/v1/project", { body: { name: uniq("Q") } });
  E = await ok(server, "POST", "/v1/experiment", { body: { project_id: P.id, name: "E" } });
  D = await ok(server, "POST", "/v1/dataset", { body: { project_id: P.id, name: "D" } });
  EQ = await ok(server, "POST", "/v1/experiment", { body: { project_id: Q.id, name: "EQ" } });
  PR = await ok(server, "POST", "/v1/prompt", { body: { project_id: P.id, name: "PR", slug: "pr", prompt_data: {} } });
  for (const [kind, id] of [["experiment", E.id], ["dataset", D.id], ["project_logs", P.id], ["experiment", EQ.id]]) {
    await ok(server, "POST", `/v1/${kind}/${id}/insert`, { body: { events: [{ input: "seed" }] } });
  }

  for (const name of ["none", "reader", "writer", "restricted", "orgreader", "creator", "aclmgr", "projcreator", "objreader", "logreader", "bystander"]) {
    members[name] = await newMember(server, `${name}-${uniq("m")}@example.com`);
  }
  const project = { object_type: "project", object_id: P.id };
  await acl({ ...project, user_id: members.reader.id, permission: "read" });
  // writer: a role {read, update} granted to a group the writer is in (through a nested group).
  const editor = await ok(server, "POST", "/v1/role", { body: { name: uniq("editor"), member_permissions: [{ permission: "update" }], member_roles: [(await ok(server, "POST", "/v1/role", { body: { name: uniq("viewer"), member_permissions: [{ permission: "read" }] } })).id] } });
  const team = await ok(server, "POST", "/v1/group", { body: { name: uniq("team"), member_users: [members.writer.id] } });
  const dept = await ok(server, "POST", "/v1/group", { body: { name: uniq("dept"), member_groups: [team.id] } });
  await acl({ ...project, group_id: dept.id, role_id: editor.id });
  await acl({ ...project, user_id: members.restricted.id, permission: "read", restrict_object_type: "experiment" });
  await acl({ object_type: "organization", object_id: org.id, user_id: members.orgreader.id, permission: "read" });
  await acl({ ...project, user_id: members.creator.id, permission: "create" });
  await acl({ ...project, user_id: members.creator.id, permission: "delete" });
  await acl({ ...project, user_id: members.aclmgr.id, permission: "create_acls" });
  await acl({ ...project, user_id: members.aclmgr.id, permission: "read_acls" });
  await acl({ object_type: "organization", object_id: org.id, user_id: members.projcreator.id, permission: "create", restrict_object_type: "project" });
  await acl({ object_type: "experiment", object_id: E.id, user_id: members.objreader.id, permission: "read" });
  await acl({ object_type: "project_log", object_id: P.id, user_id: members.logreader.id, permission: "read" });
});

after(async () => {
  await server?.dispose();
});

// Each check performs one operation as `key` and says whether it was allowed. Denials inside the
// org are 403 (the object exists and the member may know it).
const checks = {
  "read project": async (key) => status(await call(server, "GET", `/v1/project/${P.id}`, { key })),
  "list projects": async (key) => {
    const res = await call(server, "GET", "/v1/project", { key });
    assert.equal(res.status, 200);
    return res.json.objects.some((p) => p.id === P.id);
  },
  "update project": async (key) => status(await call(server, "PATCH", `/v1/project/${P.id}`, { key, body: { description: "x" } })),
  "read experiment": async (key) => status(await call(server, "GET", `/v1/experiment/${E.id}`, { key })),
  "fetch experiment rows": async (key) => status(await call(server, "POST", `/v1/experiment/${E.id}/fetch`, { key, body: {} })),
  "btql experiment": async (key) => status(await call(server, "POST", "/btql", { key, body: { query: btqlQuery("experiment", E.id) } })),
  "insert experiment rows": async (key) => status(await call(server, "POST", `/v1/experiment/${E.id}/insert`, { key, body: { events: [{ input: 1 }] } })),
  "create experiment": async (key) => status(await call(server, "POST", "/v1/experiment", { key, body: { project_id: P.id, name: uniq("new") } })),
  "register experiment (SDK)": async (key) => status(await call(server, "POST", "/api/experiment/register", { key, body: { project_id: P.id, experiment_name: uniq("sdk") } })),
  "read dataset": async (key) => status(await call(server, "GET", `/v1/dataset/${D.id}`, { key })),
  "btql project logs": async (key) => status(await call(server, "POST", "/btql", { key, body: { query: btqlQuery("project_logs", P.id) } })),
  "log to project (logs3)": async (key) => status(await call(server, "POST", "/logs3", { key, body: { rows: [{ project_id: P.id, log_id: "g", input: 1 }], api_version: 2 } })),
  "read prompt": async (key) => status(await call(server, "GET", `/v1/prompt/${PR.id}`, { key })),
  "delete a dataset": async (key) => {
    const victim = await ok(server, "POST", "/v1/dataset", { body: { project_id: P.id, name: uniq("victim") } });
    return status(await call(server, "DELETE", `/v1/dataset/${victim.id}`, { key }));
  },
  "read ACLs of project": async (key) => status(await call(server, "GET", "/v1/acl", { key, query: { object_type: "project", object_id: P.id } })),
  "grant on project": async (key) => status(await call(server, "POST", "/v1/acl", { key, body: { object_type: "project", object_id: P.id, user_id: members.bystander.id, permission: "read" } })),
  "create project": async (key) => status(await call(server, "POST", "/v1/project", { key, body: { name: uniq("made") } })),
  "read other project": async (key) => status(await call(server, "GET", `/v1/project/${Q.id}`, { key })),
  "btql other project's experiment": async (key) => status(await call(server, "POST", "/btql", { key, body: { query: btqlQuery("experiment", EQ.id) } })),
};

function status(res) {
  if (res.status >= 200 && res.status < 300) return true;
  assert.equal(res.status, 403, `a denial inside the org is 403, got ${res.status}: ${res.text.slice(0, 300)}`);
  return false;
}

const ALL = Object.keys(checks);
// Who may do what; everything not listed is denied.
const expected = {
  owner: ALL,
  none: [],
  reader: ["read project", "list projects", "read experiment", "fetch experiment rows", "btql experiment", "read dataset", "btql project logs", "read prompt"],
  writer: ["read project", "list projects", "update project", "read experiment", "fetch experiment rows", "btql experiment", "insert experiment rows", "read dataset", "btql project logs", "log to project (logs3)", "read prompt"],
  restricted: ["read experiment", "fetch experiment rows", "btql experiment"],
  orgreader: ["read project", "list projects", "read experiment", "fetch experiment rows", "btql experiment", "read dataset", "btql project logs", "read prompt", "read other project", "btql other project's experiment"],
  creator: ["create experiment", "register experiment (SDK)", "delete a dataset"],
  aclmgr: ["read ACLs of project", "grant on project"],
  projcreator: ["create project"],
  objreader: ["read experiment", "fetch experiment rows", "btql experiment"],
  logreader: ["btql project logs"],
};

for (const [who, allowed] of Object.entries(expected)) {
  test(`ACL matrix: ${who}`, async () => {
    const key = who === "owner" ? server.adminKey : members[who].key;
    const wrong = [];
    for (const [name, check] of Object.entries(checks)) {
      const got = await check(key);
      if (got !== allowed.includes(name)) wrong.push(`${name}: ${got ? "allowed" : "denied"}`);
    }
    assert.deepEqual(wrong, [], `${who} got the wrong answer for: ${wrong.join("; ")}`);
  });
}

test("revoking a grant takes effect on the next request; a removed member's key stops working", async () => {
  const m = await newMember(server);
  const grant = await acl({ object_type: "project", object_id: P.id, user_id: m.id, permission: "read" });
  assert.equal((await call(server, "GET", `/v1/project/${P.id}`, { key: m.key })).status, 200);
  await ok(server, "DELETE", `/v1/acl/${grant.id}`);
  assert.equal((await call(server, "GET", `/v1/project/${P.id}`, { key: m.key })).status, 403);
  await ok(server, "PATCH", "/v1/organization/members", { body: { remove_users: { ids: [m.id] } } });
  assert.equal((await call(server, "GET", "/v1/project", { key: m.key })).status, 401);
});

test("members cannot manage members, keys, roles, groups or the org without grants", async () => {
  const key = members.reader.key;
  for (const [method, path, body] of [
    ["PATCH", "/v1/organization/members", { invite_users: { emails: ["x@example.com"] } }],
    ["POST", "/v1/api_key", { name: "k" }],
    ["POST", "/v1/role", { name: uniq("r") }],
    ["POST", "/v1/group", { name: uniq("g") }],
    ["PATCH", `/v1/organization/${org.id}`, { is_universal_api: true }],
    ["POST", "/environment", { name: "e", slug: uniq("e") }],
  ]) {
    const res = await call(server, method, path, { key, body });
    assert.equal(res.status, 403, `${method} ${path} -> ${res.status}: ${res.text}`);
  }
  // Reading the org, its users and one's own keys needs no grant.
  assert.equal((await call(server, "GET", "/v1/organization", { key })).status, 200);
  assert.equal((await call(server, "GET", "/v1/user", { key })).status, 200);
  assert.equal((await call(server, "GET", "/v1/api_key", { key })).status, 200);
});

test("lists show members only what they may read", async () => {
  const key = members.restricted.key;
  const exps = await ok(server, "GET", "/v1/experiment", { key });
  assert.ok(exps.objects.some((e) => e.id === E.id));
  assert.ok(exps.objects.every((e) => e.project_id === P.id), "only experiments of the granted project");
  assert.deepEqual((await ok(server, "GET", "/v1/dataset", { key })).objects, []);
  assert.deepEqual((await ok(server, "GET", "/v1/project", { key })).objects, []);
  assert.deepEqual((await ok(server, "GET", "/v1/prompt", { key })).objects, []);
  const orgwide = await ok(server, "GET", "/v1/experiment", { key: members.orgreader.key });
  assert.ok(orgwide.objects.some((e) => e.id === EQ.id));
  // ACL listings: only ACLs on objects the member may read the ACLs of.
  const mine = await ok(server, "GET", "/v1/acl/list_org", { key: members.aclmgr.key });
  // read_acls on P covers the ACLs on P, on its logs and on its objects, never the org's.
  assert.ok(mine.some((a) => a.object_type === "project" && a.object_id === P.id));
  assert.ok(mine.some((a) => a.object_type === "experiment" && a.object_id === E.id));
  assert.ok(mine.every((a) => [P.id, E.id].includes(a.object_id) && a.object_type !== "organization"), JSON.stringify(mine));
  assert.deepEqual(await ok(server, "GET", "/v1/acl/list_org", { key: members.reader.key }), []);
});
