// Logs: the project's traces (summary rows of their root spans), newest first,
// paged by cursor as the table scrolls, with a live tail, search, filters, time
// ranges, column choice and grouping — all kept in the URL.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  type ColumnDef,
  type Table,
  type ExpandedState,
  flexRender,
  getCoreRowModel,
  getExpandedRowModel,
  getGroupedRowModel,
  useReactTable,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { btql, lit } from "../api";
import { useLiveTail } from "../live";
import { Empty, ErrorBox, Loading } from "../components/common";
import { fmtCost, fmtDuration, fmtNum, fmtTime, get, preview, RANGES } from "../format";
import { navigate, setParams, useRoute } from "../route";
import { type Clause, filterLine, OPS, parseClauses, rawFilterError, type ViewFilter } from "./query";

const PAGE = 50;
// Summary previews: the table shows 100 characters of input and output.
const PREVIEW = 120;

// A page of traces in two steps. The summary shape alone must find the newest
// traces by reading every span of the project (seconds on a large store); the
// spans shape finds the newest matching spans by index in milliseconds. So:
// (1) the newest spans that match (root spans when there is no filter), by
// cursor; (2) the summary rows of their traces by root_span_id lookup. A trace
// is listed when any of its spans matches, as with the summary shape, ordered
// by its newest matching span. The filter stays on line 1 (rawFilterError).
// Without a filter only root spans are read, one per trace; with one, several spans
// of a trace may match, so more are read to fill about a page of traces.
function rootsQuery(pid: string, v: ViewFilter): string {
  const f = filterLine(v);
  return [f || "filter: is_root", "select: root_span_id", `from: project_logs(${lit(pid)})`, `limit: ${spanLimit(f)}`].join("\n");
}

function spanLimit(filter: string): number {
  return filter ? PAGE * 3 : PAGE;
}

function summaryQuery(pid: string, roots: string[]): string {
  const ids = roots.map(lit).join(", ");
  return `from: project_logs(${lit(pid)}) summary | filter: root_span_id IN [${ids}] | preview_length: ${PREVIEW} | limit: ${roots.length}`;
}

interface LogPage {
  rows: any[];
  cursor?: string;
  xact: string;
}

async function fetchPage(pid: string, v: ViewFilter, cursor: string | undefined, signal?: AbortSignal): Promise<LogPage> {
  const spans = await btql(rootsQuery(pid, v), cursor ? { cursor } : {}, signal);
  const roots = [...new Set(spans.data.map((r) => r.root_span_id as string).filter(Boolean))];
  const xact = spans.freshness_state?.last_processed_xact_id ?? "0";
  if (roots.length === 0) return { rows: [], cursor: undefined, xact };
  const summary = await btql(summaryQuery(pid, roots), {}, signal);
  const byRoot = new Map(summary.data.map((r) => [r.root_span_id ?? r.id, r]));
  const rows = roots.map((id) => byRoot.get(id)).filter(Boolean);
  return { rows, cursor: spans.data.length < spanLimit(filterLine(v)) ? undefined : spans.cursor, xact };
}

// Rows of the first page merged into what is shown: updated traces replaced in
// place, new ones on top.
function mergeTop(rows: any[], top: any[]): { rows: any[]; added: number } {
  const byId = new Map(top.map((r) => [r.id, r]));
  const seen = new Set(rows.map((r) => r.id));
  const fresh = top.filter((r) => !seen.has(r.id));
  return { rows: [...fresh, ...rows.map((r) => byId.get(r.id) ?? r)], added: fresh.length };
}

function useLogRows(pid: string, view: ViewFilter, viewKey: string, live: boolean) {
  const [rows, setRows] = useState<any[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [xact, setXact] = useState<string | null>(null);
  const [firstRowsMs, setFirstRowsMs] = useState<number | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;

  useEffect(() => {
    const ctl = new AbortController();
    const t0 = performance.now();
    setLoading(true);
    setError(null);
    setRows([]);
    setXact(null);
    fetchPage(pid, viewRef.current, undefined, ctl.signal).then(
      (page) => {
        setRows(page.rows);
        setCursor(page.cursor);
        setXact(page.xact);
        setLoading(false);
        setFirstRowsMs(Math.round(performance.now() - t0));
      },
      (e) => {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [pid, viewKey]);

  // Live tail: after a write to this project's logs, re-read the first page.
  useLiveTail(`project_logs:${pid}`, xact, live, async (signal) => {
    const page = await fetchPage(pid, viewRef.current, undefined, signal);
    if (!signal.aborted) setRows((old) => mergeTop(old, page.rows).rows);
  });

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    fetchPage(pid, viewRef.current, cursor).then(
      (page) => {
        setRows((old) => {
          const seen = new Set(old.map((r) => r.id));
          return [...old, ...page.rows.filter((r) => !seen.has(r.id))];
        });
        setCursor(page.cursor);
        setLoadingMore(false);
      },
      (e) => {
        setError(e);
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore, pid]);

  return { rows, cursor, error, loading, loadingMore, loadMore, firstRowsMs };
}

function buildColumns(rows: any[], groupField: string): ColumnDef<any>[] {
  const scoreNames = [...new Set(rows.flatMap((r) => Object.keys(r.scores ?? {})))].sort();
  const cols: ColumnDef<any>[] = [
    { id: "name", header: "Name", accessorFn: (r) => r.span_attributes?.name ?? "", size: 140 },
    { id: "input", header: "Input", accessorFn: (r) => preview(r.input, 100), size: 260 },
    { id: "output", header: "Output", accessorFn: (r) => preview(r.output, 100), size: 260 },
    ...scoreNames.map(
      (s): ColumnDef<any> => ({
        id: `score:${s}`,
        header: s,
        accessorFn: (r) => r.scores?.[s],
        cell: (c) => (typeof c.getValue() === "number" ? `${((c.getValue() as number) * 100).toFixed(0)}%` : ""),
        size: 90,
      }),
    ),
    { id: "duration", header: "Duration", accessorFn: (r) => r.metrics?.duration, cell: (c) => fmtDuration(c.getValue()), size: 80 },
    { id: "tokens", header: "Tokens", accessorFn: (r) => r.metrics?.tokens, cell: (c) => fmtNum(c.getValue()), size: 70 },
    { id: "cost", header: "Cost", accessorFn: (r) => r.metrics?.estimated_cost, cell: (c) => fmtCost(c.getValue()), size: 80 },
    { id: "tags", header: "Tags", accessorFn: (r) => (r.tags ?? []).join(", "), size: 120 },
    { id: "created", header: "Time", accessorFn: (r) => r.created, cell: (c) => fmtTime(c.getValue()), size: 170 },
  ];
  if (groupField) {
    cols.unshift({ id: "group", header: groupField, accessorFn: (r) => String(get(r, groupField) ?? "(none)"), size: 140 });
  }
  return cols;
}

function FilterBuilder({ clauses, onChange }: { clauses: Clause[]; onChange: (c: Clause[]) => void }) {
  const [draft, setDraft] = useState<Clause>({ field: "metadata.", op: "=", value: "" });
  const needsValue = !draft.op.startsWith("is ");
  return (
    <div className="builder">
      {clauses.map((c, i) => (
        <span key={i} className="chip">
          {c.field} {c.op} {c.op.startsWith("is ") ? "" : c.value}
          <button aria-label="Remove filter" onClick={() => onChange(clauses.filter((_, j) => j !== i))}>
            ×
          </button>
        </span>
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.field.trim()) onChange([...clauses, draft]);
        }}
      >
        <input aria-label="Filter field" value={draft.field} onChange={(e) => setDraft({ ...draft, field: e.target.value })} size={16} />
        <select aria-label="Filter operator" value={draft.op} onChange={(e) => setDraft({ ...draft, op: e.target.value })}>
          {OPS.map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
        {needsValue && (
          <input aria-label="Filter value" value={draft.value} onChange={(e) => setDraft({ ...draft, value: e.target.value })} size={12} />
        )}
        <button type="submit">Add filter</button>
      </form>
    </div>
  );
}

// The virtualized rows; mounted only once there are rows, so that its scroll
// element exists for the virtualizer's whole life.
function VTable({ table, gridTemplate, openTrace, onNearEnd, hasMore, loadingMore, firstRowsMs }: {
  table: Table<any>;
  gridTemplate: string;
  openTrace: (r: any) => void;
  onNearEnd: () => void;
  hasMore: boolean;
  loadingMore: boolean;
  firstRowsMs: number | null;
}) {
  const tableRows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: tableRows.length, getScrollElement: () => scrollRef.current, estimateSize: () => 34, overscan: 12 });
  const items = virt.getVirtualItems();
  const last = items.length ? items[items.length - 1].index : -1;
  useEffect(() => {
    if (last >= tableRows.length - 10 && hasMore) onNearEnd();
  }, [last, tableRows.length, hasMore, onNearEnd]);
  return (
        <div className="vtable" ref={scrollRef} role="grid" aria-rowcount={tableRows.length} data-first-rows-ms={firstRowsMs ?? undefined}>
          <div className="vrow head" style={{ gridTemplateColumns: gridTemplate }} role="row">
            {table.getFlatHeaders().map((h) => (
              <div key={h.id} role="columnheader">
                {flexRender(h.column.columnDef.header, h.getContext())}
              </div>
            ))}
          </div>
          <div style={{ height: virt.getTotalSize(), position: "relative" }}>
            {items.map((it) => {
              const row = tableRows[it.index];
              const style = { transform: `translateY(${it.start}px)`, gridTemplateColumns: gridTemplate };
              if (row.getIsGrouped()) {
                return (
                  <div key={row.id} className="vrow group" style={style} role="row" onClick={row.getToggleExpandedHandler()}>
                    <div>
                      {row.getIsExpanded() ? "▾" : "▸"} {String(row.getGroupingValue("group"))} ({row.subRows.length})
                    </div>
                  </div>
                );
              }
              return (
                <div key={row.id} className="vrow" style={style} role="row" tabIndex={0} data-row-id={row.original.id}
                  onClick={() => openTrace(row.original)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") openTrace(row.original);
                    const sib = e.key === "ArrowDown" ? e.currentTarget.nextElementSibling : e.key === "ArrowUp" ? e.currentTarget.previousElementSibling : null;
                    if (sib instanceof HTMLElement) sib.focus();
                  }}
                >
                  {row.getVisibleCells().map((c) => (
                    <div key={c.id} role="gridcell" className={`cell-${c.column.id.replace(/[^a-z]/gi, "")}`}>
                      {flexRender(c.column.columnDef.cell ?? ((x: any) => String(x.getValue() ?? "")), c.getContext())}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
          {loadingMore && <Loading what="more" />}
        </div>
  );
}

export function Logs({ projectId }: { projectId: string }) {
  const { params } = useRoute();
  const view: ViewFilter = {
    search: params.get("q") ?? "",
    raw: params.get("f") ?? "",
    clauses: parseClauses(params.get("fb")),
    range: params.get("range") ?? "all",
  };
  const groupField = params.get("group") ?? "";
  const hideParam = params.get("hide") ?? "";
  const hidden = useMemo(() => new Set(hideParam.split(",").filter(Boolean)), [hideParam]);
  const live = params.get("live") !== "off";
  const viewKey = JSON.stringify(view);
  const data = useLogRows(projectId, view, viewKey, live);
  const [searchDraft, setSearchDraft] = useState(view.search ?? "");
  const [rawDraft, setRawDraft] = useState(view.raw ?? "");
  // The boxes follow the URL when it changes under them (back button, shared link).
  useEffect(() => setSearchDraft(view.search ?? ""), [view.search]);
  useEffect(() => setRawDraft(view.raw ?? ""), [view.raw]);
  const columns = useMemo(() => buildColumns(data.rows, groupField), [data.rows, groupField]);
  const [expanded, setExpanded] = useState<ExpandedState>(true);
  // State objects must be stable: a new one each render re-derives the row models,
  // whose automatic resets then re-render again, forever (hence autoResetAll too).
  const grouping = useMemo(() => (groupField ? ["group"] : []), [groupField]);
  const columnVisibility = useMemo(() => Object.fromEntries([...hidden].map((c) => [c, false])), [hidden]);
  const table = useReactTable({
    data: data.rows,
    columns,
    state: { grouping, expanded, columnVisibility },
    autoResetAll: false,
    onExpandedChange: setExpanded,
    getRowId: (r) => r.id,
    getCoreRowModel: getCoreRowModel(),
    getGroupedRowModel: getGroupedRowModel(),
    getExpandedRowModel: getExpandedRowModel(),
  });
  const openTrace = (r: any) => navigate(["p", projectId, "trace", "project_logs", projectId, r.root_span_id ?? r.id]);
  const gridTemplate = table
    .getVisibleLeafColumns()
    .map((c) => `${c.getSize()}px`)
    .join(" ");
  const error = data.error ? rawFilterError((data.error as Error).message ?? String(data.error), view) : null;

  return (
    <div className="page logs">
      <div className="toolbar">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setParams({ q: searchDraft });
          }}
        >
          <input type="search" aria-label="Search" placeholder="Search all fields…" value={searchDraft} onChange={(e) => setSearchDraft(e.target.value)} />
        </form>
        <label>
          Range{" "}
          <select aria-label="Time range" value={view.range} onChange={(e) => setParams({ range: e.target.value === "all" ? "" : e.target.value })}>
            {Object.keys(RANGES).map((r) => (
              <option key={r} value={r}>
                {r === "all" ? "All time" : `Last ${r}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by{" "}
          <input aria-label="Group by field" placeholder="metadata.model" defaultValue={groupField} size={14}
            onKeyDown={(e) => e.key === "Enter" && setParams({ group: (e.target as HTMLInputElement).value.trim() })} />
        </label>
        <details className="columns">
          <summary>Columns</summary>
          {table.getAllLeafColumns().map((c) => (
            <label key={c.id}>
              <input type="checkbox" checked={!hidden.has(c.id)}
                onChange={() => {
                  const h = new Set(hidden);
                  if (h.has(c.id)) h.delete(c.id);
                  else h.add(c.id);
                  setParams({ hide: [...h].join(",") });
                }} />
              {String(c.columnDef.header)}
            </label>
          ))}
        </details>
        <label className="live">
          <input type="checkbox" checked={live} onChange={() => setParams({ live: live ? "off" : "" })} /> Live
        </label>
      </div>
      <FilterBuilder clauses={view.clauses ?? []} onChange={(c) => setParams({ fb: c.length ? JSON.stringify(c) : "" })} />
      <form className="rawfilter"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ f: rawDraft });
        }}
      >
        <input aria-label="BTQL filter" placeholder="BTQL filter, e.g. scores.accuracy < 0.5 and metadata.model = 'gpt-4o'" value={rawDraft} onChange={(e) => setRawDraft(e.target.value)} />
        <button type="submit">Apply</button>
      </form>
      {error && <ErrorBox error={new Error(error)} />}
      {data.loading ? (
        <Loading what="traces" />
      ) : !error && data.rows.length === 0 ? (
        <Empty>No traces match. {view.search || view.raw || view.clauses?.length ? "Try a broader filter." : "Log spans with an SDK and they appear here live."}</Empty>
      ) : (
        <VTable table={table} gridTemplate={gridTemplate} openTrace={openTrace} onNearEnd={data.loadMore}
          hasMore={!!data.cursor && !data.loadingMore} loadingMore={data.loadingMore} firstRowsMs={data.firstRowsMs} />
      )}
    </div>
  );
}
