// Scenario 7: rows acknowledged to the SDK survive `kill -9` and a restart on the same data dir,
// exactly once and with identical content, and new transactions keep ordering after the restart.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, XACT_RE, btqlRows, byId, connectSdk, logs3 } from "./harness.mjs";

const PROJECT = "e2e-durability";
const TRACES_BEFORE_READ = 60;
const TRACES_UNREAD = 90;

let server;
let sdk;
let projectId;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

// One trace: a root with start row, a merge after a flush, and a child. Returns expected fields.
async function logTrace(logger, n) {
  const want = {};
  await logger.traced(
    async (root) => {
      root.log({ input: { n, text: `input ${n}` }, metadata: { n, phase: "start" }, tags: [`t${n % 3}`] });
      if (n % 10 === 0) await logger.flush();
      await root.traced(
        async (child) => {
          child.log({ output: n * n });
          want.child = { id: child.id, output: n * n, parents: [root.spanId] };
        },
        { name: `child-${n}` },
      );
      root.log({ output: { n, ok: true }, scores: { s: (n % 5) / 4 }, metadata: { phase: "end" } });
      want.root = {
        id: root.id,
        input: { n, text: `input ${n}` },
        output: { n, ok: true },
        scores: { s: (n % 5) / 4 },
        metadata: { n, phase: "end" },
        tags: [`t${n % 3}`],
      };
    },
    { name: `trace-${n}` },
  );
  return want;
}

function checkTrace(rows, want) {
  const root = rows.get(want.root.id);
  const child = rows.get(want.child.id);
  assert.ok(root, `root ${want.root.id} lost`);
  assert.ok(child, `child ${want.child.id} lost`);
  for (const key of ["input", "output", "scores", "metadata", "tags"]) {
    assert.deepEqual(root[key], want.root[key], `${want.root.id}.${key}`);
  }
  assert.equal(typeof root.metrics.end, "number");
  assert.equal(child.output, want.child.output);
  assert.deepEqual(child.span_parents, want.child.parents);
  assert.equal(child.root_span_id, root.root_span_id);
}

test("acknowledged rows survive kill -9 exactly once with identical content", async () => {
  const logger = sdk.bt.initLogger({ projectName: PROJECT, asyncFlush: true });
  projectId = await logger.id;
  const wanted = [];
  for (let n = 0; n < TRACES_BEFORE_READ; n++) wanted.push(await logTrace(logger, n));
  await logger.flush();
  sdk.assertFlushed();
  const snapshot = byId(await btqlRows(server, "project_logs", projectId));
  assert.equal(snapshot.size, TRACES_BEFORE_READ * 2);

  // These are acknowledged but never read before the crash.
  for (let n = TRACES_BEFORE_READ; n < TRACES_BEFORE_READ + TRACES_UNREAD; n++) {
    wanted.push(await logTrace(logger, n));
  }
  await logger.flush();
  sdk.assertFlushed();

  await server.kill9();
  await server.restart();

  const rows = await btqlRows(server, "project_logs", projectId);
  const recovered = byId(rows); // throws on duplicates
  assert.equal(recovered.size, (TRACES_BEFORE_READ + TRACES_UNREAD) * 2);
  for (const want of wanted) checkTrace(recovered, want);
  for (const [id, before] of snapshot) {
    assert.deepEqual(recovered.get(id), before, `row ${id} changed across the crash`);
  }

  // A write after the restart gets a newer transaction id than anything before the crash.
  const maxBefore = rows.reduce((m, r) => (BigInt(r._xact_id) > m ? BigInt(r._xact_id) : m), 0n);
  const res = await logs3(server, [
    { id: "after-restart", project_id: projectId, log_id: "g", input: "after", created: new Date().toISOString() },
  ]);
  assert.equal(res.status, 200, res.text);
  const afterRows = byId(await btqlRows(server, "project_logs", projectId));
  assert.equal(afterRows.size, recovered.size + 1);
  const fresh = afterRows.get("after-restart");
  assert.match(fresh._xact_id, XACT_RE);
  assert.ok(BigInt(fresh._xact_id) > maxBefore, `${fresh._xact_id} <= ${maxBefore}`);
});

test("a second crash right after a restart loses nothing either", async () => {
  assert.ok(projectId, "the first test ran");
  const before = byId(await btqlRows(server, "project_logs", projectId));
  await server.kill9();
  await server.restart();
  const afterCrash = byId(await btqlRows(server, "project_logs", projectId));
  assert.equal(afterCrash.size, before.size);
  for (const [id, row] of before) assert.deepEqual(afterCrash.get(id), row, `row ${id} changed`);
});
