// Scenario 5: Attachment and JSONAttachment values are uploaded through the server's signed URLs
// and read back byte for byte, both from project logs (raw /btql + ReadonlyAttachment) and from an
// experiment opened read-only through the SDK.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, connectSdk } from "./harness.mjs";

const PROJECT = "e2e-attachments";

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

// Every byte value, then random bytes: catches text re-encoding and truncation.
function binaryPayload(size) {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([all, randomBytes(size - all.length)]);
}

async function downloaded(readonly) {
  assert.ok(readonly instanceof sdk.bt.ReadonlyAttachment, `not a ReadonlyAttachment: ${JSON.stringify(readonly)}`);
  const status = await readonly.status();
  assert.equal(status.upload_status, "done");
  const blob = await readonly.data();
  return Buffer.from(await blob.arrayBuffer());
}

test("attachments logged on a span are uploaded and read back byte for byte", async () => {
  const bytes = binaryPayload(200_000);
  const transcript = [
    { role: "user", content: "héllo — ünïcode ✓" },
    { role: "assistant", content: "x".repeat(5000) },
  ];
  const file = new sdk.bt.Attachment({
    data: new Blob([bytes]),
    filename: "payload.bin",
    contentType: "application/octet-stream",
  });
  const json = new sdk.bt.JSONAttachment(transcript, { filename: "transcript.json" });

  const logger = sdk.bt.initLogger({ projectName: PROJECT, asyncFlush: true });
  const spanId = await logger.traced(
    async (span) => {
      span.log({ input: { file, nested: [{ transcript: json }] }, output: "stored" });
      return span.id;
    },
    { name: "with-attachments" },
  );
  await logger.flush();
  sdk.assertFlushed();

  const rows = await btqlRows(server, "project_logs", await logger.id);
  assert.equal(rows.length, 1);
  const row = rows[0];
  assert.equal(row.id, spanId);
  assert.equal(row.output, "stored");
  assert.deepEqual(row.input.file, {
    type: "braintrust_attachment",
    filename: "payload.bin",
    content_type: "application/octet-stream",
    key: file.reference.key,
  });
  assert.deepEqual(row.input.nested[0].transcript, {
    type: "braintrust_attachment",
    filename: "transcript.json",
    content_type: "application/json",
    key: json.reference.key,
  });

  const fileBack = await downloaded(new sdk.bt.ReadonlyAttachment(row.input.file));
  assert.equal(fileBack.length, bytes.length);
  assert.ok(fileBack.equals(bytes), "binary attachment bytes differ");
  const jsonBack = await downloaded(new sdk.bt.ReadonlyAttachment(row.input.nested[0].transcript));
  assert.ok(jsonBack.equals(Buffer.from(JSON.stringify(transcript), "utf8")), "JSON attachment bytes differ");
  assert.deepEqual(JSON.parse(jsonBack.toString("utf8")), transcript);
});

test("an experiment opened read-only yields ReadonlyAttachments with the uploaded bytes", async () => {
  const bytes = binaryPayload(4096);
  const image = new sdk.bt.Attachment({ data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), filename: "img.png", contentType: "image/png" });
  const experiment = sdk.bt.init(PROJECT, { experiment: "attachment-exp" });
  const rowId = experiment.log({ input: { image }, output: "a picture", scores: { looks_right: 1 } });
  await experiment.flush();
  sdk.assertFlushed();

  const readonly = sdk.bt.init(PROJECT, { experiment: await experiment.name, open: true });
  const rows = [];
  for await (const row of readonly.fetch()) rows.push(row);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].id, rowId);
  assert.equal(rows[0].output, "a picture");
  assert.deepEqual(rows[0].scores, { looks_right: 1 });
  const back = await downloaded(rows[0].input.image);
  assert.ok(back.equals(bytes), "experiment attachment bytes differ");
  assert.equal(rows[0].input.image.reference.key, image.reference.key);
});
