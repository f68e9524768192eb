// Scenario 8: bad requests to /logs3 over raw HTTP. Each must get a 4xx with a JSON error that
// names the problem, and must write nothing (the whole request is rejected).

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, http, logs3, newApiKey, registerProject } from "./harness.mjs";

const UNKNOWN_PROJECT = randomUUID();

let server;
let projectId;
let goodCount = 0;

before(async () => {
  server = await SpanlakeServer.start();
  projectId = (await registerProject(server, "e2e-bad-input")).id;
});

after(async () => {
  await server?.dispose();
});

function row(id, fields = {}) {
  return { id, project_id: projectId, log_id: "g", created: new Date().toISOString(), input: id, ...fields };
}

async function rowIds() {
  return (await btqlRows(server, "project_logs", projectId)).map((r) => r.id).sort();
}

function assertRejected(res, { status, mentions }) {
  const desc = `${res.status} ${res.text.slice(0, 500)}`;
  if (status !== undefined) {
    assert.ok(status.includes(res.status), `expected status in ${status}, got ${desc}`);
  } else {
    assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx, got ${desc}`);
  }
  assert.ok(res.json && typeof res.json === "object", `error body is not JSON: ${desc}`);
  assert.equal(typeof res.json.error, "string", `no string "error" field: ${desc}`);
  assert.ok(res.json.error.length > 0);
  if (mentions) assert.match(res.json.error, mentions, `error does not name the problem: ${desc}`);
}

test("a good row over raw HTTP is written (baseline)", async () => {
  const res = await logs3(server, [row("good-0", { scores: { acc: 0.5 } })]);
  assert.equal(res.status, 200, res.text);
  goodCount = 1;
  assert.deepEqual(await rowIds(), ["good-0"]);
});

const cases = [
  {
    name: "malformed JSON",
    send: () => http(server, "POST", "/logs3", { rawBody: '{"rows": [{"id": "x", "project_id": ' }),
    expect: { status: [400], mentions: /json|parse|syntax|malformed|invalid/i },
  },
  {
    name: "rows is not an array",
    send: () => http(server, "POST", "/logs3", { body: { rows: "nope", api_version: 2 } }),
    expect: { status: [400], mentions: /rows/i },
  },
  {
    name: "score above 1",
    send: () => logs3(server, [row("bad-score-high", { scores: { acc: 1.5 } })]),
    expect: { status: [400], mentions: /scores/ },
  },
  {
    name: "score below 0",
    send: () => logs3(server, [row("bad-score-low", { scores: { acc: -0.1 } })]),
    expect: { status: [400], mentions: /scores/ },
  },
  {
    name: "score that is a string",
    send: () => logs3(server, [row("bad-score-str", { scores: { acc: "x" } })]),
    expect: { status: [400], mentions: /scores/ },
  },
  {
    name: "span_parents that is a string",
    send: () => logs3(server, [row("bad-parents", { span_id: "s1", root_span_id: "r1", span_parents: "abc" })]),
    expect: { status: [400], mentions: /span_parents/ },
  },
  {
    name: "span_parents with a non-string element",
    send: () => logs3(server, [row("bad-parents-2", { span_id: "s1", root_span_id: "r1", span_parents: [7] })]),
    expect: { status: [400], mentions: /span_parents/ },
  },
  {
    name: "unknown project_id",
    send: () => logs3(server, [{ ...row("bad-project"), project_id: UNKNOWN_PROJECT }]),
    expect: { status: [400, 403, 404], mentions: new RegExp(UNKNOWN_PROJECT) },
  },
  {
    name: "row naming no container",
    send: () => logs3(server, [{ id: "no-container", input: 1 }]),
    expect: { status: [400], mentions: /project_id|experiment_id|dataset_id|object|container/i },
  },
  {
    name: "missing Authorization",
    send: () => logs3(server, [row("no-auth")], { apiKey: null }),
    expect: { status: [401], mentions: /auth|key|token|credential/i },
  },
  {
    name: "wrong API key",
    send: () => logs3(server, [row("wrong-key")], { apiKey: newApiKey() }),
    expect: { status: [401, 403], mentions: /auth|key|token|credential|invalid/i },
  },
  {
    name: "one good row and one bad row",
    send: () => logs3(server, [row("mixed-good", { scores: { acc: 1 } }), row("mixed-bad", { scores: { acc: 2 } })]),
    expect: { status: [400], mentions: /scores/ },
  },
  {
    name: "good row then a row for an unknown project",
    send: () => logs3(server, [row("mixed-good-2"), { ...row("mixed-other"), project_id: UNKNOWN_PROJECT }]),
    expect: { status: [400, 403, 404], mentions: new RegExp(UNKNOWN_PROJECT) },
  },
];

for (const c of cases) {
  test(`rejects ${c.name} and writes nothing`, async () => {
    assert.equal(goodCount, 1, "baseline write must have succeeded");
    const res = await c.send();
    assertRejected(res, c.expect);
    assert.deepEqual(await rowIds(), ["good-0"], "the rejected request wrote rows");
  });
}

test("after all rejections a good request still works", async () => {
  const res = await logs3(server, [row("good-1"), row("good-2", { scores: { acc: 1 } })]);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(await rowIds(), ["good-0", "good-1", "good-2"]);
});
