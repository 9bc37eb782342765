/**
 * The cards of a task attempt on its page, read again every second while the task runs, so a
 * step's `current.card.refresh()` shows without a reload. The server draws each card (escaping
 * every piece of user text); this only places that HTML, with the cards' own stylesheet.
 */
import { useEffect, useState } from "preact/hooks";
import { CARD_CSS } from "../../card/card-css.js";
import type { CardsView } from "../views.js";
import { getJson } from "./api.js";

export function TaskCards({ pathspec, attempt, live }: { pathspec: string; attempt: number; live: boolean }) {
  const [view, setView] = useState<CardsView | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const next = await getJson<CardsView>(`/api/cards/${pathspec}?attempt=${attempt}`);
        if (stopped) return;
        setView(next);
        if (live && next.running) timer = setTimeout(read, 1000);
      } catch {
        if (!stopped && live) timer = setTimeout(read, 2000);
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [pathspec, attempt, live]);
  if (!view || view.cards.length === 0) return null;
  return (
    <section class="cards" data-attempt={view.attempt}>
      <style>{CARD_CSS}</style>
      <h2>Cards</h2>
      {view.cards.map((card) => (
        <div
          class="card-host"
          key={card.id}
          data-card={card.id}
          // The server's renderer wrote this markup and escaped all user text in it (card/render-html.ts).
          dangerouslySetInnerHTML={{ __html: card.html }}
        />
      ))}
    </section>
  );
}
