// Prompts: the project's list, and one prompt with its versions (each write of a
// prompt is a version: GET /v1/prompt/{id}?version=<xact>).
import { call } from "../api";
import { AsyncView, Empty, useAsync } from "../components/common";
import { Value } from "../components/Value";
import { fmtTime } from "../format";
import { href, setParams, useRoute } from "../route";

export function PromptList({ projectId }: { projectId: string }) {
  const list = useAsync(() => call<{ objects: any[] }>("GET", `/v1/prompt?project_id=${encodeURIComponent(projectId)}&limit=200`), [projectId]);
  return (
    <div className="page">
      <AsyncView a={list} what="prompts">
        {(l) =>
          l.objects.length === 0 ? (
            <Empty>No prompts yet. Create one with projects.create().prompts.create() from an SDK.</Empty>
          ) : (
            <table className="grid">
              <thead><tr><th>Name</th><th>Slug</th><th>Version</th><th>Created</th></tr></thead>
              <tbody>
                {l.objects.map((p) => (
                  <tr key={p.id}>
                    <td><a href={href(["p", projectId, "prompts", p.id])}>{p.name}</a></td>
                    <td>{p.slug}</td>
                    <td className="muted">{p._xact_id}</td>
                    <td>{fmtTime(p.created)}</td>
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

export function PromptView({ id }: { projectId: string; id: string }) {
  const { params } = useRoute();
  const version = params.get("version") ?? "";
  const latest = useAsync(() => call("GET", `/v1/prompt/${encodeURIComponent(id)}`), [id]);
  const shown = useAsync(() => call("GET", `/v1/prompt/${encodeURIComponent(id)}${version ? `?version=${encodeURIComponent(version)}` : ""}`), [id, version]);
  return (
    <div className="page">
      <AsyncView a={latest} what="prompt">
        {(p) => (
          <>
            <h2>{p.name} <span className="muted">{p.slug}</span></h2>
            <div className="toolbar">
              <label>
                Version{" "}
                <input aria-label="Version" placeholder={p._xact_id} defaultValue={version} size={20}
                  onKeyDown={(e) => e.key === "Enter" && setParams({ version: (e.target as HTMLInputElement).value.trim() })} />
              </label>
              <span className="muted">latest: {p._xact_id}</span>
              {version && <button onClick={() => setParams({ version: "" })}>Latest</button>}
            </div>
          </>
        )}
      </AsyncView>
      <AsyncView a={shown} what="version">
        {(p) =>
          p.prompt_data ? (
            <>
              {p.description && <p>{p.description}</p>}
              <h4>Prompt</h4>
              <Value v={p.prompt_data.prompt?.messages ?? p.prompt_data.prompt} />
              <h4>Options</h4>
              <Value v={p.prompt_data.options ?? {}} expand />
            </>
          ) : (
            <Empty>This version has no prompt data.</Empty>
          )
        }
      </AsyncView>
    </div>
  );
}
