/** Reads a JSON URL and reads it again every `ms` while `again(value)` holds: live pages without a reload. */
import { useEffect, useState } from "preact/hooks";
import { getJson } from "./api.js";

export function usePoll<T>(url: string, ms: number, again: (value: T) => boolean = () => true) {
  const [state, setState] = useState<{ value?: T; error?: string }>({});
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const value = await getJson<T>(url);
        if (stopped) return;
        setState({ value });
        if (again(value)) timer = setTimeout(load, ms);
      } catch (error) {
        if (stopped) return;
        setState((s) => ({ ...s, error: (error as Error).message }));
        timer = setTimeout(load, ms * 2);
      }
    };
    setState({});
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url]);
  return state;
}
