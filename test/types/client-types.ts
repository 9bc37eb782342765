// Compile-time checks of the Client API's types, run by `tsc --noEmit` in `npm test`: with the
// flow's artifacts given, values are typed (a misspelled artifact or a wrong type does not
// compile); without, they are loosely typed like `self` in an undeclared flow.
import { type ArtifactsOf, flow } from "flowship";
import { Flow, Run, Task } from "flowship/client";

const playlist = flow<{ movies: string[]; count: number }>("Playlist")
  .parameter("genre", { default: "sci-fi" })
  .step(
    "start",
    (self) => {
      self.movies = ["Alien"];
      self.count = 1;
    },
    { next: "end" },
  )
  .step("end", () => {});

type PlaylistArtifacts = ArtifactsOf<typeof playlist>;

export async function typedReads(): Promise<void> {
  const run = await Run.get<PlaylistArtifacts>("Playlist/1");
  const movies: string[] | undefined = await run.data?.movies;
  const genre: string | undefined = await run.data?.genre;
  // @ts-expect-error: no artifact 'moveis'
  await run.data?.moveis;
  // @ts-expect-error: count is a number
  const wrong: string | undefined = await run.data?.count;
  const latest = await (await Flow.get<PlaylistArtifacts>("Playlist")).latestSuccessfulRun();
  const count: number | undefined = await latest?.data?.count;
  const task = await Task.get<PlaylistArtifacts>("Playlist/1/start/0");
  const fromTask: string[] = await task.data.movies;
  const step = (await run.steps())[0];
  const stepTasks: string[] | undefined = await (await step?.tasks())?.[0]?.data.movies;
  void [movies, genre, wrong, count, fromTask, stepTasks];
}

export async function looseReads(): Promise<void> {
  // Without artifact types, values are `any`: no casts needed to use them.
  const run = await Run.get("Playlist/1");
  const total: number = (await run.data?.count) + 1;
  void total;
}
