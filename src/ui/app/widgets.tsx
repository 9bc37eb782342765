/** Small pieces every page uses: a status badge, a time with its age, a "not found" answer. */
import { ago, timeZone, when } from "./format.js";

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** A time in the chosen zone, with how long ago it was; the other zone on hover. */
export function When({
  iso,
  now,
  relative = true,
}: {
  iso: string | undefined;
  now?: string;
  relative?: boolean;
}) {
  if (!iso) return null;
  const other = timeZone() === "utc" ? new Date(iso).toString() : new Date(iso).toISOString();
  return (
    <time dateTime={iso} title={other}>
      {when(iso)}
      {relative ? <span class="ago"> ({ago(iso, now ? Date.parse(now) : undefined)})</span> : null}
    </time>
  );
}

/** What a page says for an address that shows nothing, with the way back. */
export function NotFound({ what, back }: { what: string; back?: { href: string; label: string } }) {
  return (
    <div class="not-found" data-testid="not-found">
      <h1>Not found</h1>
      <p>{what}</p>
      <p>
        {back ? (
          <>
            <a href={back.href}>Back to {back.label}</a> ·{" "}
          </>
        ) : null}
        <a href="/">All flows</a>
      </p>
    </div>
  );
}
