// Datasets: the project's list; a dataset's rows with add, edit and delete
// (rows written through /v1/dataset/{id}/insert like the SDK), and its versions.
import { useState } from "react";
import { btqlAll, call, currentXact, lit } from "../api";
import { useLiveTail } from "../live";
import { AsyncView, Empty, ErrorBox, useAsync } from "../components/common";
import { fmtTime, preview } from "../format";
import { href, setParams, useRoute } from "../route";

export function DatasetList({ projectId }: { projectId: string }) {
  const list = useAsync(() => call<{ objects: any[] }>("GET", `/v1/dataset?project_id=${encodeURIComponent(projectId)}&limit=200`), [projectId]);
  return (
    <div className="page">
      <AsyncView a={list} what="datasets">
        {(l) =>
          l.objects.length === 0 ? (
            <Empty>No datasets yet. Create one with initDataset() from an SDK.</Empty>
          ) : (
            <table className="grid">
              <thead><tr><th>Dataset</th><th>Description</th><th>Created</th></tr></thead>
              <tbody>
                {l.objects.map((d) => (
                  <tr key={d.id}>
                    <td><a href={href(["p", projectId, "datasets", d.id])}>{d.name}</a></td>
                    <td>{d.description ?? ""}</td>
                    <td>{fmtTime(d.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </AsyncView>
    </div>
  );
}

function parseJson(label: string, text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // plain text is a string value, as the SDK would send it
  }
  void label;
}

function RowEditor({ row, onSave, onCancel }: { row?: any; onSave: (r: any) => Promise<void>; onCancel: () => void }) {
  const show = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v, null, 2));
  const [input, setInput] = useState(show(row?.input));
  const [expected, setExpected] = useState(show(row?.expected));
  const [metadata, setMetadata] = useState(show(row?.metadata));
  const [error, setError] = useState<unknown>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const md = parseJson("metadata", metadata);
    if (md !== undefined && (typeof md !== "object" || Array.isArray(md))) return setError(new Error("metadata must be a JSON object"));
    try {
      await onSave({ input: parseJson("input", input), expected: parseJson("expected", expected), metadata: md });
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form className="editor" onSubmit={submit} aria-label={row ? "Edit row" : "New row"}>
      <label>Input<textarea aria-label="Input" value={input} onChange={(e) => setInput(e.target.value)} rows={3} /></label>
      <label>Expected<textarea aria-label="Expected" value={expected} onChange={(e) => setExpected(e.target.value)} rows={3} /></label>
      <label>Metadata (JSON object)<textarea aria-label="Metadata" value={metadata} onChange={(e) => setMetadata(e.target.value)} rows={2} /></label>
      <div>
        <button type="submit">Save row</button> <button type="button" onClick={onCancel}>Cancel</button>
      </div>
      {error != null && <ErrorBox error={error} />}
    </form>
  );
}

export function DatasetView({ id }: { projectId: string; id: string }) {
  const { params } = useRoute();
  const version = params.get("version") ?? "";
  const [tick, setTick] = useState(0);
  const data = useAsync(async () => {
    const xact = await currentXact(); // before the rows: the live tail then misses nothing
    const [ds, rows] = await Promise.all([
      call("GET", `/v1/dataset/${encodeURIComponent(id)}`),
      btqlAll(`from: dataset(${lit(id)}) | limit: 1000`, version ? { version } : {}),
    ]);
    return { ds, rows, xact };
  }, [id, version, tick]);
  // Live tail of the latest version (an old version does not change).
  useLiveTail(`dataset:${id}`, data.data?.xact ?? null, !version, () => data.reload());
  const [editing, setEditing] = useState<string | null>(null); // row id, or "new"
  const [error, setError] = useState<unknown>(null);
  const insert = async (events: any[]) => {
    await call("POST", `/v1/dataset/${encodeURIComponent(id)}/insert`, { events });
    setEditing(null);
    setTick((t) => t + 1);
  };
  const remove = async (rowId: string) => {
    if (!window.confirm("Delete this row?")) return;
    try {
      await insert([{ id: rowId, _object_delete: true }]);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="page">
      <AsyncView a={data} what="dataset">
        {({ ds, rows }) => {
          const versions = [...new Set(rows.map((r: any) => r._xact_id as string))].sort().reverse();
          return (
            <>
              <h2>{ds.name}</h2>
              <div className="toolbar">
                <label>
                  Version{" "}
                  <input aria-label="Version" placeholder="latest" defaultValue={version} size={20}
                    onKeyDown={(e) => e.key === "Enter" && setParams({ version: (e.target as HTMLInputElement).value.trim() })} />
                </label>
                <span className="muted">Row versions: {versions.slice(0, 8).map((v) => (
                  <a key={v} href="#" onClick={(e) => (e.preventDefault(), setParams({ version: v }))} className="ver">{v}</a>
                ))}</span>
                {version && <button onClick={() => setParams({ version: "" })}>Latest</button>}
                {!version && <button onClick={() => setEditing("new")}>Add row</button>}
              </div>
              {error != null && <ErrorBox error={error} />}
              {editing === "new" && <RowEditor onSave={(r) => insert([r])} onCancel={() => setEditing(null)} />}
              {rows.length === 0 ? (
                <Empty>This dataset has no rows{version ? " at this version" : ""}.</Empty>
              ) : (
                <table className="grid" aria-label="Dataset rows">
                  <thead><tr><th>Input</th><th>Expected</th><th>Metadata</th><th>Version</th><th /></tr></thead>
                  <tbody>
                    {rows.map((r: any) =>
                      editing === r.id ? (
                        <tr key={r.id}><td colSpan={5}><RowEditor row={r} onSave={(n) => insert([{ ...n, id: r.id }])} onCancel={() => setEditing(null)} /></td></tr>
                      ) : (
                        <tr key={r.id} data-row-id={r.id}>
                          <td>{preview(r.input, 200)}</td>
                          <td>{preview(r.expected, 200)}</td>
                          <td>{preview(r.metadata, 120)}</td>
                          <td className="muted">{r._xact_id}</td>
                          <td className="actions">
                            {!version && (
                              <>
                                <button onClick={() => setEditing(r.id)}>Edit</button> <button onClick={() => remove(r.id)}>Delete</button>
                              </>
                            )}
                          </td>
                        </tr>
                      ),
                    )}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </AsyncView>
    </div>
  );
}
