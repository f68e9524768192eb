// Empty, loading and error states, and a hook for one async load.
import { useCallback, useEffect, useState } from "react";

export function Loading({ what }: { what?: string }) {
  return (
    <div className="state loading" role="status">
      Loading{what ? ` ${what}` : ""}…
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const msg = error instanceof Error ? error.message : String(error);
  return (
    <div className="state error" role="alert">
      <strong>Error:</strong> {msg} {retry && <button onClick={retry}>Retry</button>}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export interface Async<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

// Runs `load` whenever `deps` change; the newest call wins.
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, loading: true }));
    run().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [run, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export function AsyncView<T>({ a, what, children }: { a: Async<T>; what?: string; children: (d: T) => React.ReactNode }) {
  if (a.error) return <ErrorBox error={a.error} retry={a.reload} />;
  if (a.data === undefined) return <Loading what={what} />;
  return <>{children(a.data)}</>;
}
