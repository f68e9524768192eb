// The browser's client of the Spanlake HTTP API: the same endpoints the SDKs call,
// authenticated with the API key kept in localStorage after sign-in.

const KEY_STORAGE = "spanlake.apiKey";

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

export function apiKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}
export function setApiKey(key: string | null) {
  if (key === null) localStorage.removeItem(KEY_STORAGE);
  else localStorage.setItem(KEY_STORAGE, key);
}

export async function call<T = any>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, json?.error ?? (text || res.statusText));
  return json as T;
}

export interface BtqlResult {
  data: any[];
  cursor?: string;
  freshness_state?: { last_processed_xact_id?: string };
}

export function btql(query: string, extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<BtqlResult> {
  return call<BtqlResult>("POST", "/btql", { query, ...extra }, signal);
}

// Every row of a query, following cursors (for traces and dataset pages).
export async function btqlAll(query: string, extra: Record<string, unknown> = {}, max = 200_000): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await btql(query, cursor ? { ...extra, cursor } : extra);
    rows.push(...res.data);
    cursor = res.cursor;
  } while (cursor && rows.length < max);
  return rows;
}

// A BTQL/SQL string literal.
export function lit(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

// A literal from what a user typed: numbers, true/false/null stay bare.
export function userLiteral(v: string): string {
  const t = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(t) || t === "true" || t === "false" || t === "null") return t;
  return lit(t);
}

export type ObjectKind = "project_logs" | "experiment" | "dataset";

// Long-polls GET /ui/v1/wait: resolves with the container's newest xact once it
// is written after `after` (changed), or after the server's timeout.
export async function waitForChange(object: string, after: string, signal: AbortSignal) {
  const q = new URLSearchParams({ object, after_xact: after });
  return call<{ xact_id: string; changed: boolean; busy?: boolean }>("GET", `/ui/v1/wait?${q}`, undefined, signal);
}

// The server's newest xact (GET /xact-id, plain text): read before a page's data so
// that its live tail misses no write made while the data loads.
export async function currentXact(): Promise<string> {
  const res = await fetch("/xact-id", { headers: { Authorization: `Bearer ${apiKey()}` } });
  if (!res.ok) throw new ApiError(res.status, await res.text());
  return (await res.text()).trim();
}

export interface Project {
  id: string;
  name: string;
  org_id: string;
  created: string;
}
