// Org isolation: with a key of org B, every endpoint is tried with org A's ids (and names). Each
// answer must be exactly the answer for an id that never existed — same status, same body once
// the id is swapped — must carry none of A's ids or names, and A's data must be unchanged after.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { call, createOrg, newMember, ok, startServer, uniq } from "./lib.mjs";

let server;
let keyB;
const A = {}; // org A's objects
const secrets = []; // strings of A that B must never see (ids, names)

async function rows(kind, id, key = server.adminKey) {
  const res = await call(server, "POST", "/btql", { key, body: { query: btqlQuery(kind, id) } });
  assert.equal(res.status, 200, res.text);
  return res.json.data.length;
}

before(async () => {
  server = await startServer();
  keyB = createOrg(server, uniq("org-b"));
  const org = (await ok(server, "GET", "/v1/organization")).objects[0];
  A.org = org;
  A.project = await ok(server, "POST", "/v1/project", { body: { name: uniq("a-secret-project") } });
  A.experiment = await ok(server, "POST", "/v1/experiment", { body: { project_id: A.project.id, name: uniq("a-secret-exp") } });
  A.experiment2 = await ok(server, "POST", "/v1/experiment", { body: { project_id: A.project.id, name: uniq("a-secret-exp2"), base_exp_id: A.experiment.id } });
  A.dataset = await ok(server, "POST", "/v1/dataset", { body: { project_id: A.project.id, name: uniq("a-secret-ds") } });
  A.prompt = await ok(server, "POST", "/v1/prompt", { body: { project_id: A.project.id, name: uniq("a-secret-prompt"), slug: uniq("a-secret-slug"), prompt_data: {} } });
  A.function = await ok(server, "POST", "/v1/function", { body: { project_id: A.project.id, name: uniq("a-secret-fn"), slug: uniq("a-secret-fslug"), function_data: { type: "global", name: "x" } } });
  A.role = await ok(server, "POST", "/v1/role", { body: { name: uniq("a-secret-role"), member_permissions: [{ permission: "read" }] } });
  A.member = await newMember(server, `${uniq("a-secret-user")}@example.com`);
  A.group = await ok(server, "POST", "/v1/group", { body: { name: uniq("a-secret-group"), member_users: [A.member.id] } });
  A.acl = await ok(server, "POST", "/v1/acl", { body: { object_type: "project", object_id: A.project.id, group_id: A.group.id, role_id: A.role.id } });
  A.view = await ok(server, "POST", "/v1/view", { body: { object_type: "project", object_id: A.project.id, view_type: "experiments", name: uniq("a-secret-view") } });
  A.score = await ok(server, "POST", "/v1/project_score", { body: { project_id: A.project.id, name: uniq("a-secret-score"), score_type: "slider" } });
  A.tag = await ok(server, "POST", "/v1/project_tag", { body: { project_id: A.project.id, name: uniq("a-secret-tag") } });
  A.iframe = await ok(server, "POST", "/v1/span_iframe", { body: { project_id: A.project.id, name: uniq("a-secret-iframe"), url: "https://a.example" } });
  A.environment = await ok(server, "POST", "/environment", { body: { name: uniq("a-secret-env"), slug: uniq("a-secret-envslug") } });
  for (const [kind, id] of [["experiment", A.experiment.id], ["experiment", A.experiment2.id], ["dataset", A.dataset.id], ["project_logs", A.project.id]]) {
    await ok(server, "POST", `/v1/${kind}/${id}/insert`, { body: { events: [{ id: `row-${kind}`, input: "a-secret-input" }] } });
  }
  A.xact = (await call(server, "GET", "/xact-id")).text.trim();
  A.snapshot = await ok(server, "POST", "/v1/dataset_snapshot", { body: { dataset_id: A.dataset.id, name: uniq("a-secret-snap"), xact_id: A.xact } });
  A.key = (await ok(server, "GET", "/v1/api_key")).objects[0];
  A.ownerUser = (await ok(server, "GET", "/v1/user")).objects.find((u) => u.given_name === "admin");
  for (const o of Object.values(A)) {
    if (o && typeof o === "object") {
      for (const k of ["id", "name", "slug", "email"]) if (typeof o[k] === "string") secrets.push(o[k]);
    }
  }
  secrets.push("a-secret-input", A.org.name === "spanlake" ? "\"spanlake\"" : A.org.name);
  A.counts = {
    experiment: await rows("experiment", A.experiment.id),
    dataset: await rows("dataset", A.dataset.id),
    logs: await rows("project_logs", A.project.id),
  };
});

after(async () => {
  await server?.dispose();
});

// Requests B tries. `$` in paths, query values and bodies is replaced by the id under test.
function probes() {
  const p = [];
  const byId = {
    project: A.project.id, experiment: A.experiment.id, dataset: A.dataset.id, prompt: A.prompt.id,
    function: A.function.id, role: A.role.id, group: A.group.id, acl: A.acl.id, view: A.view.id,
    project_score: A.score.id, project_tag: A.tag.id, span_iframe: A.iframe.id,
    dataset_snapshot: A.snapshot.id, user: A.member.id, api_key: A.key.id, organization: A.org.id,
  };
  for (const [kind, id] of Object.entries(byId)) {
    const base = kind === "environment" ? "/environment" : `/v1/${kind}`;
    p.push({ id, method: "GET", path: `${base}/$` });
    if (!["user", "api_key", "acl"].includes(kind)) p.push({ id, method: "PATCH", path: `${base}/$`, body: { description: "pwned", name: "pwned" } });
    if (!["user", "organization"].includes(kind)) p.push({ id, method: "DELETE", path: `${base}/$` });
  }
  p.push({ id: A.environment.id, method: "GET", path: "/environment/$" });
  p.push({ id: A.environment.id, method: "PATCH", path: "/environment/$", body: { description: "pwned" } });
  p.push({ id: A.environment.id, method: "DELETE", path: "/environment/$" });
  p.push({ id: A.prompt.id, method: "GET", path: "/v1/prompt/$", query: { version: A.xact } });
  // Row endpoints.
  for (const [kind, id] of [["experiment", A.experiment.id], ["dataset", A.dataset.id], ["project_logs", A.project.id]]) {
    p.push({ id, method: "POST", path: `/v1/${kind}/$/insert`, body: { events: [{ input: "pwned" }] } });
    p.push({ id, method: "GET", path: `/v1/${kind}/$/fetch` });
    p.push({ id, method: "POST", path: `/v1/${kind}/$/fetch`, body: { limit: 10 } });
    p.push({ id, method: "POST", path: `/v1/${kind}/$/feedback`, body: { feedback: [{ id: `row-${kind}`, scores: { s: 1 } }] } });
    p.push({ id, method: "POST", path: "/btql", body: { query: btqlQuery(kind, "$") } });
    if (kind !== "project_logs") p.push({ id, method: "GET", path: `/v1/${kind}/$/summarize` });
  }
  p.push({ id: A.experiment.id, method: "POST", path: "/logs3", body: { rows: [{ experiment_id: "$", input: "pwned" }], api_version: 2 } });
  p.push({ id: A.project.id, method: "POST", path: "/logs3", body: { rows: [{ project_id: "$", log_id: "g", input: "pwned" }], api_version: 2 } });
  p.push({ id: A.experiment.id, method: "POST", path: "/v1/insert", body: { experiment: { $: { events: [{ input: "pwned" }] } } } });
  p.push({ id: A.dataset.id, method: "GET", path: "/dataset-summary", query: { dataset_id: "$" } });
  p.push({ id: A.experiment2.id, method: "GET", path: "/experiment-comparison2", query: { experiment_id: "$" } });
  // The SDK's control-plane endpoints.
  p.push({ id: A.project.id, method: "GET", path: "/api/project", query: { id: "$" } });
  p.push({ id: A.project.id, method: "POST", path: "/api/project/get", body: { id: "$" } });
  p.push({ id: A.project.id, method: "POST", path: "/api/experiment/register", body: { project_id: "$", experiment_name: "pwned" } });
  p.push({ id: A.project.id, method: "POST", path: "/api/dataset/register", body: { project_id: "$", dataset_name: "pwned" } });
  p.push({ id: A.project.id, method: "POST", path: "/api/experiment/get", body: { project_id: "$", experiment_name: A.experiment.name } });
  p.push({ id: A.experiment.id, method: "POST", path: "/api/self/get_object_info", body: { object_type: "experiment", object_ids: ["$"] } });
  p.push({ id: A.experiment2.id, method: "POST", path: "/api/base_experiment/get_id", body: { id: "$" } });
  p.push({ id: A.dataset.id, method: "POST", path: "/api/dataset_snapshot/get", body: { dataset_id: "$" } });
  p.push({ id: A.dataset.id, method: "POST", path: "/api/dataset_snapshot/register", body: { dataset_id: "$", dataset_snapshot_name: "x", xact_id: A.xact } });
  p.push({ id: A.snapshot.id, method: "POST", path: "/api/dataset_snapshot/patch_id", body: { id: "$", name: "pwned" } });
  p.push({ id: A.snapshot.id, method: "POST", path: "/api/dataset_snapshot/delete_id", body: { id: "$" } });
  // Creating things under A's objects, or naming them.
  p.push({ id: A.project.id, method: "POST", path: "/v1/experiment", body: { project_id: "$", name: "pwned" } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/dataset", body: { project_id: "$", name: "pwned" } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/prompt", body: { project_id: "$", name: "x", slug: "x" } });
  p.push({ id: A.project.id, method: "PUT", path: "/v1/function", body: { project_id: "$", name: "x", slug: "x", function_data: { type: "prompt" } } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/project_score", body: { project_id: "$", name: "x", score_type: "slider" } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/project_tag", body: { project_id: "$", name: "x" } });
  p.push({ id: A.project.id, method: "PUT", path: "/v1/span_iframe", body: { project_id: "$", name: "x", url: "https://x" } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/view", body: { object_type: "project", object_id: "$", view_type: "experiments", name: "x" } });
  p.push({ id: A.dataset.id, method: "POST", path: "/v1/dataset_snapshot", body: { dataset_id: "$", name: "x", xact_id: A.xact } });
  p.push({ id: A.experiment.id, method: "POST", path: "/v1/experiment", body: { project_id: "PROJECT_B", base_exp_id: "$" } });
  p.push({ id: A.dataset.id, method: "POST", path: "/v1/experiment", body: { project_id: "PROJECT_B", dataset_id: "$" } });
  // ACLs naming A's objects, users, groups and roles.
  p.push({ id: A.project.id, method: "POST", path: "/v1/acl", body: { object_type: "project", object_id: "$", user_id: "USER_B", permission: "read" } });
  p.push({ id: A.org.id, method: "POST", path: "/v1/acl", body: { object_type: "organization", object_id: "$", user_id: "USER_B", permission: "read" } });
  p.push({ id: A.member.id, method: "POST", path: "/v1/acl", body: { object_type: "project", object_id: "PROJECT_B", user_id: "$", permission: "read" } });
  p.push({ id: A.group.id, method: "POST", path: "/v1/acl", body: { object_type: "project", object_id: "PROJECT_B", group_id: "$", permission: "read" } });
  p.push({ id: A.role.id, method: "POST", path: "/v1/acl", body: { object_type: "project", object_id: "PROJECT_B", user_id: "USER_B", role_id: "$" } });
  p.push({ id: A.project.id, method: "DELETE", path: "/v1/acl", body: { object_type: "project", object_id: "$", group_id: A.group.id, role_id: A.role.id } });
  p.push({ id: A.project.id, method: "POST", path: "/v1/acl/batch_update", body: { add_acls: [{ object_type: "project", object_id: "$", user_id: "USER_B", permission: "read" }] } });
  p.push({ id: A.member.id, method: "POST", path: "/v1/group", body: { name: "g-pwn", member_users: ["$"] } });
  p.push({ id: A.role.id, method: "POST", path: "/v1/role", body: { name: "r-pwn", member_roles: ["$"] } });
  p.push({ id: A.member.id, method: "POST", path: "/v1/api_key", body: { name: "pwn", user_id: "$" } });
  p.push({ id: A.member.id, method: "PATCH", path: "/v1/organization/members", body: { remove_users: { ids: ["$"] } } });
  p.push({ id: A.org.id, method: "PATCH", path: "/v1/organization/members", body: { org_id: "$", invite_users: { emails: ["x@example.com"] } } });
  // Lists filtered by, or paged from, A's ids.
  for (const [path, query] of [
    ["/v1/project", { ids: "$" }], ["/v1/project", { starting_after: "$" }], ["/v1/project", { ending_before: "$" }],
    ["/v1/experiment", { project_id: "$" }], ["/v1/experiment", { ids: "$" }], ["/v1/dataset", { project_id: "$" }],
    ["/v1/prompt", { project_id: "$" }], ["/v1/function", { project_id: "$" }], ["/v1/project_score", { project_id: "$" }],
    ["/v1/project_tag", { project_id: "$" }], ["/v1/span_iframe", { project_id: "$" }],
    ["/v1/view", { object_type: "project", object_id: "$" }], ["/v1/acl", { object_type: "project", object_id: "$" }],
    ["/v1/acl/list_org", { object_id: "$" }], ["/v1/role", { ids: "$" }], ["/v1/group", { ids: "$" }],
    ["/v1/user", { ids: "$" }], ["/v1/api_key", { ids: "$" }], ["/v1/organization", { ids: "$" }],
    ["/v1/dataset_snapshot", { dataset_id: "$" }], ["/environment", { ids: "$" }],
  ]) {
    p.push({ id: null, method: "GET", path, query, listId: true });
  }
  return p;
}

function fill(value, id) {
  if (typeof value === "string") {
    return value.split("$").join(id).replace("PROJECT_B", A.projectB.id).replace("USER_B", A.userB);
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, id));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === "$" ? id : k, fill(v, id)]));
  }
  return value;
}

function leaked(text, allowedId) {
  return secrets.filter((s) => s !== allowedId && s.length > 0 && text.includes(s));
}

// The only success B may see is an empty answer (an empty list), the same as for unknown ids.
function isEmptyAnswer(json) {
  if (Array.isArray(json)) return json.length === 0;
  return json !== null && typeof json === "object" && Array.isArray(json.objects) && json.objects.length === 0;
}

test("every endpoint answers B about A's ids exactly as about ids that never existed", async () => {
  A.projectB = await ok(server, "POST", "/v1/project", { key: keyB, body: { name: uniq("b-project") } });
  A.userB = (await ok(server, "GET", "/v1/user", { key: keyB })).objects[0].id;
  // List probes take each kind of A's ids in turn.
  const listIds = [A.project.id, A.experiment.id, A.dataset.id, A.role.id, A.group.id, A.member.id, A.key.id, A.org.id, A.environment.id, A.snapshot.id];
  const failures = [];
  let tried = 0;
  for (const probe of probes()) {
    for (const id of probe.listId === undefined ? [probe.id] : listIds) {
      const fakeId = randomUUID();
      const send = (x) => call(server, probe.method, fill(probe.path, x), { key: keyB, body: fill(probe.body, x), query: fill(probe.query, x) });
      const real = await send(id);
      const fake = await send(fakeId);
      tried++;
      const what = `${probe.method} ${probe.path} ${JSON.stringify(probe.query ?? probe.body ?? "")} [${id}]`;
      if (real.status !== fake.status) {
        failures.push(`${what}: ${real.status} for A's id, ${fake.status} for an unknown id`);
      } else if (real.text.split(id).join("<id>") !== fake.text.split(fakeId).join("<id>")) {
        failures.push(`${what}: bodies differ: ${real.text.slice(0, 200)} | ${fake.text.slice(0, 200)}`);
      }
      if (real.status >= 200 && real.status < 300 && !isEmptyAnswer(real.json)) {
        failures.push(`${what}: succeeded (${real.status}) with A's id: ${real.text.slice(0, 200)}`);
      }
      if (![200, 400, 403, 404].includes(real.status)) failures.push(`${what}: unexpected status ${real.status}`);
      const leaks = leaked(real.text, id);
      if (leaks.length > 0) failures.push(`${what}: response names A's ${leaks.join(", ")}: ${real.text.slice(0, 200)}`);
    }
  }
  assert.ok(tried > 100, `only ${tried} probes ran`);
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("names of A's objects resolve to nothing of A's in B", async () => {
  // Registering A's project name in B makes B's own project, which holds none of A's rows.
  const reg = await ok(server, "POST", "/api/project/register", { key: keyB, body: { project_name: A.project.name } });
  assert.notEqual(reg.project.id, A.project.id);
  assert.equal(await rows("project_logs", reg.project.id, keyB), 0);
  for (const [path, query] of [
    ["/v1/project", { project_name: A.project.name }],
    ["/v1/experiment", { experiment_name: A.experiment.name }],
    ["/v1/experiment", { project_name: A.project.name }],
    ["/v1/dataset", { dataset_name: A.dataset.name }],
    ["/v1/prompt", { slug: A.prompt.slug }],
    ["/v1/prompt", { project_name: A.project.name, slug: A.prompt.slug }],
    ["/v1/role", { role_name: A.role.name }],
    ["/v1/group", { group_name: A.group.name }],
    ["/v1/user", { email: A.member.email }],
    ["/v1/organization", { org_name: A.org.name }],
    ["/v1/project", { org_name: A.org.name }],
  ]) {
    const res = await call(server, "GET", path, { key: keyB, query });
    assert.equal(res.status, 200, `${path} ${JSON.stringify(query)}: ${res.text}`);
    const objects = res.json.objects.filter((o) => o.id !== reg.project.id);
    assert.deepEqual(objects, [], `${path} ${JSON.stringify(query)} showed A's objects`);
    assert.deepEqual(leaked(res.text, null).filter((s) => s !== A.project.name), []);
  }
  const creating = await call(server, "POST", "/v1/project", { key: keyB, body: { name: "x", org_name: A.org.name } });
  assert.equal(creating.status, 404);
  // B's org-wide listings hold only B's things.
  for (const path of ["/v1/experiment", "/v1/dataset", "/v1/prompt", "/v1/function", "/v1/role", "/v1/group", "/v1/user", "/v1/api_key", "/v1/project_score", "/v1/project_tag", "/v1/span_iframe", "/v1/dataset_snapshot", "/environment", "/v1/organization"]) {
    const res = await ok(server, "GET", path, { key: keyB });
    assert.deepEqual(leaked(JSON.stringify(res), null), [], `${path} leaked A's data`);
  }
  assert.deepEqual(leaked(JSON.stringify(await ok(server, "GET", "/v1/acl/list_org", { key: keyB })), null), []);
});

test("a member of A cannot reach B either, and A's data is unchanged by all of the above", async () => {
  const b = await ok(server, "POST", "/v1/project", { key: keyB, body: { name: uniq("b-only") } });
  const res = await call(server, "GET", `/v1/project/${b.id}`, { key: A.member.key });
  assert.equal(res.status, 404);
  assert.equal(await rows("experiment", A.experiment.id), A.counts.experiment);
  assert.equal(await rows("dataset", A.dataset.id), A.counts.dataset);
  assert.equal(await rows("project_logs", A.project.id), A.counts.logs);
  for (const [kind, o] of [["project", A.project], ["experiment", A.experiment], ["dataset", A.dataset], ["prompt", A.prompt], ["role", A.role], ["group", A.group], ["acl", A.acl], ["view", A.view], ["project_score", A.score], ["project_tag", A.tag], ["span_iframe", A.iframe], ["dataset_snapshot", A.snapshot]]) {
    const now = await ok(server, "GET", `/v1/${kind}/${o.id}`);
    assert.deepEqual(now, o, `${kind} changed`);
  }
  assert.ok((await ok(server, "GET", "/v1/user")).objects.some((u) => u.id === A.member.id));
  assert.equal((await ok(server, "GET", `/v1/api_key/${A.key.id}`)).id, A.key.id);
  const acls = await ok(server, "GET", "/v1/acl/list_org");
  assert.deepEqual(acls.map((a) => a.id), [A.acl.id], "no ACL was added in A");
});
