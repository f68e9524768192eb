// Renders a span field: chat messages by role, long text expandable, JSON as a
// collapsible tree (react-json-view-lite), attachments as images.
import { useEffect, useState } from "react";
import { JsonView, allExpanded, collapseAllNested, defaultStyles } from "react-json-view-lite";
import "react-json-view-lite/dist/index.css";
import { call } from "../api";

const LONG = 600;

export function LongText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= LONG) return <pre className="text">{text}</pre>;
  return (
    <div>
      <pre className="text">{open ? text : `${text.slice(0, LONG)}…`}</pre>
      <button className="link" onClick={() => setOpen(!open)}>
        {open ? "Show less" : `Show all ${text.length.toLocaleString()} characters`}
      </button>
    </div>
  );
}

function isAttachment(v: any): boolean {
  return v && typeof v === "object" && (v.type === "braintrust_attachment" || v.type === "external_attachment") && (v.key || v.url);
}

function Attachment({ a }: { a: any }) {
  const [url, setUrl] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams(a.key ? { key: a.key } : { url: a.url });
    if (a.content_type) q.set("content_type", a.content_type);
    if (a.filename) q.set("filename", a.filename);
    call("GET", `/attachment?${q}`).then(
      (r) => setUrl(r.downloadUrl),
      (e) => setErr(String(e.message ?? e)),
    );
  }, [a.key, a.url, a.content_type, a.filename]);
  if (err) return <div className="state error">Attachment {a.filename}: {err}</div>;
  if (!url) return <div className="state loading">Loading attachment…</div>;
  if (String(a.content_type ?? "").startsWith("image/")) {
    return <img className="attachment" src={url} alt={a.filename ?? "attachment"} />;
  }
  return (
    <a href={url} target="_blank" rel="noreferrer">
      {a.filename ?? "attachment"} ({a.content_type})
    </a>
  );
}

function isChat(v: any): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((m) => m && typeof m === "object" && typeof m.role === "string");
}

function Content({ c }: { c: any }) {
  if (typeof c === "string") return <LongText text={c} />;
  if (Array.isArray(c)) {
    return (
      <>
        {c.map((part, i) => {
          if (part?.type === "text") return <LongText key={i} text={part.text} />;
          if (part?.type === "image_url") {
            const u = part.image_url?.url;
            return isAttachment(u) ? <Attachment key={i} a={u} /> : <img key={i} className="attachment" src={u} alt="" />;
          }
          return <Value key={i} v={part} />;
        })}
      </>
    );
  }
  return <Value v={c} />;
}

function Chat({ messages }: { messages: any[] }) {
  return (
    <div className="chat">
      {messages.map((m, i) => (
        <div key={i} className={`msg role-${m.role}`}>
          <div className="role">{m.role}</div>
          {m.content !== undefined && m.content !== null && <Content c={m.content} />}
          {m.tool_calls && <Value v={m.tool_calls} />}
        </div>
      ))}
    </div>
  );
}

export function Value({ v, expand = false }: { v: unknown; expand?: boolean }) {
  if (v === null || v === undefined) return <span className="muted">null</span>;
  if (typeof v === "string") return <LongText text={v} />;
  if (typeof v !== "object") return <code>{String(v)}</code>;
  if (isAttachment(v)) return <Attachment a={v} />;
  if (isChat(v)) return <Chat messages={v as any[]} />;
  const msgs = (v as any).messages;
  if (isChat(msgs) && Object.keys(v as object).length <= 3) return <Chat messages={msgs} />;
  const attachments = collectAttachments(v, 0);
  return (
    <div className="json">
      <JsonView data={v as object} shouldExpandNode={expand ? allExpanded : collapseAllNested} style={defaultStyles} />
      {attachments.map((a, i) => (
        <Attachment key={i} a={a} />
      ))}
    </div>
  );
}

function collectAttachments(v: any, depth: number): any[] {
  if (!v || typeof v !== "object" || depth > 6) return [];
  if (isAttachment(v)) return [v];
  return Object.values(v).flatMap((x) => collectAttachments(x, depth + 1));
}
