/**
 * The pathspec a flow's command (`logs`, `dump`, `card`) is given, made whole: `RUN[/STEP[/TASK]]`
 * of the file's flow, or the same with the flow's name in front, which is how the UI, a card's
 * summary and the Client API show a task, and so what people copy.
 */

/** `given` with the flow's name in front, unless it is there already. */
export function flowPathspec(flow: string, given: string): string {
  const parts = given.split("/");
  return parts[0] === flow && parts.length > 1 ? given : `${flow}/${given}`;
}
