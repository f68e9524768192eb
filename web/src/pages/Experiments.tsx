// Experiments: the project's list with score summaries over time, one
// experiment's rows with per-row scores, and comparison with a base experiment.
import { useMemo, useState } from "react";
import { btqlAll, call, currentXact, lit } from "../api";
import { useLiveTail } from "../live";
import { Chart } from "../components/Chart";
import { AsyncView, Empty, useAsync } from "../components/common";
import { fmtPct, fmtTime, preview } from "../format";
import { href, navigate, setParams, useRoute } from "../route";

interface Comparison {
  scores: Record<string, { name: string; score: number; diff?: number; improvements: number; regressions: number }>;
  metrics?: Record<string, any>;
}

async function listExperiments(pid: string) {
  const list = await call<{ objects: any[] }>("GET", `/v1/experiment?project_id=${encodeURIComponent(pid)}&limit=200`);
  const withScores = await Promise.all(
    list.objects.map(async (e) => {
      try {
        const c = await call<Comparison>("GET", `/experiment-comparison2?experiment_id=${encodeURIComponent(e.id)}`);
        return { ...e, summary: c.scores ?? {} };
      } catch {
        return { ...e, summary: {} };
      }
    }),
  );
  return withScores;
}

export function ExperimentList({ projectId }: { projectId: string }) {
  const exps = useAsync(() => listExperiments(projectId), [projectId]);
  return (
    <div className="page">
      <AsyncView a={exps} what="experiments">
        {(list) => {
          if (list.length === 0) return <Empty>No experiments yet. Run an Eval() from an SDK to create one.</Empty>;
          const names = [...new Set(list.flatMap((e: any) => Object.keys(e.summary)))].sort();
          const ordered = [...list].sort((a: any, b: any) => a.created.localeCompare(b.created));
          return (
            <>
              {names.length > 0 && (
                <Chart title="Scores over time" xs={ordered.map((e: any) => Date.parse(e.created) / 1000)}
                  series={names.map((n) => ({ label: n, values: ordered.map((e: any) => e.summary[n]?.score ?? null) }))} width={900} />
              )}
              <table className="grid">
                <thead>
                  <tr><th>Experiment</th><th>Created</th>{names.map((n) => <th key={n}>{n}</th>)}</tr>
                </thead>
                <tbody>
                  {list.map((e: any) => (
                    <tr key={e.id}>
                      <td><a href={href(["p", projectId, "experiments", e.id])}>{e.name}</a></td>
                      <td>{fmtTime(e.created)}</td>
                      {names.map((n) => <td key={n}>{fmtPct(e.summary[n]?.score)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </AsyncView>
    </div>
  );
}

function rowsOf(id: string) {
  return btqlAll(`from: experiment(${lit(id)}) summary | preview_length: 400 | limit: 1000`);
}

// Rows of the two experiments matched by their input (as Braintrust compares).
function pair(rows: any[], base: any[]) {
  const byInput = new Map(base.map((r) => [JSON.stringify(r.input), r]));
  return rows.map((r) => ({ row: r, base: byInput.get(JSON.stringify(r.input)) }));
}

function isRegression(p: { row: any; base?: any }): boolean {
  if (!p.base) return false;
  return Object.entries(p.row.scores ?? {}).some(([k, v]) => typeof v === "number" && typeof p.base.scores?.[k] === "number" && v < p.base.scores[k]);
}

function DiffCell({ a, b }: { a: unknown; b: unknown }) {
  const sa = preview(a, 400), sb = preview(b, 400);
  return <td className={b !== undefined && sa !== sb ? "differs" : ""}>{sa}</td>;
}

export function ExperimentView({ projectId, id }: { projectId: string; id: string }) {
  const { params } = useRoute();
  const baseId = params.get("base") ?? "";
  const onlyRegressions = params.get("regressions") === "1";
  const data = useAsync(async () => {
    const xact = await currentXact(); // before the rows: the live tail then misses nothing
    const [exp, all, rows] = await Promise.all([
      call("GET", `/v1/experiment/${encodeURIComponent(id)}`),
      call<{ objects: any[] }>("GET", `/v1/experiment?project_id=${encodeURIComponent(projectId)}&limit=200`),
      rowsOf(id),
    ]);
    const q = new URLSearchParams({ experiment_id: id });
    if (baseId) q.set("base_experiment_id", baseId);
    const comparison = await call<Comparison>("GET", `/experiment-comparison2?${q}`);
    const baseRows = baseId ? await rowsOf(baseId) : [];
    return { exp, others: all.objects.filter((e) => e.id !== id), rows, comparison, baseRows, xact };
  }, [id, baseId, projectId]);
  // Live tail: rows logged to this experiment (e.g. an Eval() still running) appear.
  useLiveTail(`experiment:${id}`, data.data?.xact ?? null, params.get("live") !== "off", () => data.reload());
  const [q, setQ] = useState("");
  return (
    <div className="page">
      <AsyncView a={data} what="experiment">
        {(d) => <ExperimentBody d={d} projectId={projectId} id={id} baseId={baseId} onlyRegressions={onlyRegressions} q={q} setQ={setQ} />}
      </AsyncView>
    </div>
  );
}

function ExperimentBody({ d, projectId, id, baseId, onlyRegressions, q, setQ }: any) {
  const pairs = useMemo(() => pair(d.rows, d.baseRows), [d.rows, d.baseRows]);
  const scoreNames = [...new Set(d.rows.flatMap((r: any) => Object.keys(r.scores ?? {})))].sort() as string[];
  const shown = pairs.filter((p) => (!onlyRegressions || isRegression(p)) && (!q || JSON.stringify(p.row).toLowerCase().includes(q.toLowerCase())));
  return (
    <>
      <h2>{d.exp.name}</h2>
      <div className="toolbar">
        <label>
          Compare with{" "}
          <select aria-label="Base experiment" value={baseId} onChange={(e) => setParams({ base: e.target.value, regressions: "" })}>
            <option value="">(none)</option>
            {d.others.map((e: any) => <option key={e.id} value={e.id}>{e.name}</option>)}
          </select>
        </label>
        {baseId && (
          <label>
            <input type="checkbox" checked={onlyRegressions} onChange={() => setParams({ regressions: onlyRegressions ? "" : "1" })} /> Regressions only
          </label>
        )}
        <input type="search" aria-label="Filter rows" placeholder="Filter rows…" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      <table className="grid summary" aria-label="Score summary">
        <thead><tr><th>Score</th><th>Mean</th>{baseId && <><th>Diff</th><th>Improvements</th><th>Regressions</th></>}</tr></thead>
        <tbody>
          {Object.values(d.comparison.scores ?? {}).map((s: any) => (
            <tr key={s.name}>
              <td>{s.name}</td>
              <td>{fmtPct(s.score)}</td>
              {baseId && (
                <>
                  <td className={s.diff > 0 ? "better" : s.diff < 0 ? "worse" : ""}>{typeof s.diff === "number" ? `${s.diff > 0 ? "+" : ""}${(s.diff * 100).toFixed(1)}%` : ""}</td>
                  <td className="better">{s.improvements}</td>
                  <td className="worse">{s.regressions}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 ? (
        <Empty>{onlyRegressions ? "No regressions against the base experiment." : "No rows."}</Empty>
      ) : (
        <table className="grid rows" aria-label="Experiment rows">
          <thead>
            <tr>
              <th>Input</th><th>Output</th>{baseId && <th>Base output</th>}<th>Expected</th>
              {scoreNames.map((s) => <th key={s}>{s}</th>)}
            </tr>
          </thead>
          <tbody>
            {shown.map(({ row, base }) => (
              <tr key={row.id} tabIndex={0} className={isRegression({ row, base }) ? "regression" : ""}
                onClick={() => navigate(["p", projectId, "trace", "experiment", id, row.root_span_id ?? row.id])}
                onKeyDown={(e) => e.key === "Enter" && navigate(["p", projectId, "trace", "experiment", id, row.root_span_id ?? row.id])}>
                <td>{preview(row.input, 200)}</td>
                {baseId ? <DiffCell a={row.output} b={base?.output ?? null} /> : <td>{preview(row.output, 200)}</td>}
                {baseId && <td className="base">{base ? preview(base.output, 200) : <span className="muted">no match</span>}</td>}
                <td>{preview(row.expected, 200)}</td>
                {scoreNames.map((s) => {
                  const v = row.scores?.[s], b = base?.scores?.[s];
                  const cls = typeof v === "number" && typeof b === "number" ? (v > b ? "better" : v < b ? "worse" : "") : "";
                  return (
                    <td key={s} className={cls}>
                      {fmtPct(v)}
                      {cls && <span className="was"> (was {fmtPct(b)})</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
