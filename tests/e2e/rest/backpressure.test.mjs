// Ingest backpressure over HTTP: when sealing cannot keep up (here: the
// object store refuses segment writes), logs3 waits up to
// --max-write-stall-seconds and then answers 503 with Retry-After, and the
// refused request is written nowhere (docs/architecture.md, "Backpressure").

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { btqlQuery } from "../js/harness.mjs";
import { SpanlakeServer, call, ok, uniq } from "./lib.mjs";

let server;

before(async () => {
  // Every write freezes its memtable; 1 MiB of frozen writes is the bound.
  server = await SpanlakeServer.start({
    extraArgs: ["--seal-bytes", "1", "--max-unsealed-mb", "1", "--max-write-stall-seconds", "1"],
  });
});

after(async () => {
  await server?.dispose();
});

// A regular file where the store keeps segments: every segment put fails.
function breakSegmentWrites() {
  const segments = path.join(server.dataDir, "store", "segments");
  fs.rmSync(segments, { recursive: true, force: true });
  fs.writeFileSync(segments, "not a directory");
}

function logs3(experimentId, id) {
  const row = { experiment_id: experimentId, id, input: "x".repeat(300_000) };
  return call(server, "POST", "/logs3", { body: { rows: [row], api_version: 2 } });
}

test("logs3 answers 503 with Retry-After when ingest is ahead of sealing, and writes nothing", async () => {
  const project = await ok(server, "POST", "/v1/project", { body: { name: uniq("bp") } });
  const exp = await ok(server, "POST", "/v1/experiment", { body: { project_id: project.id, name: "e" } });
  breakSegmentWrites();
  let accepted = 0;
  let refused = null;
  for (let i = 0; i < 20 && refused === null; ++i) {
    const res = await logs3(exp.id, `r${i}`);
    if (res.status === 503) refused = { id: `r${i}`, res };
    else {
      assert.equal(res.status, 200, res.text);
      accepted += 1;
    }
  }
  assert.ok(refused !== null, "no write was refused");
  assert.ok(accepted >= 3, `only ${accepted} writes before the bound`);  // 1 MiB / 300 kB
  assert.equal(refused.res.headers.get("retry-after"), "1");
  assert.match(refused.res.json.error, /ingest is ahead of sealing/);
  const rows = await ok(server, "POST", "/btql", { body: { query: btqlQuery("experiment", exp.id) } });
  const ids = rows.data.map((r) => r.id).sort();
  assert.equal(ids.length, accepted);
  assert.ok(!ids.includes(refused.id), `refused row ${refused.id} is visible`);
});
