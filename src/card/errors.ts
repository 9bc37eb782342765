import { FlowshipError } from "../errors.js";

/**
 * A card a step could not build: a component given the wrong kind of value (FS_CARD_BAD_COMPONENT),
 * a card id that is not a plain name (FS_CARD_BAD_ID), a card over its size limit (FS_CARD_TOO_LARGE).
 */
export class CardError extends FlowshipError {}
