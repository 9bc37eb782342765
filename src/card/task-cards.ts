/**
 * The cards of one running task attempt, as `current.card` shows them to step code: components
 * are appended in memory, `refresh()` publishes a card while the task runs (at most once a second
 * per card; calls in between are folded into the next write), and the task executor publishes
 * every card once more, final, when the attempt ends. Publishing never fails the step: a card
 * that cannot be stored is reported on stderr and the step goes on.
 */
import { type CardRecord, checkCardId, DEFAULT_CARD_ID, MAX_CARD_BYTES } from "./card-record.js";
import { type CardComponent, componentData, storable } from "./components.js";
import { CardError } from "./errors.js";

/** Stores one card record (the executor writes it beside the task attempt). */
export type CardPublisher = (record: CardRecord) => Promise<void>;

/** Shortest time between two writes of one card while its task runs. */
export const REFRESH_INTERVAL_MS = 1000;

/** One card of the running task: `current.card`, or `current.card.get(id)`. */
export interface TaskCard {
  readonly id: string;
  readonly title: string | undefined;
  /** What was appended so far, in order. */
  readonly components: readonly CardComponent[];
  /** Adds a component; throws FS_CARD_TOO_LARGE when the card would pass its size limit. */
  append(component: CardComponent): this;
  /** Adds several components in order. */
  extend(components: readonly CardComponent[]): this;
  /** Removes every component (a live card drawn anew). */
  clear(): this;
  /** Publishes the card now, while the task runs, so the UI and `card get` show it. */
  refresh(): Promise<void>;
  /** Another card of this task, by id, made on first use: `current.card.get("metrics").append(…)`. */
  get(id: string, options?: { title?: string }): TaskCard;
}

/** Longest error line a card shows. */
const FAILURE_CHARS = 300;

/** `TypeError: the first line of the message`, shortened to fit a card's head. */
function failureLine(failure: { type: string; message: string }): string {
  const line = `${failure.type}: ${String(failure.message).split("\n")[0]}`;
  return line.length > FAILURE_CHARS ? `${line.slice(0, FAILURE_CHARS - 1)}…` : line;
}

/** How each kind of component is made smaller, for the error that refuses one too large. */
const SHRINK: Record<string, string> = {
  markdown: "less text",
  table: "fewer rows",
  image: "a smaller image",
  chart: "fewer data values",
  progress: "a shorter label",
};

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1).replace(/\.0$/, "")} MiB`;

class CardHandle implements TaskCard {
  readonly id: string;
  title: string | undefined;
  #components: CardComponent[] = [];
  #bytes = 0;
  readonly #owner: TaskCards;

  constructor(owner: TaskCards, id: string, title: string | undefined) {
    this.#owner = owner;
    this.id = id;
    this.title = title;
  }

  get components(): readonly CardComponent[] {
    return this.#components;
  }

  /** The stored size of `component`; throws when the card, already holding `held` bytes, would pass its limit. */
  #measure(component: CardComponent, held: number): number {
    const data = componentData(component);
    const bytes = Buffer.byteLength(storable(`A ${data.type} component of card '${this.id}'`, data));
    if (held + bytes > MAX_CARD_BYTES) {
      const shrink = `shrink the ${data.type} (${SHRINK[data.type] ?? "less data"})`;
      throw new CardError(
        "FS_CARD_TOO_LARGE",
        // A component over the limit by itself fits no card: moving it to another would not help.
        bytes > MAX_CARD_BYTES
          ? `A ${data.type} component of ${mib(bytes)} cannot go on card '${this.id}' ${this.#owner.where}: no card may hold more than ${mib(MAX_CARD_BYTES)}; ${shrink}.`
          : `Card '${this.id}' ${this.#owner.where} would hold ${mib(held + bytes)}, more than the ${mib(MAX_CARD_BYTES)} a card may hold; ${shrink} or put it on a card of its own with current.card.get(id).`,
      );
    }
    return bytes;
  }

  append(component: CardComponent): this {
    this.#bytes += this.#measure(component, this.#bytes);
    // The component itself is kept (not its copy), so a progress bar's update() shows on refresh.
    this.#components.push(component);
    return this;
  }

  extend(components: readonly CardComponent[]): this {
    if (!Array.isArray(components)) {
      throw new CardError(
        "FS_CARD_BAD_COMPONENT",
        `extend() takes an array of components, got ${typeof components}.`,
      );
    }
    // All are checked before any is added: a refused one leaves the card as it was.
    let held = this.#bytes;
    for (const component of components) held += this.#measure(component, held);
    this.#bytes = held;
    this.#components.push(...components);
    return this;
  }

  clear(): this {
    this.#components = [];
    this.#bytes = 0;
    return this;
  }

  refresh(): Promise<void> {
    return this.#owner.refresh(this);
  }

  get(id: string, options?: { title?: string }): TaskCard {
    return this.#owner.card(id, options?.title);
  }
}

export interface TaskCardsOptions {
  publish: CardPublisher;
  /** Where the cards are, for messages: `of step 'train'`. */
  where: string;
  /** Components the default card starts with (the `card()` decorator's summary), asked for at each publish. */
  summary?: () => CardComponent[];
  /** Title of the default card. */
  title?: string;
  /** @default REFRESH_INTERVAL_MS */
  refreshIntervalMs?: number;
  /** Says one line on the task's stderr. */
  warn?: (line: string) => void;
}

interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined;
  done: Promise<void>;
  release: () => void;
}

export class TaskCards {
  readonly where: string;
  readonly #options: TaskCardsOptions;
  readonly #cards = new Map<string, CardHandle>();
  /** Per card: when it was last written, the write under way, the refresh waiting for its turn. */
  readonly #lastWrite = new Map<string, number>();
  readonly #writing = new Map<string, Promise<void>>();
  readonly #pending = new Map<string, Pending>();
  readonly #warned = new Set<string>();
  #finished = false;
  /** Set by finish() for a failed attempt: shown on each of its final cards. */
  #failure: string | undefined;

  constructor(options: TaskCardsOptions) {
    this.#options = options;
    this.where = options.where;
    this.card(DEFAULT_CARD_ID, options.title);
  }

  /** The card `id`, made on first use; a title given later replaces the earlier one. */
  card(id: string = DEFAULT_CARD_ID, title?: string): TaskCard {
    if (title !== undefined && typeof title !== "string") {
      throw new CardError(
        "FS_CARD_BAD_COMPONENT",
        `A card's title is a string, got ${typeof title} for card ${JSON.stringify(String(id))} ${this.where}.`,
      );
    }
    let card = this.#cards.get(checkCardId(id));
    if (!card) {
      card = new CardHandle(this, id, title);
      this.#cards.set(id, card);
    } else if (title !== undefined) {
      card.title = title;
    }
    return card;
  }

  /** @internal A refresh of `card`: written now, or once a second has passed since its last write. */
  refresh(card: TaskCard): Promise<void> {
    if (this.#finished) return Promise.resolve();
    const queued = this.#pending.get(card.id);
    // A refresh already waiting writes the components as they are when it runs: this one rides along.
    if (queued) return queued.done;
    const interval = this.#options.refreshIntervalMs ?? REFRESH_INTERVAL_MS;
    const wait = Math.max(
      0,
      (this.#lastWrite.get(card.id) ?? Number.NEGATIVE_INFINITY) + interval - Date.now(),
    );
    let release = () => {};
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending: Pending = { timer: undefined, done: Promise.resolve(), release };
    if (wait > 0) {
      // Not unref'd: a step awaiting this refresh must keep its process alive; finish() clears it.
      pending.timer = setTimeout(release, wait);
    } else {
      release();
    }
    pending.done = turn.then(async () => {
      this.#pending.delete(card.id);
      if (!this.#finished) await this.#write(card as CardHandle, false);
    });
    this.#pending.set(card.id, pending);
    return pending.done;
  }

  /**
   * Publishes every card that has components, was published before or is the decorated default
   * card, final. Refreshes still waiting are dropped: this write supersedes them.
   */
  async finish(outcome: { failure?: { type: string; message: string } | undefined } = {}): Promise<void> {
    this.#finished = true;
    if (outcome.failure) this.#failure = failureLine(outcome.failure);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.release();
    }
    await Promise.all([...this.#writing.values()]);
    const cards = [...this.#cards.values()].filter(
      (card) =>
        card.components.length > 0 ||
        this.#lastWrite.has(card.id) ||
        (card.id === DEFAULT_CARD_ID && this.#options.summary !== undefined),
    );
    await Promise.all(cards.map((card) => this.#write(card, true)));
  }

  #record(card: CardHandle, final: boolean): CardRecord {
    const summary = card.id === DEFAULT_CARD_ID ? (this.#options.summary?.() ?? []) : [];
    const components = card.components.map(componentData);
    // Measured again here: a component changed after append (`c.text = …`, `bar.update(n, label)`)
    // could pass the limit append checked. Thrown, it is reported and the last stored version stays.
    const bytes = Buffer.byteLength(storable(`A component of card '${card.id}'`, components));
    if (bytes > MAX_CARD_BYTES) {
      throw new CardError(
        "FS_CARD_TOO_LARGE",
        `it holds ${mib(bytes)}, more than the ${mib(MAX_CARD_BYTES)} a card may hold (a component grew after it was appended)`,
      );
    }
    return {
      id: card.id,
      ...(card.title !== undefined ? { title: card.title } : {}),
      final,
      updatedAt: new Date().toISOString(),
      ...(final && this.#failure !== undefined ? { failure: this.#failure } : {}),
      components: [...summary, ...components],
    };
  }

  async #write(card: CardHandle, final: boolean): Promise<void> {
    const previous = this.#writing.get(card.id);
    const write = (async () => {
      // Writes of one card go in order: a slow earlier one never lands over a later one.
      await previous;
      this.#lastWrite.set(card.id, Date.now());
      try {
        await this.#options.publish(this.#record(card, final));
      } catch (error) {
        if (this.#warned.has(card.id)) return;
        this.#warned.add(card.id);
        const say = this.#options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
        say(
          `Card '${card.id}' ${this.where} could not be stored: ${String((error as Error)?.message ?? error)
            .split("\n")[0]!
            .replace(/\.?$/, ".")} The step goes on.`,
        );
      }
    })();
    this.#writing.set(card.id, write);
    await write;
    if (this.#writing.get(card.id) === write) this.#writing.delete(card.id);
  }
}
