/** The flowship UI's front-end: one page per route, rendered with Preact. */
import { render } from "preact";
import { useState } from "preact/hooks";
import { FlowPage } from "./flow-page.js";
import { FlowsPage } from "./flows-page.js";
import { setTimeZone, type TimeZone, timeZone } from "./format.js";
import { useRoute, useTitle } from "./router.js";
import { RunPage } from "./run-page.js";
import { TaskPage } from "./task-page.js";
import { NotFound } from "./widgets.js";

function Missing({ path }: { path: string }) {
  useTitle("Not found");
  return <NotFound what={`No page at ${path}.`} />;
}

function ZoneToggle({ zone, onChange }: { zone: TimeZone; onChange: (zone: TimeZone) => void }) {
  return (
    <fieldset class="zone">
      <legend class="sr-only">Times in</legend>
      {(["utc", "local"] as const).map((z) => (
        <button
          type="button"
          class={z === zone ? "active" : ""}
          aria-pressed={z === zone}
          onClick={() => onChange(z)}
        >
          {z === "utc" ? "UTC" : "local time"}
        </button>
      ))}
    </fieldset>
  );
}

function App() {
  const route = useRoute();
  const [zone, setZone] = useState(timeZone());
  const change = (next: TimeZone) => {
    setTimeZone(next);
    setZone(next);
  };
  const page =
    route.page === "flows" ? (
      <FlowsPage />
    ) : route.page === "flow" ? (
      <FlowPage key={route.flow} flow={route.flow} query={route.query} />
    ) : route.page === "run" ? (
      <RunPage key={`${route.flow}/${route.run}`} flow={route.flow} run={route.run} />
    ) : route.page === "task" ? (
      <TaskPage key={`${route.flow}/${route.run}/${route.step}/${route.task}`} {...route} />
    ) : (
      <Missing path={route.path} />
    );
  return (
    <>
      <header>
        <a href="/" class="brand">
          flowship
        </a>
        <ZoneToggle zone={zone} onChange={change} />
      </header>
      {/* Changing the zone draws App again, and every page below it with its times in the new zone. */}
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
