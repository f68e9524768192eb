// Text the SDK can produce: JSON.stringify writes a lone UTF-16 surrogate as a `\udXXX` escape,
// which is valid JSON syntax. A rejected request is retried and then dropped by the SDK with every
// other row of its batch, so the server has to accept it (keeping or replacing the lone unit).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, connectSdk } from "./harness.mjs";

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

test("non-ASCII text round-trips exactly through the SDK", async () => {
  const logger = sdk.bt.initLogger({ projectName: "e2e-unicode", asyncFlush: true });
  const texts = {
    latin: "héllo wörld",
    cjk: "漢字かな",
    emoji: "🙂👍🏽",
    escapes: 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007',
    keys: { "ключ": "значение", "🔑": 1 },
  };
  logger.log({ id: "texts", input: texts, output: "ok" });
  await logger.flush();
  sdk.assertFlushed();
  const rows = await btqlRows(server, "project_logs", await logger.id);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].input, texts);
});

test("a lone surrogate does not make the server drop the batch", async () => {
  const logger = sdk.bt.initLogger({ projectName: "e2e-unicode-surrogate", asyncFlush: true });
  logger.log({ id: "neighbour", input: "plain", output: "ok" });
  logger.log({ id: "lone", input: "cut emoji \ud83d here", output: "ok" });
  await logger.flush();
  sdk.assertFlushed();
  const rows = await btqlRows(server, "project_logs", await logger.id);
  assert.deepEqual(rows.map((r) => r.id).sort(), ["lone", "neighbour"]);
  const lone = rows.find((r) => r.id === "lone");
  assert.ok(
    ["cut emoji \ud83d here", "cut emoji \ufffd here"].includes(lone.input),
    `lone surrogate read back as ${JSON.stringify(lone.input)}`,
  );
});
