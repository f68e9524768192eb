// Hash routing: "#/p/<project>/logs?q=..." — every view, filter and open trace is a
// shareable URL, and the server needs no knowledge of the app's paths.
import { useEffect, useState } from "react";

export interface Route {
  parts: string[];
  params: URLSearchParams;
}

function parse(): Route {
  const h = window.location.hash.replace(/^#/, "");
  const [path, query = ""] = h.split("?", 2);
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function href(parts: string[], params?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== "") q.set(k, v);
  const qs = q.toString();
  return `#/${parts.map(encodeURIComponent).join("/")}${qs ? `?${qs}` : ""}`;
}

export function navigate(parts: string[], params?: Record<string, string | undefined>, replace = false) {
  const h = href(parts, params);
  if (replace) window.history.replaceState(null, "", h);
  else window.location.hash = h;
  if (replace) window.dispatchEvent(new HashChangeEvent("hashchange"));
}

// Replaces some query parameters of the current route, keeping the rest.
export function setParams(update: Record<string, string | undefined>) {
  const r = parse();
  const p: Record<string, string> = Object.fromEntries(r.params.entries());
  for (const [k, v] of Object.entries(update)) {
    if (v === undefined || v === "") delete p[k];
    else p[k] = v;
  }
  navigate(r.parts, p, true);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}
