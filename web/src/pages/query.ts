// Builds the BTQL text of a filtered view (Logs, Monitor) and maps the server's
// parse errors back onto the user's own filter text.
import { lit, userLiteral } from "../api";
import { rangeStart } from "../format";

export interface Clause {
  field: string;
  op: string;
  value: string;
}

export const OPS = ["=", "!=", ">", ">=", "<", "<=", "includes", "match", "is null", "is not null"];

export function clauseExpr(c: Clause): string {
  const f = c.field.trim();
  if (c.op === "is null") return `${f} IS NULL`;
  if (c.op === "is not null") return `${f} IS NOT NULL`;
  if (c.op === "includes") return `${f} INCLUDES ${userLiteral(c.value)}`;
  if (c.op === "match") return `${f} MATCH ${lit(c.value)}`;
  return `${f} ${c.op} ${userLiteral(c.value)}`;
}

export interface ViewFilter {
  search?: string;
  raw?: string;
  clauses?: Clause[];
  range?: string;
}

// The raw filter goes first, on line 1 after RAW_PREFIX, so that an error at
// "line 1, column N" is at column N - RAW_PREFIX.length of what the user typed.
const RAW_PREFIX = "filter: (";

export function filterLine(v: ViewFilter, extra: string[] = []): string {
  const parts: string[] = [];
  if (v.raw?.trim()) parts.push(`(${v.raw.trim()})`);
  if (v.search?.trim()) parts.push(`search(${lit(v.search.trim())})`);
  for (const c of v.clauses ?? []) if (c.field.trim()) parts.push(`(${clauseExpr(c)})`);
  const since = rangeStart(v.range ?? null);
  if (since) parts.push(`created >= ${lit(since)}`);
  parts.push(...extra);
  return parts.length ? `filter: ${parts.join(" and ")}` : "";
}

export function rawFilterError(message: string, v: ViewFilter): string {
  const m = /^query: line 1, column (\d+): (.*)$/.exec(message);
  if (!m || !v.raw?.trim()) return message;
  const col = Number(m[1]) - RAW_PREFIX.length;
  if (col < 1 || col > v.raw.trim().length + 1) return message;
  return `column ${col}: ${m[2]}`;
}

export function parseClauses(s: string | null): Clause[] {
  if (!s) return [];
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}
