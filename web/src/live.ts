// Live tail: long-polls GET /ui/v1/wait for writes to one container
// ("project_logs:<id>", "experiment:<id>", "dataset:<id>") and calls onChange
// after each. The server answers only for writes to that container (or after
// its 10 s timeout), so a page is not re-read because another one was written.
import { useEffect, useRef } from "react";
import { waitForChange } from "./api";

export function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      r();
    });
  });
}

// Waits from `after` (an xact id at or before the shown data; null: not yet
// loaded) while `enabled`; onChange may be a new function every render.
export function useLiveTail(object: string, after: string | null, enabled: boolean, onChange: (signal: AbortSignal) => Promise<void> | void) {
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    if (!enabled || after === null) return;
    const ctl = new AbortController();
    (async () => {
      let since = after;
      while (!ctl.signal.aborted) {
        try {
          const w = await waitForChange(object, since, ctl.signal);
          if (w.busy) await sleep(1000, ctl.signal);
          if (!w.changed || ctl.signal.aborted) continue;
          since = w.xact_id;
          await changed.current(ctl.signal);
        } catch {
          await sleep(2000, ctl.signal);
        }
      }
    })();
    return () => ctl.abort();
  }, [object, after, enabled]);
}
