/** The flowship UI's front-end: one page per route, rendered with Preact. */
import { render } from "preact";
import { FlowsPage } from "./flows-page.js";
import { useRoute } from "./router.js";
import { RunPage } from "./run-page.js";
import { TaskPage } from "./task-page.js";

function App() {
  const route = useRoute();
  const page =
    route.page === "flows" ? (
      <FlowsPage />
    ) : route.page === "run" ? (
      <RunPage key={`${route.flow}/${route.run}`} flow={route.flow} run={route.run} />
    ) : route.page === "task" ? (
      <TaskPage key={`${route.flow}/${route.run}/${route.step}/${route.task}`} {...route} />
    ) : (
      <p>
        No page at {route.path}. <a href="/">Flows</a>
      </p>
    );
  return (
    <>
      <header>
        <a href="/" class="brand">
          flowship
        </a>
      </header>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
