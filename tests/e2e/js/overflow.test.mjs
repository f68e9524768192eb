// Scenario 6: with a small advertised logs3_payload_max_bytes, rows larger than the limit go
// through POST /logs3/overflow + upload + an overflow reference, and must be stored exactly.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, connectSdk, httpJson } from "./harness.mjs";

const LIMIT = 4096;

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start({ extraArgs: ["--logs3-payload-max-bytes", String(LIMIT)] });
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

// Deterministic text with multi-byte characters, so byte and character counts differ.
function bigText(seed, chars) {
  // Array.from splits by code point, so the emoji is never cut into a lone surrogate.
  const alphabet = Array.from("abcdefghijklmnopqrstuvwxyz é漢字🙂\n\"\\");
  let out = "";
  let x = seed;
  while (out.length < chars) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

test("the server advertises the configured payload limit", async () => {
  const version = await httpJson(server, "GET", "/version");
  assert.equal(version.logs3_payload_max_bytes, LIMIT);
});

test("oversized batches go through logs3/overflow and every row is stored exactly", async () => {
  const logger = sdk.bt.initLogger({ projectName: "e2e-overflow", asyncFlush: true });
  const expected = new Map();
  const sizes = [3000, 9000, 40_000, 200_000];
  for (const [i, size] of sizes.entries()) {
    const id = `big-${i}`;
    const event = { id, input: { text: bigText(i + 1, size) }, output: { n: i }, metadata: { size } };
    logger.log(event);
    expected.set(id, event);
  }
  for (let i = 0; i < 20; i++) {
    const id = `small-${i}`;
    const event = { id, input: `small input ${i}`, output: { n: i }, metadata: { size: 0 } };
    logger.log(event);
    expected.set(id, event);
  }
  await logger.flush();
  sdk.assertFlushed();

  const overflowCalls = sdk.requests.filter((r) => new URL(r.url).pathname.endsWith("/logs3/overflow"));
  assert.ok(overflowCalls.length >= 1, `the SDK never used overflow: ${sdk.paths().join(", ")}`);
  for (const call of overflowCalls) assert.equal(call.status, 200);

  const rows = await btqlRows(server, "project_logs", await logger.id);
  assert.equal(rows.length, expected.size);
  const seen = new Set();
  for (const row of rows) {
    const want = expected.get(row.id);
    assert.ok(want, `unexpected row ${row.id}`);
    assert.ok(!seen.has(row.id), `row ${row.id} read twice`);
    seen.add(row.id);
    assert.deepEqual(row.input, want.input, `${row.id} input differs`);
    assert.deepEqual(row.output, want.output);
    assert.deepEqual(row.metadata, want.metadata);
    assert.equal(row.is_root, true);
  }
});
