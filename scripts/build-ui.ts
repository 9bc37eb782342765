// Bundles the UI's front-end (src/ui/app) with esbuild into dist/ui/assets: one ES module with
// Preact and dagre inside, and the stylesheet. Nothing is fetched at run time.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, "dist/ui/assets");
fs.mkdirSync(out, { recursive: true });
await build({
  entryPoints: [path.join(root, "src/ui/app/main.tsx")],
  outfile: path.join(out, "app.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
fs.copyFileSync(path.join(root, "src/ui/app/app.css"), path.join(out, "app.css"));
