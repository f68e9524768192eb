import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { apiKey, call, setApiKey, type Project } from "./api";
import { AsyncView, Empty, ErrorBox, useAsync } from "./components/common";
import { href, navigate, useRoute } from "./route";
import { Logs } from "./pages/Logs";
import { TraceView } from "./pages/Trace";
import { ExperimentList, ExperimentView } from "./pages/Experiments";
import { DatasetList, DatasetView } from "./pages/Datasets";
import { Monitor } from "./pages/Monitor";
import { PromptList, PromptView } from "./pages/Prompts";
import { fmtTime } from "./format";
import "./styles.css";

function SignIn({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setApiKey(key.trim());
    try {
      await call("POST", "/api/apikey/login", {});
      onDone();
    } catch (err) {
      setApiKey(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="signin" onSubmit={submit}>
      <h1>Spanlake</h1>
      <label htmlFor="apikey">API key</label>
      <input id="apikey" type="password" autoFocus value={key} onChange={(e) => setKey(e.target.value)} placeholder="sk-…" />
      <button type="submit" disabled={busy || !key.trim()}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error != null && <ErrorBox error={error} />}
    </form>
  );
}

function Projects() {
  const orgs = useAsync(() => call("POST", "/api/apikey/login", {}), []);
  const projects = useAsync(() => call<{ objects: Project[] }>("GET", "/v1/project?limit=1000"), []);
  return (
    <div className="page">
      <h2>Organizations</h2>
      <AsyncView a={orgs} what="organizations">
        {(o) => (
          <ul className="orgs">
            {o.org_info.map((org: any) => (
              <li key={org.id}>
                {org.name} <span className="muted">{org.id}</span>
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      <h2>Projects</h2>
      <AsyncView a={projects} what="projects">
        {(p) =>
          p.objects.length === 0 ? (
            <Empty>No projects yet. Log from an SDK (e.g. initLogger({"{"} projectName {"}"})) to create one.</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Id</th>
                </tr>
              </thead>
              <tbody>
                {p.objects.map((pr) => (
                  <tr key={pr.id}>
                    <td>
                      <a href={href(["p", pr.id, "logs"])}>{pr.name}</a>
                    </td>
                    <td>{fmtTime(pr.created)}</td>
                    <td className="muted">{pr.id}</td>
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

const TABS = [
  ["logs", "Logs"],
  ["experiments", "Experiments"],
  ["datasets", "Datasets"],
  ["monitor", "Monitor"],
  ["prompts", "Prompts"],
] as const;

function ProjectPages({ parts }: { parts: string[] }) {
  const pid = parts[1];
  const tab = parts[2] ?? "logs";
  const project = useAsync(() => call<Project>("GET", `/v1/project/${encodeURIComponent(pid)}`), [pid]);
  let body: React.ReactNode;
  if (tab === "logs") body = <Logs projectId={pid} />;
  else if (tab === "trace") body = <TraceView kind={parts[3] as any} objectId={parts[4]} rootSpanId={parts[5]} projectId={pid} />;
  else if (tab === "experiments") body = parts[3] ? <ExperimentView projectId={pid} id={parts[3]} /> : <ExperimentList projectId={pid} />;
  else if (tab === "datasets") body = parts[3] ? <DatasetView projectId={pid} id={parts[3]} /> : <DatasetList projectId={pid} />;
  else if (tab === "monitor") body = <Monitor projectId={pid} />;
  else if (tab === "prompts") body = parts[3] ? <PromptView projectId={pid} id={parts[3]} /> : <PromptList projectId={pid} />;
  else body = <Empty>Unknown page “{tab}”.</Empty>;
  return (
    <>
      <nav className="tabs" aria-label="Project">
        <a href={href([])} className="crumb">
          Projects
        </a>
        <span className="crumb">/ {project.data?.name ?? pid}</span>
        {TABS.map(([t, label]) => (
          <a key={t} href={href(["p", pid, t])} className={tab === t || (t === "logs" && tab === "trace") ? "active" : ""}>
            {label}
          </a>
        ))}
      </nav>
      {project.error ? <ErrorBox error={project.error} /> : body}
    </>
  );
}

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(apiKey() !== null);
  if (!signedIn) return <SignIn onDone={() => setSignedIn(true)} />;
  const signOut = () => {
    setApiKey(null);
    setSignedIn(false);
    navigate([]);
  };
  return (
    <div className="app">
      <header>
        <a href={href([])} className="brand">
          Spanlake
        </a>
        <button className="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{route.parts[0] === "p" && route.parts[1] ? <ProjectPages parts={route.parts} /> : <Projects />}</main>
    </div>
  );
}

// "/" focuses the page's search box, as in most consoles.
document.addEventListener("keydown", (e) => {
  const t = e.target as HTMLElement;
  if (e.key !== "/" || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) return;
  const box = document.querySelector<HTMLInputElement>("input[type=search]");
  if (box) {
    e.preventDefault();
    box.focus();
  }
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
