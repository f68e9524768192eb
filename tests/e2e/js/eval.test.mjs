// Scenario 3: two Evals on one project, the second compared against the first. Scorers are
// lookup tables so every expected summary number is known exactly.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { SpanlakeServer, btqlRows, connectSdk } from "./harness.mjs";

const PROJECT = "e2e-eval";
const INPUTS = ["apple", "banana", "cherry", "damson"];

// Per input: [exact score, quality score] for each experiment. Dyadic fractions keep means exact.
const BASELINE = {
  apple: [1, 1],
  banana: [0, 0.5],
  cherry: [1, 0.5],
  damson: [0, 1],
};
const CANDIDATE = {
  apple: [1, 1], // unchanged, unchanged
  banana: [1, 0.25], // improved, regressed
  cherry: [1, 0.75], // unchanged, improved
  damson: [0, 0.5], // unchanged, regressed
};

let server;
let sdk;

before(async () => {
  server = await SpanlakeServer.start();
  sdk = await connectSdk(server);
});

after(async () => {
  await server?.dispose();
});

function mean(table, index) {
  return INPUTS.reduce((sum, input) => sum + table[input][index], 0) / INPUTS.length;
}

function countChanges(base, cand, index) {
  let improvements = 0;
  let regressions = 0;
  for (const input of INPUTS) {
    if (cand[input][index] > base[input][index]) improvements++;
    if (cand[input][index] < base[input][index]) regressions++;
  }
  return { improvements, regressions };
}

function evaluator(experimentName, table, extra = {}) {
  // Named so the score spans are named after them (the SDK uses the function name).
  const exact = ({ input }) => table[input][0];
  const quality = ({ input }) => table[input][1];
  return {
    experimentName,
    data: () => INPUTS.map((input) => ({ input, expected: input.toUpperCase(), metadata: { fruit: input } })),
    task: async (input) => `${input.toUpperCase()}!`,
    scores: [exact, quality],
    maxConcurrency: 2,
    ...extra,
  };
}

const quietReporter = {
  name: "quiet",
  reportEval: async () => true,
  reportRun: async () => true,
};

function close(actual, expected, what) {
  assert.equal(typeof actual, "number", `${what} is not a number: ${actual}`);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: expected ${expected}, got ${actual}`);
}

async function checkExperimentRows(experimentId, table) {
  const rows = await btqlRows(server, "experiment", experimentId);
  const roots = rows.filter((r) => r.span_attributes?.type === "eval");
  const tasks = rows.filter((r) => r.span_attributes?.type === "task");
  const scoreSpans = rows.filter((r) => r.span_attributes?.type === "score");
  assert.equal(rows.length, INPUTS.length * 4, `rows: ${JSON.stringify(rows.map((r) => r.span_attributes))}`);
  assert.equal(roots.length, INPUTS.length);
  assert.equal(tasks.length, INPUTS.length);
  assert.equal(scoreSpans.length, INPUTS.length * 2);

  for (const root of roots) {
    assert.equal(root.is_root, true);
    assert.equal(root.experiment_id, experimentId);
    assert.ok(INPUTS.includes(root.input), `unexpected root input ${root.input}`);
    assert.equal(root.expected, root.input.toUpperCase());
    assert.equal(root.output, `${root.input.toUpperCase()}!`);
    assert.deepEqual(root.metadata, { fruit: root.input });
    assert.equal(root.span_attributes.name, "eval");
    assert.equal(typeof root.metrics.end, "number", "the root end merge was applied");

    const trace = rows.filter((r) => r.root_span_id === root.root_span_id);
    assert.equal(trace.length, 4, `trace of ${root.input} has ${trace.length} spans`);
    const task = trace.find((r) => r.span_attributes.type === "task");
    assert.deepEqual(task.span_parents, [root.span_id]);
    assert.equal(task.is_root, false);
    assert.equal(task.input, root.input);
    assert.equal(task.output, root.output);
    const traceScores = {};
    for (const span of trace.filter((r) => r.span_attributes.type === "score")) {
      assert.deepEqual(span.span_parents, [root.span_id]);
      assert.equal(span.span_attributes.purpose, "scorer");
      assert.equal(span.is_root, false);
      Object.assign(traceScores, span.scores);
      assert.deepEqual(span.output, { score: span.scores[span.span_attributes.name] });
    }
    assert.deepEqual(traceScores, { exact: table[root.input][0], quality: table[root.input][1] });
  }
}

test("Eval summaries roll scores up per trace and diff against the base experiment", async () => {
  const first = await sdk.bt.Eval(PROJECT, evaluator("baseline", BASELINE), { reporter: quietReporter });
  sdk.assertFlushed();
  const s1 = first.summary;
  assert.equal(s1.experimentName, "baseline");
  assert.deepEqual(Object.keys(s1.scores).sort(), ["exact", "quality"]);
  close(s1.scores.exact.score, mean(BASELINE, 0), "baseline exact");
  close(s1.scores.quality.score, mean(BASELINE, 1), "baseline quality");
  for (const name of ["exact", "quality"]) {
    assert.equal(s1.scores[name].name, name);
    assert.ok(s1.scores[name].diff === undefined || s1.scores[name].diff === null, "no base, no diff");
  }
  assert.equal(s1.comparisonExperimentName, undefined);

  const second = await sdk.bt.Eval(
    PROJECT,
    evaluator("candidate", CANDIDATE, { baseExperimentName: "baseline" }),
    { reporter: quietReporter },
  );
  sdk.assertFlushed();
  const s2 = second.summary;
  assert.equal(s2.experimentName, "candidate");
  assert.equal(s2.comparisonExperimentName, "baseline");
  for (const [index, name] of [[0, "exact"], [1, "quality"]]) {
    const score = s2.scores[name];
    assert.ok(score, `candidate summary lacks ${name}: ${JSON.stringify(s2.scores)}`);
    close(score.score, mean(CANDIDATE, index), `candidate ${name}`);
    close(score.diff, mean(CANDIDATE, index) - mean(BASELINE, index), `candidate ${name} diff`);
    const changes = countChanges(BASELINE, CANDIDATE, index);
    assert.equal(score.improvements, changes.improvements, `${name} improvements`);
    assert.equal(score.regressions, changes.regressions, `${name} regressions`);
  }

  // The rows behind the summaries.
  await checkExperimentRows(s1.experimentId, BASELINE);
  await checkExperimentRows(s2.experimentId, CANDIDATE);

  // Eval's per-datum results carry the same scores the summary rolled up.
  assert.equal(second.results.length, INPUTS.length);
  for (const result of second.results) {
    assert.deepEqual(result.scores, { exact: CANDIDATE[result.input][0], quality: CANDIDATE[result.input][1] });
  }
});

test("a third Eval without an explicit base is consistent with whatever base the server picks", async () => {
  const third = await sdk.bt.Eval(PROJECT, evaluator("automatic", BASELINE), { reporter: quietReporter });
  sdk.assertFlushed();
  const s3 = third.summary;
  for (const [index, name] of [[0, "exact"], [1, "quality"]]) {
    close(s3.scores[name].score, mean(BASELINE, index), `automatic ${name}`);
  }
  // base_experiment/get_id may answer 400 (no base) or name an earlier experiment of the project;
  // either way the diff must match that choice.
  if (s3.comparisonExperimentName === undefined) {
    for (const name of ["exact", "quality"]) {
      assert.ok(s3.scores[name].diff === undefined || s3.scores[name].diff === null);
    }
    return;
  }
  assert.ok(
    ["baseline", "candidate"].includes(s3.comparisonExperimentName),
    `comparison experiment: ${s3.comparisonExperimentName}`,
  );
  const base = s3.comparisonExperimentName === "baseline" ? BASELINE : CANDIDATE;
  for (const [index, name] of [[0, "exact"], [1, "quality"]]) {
    close(s3.scores[name].diff, mean(BASELINE, index) - mean(base, index), `automatic ${name} diff`);
    const changes = countChanges(base, BASELINE, index);
    assert.equal(s3.scores[name].improvements, changes.improvements);
    assert.equal(s3.scores[name].regressions, changes.regressions);
  }
});
