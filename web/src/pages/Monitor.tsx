// Monitor: charts over a time range from /btql aggregations — requests,
// latency p50/p95, tokens, cost, error rate, average scores — grouped by a field
// (default metadata.model), refreshed live.
import { useEffect, useMemo, useState } from "react";
import { btql, lit } from "../api";
import { Chart, type Series } from "../components/Chart";
import { AsyncView, Empty, useAsync } from "../components/common";
import { fmtCost, fmtPct, RANGES } from "../format";
import { setParams, useRoute } from "../route";
import { filterLine } from "./query";

const BUCKET: Record<string, string> = { "15m": "minute", "1h": "minute", "24h": "hour", "7d": "hour", "30d": "day", all: "day" };

function pivot(rows: any[], measure: string, groupKey: string) {
  const xs = [...new Set(rows.map((r) => Date.parse(r.t) / 1000))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const groups = new Map<string, (number | null)[]>();
  for (const r of rows) {
    const g = r[groupKey] === null || r[groupKey] === undefined ? "(none)" : String(r[groupKey]);
    if (!groups.has(g)) groups.set(g, xs.map(() => null));
    const v = r[measure];
    groups.get(g)![index.get(Date.parse(r.t) / 1000)!] = typeof v === "number" ? v : null;
  }
  const series: Series[] = [...groups.entries()].map(([label, values]) => ({ label, values }));
  return { xs, series };
}

export function Monitor({ projectId }: { projectId: string }) {
  const { params } = useRoute();
  const range = params.get("range") ?? "24h";
  const group = params.get("group") ?? "metadata.model";
  const live = params.get("live") !== "off";
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setTick((x) => x + 1), 5000);
    return () => clearInterval(t);
  }, [live]);
  const bucket = BUCKET[range] ?? "hour";
  const from = `from: project_logs(${lit(projectId)})`;
  const dims = `dimensions: date_trunc(${lit(bucket)}, created) as t, ${group} as g`;
  const data = useAsync(async () => {
    const tz = { tz_offset: new Date().getTimezoneOffset() };
    const [roots, spans, scores] = await Promise.all([
      btql([filterLine({ range }, ["is_root"]), from, dims,
        "measures: count(1) as requests, percentile(metrics.end - metrics.start, 0.5) as p50, percentile(metrics.end - metrics.start, 0.95) as p95, sum(error IS NOT NULL ? 1 : 0) / count(1) as error_rate"].join("\n"), tz),
      btql([filterLine({ range }), from, dims, "measures: sum(metrics.tokens) as tokens, sum(metrics.estimated_cost) as cost"].join("\n"), tz),
      btql([filterLine({ range }), from, "unpivot: scores as (score, value)", `dimensions: date_trunc(${lit(bucket)}, created) as t, score`, "measures: avg(value) as avg"].join("\n"), tz),
    ]);
    return { roots: roots.data, spans: spans.data, scores: scores.data };
  }, [projectId, range, group, tick]);
  const charts = useMemo((): { title: string; xs: number[]; series: Series[]; fmt?: (v: number) => string }[] | null => {
    if (!data.data) return null;
    const { roots, spans, scores } = data.data;
    return [
      { title: "Requests", ...pivot(roots, "requests", "g") },
      { title: "Latency p50 (s)", ...pivot(roots, "p50", "g") },
      { title: "Latency p95 (s)", ...pivot(roots, "p95", "g") },
      { title: "Error rate", ...pivot(roots, "error_rate", "g"), fmt: fmtPct },
      { title: "Tokens", ...pivot(spans, "tokens", "g") },
      { title: "Cost", ...pivot(spans, "cost", "g"), fmt: fmtCost },
      { title: "Average scores", ...pivot(scores, "avg", "score"), fmt: fmtPct },
    ];
  }, [data.data]);
  return (
    <div className="page monitor">
      <div className="toolbar">
        <label>
          Range{" "}
          <select aria-label="Time range" value={range} onChange={(e) => setParams({ range: e.target.value })}>
            {Object.keys(RANGES).map((r) => <option key={r} value={r}>{r === "all" ? "All time" : `Last ${r}`}</option>)}
          </select>
        </label>
        <label>
          Group by{" "}
          <input aria-label="Group by field" defaultValue={group} size={16}
            onKeyDown={(e) => e.key === "Enter" && setParams({ group: (e.target as HTMLInputElement).value.trim() })} />
        </label>
        <label className="live">
          <input type="checkbox" checked={live} onChange={() => setParams({ live: live ? "off" : "" })} /> Live refresh
        </label>
      </div>
      <AsyncView a={data} what="charts">
        {() =>
          charts && charts[0].xs.length === 0 ? (
            <Empty>No logs in this time range.</Empty>
          ) : (
            <div className="charts">
              {charts!.map((c) => <Chart key={c.title} title={c.title} xs={c.xs} series={c.series} fmt={c.fmt} width={440} />)}
            </div>
          )
        }
      </AsyncView>
    </div>
  );
}
