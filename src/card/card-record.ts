/**
 * A card as stored beside its task attempt (`<task>/<attempt>.card.<id>.json`, a checksummed
 * record like the others): its components as data, and whether the attempt had ended when it was
 * written. Readers draw it; nothing in it is markup.
 */
import type { CardComponent } from "./components.js";
import { CardError } from "./errors.js";

export interface CardRecord {
  /** `default` (what `current.card` appends to), or the id given to `current.card.get(id)`. */
  id: string;
  title?: string;
  /** True once the attempt ended; false for what `current.card.refresh()` published while it ran. */
  final: boolean;
  updatedAt: string;
  /** On the final cards of a failed attempt: the error's type and the first line of its message. */
  failure?: string;
  components: CardComponent[];
}

export const DEFAULT_CARD_ID = "default";

/** A card id is one datastore key segment: letters, digits, `_` and `-`, at most 64. */
const CARD_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

/**
 * Most bytes of components one card holds (as stored JSON): a card is read whole by the UI every
 * second while its task runs, and written whole on every refresh.
 */
export const MAX_CARD_BYTES = 2 * 1024 * 1024;

export function checkCardId(id: string): string {
  if (typeof id !== "string" || !CARD_ID.test(id)) {
    throw new CardError(
      "FS_CARD_BAD_ID",
      `Invalid card id: ${JSON.stringify(id)}. Use 1 to 64 letters, digits, '_' or '-', starting with a letter, digit or '_'.`,
    );
  }
  return id;
}

/** The card id of a stored card's key name (`3.card.metrics.json` of attempt 3), or undefined. */
export function cardIdOfKey(name: string, attempt: number): string | undefined {
  const prefix = `${attempt}.card.`;
  if (!name.startsWith(prefix) || !name.endsWith(".json")) return undefined;
  const id = name.slice(prefix.length, -".json".length);
  return CARD_ID.test(id) ? id : undefined;
}
