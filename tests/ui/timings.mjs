#!/usr/bin/env node
// Page timings of the web UI against a running server (docs/ui.md#timings): opens
// Debian's Chromium (playwright-core) and measures, in milliseconds from the in-app
// navigation (or action) to the page showing its answer:
//   logs_first_rows   Logs page to its first rows
//   logs_next_page    scrolling to the end of the first page to the next page's rows
//   logs_search       a full-text search to its rows (or the empty state)
//   logs_filter       a filter-builder clause to its rows (or the empty state)
//   trace_open        the biggest trace to its span tree and selected span
//   experiment_compare an experiment compared with a base to its score diffs and rows
//   monitor_charts    the Monitor page to all its charts drawn
// Each is run --runs times (first navigation warms nothing server-side beyond what
// a user's would); prints {"server", "project", "runs", "timings": {name: {median_ms,
// runs_ms, ...}}, "skipped": {name: why}} as JSON on stdout.
//
// usage: node tests/ui/timings.mjs --url http://127.0.0.1:8000 --key sk-... --project NAME|ID
//          [--trace-project NAME|ID] [--trace ROOT_SPAN_ID] [--search WORD]
//          [--filter FIELD=VALUE] [--runs 3] [--make-experiments ROWS] [--range 30d]
//          [--only NAME,NAME...]   (measure only these; e.g. --only trace_open)
// --make-experiments ROWS creates two experiments of ROWS rows each in the project when it
// has fewer than two (the benchmark's store has none); it writes to the store.
import { chromium } from "playwright-core";

const TIMEOUT = 300_000;

function parseArgs(argv) {
  const a = { runs: 3, search: "refund", filter: "metadata.model=gpt-4o", range: "30d", makeExperiments: 0 };
  const names = { "--url": "url", "--key": "key", "--project": "project", "--trace-project": "traceProject", "--trace": "trace",
    "--search": "search", "--filter": "filter", "--runs": "runs", "--make-experiments": "makeExperiments", "--range": "range", "--only": "only" };
  for (let i = 2; i < argv.length; i += 2) {
    const k = names[argv[i]];
    if (!k || argv[i + 1] === undefined) throw new Error(`unknown or valueless argument ${argv[i]} (see the usage at the top of ${argv[1]})`);
    a[k] = ["runs", "makeExperiments"].includes(k) ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const k of ["url", "key", "project"]) if (!a[k]) throw new Error(`--${k} is required`);
  a.url = a.url.replace(/\/$/, "");
  return a;
}

async function api(a, method, path, body) {
  const res = await fetch(a.url + path, {
    method,
    headers: { Authorization: `Bearer ${a.key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

const lit = (s) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

async function projects(a) {
  return (await api(a, "GET", "/v1/project?limit=1000")).objects;
}

function findProject(list, nameOrId) {
  const p = list.find((x) => x.id === nameOrId || x.name === nameOrId);
  if (!p) throw new Error(`no project '${nameOrId}' (have: ${list.map((x) => x.name).join(", ")})`);
  return p;
}

// The trace with the most spans (of one project, else of every project): a
// /btql aggregation, not timed.
async function biggestTrace(a, list) {
  const where = a.traceProject ? [findProject(list, a.traceProject)] : list;
  let best = null;
  for (const p of where) {
    const q = `from: project_logs(${lit(p.id)}) | dimensions: root_span_id | measures: count(1) as n | sort: n desc | limit: 1`;
    const row = (await api(a, "POST", "/btql", { query: q })).data[0];
    if (row && (!best || row.n > best.spans)) best = { project: p.id, root: row.root_span_id, spans: row.n };
  }
  return best;
}

// Two experiments with the same inputs and random scores (--make-experiments).
async function makeExperiments(a, pid, rows) {
  const ids = [];
  for (const name of ["timings-base", "timings-candidate"]) {
    const e = await api(a, "POST", "/v1/experiment", { project_id: pid, name });
    for (let i = 0; i < rows; i += 500) {
      const events = [];
      for (let j = i; j < Math.min(rows, i + 500); j++) {
        events.push({ input: { question: `question ${j}` }, output: `${name} answer ${j} ${Math.random()}`, expected: `answer ${j}`,
          scores: { exact: Math.random() < 0.5 ? 1 : 0, quality: Math.random() }, metadata: { model: j % 2 ? "gpt-4o" : "gpt-4o-mini" } });
      }
      await api(a, "POST", `/v1/experiment/${e.id}/insert`, { events });
    }
    ids.push(e.id);
  }
  return { id: ids[1], base: ids[0] };
}

async function experimentPair(a, pid) {
  const list = (await api(a, "GET", `/v1/experiment?project_id=${encodeURIComponent(pid)}&limit=200`)).objects;
  if (list.length >= 2) {
    const byNew = [...list].sort((x, y) => y.created.localeCompare(x.created));
    return { id: byNew[0].id, base: byNew[1].id };
  }
  if (a.makeExperiments > 0) return makeExperiments(a, pid, a.makeExperiments);
  return null;
}

// Milliseconds from `act` to `done` resolving, in the page.
async function timed(act, done) {
  const t0 = Date.now();
  await act();
  await done();
  return Date.now() - t0;
}

function summary(runs) {
  const s = [...runs].sort((x, y) => x - y);
  return { median_ms: s[Math.floor(s.length / 2)], min_ms: s[0], max_ms: s[s.length - 1], runs_ms: runs };
}

async function main() {
  const a = parseArgs(process.argv);
  const list = await projects(a);
  const project = findProject(list, a.project);
  const pid = project.id;
  const [field, ...rest] = a.filter.split("=");
  const fb = JSON.stringify([{ field, op: "=", value: rest.join("=") }]);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(TIMEOUT);
  // Signed in from the start: the key is in localStorage before the app reads it.
  await page.addInitScript((key) => localStorage.setItem("spanlake.apiKey", key), a.key);
  await page.goto(a.url + "/");
  const go = (hash) => page.evaluate((h) => (window.location.hash = h), hash);
  // Each run starts from the projects page, so the measured page mounts afresh.
  const home = async () => {
    await go("/");
    await page.locator("table.grid").first().waitFor(); // the project list
  };
  const rowsOrEmpty = () => page.locator(".vrow[data-row-id], .state.empty, .state.error").first().waitFor();
  const out = { server: a.url, project: { id: pid, name: project.name }, runs: a.runs, timings: {}, skipped: {}, details: {} };
  const only = a.only ? new Set(a.only.split(",")) : null;
  const want = (name) => !only || only.has(name);
  // What the last run of a page showed (null when it was not measured).
  const shown = async (selector, attr) => ((await page.locator(selector).count()) ? Number(await page.locator(selector).first().getAttribute(attr)) : null);
  const measure = async (name, once) => {
    if (!want(name)) return;
    const runs = [];
    for (let i = 0; i < a.runs; i++) runs.push(await once());
    out.timings[name] = summary(runs);
    process.stderr.write(`${name}: ${JSON.stringify(out.timings[name])}\n`);
  };

  await measure("logs_first_rows", async () => {
    await home();
    return timed(() => go(`/p/${pid}/logs?live=off`), () => page.locator(".vrow[data-row-id]").first().waitFor());
  });
  await measure("logs_next_page", async () => {
    await home();
    await go(`/p/${pid}/logs?live=off`);
    const grid = page.locator(".vtable");
    await page.locator(".vrow[data-row-id]").first().waitFor();
    const first = Number(await grid.getAttribute("aria-rowcount"));
    return timed(() => grid.evaluate((el) => (el.scrollTop = el.scrollHeight)),
      () => page.waitForFunction((n) => Number(document.querySelector(".vtable")?.getAttribute("aria-rowcount")) > n, first, { timeout: TIMEOUT }));
  });
  await measure("logs_search", async () => {
    await home();
    return timed(() => go(`/p/${pid}/logs?live=off&q=${encodeURIComponent(a.search)}`), rowsOrEmpty);
  });
  if (want("logs_search")) out.details.search_rows_first_page = await shown(".vtable", "aria-rowcount");
  await measure("logs_filter", async () => {
    await home();
    return timed(() => go(`/p/${pid}/logs?live=off&fb=${encodeURIComponent(fb)}`), rowsOrEmpty);
  });
  if (want("logs_filter")) out.details.filter_rows_first_page = await shown(".vtable", "aria-rowcount");

  const trace = !want("trace_open") ? null : a.trace ? { project: a.traceProject ? findProject(list, a.traceProject).id : pid, root: a.trace } : await biggestTrace(a, list);
  if (trace) {
    out.details.trace = trace;
    await measure("trace_open", async () => {
      await home();
      return timed(() => go(`/p/${trace.project}/trace/project_logs/${trace.project}/${trace.root}`),
        () => page.locator(".split .detail").first().waitFor());
    });
    out.details.trace_spans_shown = await shown(".split", "data-span-count");
  } else if (want("trace_open")) out.skipped.trace_open = "no traces";

  const pair = want("experiment_compare") ? await experimentPair(a, pid) : null;
  if (pair) {
    out.details.experiments = pair;
    await measure("experiment_compare", async () => {
      await home();
      return timed(() => go(`/p/${pid}/experiments/${pair.id}?base=${pair.base}&live=off`), () => page.waitForFunction(() => {
        const td = document.querySelectorAll("table[aria-label='Score summary'] tbody tr:first-child td");
        return td.length === 5 && td[2].textContent !== "" && document.querySelector("table[aria-label='Experiment rows'] tbody tr");
      }, null, { timeout: TIMEOUT }));
    });
  } else if (want("experiment_compare")) out.skipped.experiment_compare = "the project has fewer than two experiments (see --make-experiments)";

  await measure("monitor_charts", async () => {
    await home();
    return timed(() => go(`/p/${pid}/monitor?live=off&range=${a.range}`), () => page.waitForFunction(() => {
      if (document.querySelector(".monitor .state.empty, .monitor .state.error")) return true;
      const charts = document.querySelectorAll(".charts .chart");
      return charts.length > 0 && [...charts].every((c) => c.querySelector("canvas"));
    }, null, { timeout: TIMEOUT }));
  });
  if (want("monitor_charts")) {
    out.details.monitor_state = (await page.locator(".monitor .state").count()) ? await page.locator(".monitor .state").first().innerText() : "charts";
  }
  await browser.close();
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
