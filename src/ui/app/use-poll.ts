/** Reads a JSON URL and reads it again every `ms` while `again(value)` holds: live pages without a reload. */
import { useEffect, useState } from "preact/hooks";
import { ApiError, getJson } from "./api.js";

export interface Polled<T> {
  value?: T;
  error?: string;
  /** The server said there is no such thing (404): nothing to read again. */
  missing?: boolean;
  /** The URL changed and its first answer has not come yet: `value` is the previous URL's. */
  loading?: boolean;
}

export function usePoll<T>(url: string, ms: number, again: (value: T) => boolean = () => true): Polled<T> {
  const [state, setState] = useState<Polled<T>>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const value = await getJson<T>(url);
        if (stopped) return;
        setState({ value, loading: false });
        if (again(value)) timer = setTimeout(load, ms);
      } catch (error) {
        if (stopped) return;
        // 404: no such thing; 400: a request the server refuses (a bad filter). Asking again changes neither.
        const status = error instanceof ApiError ? error.status : 0;
        setState((s) => ({ ...s, error: (error as Error).message, missing: status === 404 }));
        if (status !== 404 && status !== 400) timer = setTimeout(load, ms * 2);
      }
    };
    // A page whose filters changed keeps showing what it had until the new answer comes.
    setState((s) => ({ ...(s.value !== undefined ? { value: s.value } : {}), loading: true }));
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url]);
  return state;
}
