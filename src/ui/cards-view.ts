/**
 * The cards of a task attempt for the UI: drawn here, on the server, by the same renderer as
 * `card get` (every piece of user text escaped), with images served by URL from
 * /api/card-images/… so the page's `default-src 'self'` policy needs no exception.
 */

import type { CardRecord } from "../card/card-record.js";
import type { ImageComponent } from "../card/components.js";
import { escapeHtml } from "../card/escape.js";
import { renderCard } from "../card/render-html.js";
import type { DatastoreOption } from "../client/client-context.js";
import { Task } from "../client/task.js";
import { FlowshipError } from "../errors.js";
import type { CardsView } from "./views.js";

function openTask(datastore: DatastoreOption, pathspec: string, attempt: number | undefined): Promise<Task> {
  return Task.get(pathspec, { datastore, namespace: null, ...(attempt !== undefined ? { attempt } : {}) });
}

/** One card's HTML; a card that cannot be drawn at all shows a note instead of hiding the others. */
function cardHtml(card: CardRecord, base: string): string {
  try {
    return renderCard(card, {
      imageSrc: (_card, index) => `${base}/${encodeURIComponent(card.id)}/${index}`,
    });
  } catch (error) {
    const why = escapeHtml(String((error as Error)?.message ?? error));
    return `<section class="fs-card"><p class="fs-card-error">Card ${escapeHtml(card.id)} could not be drawn: ${why}</p></section>`;
  }
}

export async function cardsView(
  datastore: DatastoreOption,
  pathspec: string,
  attempt: number | undefined,
): Promise<CardsView> {
  const task = await openTask(datastore, pathspec, attempt);
  const base = `/api/card-images/${pathspec.split("/").map(encodeURIComponent).join("/")}/${task.attempt}`;
  const cards = await task.cards();
  return {
    attempt: task.attempt,
    running: task.status === "running",
    cards: cards.map((card) => ({
      id: card.id,
      title: String(card.title ?? card.id),
      final: card.final,
      updatedAt: card.updatedAt,
      html: cardHtml(card, base),
    })),
  };
}

/** The bytes of the image at `index` of card `id` of the attempt. */
export async function cardImage(
  datastore: DatastoreOption,
  pathspec: string,
  attempt: number,
  id: string,
  index: number,
): Promise<{ body: Buffer; contentType: string }> {
  const task = await openTask(datastore, pathspec, attempt);
  const card = (await task.cards()).find((c) => c.id === id);
  const component = card?.components[index] as ImageComponent | undefined;
  if (component?.type !== "image") {
    throw new FlowshipError(
      "FS_UI_NOT_FOUND",
      `No image ${index} in card '${id}' of task '${pathspec}' (attempt ${attempt}).`,
    );
  }
  return { body: Buffer.from(component.data, "base64"), contentType: component.mediaType };
}
