// The web UI end to end: a real `spanlake serve` seeded through the Braintrust SDK, driven by
// headless Chromium. Sign in, search, filter, open traces (one of 5,000 spans), review a span,
// watch a live row arrive, compare experiments, edit a dataset, and the monitor and prompt
// pages. Page timings are printed; SPANLAKE_UI_SCREENSHOTS=1 writes docs/ui/*.png.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { REPO_ROOT, SpanlakeServer, btqlRows, http, httpJson } from "../e2e/js/harness.mjs";
import { logTrace, PROJECT, seed } from "./seed.mjs";

const SHOTS = process.env.SPANLAKE_UI_SCREENSHOTS === "1" ? path.join(REPO_ROOT, "docs", "ui") : null;
// Upper bound on any one wait for the page: an ASan server on a busy 2-core machine takes
// seconds per summary query.
const WAIT = 120_000;

let server, seeded, browser, page;
const timings = {};

async function shot(name) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

// In-app navigation, as a link click does (a hash change, no reload).
async function go(hash) {
  await page.evaluate((h) => (window.location.hash = h), hash);
}

before(async () => {
  server = await SpanlakeServer.start();
  seeded = await seed(server);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(WAIT);
  // No request may leave the server's origin (no CDN, fonts, analytics).
  page.on("request", (req) => {
    const u = new URL(req.url());
    if (!["data:", "blob:"].includes(u.protocol) && u.origin !== server.url) {
      throw new Error(`request left the origin: ${req.url()}`);
    }
  });
});

after(async () => {
  console.log(`ui timings (ms): ${JSON.stringify(timings)}`);
  await browser?.close();
  await server?.dispose();
});

test("the server serves the app, its assets with cache headers, and the SPA fallback", async () => {
  const index = await http(server, "GET", "/", { apiKey: null, headers: { Accept: "text/html" } });
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /text\/html/);
  assert.equal(index.headers.get("cache-control"), "no-cache");
  assert.match(index.text, /<div id="root">/);
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)[1];
  const js = await http(server, "GET", script, { apiKey: null });
  assert.equal(js.status, 200);
  assert.match(js.headers.get("cache-control"), /immutable/);
  const etag = js.headers.get("etag");
  const again = await http(server, "GET", script, { apiKey: null, headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  const deep = await http(server, "GET", "/p/some/logs", { apiKey: null, headers: { Accept: "text/html,*/*" } });
  assert.equal(deep.status, 200);
  assert.equal(deep.text, index.text);
  const api404 = await http(server, "GET", "/no/such/endpoint");
  assert.equal(api404.status, 404);
  assert.match(api404.json.error, /no such endpoint/);
  assert.equal((await http(server, "GET", "/ping")).json.status, "ok"); // API routes still win
});

test("the live-tail wait is authenticated, validated, org-confined, and wakes on a write", async () => {
  const pid = seeded.projectId;
  const xact = (await http(server, "GET", "/xact-id")).text.trim();
  const obj = `project_logs:${pid}`;
  assert.equal((await http(server, "GET", `/ui/v1/wait?object=${obj}&after_xact=${xact}`, { apiKey: null })).status, 401);
  const bad = await http(server, "GET", `/ui/v1/wait?object=${obj}&after_xact=soon`);
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /after_xact/);
  assert.equal((await http(server, "GET", `/ui/v1/wait?object=nonsense&after_xact=${xact}`)).status, 400);
  assert.equal((await http(server, "GET", `/ui/v1/wait?object=project_logs:00000000-0000-0000-0000-000000000000&after_xact=${xact}`)).status, 404);
  const waiting = http(server, "GET", `/ui/v1/wait?object=${obj}&after_xact=${xact}`);
  await httpJson(server, "POST", "/logs3", {
    body: { api_version: 2, rows: [{ id: "wake-1", project_id: pid, log_id: "g", input: "wake up" }] },
  });
  const woke = await waiting;
  assert.equal(woke.status, 200);
  assert.equal(woke.json.changed, true);
  assert.ok(BigInt(woke.json.xact_id) > BigInt(xact));
});

// An experiment of its own, so that the rows these tests add change no other test's view.
async function newExperiment(name) {
  const res = await httpJson(server, "POST", "/v1/experiment", { body: { project_id: seeded.projectId, name } });
  return res.id;
}

test("the wait answers for writes to its own container only", async () => {
  const exp = await newExperiment("wait-probe");
  const xact = (await http(server, "GET", "/xact-id")).text.trim();
  const waiting = http(server, "GET", `/ui/v1/wait?object=experiment:${exp}&after_xact=${xact}`);
  await httpJson(server, "POST", "/logs3", {
    body: { api_version: 2, rows: [{ id: "not-the-experiment", project_id: seeded.projectId, log_id: "g", input: "elsewhere" }] },
  });
  const afterLogs = (await http(server, "GET", "/xact-id")).text.trim();
  await httpJson(server, "POST", `/v1/experiment/${exp}/insert`, { body: { events: [{ id: "wake-exp", input: "wake" }] } });
  const woke = await waiting;
  assert.equal(woke.status, 200);
  assert.equal(woke.json.changed, true);
  // Had the logs write answered it, its xact would be that write's, not newer.
  assert.ok(BigInt(woke.json.xact_id) > BigInt(afterLogs), `${woke.json.xact_id} > ${afterLogs}`);
});

test("sign in with an API key lists orgs and projects", async () => {
  await page.goto(server.url);
  await shot("signin");
  await page.fill("#apikey", "sk-wrong");
  await page.click("button[type=submit]");
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").innerText(), /API key|unknown|invalid|Unauth/i);
  await page.fill("#apikey", server.adminKey);
  await page.click("button[type=submit]");
  await page.getByRole("link", { name: PROJECT }).waitFor();
  await shot("projects");
  assert.equal(await page.evaluate(() => localStorage.getItem("spanlake.apiKey")), server.adminKey);
});

test("logs: traces newest first, search, filter builder, BTQL errors inline", async () => {
  const t0 = Date.now();
  await go(`/p/${seeded.projectId}/logs`);
  await page.locator(".vrow[data-row-id]").first().waitFor();
  timings.logs_first_rows = Date.now() - t0;
  await shot("logs");
  const names = await page.locator(".vrow[data-row-id] .cell-name").allInnerTexts();
  assert.ok(names.length >= 20, `expected a page of traces, got ${names.length}`);
  assert.ok(names.slice(0, 3).includes("big-trace"), `newest first: ${names.slice(0, 3)}`);

  await page.fill("input[aria-label=Search]", "Question 7:");
  await page.press("input[aria-label=Search]", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".vrow[data-row-id]").length === 1);
  assert.match(await page.locator(".vrow[data-row-id] .cell-input").innerText(), /Question 7:/);
  assert.match(page.url(), /q=Question/); // shareable

  await go(`/p/${seeded.projectId}/logs`);
  await page.fill("input[aria-label='Filter field']", "metadata.user");
  await page.fill("input[aria-label='Filter value']", "user-1");
  await page.click("text=Add filter");
  await page.waitForFunction(() => document.querySelectorAll(".vrow[data-row-id]").length === 8); // i % 4 == 1, i < 30
  await shot("logs-filtered");

  await page.fill("input[aria-label='BTQL filter']", "scores.accuracy < ");
  await page.click("text=Apply");
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /column \d+/);
  await page.fill("input[aria-label='BTQL filter']", "scores.accuracy < 0.5");
  await page.click("text=Apply");
  await page.waitForFunction(() => document.querySelectorAll(".vrow[data-row-id]").length === 2); // user-1 and i%3==0: 9, 21
});

test("logs: group by a metadata field and choose columns", async () => {
  await go(`/p/${seeded.projectId}/logs?group=metadata.model&hide=tags,cost`);
  // The group rows render before their labels settle: wait for the one we expect.
  await page.locator(".vrow.group", { hasText: "claude-3-5-sonnet" }).first().waitFor();
  const headers = await page.getByRole("columnheader").allInnerTexts();
  assert.ok(!headers.includes("Tags") && !headers.includes("Cost") && headers.includes("Tokens"), headers.join("|"));
  await shot("logs-grouped");
});

test("a new trace appears live without reload", async () => {
  await go(`/p/${seeded.projectId}/logs`);
  await page.locator(".vrow[data-row-id]").first().waitFor();
  await new Promise((r) => setTimeout(r, 500)); // let the tail start waiting
  const t0 = Date.now();
  await logTrace(seeded.logger, 99, { name: "live-one", question: "a live question" });
  await seeded.logger.flush();
  await page.locator(".vrow[data-row-id]", { hasText: "a live question" }).waitFor();
  timings.live_row_after_flush = Date.now() - t0;
});

test("trace view: tree, waterfall, chat messages, attachment image, search, review", async () => {
  const root = seeded.roots[29];
  await go(`/p/${seeded.projectId}/logs`);
  await page.locator(".vrow[data-row-id]", { hasText: "Question 29:" }).click();
  await page.locator(".spanrow").nth(2).waitFor();
  const names = (await page.locator(".spanrow .spanname").allInnerTexts()).map((s) => s.replace(/^[▾▸]/, ""));
  assert.deepEqual(names, ["chat", "llm-call", "add"]);
  assert.match(page.url(), new RegExp(`trace/project_logs/${seeded.projectId}/${root}`));
  await page.locator(".spanrow", { hasText: "llm-call" }).click();
  await page.locator(".msg.role-system").waitFor();
  assert.match(await page.locator(".msg.role-user").first().innerText(), /Question 29:/);
  await shot("trace");

  await page.fill("input[aria-label='Search in trace']", "calculator");
  await page.waitForFunction(() => document.querySelectorAll(".spanrow").length === 2); // llm-call and its parent
  await page.fill("input[aria-label='Search in trace']", "");

  // Review: a score, a tag and a comment on the llm span, written as feedback.
  await page.fill("input[aria-label='Score name']", "reviewer");
  await page.fill("input[aria-label='Score value']", "0.25");
  await page.fill("input[aria-label='Tags']", "checked");
  await page.fill("textarea[aria-label='Comment']", "looks fine");
  await page.click("text=Save feedback");
  await page.locator(".comment", { hasText: "looks fine" }).waitFor();
  const spans = await btqlRows(server, "project_logs", seeded.projectId, { filter: { op: "eq", left: { op: "ident", name: ["root_span_id"] }, right: { op: "literal", value: root } } });
  const llm = spans.find((s) => s.span_attributes?.name === "llm-call");
  assert.equal(llm.scores.reviewer, 0.25);
  assert.ok(llm.tags.includes("checked"));
  await shot("trace-review");

  await go(`/p/${seeded.projectId}/trace/project_logs/${seeded.projectId}/${seeded.imageRoot}`);
  const img = page.locator("img.attachment");
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector("img.attachment")?.naturalWidth === 4);
});

test("a trace of 5,000 spans opens and scrolls (virtualized)", async () => {
  const t0 = Date.now();
  await go(`/p/${seeded.projectId}/trace/project_logs/${seeded.projectId}/${seeded.bigRoot}`);
  await page.locator(".split[data-span-count='5000'] .detail").waitFor();
  timings.trace_5000_open = Date.now() - t0;
  const rendered = await page.locator(".spanrow").count();
  assert.ok(rendered < 200, `only visible rows are in the DOM, got ${rendered}`);
  await shot("trace-5000");
  await page.locator(".spantree").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.locator(".spanrow", { hasText: "step-4998" }).waitFor();
});

test("experiments: list, compare with a base, regressions only", async () => {
  await go(`/p/${seeded.projectId}/experiments`);
  await page.getByRole("link", { name: "candidate" }).waitFor();
  await page.locator(".chart canvas").first().waitFor();
  await shot("experiments");
  await page.getByRole("link", { name: "candidate" }).click();
  await page.locator("select[aria-label='Base experiment']").selectOption({ label: "baseline" });
  const summary = page.getByRole("table", { name: "Score summary" });
  await summary.locator("td", { hasText: "exact" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label='Score summary'] th").length === 5);
  // The page keeps showing the previous answer while the comparison loads.
  await page.waitForFunction(() => {
    const td = document.querySelectorAll("table[aria-label='Score summary'] tbody tr:first-child td");
    return td.length === 5 && td[2].textContent !== "";
  });
  const cells = await summary.locator("tbody tr").first().locator("td").allInnerTexts();
  assert.deepEqual(cells.slice(3), ["1", "3"], `improvements, regressions: ${cells}`);
  await shot("experiment-compare");
  await page.getByLabel("Regressions only").check();
  await page.waitForFunction(() => document.querySelectorAll("table[aria-label='Experiment rows'] tbody tr").length === 3);
  assert.equal(await page.locator("tr.regression td.differs").count(), 3);
});

test("a row logged to an experiment appears live on its page", async () => {
  const exp = await newExperiment("live-tail");
  await httpJson(server, "POST", `/v1/experiment/${exp}/insert`, { body: { events: [{ id: "first", input: "the first row", output: "1" }] } });
  await go(`/p/${seeded.projectId}/experiments/${exp}`);
  await page.getByRole("table", { name: "Experiment rows" }).locator("td", { hasText: "the first row" }).waitFor();
  await new Promise((r) => setTimeout(r, 500)); // let the tail start waiting
  const t0 = Date.now();
  await httpJson(server, "POST", `/v1/experiment/${exp}/insert`, {
    body: { events: [{ id: "second", input: "a live experiment row", output: "2", scores: { exact: 1 } }] },
  });
  await page.getByRole("table", { name: "Experiment rows" }).locator("td", { hasText: "a live experiment row" }).waitFor();
  timings.live_experiment_row = Date.now() - t0;
  assert.equal(await page.locator("table[aria-label='Experiment rows'] tbody tr").count(), 2);
});

test("datasets: add, edit and delete rows, read an older version", async () => {
  await go(`/p/${seeded.projectId}/datasets/${seeded.datasetId}`);
  await page.locator("tr[data-row-id=row-1]").waitFor();
  const before = (await btqlRows(server, "dataset", seeded.datasetId)).find((r) => r.id === "row-1")._xact_id;
  await page.locator("tr[data-row-id=row-1] >> text=Edit").click();
  await page.fill("form[aria-label='Edit row'] textarea[aria-label=Expected]", '{"a": 42}');
  await page.click("form[aria-label='Edit row'] >> text=Save row");
  await page.locator("tr[data-row-id=row-1]", { hasText: "42" }).waitFor();
  page.once("dialog", (d) => d.accept());
  await page.locator("tr[data-row-id=row-4] >> text=Delete").click();
  await page.locator("tr[data-row-id=row-4]").waitFor({ state: "detached" });
  await page.click("text=Add row");
  await page.fill("form[aria-label='New row'] textarea[aria-label=Input]", '{"q": "10+10"}');
  await page.fill("form[aria-label='New row'] textarea[aria-label=Expected]", "20");
  await page.click("form[aria-label='New row'] >> text=Save row");
  await page.locator("tr[data-row-id]", { hasText: "10+10" }).waitFor();
  await shot("dataset");
  const rows = await btqlRows(server, "dataset", seeded.datasetId);
  assert.deepEqual(rows.find((r) => r.id === "row-1").expected, { a: 42 });
  assert.equal(rows.find((r) => r.id === "row-4"), undefined);
  assert.ok(rows.some((r) => r.input?.q === "10+10" && r.expected === 20));
  // The version before the edit still shows the old value.
  await go(`/p/${seeded.projectId}/datasets/${seeded.datasetId}?version=${before}`);
  await page.locator("tr[data-row-id=row-1]", { hasText: '"a":2' }).waitFor();
  await page.locator("tr[data-row-id=row-4]").waitFor();
});

test("a row written to a dataset appears live on its page", async () => {
  await go(`/p/${seeded.projectId}/datasets/${seeded.datasetId}`);
  await page.locator("tr[data-row-id=row-1]").waitFor();
  await new Promise((r) => setTimeout(r, 500)); // let the tail start waiting
  await httpJson(server, "POST", `/v1/dataset/${seeded.datasetId}/insert`, {
    body: { events: [{ id: "live-ds", input: { q: "a live dataset row" }, expected: "yes" }] },
  });
  await page.locator("tr[data-row-id=live-ds]", { hasText: "a live dataset row" }).waitFor();
});

test("monitor charts and prompts render", async () => {
  await go(`/p/${seeded.projectId}/monitor?range=24h&live=off`);
  await page.locator(".chart canvas").nth(6).waitFor();
  const titles = await page.locator(".chart .u-title").allInnerTexts();
  assert.deepEqual(titles, ["Requests", "Latency p50 (s)", "Latency p95 (s)", "Error rate", "Tokens", "Cost", "Average scores"]);
  await shot("monitor");
  await go(`/p/${seeded.projectId}/prompts`);
  await page.getByRole("link", { name: "Calculator" }).click();
  await page.locator(".msg.role-system", { hasText: "Add the numbers." }).waitFor();
  await shot("prompt");
});
