// Seeds a Spanlake server through the official Braintrust TypeScript SDK with what the UI
// tests look at: logged traces (nested spans, chat messages, scores, tags, metadata.model),
// a 5,000-span trace, two experiments to compare, a dataset and a prompt.
import { httpJson } from "../e2e/js/harness.mjs";

export const PROJECT = "ui-demo";
export const MODELS = ["gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini"];

// A tiny PNG (4x4 red) for the attachment-rendering check.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==",
  "base64",
);

export async function connect(server) {
  process.env.BRAINTRUST_APP_URL = server.url;
  process.env.BRAINTRUST_API_URL = server.url;
  process.env.BRAINTRUST_API_KEY = server.adminKey;
  const bt = await import("braintrust");
  await bt.login({ apiKey: server.adminKey, appUrl: server.url, forceLogin: true });
  return bt;
}

export async function logTrace(logger, i, { name = "chat", question } = {}) {
  const model = MODELS[i % MODELS.length];
  const q = question ?? `Question ${i}: what is ${i} + ${i}?`;
  return logger.traced(
    async (root) => {
      root.log({ input: { question: q }, metadata: { model, user: `user-${i % 4}` }, tags: i % 5 === 0 ? ["vip"] : [] });
      await root.traced(
        async (llm) => {
          llm.log({
            input: [
              { role: "system", content: "You are a calculator." },
              { role: "user", content: q },
            ],
            output: [{ role: "assistant", content: `${2 * i}` }],
            metadata: { model },
            metrics: { prompt_tokens: 20 + i, completion_tokens: 5, tokens: 25 + i, estimated_cost: 0.0001 * (i + 1) },
          });
        },
        { name: "llm-call", type: "llm" },
      );
      await root.traced(async (tool) => tool.log({ input: { a: i, b: i }, output: 2 * i }), { name: "add", type: "tool" });
      root.log({ output: `${2 * i}`, expected: `${2 * i}`, scores: { accuracy: i % 3 === 0 ? 0 : 1, helpfulness: (i % 10) / 10 } });
      return root.rootSpanId;
    },
    { name },
  );
}

export async function seed(server) {
  const bt = await connect(server);
  const logger = bt.initLogger({ projectName: PROJECT, asyncFlush: true });
  const roots = [];
  for (let i = 0; i < 30; i++) roots.push(await logTrace(logger, i));
  // One trace with an image attachment in its input.
  const imageRoot = await logger.traced(
    async (span) => {
      span.log({
        input: { image: new bt.Attachment({ data: new Blob([PNG]), filename: "red.png", contentType: "image/png" }), question: "what colour?" },
        output: "red",
        metadata: { model: "gpt-4o" },
      });
      return span.rootSpanId;
    },
    { name: "vision" },
  );
  await logger.flush();
  // The 5,000-span trace: a root with 4,999 children.
  const bigRoot = await logger.traced(
    async (root) => {
      root.log({ input: "a very large trace", output: "done", metadata: { model: "gpt-4o" } });
      for (let i = 0; i < 4999; i++) {
        const child = root.startSpan({ name: `step-${i}`, type: i % 2 ? "tool" : "llm" });
        child.log({ input: { step: i }, output: { ok: true } });
        child.end();
      }
      return root.rootSpanId;
    },
    { name: "big-trace" },
  );
  await logger.flush();
  const projectId = await logger.id;

  const experiments = {};
  for (const [name, flip] of [["baseline", 0], ["candidate", 1]]) {
    const e = bt.init(PROJECT, { experiment: name });
    for (let i = 0; i < 10; i++) {
      // The candidate regresses on rows 0-2 and improves on row 9.
      const good = flip ? (i >= 3) : (i !== 9);
      e.log({ input: { q: `item ${i}` }, output: good ? `answer ${i}` : `wrong ${i}`, expected: `answer ${i}`, scores: { exact: good ? 1 : 0 } });
    }
    await e.flush();
    experiments[name] = await e.id;
  }

  const ds = bt.initDataset({ project: PROJECT, dataset: "qa" });
  for (let i = 0; i < 5; i++) ds.insert({ id: `row-${i}`, input: { q: `${i}+${i}` }, expected: { a: 2 * i }, metadata: { level: i % 2 ? "easy" : "hard" } });
  await ds.flush();
  const datasetId = await ds.id;

  await httpJson(server, "POST", "/v1/prompt", {
    body: {
      project_id: projectId,
      name: "Calculator",
      slug: "calculator",
      prompt_data: { prompt: { type: "chat", messages: [{ role: "system", content: "Add the numbers." }] }, options: { model: "gpt-4o" } },
    },
  });
  return { bt, logger, projectId, roots, imageRoot, bigRoot, experiments, datasetId };
}
