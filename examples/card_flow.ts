// Cards: a step draws a report — Markdown, a table, an image, charts and a progress bar — kept
// with its task, live while it runs, shown by `flowship ui` and `card get` (docs/cards.md).
// `run --delay 1000` makes each epoch take a second: watch the bar move on the task's page in the UI.
import { card, chart, current, flow, image, markdown, progress, table } from "flowship";

const CLASSES = ["cat", "dog", "bird"];

/** A confusion matrix as an SVG heat map: counts[actual][predicted]. */
function heatMap(counts: number[][]): string {
  const size = 60;
  const max = Math.max(...counts.flat());
  const cells = counts.flatMap((row, actual) =>
    row.map((count, predicted) => {
      const shade = Math.round(255 - (count / max) * 180);
      const [x, y] = [80 + predicted * size, 30 + actual * size];
      return `<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="rgb(${shade},${shade},255)" stroke="#fff"/><text x="${x + size / 2}" y="${y + size / 2 + 5}" text-anchor="middle" font-size="14">${count}</text>`;
    }),
  );
  const labels = CLASSES.flatMap((name, i) => [
    `<text x="${80 + i * size + size / 2}" y="22" text-anchor="middle" font-size="12">${name}</text>`,
    `<text x="72" y="${30 + i * size + size / 2 + 4}" text-anchor="end" font-size="12">${name}</text>`,
  ]);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="270" height="220" font-family="sans-serif">${cells.join("")}${labels.join("")}</svg>`;
}

export default flow("CardFlow")
  .parameter("epochs", { help: "how many epochs to train", type: "integer", default: 6 })
  .parameter("delay", {
    help: "milliseconds to wait after each epoch, so the progress bar can be seen moving in the UI",
    type: "integer",
    default: 50,
  })
  .step(
    "start",
    (self) => {
      self.learningRate = 0.05;
    },
    { next: "train" },
  )
  .step(
    "train",
    async (self) => {
      const report = current.card;
      const bar = progress(0, self.epochs, "epochs");
      report.append(
        markdown(`# Training\nA toy model, **${self.epochs} epochs** at rate \`${self.learningRate}\`.`),
      );
      report.append(bar);
      const history: { epoch: number; loss: number; accuracy: number }[] = [];
      for (let epoch = 1; epoch <= self.epochs; epoch++) {
        const loss = Number((1.2 * Math.exp(-0.45 * epoch)).toFixed(3));
        history.push({ epoch, loss, accuracy: Number((1 - loss / 1.5).toFixed(3)) });
        bar.update(epoch);
        // Publishes the card while the task runs, at most once a second, when the event loop gets
        // a turn: here while the epoch's wait below runs (a real training loop awaits its batches).
        void report.refresh();
        await new Promise((resolve) => setTimeout(resolve, self.delay));
      }
      self.history = history;
      self.confusion = [
        [42, 5, 3],
        [4, 45, 1],
        [2, 3, 45],
      ];
      report.append(markdown("## Per epoch"));
      report.append(table(history));
      report.append(
        chart({
          title: "Loss by epoch",
          mark: { type: "line", point: true },
          data: { values: history },
          encoding: {
            x: { field: "epoch", type: "quantitative" },
            y: { field: "loss", type: "quantitative" },
          },
        }),
      );
      report.append(
        chart({
          title: "Correct predictions by class",
          mark: "bar",
          data: { values: CLASSES.map((label, i) => ({ label, correct: self.confusion[i][i] })) },
          encoding: {
            // The classes in the confusion matrix's order, not sorted by name (Vega-Lite's default).
            x: { field: "label", type: "nominal", title: "class", sort: CLASSES },
            y: { field: "correct", type: "quantitative" },
          },
        }),
      );
      report.append(markdown("## Confusion matrix\nRows: actual class; columns: predicted class."));
      report.append(image(heatMap(self.confusion), { alt: "confusion matrix" }));
    },
    { next: "end", decorators: [card({ title: "Training report" })] },
  )
  .step("end", (self) => {
    console.log(`final loss: ${self.history.at(-1).loss}`);
  })
  .run();
