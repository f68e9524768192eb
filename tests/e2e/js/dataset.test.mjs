// Scenario 4: dataset insert / update / replace / delete, iteration through the SDK, summarize,
// versions (reading pinned to an older xact), and snapshots.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, XACT_RE, btqlRows, connectSdk } from "./harness.mjs";

const PROJECT = "e2e-dataset";
const DATASET = "qa";

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

function original(i) {
  return { id: `row-${i}`, input: { q: `${i}+${i}` }, expected: { a: 2 * i }, metadata: { i, src: "gen" }, tags: ["gen"] };
}

// A fresh, unpinned or pinned dataset handle: each handle caches what it fetched.
function openDataset(options = {}) {
  return sdk.bt.initDataset({ project: PROJECT, dataset: DATASET, ...options });
}

async function readRows(options = {}) {
  const rows = await openDataset(options).fetchedData();
  return new Map(rows.map((r) => [r.id, r]));
}

function assertRow(actual, expected) {
  assert.ok(actual, `row ${expected.id} missing`);
  assert.deepEqual(actual.input, expected.input, `${expected.id} input`);
  assert.deepEqual(actual.expected, expected.expected, `${expected.id} expected`);
  assert.deepEqual(actual.metadata ?? null, expected.metadata ?? null, `${expected.id} metadata`);
  assert.deepEqual([...(actual.tags ?? [])].sort(), [...(expected.tags ?? [])].sort(), `${expected.id} tags`);
}

test("dataset CRUD, summarize, pinned versions and snapshots", async () => {
  const ds = openDataset({ description: "tiny qa set", metadata: { owner: "e2e" } });
  for (let i = 0; i < 5; i++) ds.insert(original(i));
  await ds.flush();
  sdk.assertFlushed();
  const v1 = await ds.version();
  assert.match(v1, XACT_RE);

  const afterInsert = await readRows();
  assert.equal(afterInsert.size, 5);
  for (let i = 0; i < 5; i++) assertRow(afterInsert.get(`row-${i}`), original(i));
  for (const row of afterInsert.values()) {
    assert.ok(row._xact_id <= v1, "version() is the max _xact_id");
    assert.equal(typeof row.created, "string");
  }

  // update = merge; insert with an existing id = replace; delete removes.
  ds.update({ id: "row-1", expected: { a: "two" }, metadata: { reviewed: true } });
  ds.insert({ id: "row-3", input: { q: "3+3" }, expected: { a: "six" } });
  ds.delete("row-2");
  await ds.flush();
  sdk.assertFlushed();
  const v2 = await openDataset().version();
  assert.match(v2, XACT_RE);
  assert.ok(v2 > v1, `version must grow: ${v1} -> ${v2}`);

  const current = await readRows();
  assert.deepEqual([...current.keys()].sort(), ["row-0", "row-1", "row-3", "row-4"]);
  assertRow(current.get("row-0"), original(0));
  assertRow(current.get("row-1"), {
    id: "row-1",
    input: { q: "1+1" },
    expected: { a: "two" },
    metadata: { i: 1, src: "gen", reviewed: true },
    tags: ["gen"],
  });
  assertRow(current.get("row-3"), { id: "row-3", input: { q: "3+3" }, expected: { a: "six" } });
  assertRow(current.get("row-4"), original(4));
  assert.ok(current.get("row-1")._xact_id > v1);
  assert.equal(current.get("row-0")._xact_id, afterInsert.get("row-0")._xact_id, "untouched rows keep their xact");

  const summary = await ds.summarize();
  assert.equal(summary.datasetName, DATASET);
  assert.equal(summary.projectName, PROJECT);
  assert.equal(summary.dataSummary.totalRecords, 4);

  // Reading pinned to the older version gives the older content, deleted row included.
  const old = await readRows({ version: v1 });
  assert.equal(old.size, 5);
  for (let i = 0; i < 5; i++) assertRow(old.get(`row-${i}`), original(i));
  assert.equal(await openDataset({ version: v1 }).version(), v1);

  // Snapshots: one pinned at v1 (through a handle pinned to v1), one at the current version.
  const snapOld = await openDataset({ version: v1 }).createSnapshot({ name: "before-edit", description: "five rows" });
  assert.equal(snapOld.name, "before-edit");
  assert.equal(snapOld.xact_id, v1);
  assert.equal(snapOld.description, "five rows");
  const snapNew = await ds.createSnapshot({ name: "after-edit" });
  assert.match(snapNew.xact_id, XACT_RE);
  assert.ok(snapNew.xact_id >= v2, `snapshot of the current state: ${snapNew.xact_id} < ${v2}`);
  assert.equal(snapNew.dataset_id, await ds.id);

  // A later change is invisible through both snapshots.
  ds.insert({ id: "row-5", input: { q: "5+5" }, expected: { a: 10 } });
  await ds.flush();
  sdk.assertFlushed();
  assert.equal((await readRows()).size, 5);
  const viaNew = await readRows({ snapshotName: "after-edit" });
  assert.deepEqual([...viaNew.keys()].sort(), ["row-0", "row-1", "row-3", "row-4"]);
  assertRow(viaNew.get("row-1"), current.get("row-1"));
  const viaOld = await readRows({ snapshotName: "before-edit" });
  assert.deepEqual([...viaOld.keys()].sort(), ["row-0", "row-1", "row-2", "row-3", "row-4"]);
  assertRow(viaOld.get("row-3"), original(3));

  const listed = await ds.listSnapshots();
  assert.deepEqual(listed.map((s) => s.name).sort(), ["after-edit", "before-edit"]);
  const got = await ds.getSnapshot({ snapshotName: "before-edit" });
  assert.equal(got.id, snapOld.id);
  const renamed = await ds.updateSnapshot(snapOld.id, { name: "v1", description: "renamed" });
  assert.equal(renamed.name, "v1");
  assert.equal(renamed.description, "renamed");
  assert.equal(renamed.xact_id, v1);
  const deleted = await ds.deleteSnapshot(snapNew.id);
  assert.equal(deleted.id, snapNew.id);
  assert.deepEqual((await ds.listSnapshots()).map((s) => s.name), ["v1"]);

  // The raw read agrees with the SDK: dataset rows get span ids and is_root from the server.
  const raw = await btqlRows(server, "dataset", await ds.id);
  assert.equal(raw.length, 5);
  for (const row of raw) {
    assert.equal(row.dataset_id, await ds.id);
    assert.equal(row.span_id, row.id);
    assert.equal(row.root_span_id, row.id);
    assert.equal(row.is_root, true);
    assert.match(row._xact_id, XACT_RE);
  }
});
