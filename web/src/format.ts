// Small formatting helpers shared by the views.

export function preview(v: unknown, n = 120): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

export function fmtNum(v: unknown, digits = 2): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return v.toLocaleString();
  return v.toFixed(digits);
}

export function fmtPct(v: unknown): string {
  return typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "";
}

export function fmtCost(v: unknown): string {
  return typeof v === "number" ? `$${v < 0.01 ? v.toFixed(5) : v.toFixed(3)}` : "";
}

export function fmtDuration(seconds: unknown): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  return `${seconds.toFixed(2)}s`;
}

export function fmtTime(iso: unknown): string {
  if (typeof iso !== "string") return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function get(obj: any, path: string): unknown {
  let cur = obj;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[k];
  }
  return cur;
}

export const RANGES: Record<string, number | null> = {
  "15m": 15 * 60,
  "1h": 3600,
  "24h": 86400,
  "7d": 7 * 86400,
  "30d": 30 * 86400,
  all: null,
};

export function rangeStart(range: string | null): string | null {
  const secs = RANGES[range ?? "all"];
  return secs ? new Date(Date.now() - secs * 1000).toISOString() : null;
}
