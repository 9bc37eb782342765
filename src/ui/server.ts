/**
 * `flowship ui`'s server: node's own http server, no framework — a handful of read-only JSON
 * routes over the read model, the bundled front-end (built by esbuild at build time, nothing
 * fetched from a CDN) and index.html for every page path, so deep links work. Only GET and HEAD;
 * every name in a URL goes through the Client API's pathspec checks, so no path outside the
 * datastore can be reached.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { DatastoreOption } from "../client/client-context.js";
import { isFlowshipError } from "../errors.js";
import { logChunk, logDownload } from "./log-view.js";
import { artifactDownload, flowRunsView, flowsView, runView, taskView } from "./read-model.js";

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

/** Where the built front-end is: beside this module in dist/, or dist/ when run from the sources. */
function assetsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, "assets");
  return fs.existsSync(path.join(beside, "app.js")) ? beside : path.join(here, "../../dist/ui/assets");
}

const ASSET_TYPES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>flowship</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;

type Handler = (parts: string[], query: URLSearchParams) => Promise<Response>;

interface Response {
  status: number;
  type: string;
  body: string | Uint8Array | Readable;
  headers?: Record<string, string>;
}

const json = (value: unknown, status = 200): Response => ({
  status,
  type: "application/json; charset=utf-8",
  body: JSON.stringify(value),
});

function routes(datastore: DatastoreOption): Array<[RegExp, Handler]> {
  return [
    [/^\/api\/flows$/, async () => json(await flowsView(datastore))],
    [
      /^\/api\/flows\/([^/]+)\/runs$/,
      async ([flow], query) => json(await flowRunsView(datastore, flow!, query)),
    ],
    [/^\/api\/runs\/([^/]+)\/([^/]+)$/, async ([flow, run]) => json(await runView(datastore, flow!, run!))],
    [
      /^\/api\/tasks\/([^/]+\/[^/]+\/[^/]+\/[^/]+)$/,
      async ([pathspec]) => json(await taskView(datastore, pathspec!)),
    ],
    [
      /^\/api\/logs\/([^/]+\/[^/]+\/[^/]+\/[^/]+)$/,
      async ([pathspec], query) => {
        const stream = query.get("stream") === "stderr" ? "stderr" : "stdout";
        const attempt = query.has("attempt") ? Number(query.get("attempt")) : undefined;
        const number = (name: string) => Math.max(0, Number(query.get(name) ?? 0) || 0);
        if (query.has("download")) {
          const download = await logDownload(datastore, pathspec!, stream, attempt);
          return {
            status: 200,
            type: "text/plain; charset=utf-8",
            body: download.body,
            headers: { "content-disposition": `attachment; filename="${download.fileName}"` },
          };
        }
        // Without an offset: the log's tail (the page opening); with one: what came after it.
        const offset = query.has("offset") ? number("offset") : undefined;
        const chunk = await logChunk({
          datastore,
          pathspec: pathspec!,
          stream,
          attempt,
          offset,
          timesOffset: number("times"),
        });
        return json(chunk);
      },
    ],
    [
      /^\/api\/artifacts\/([^/]+\/[^/]+\/[^/]+\/[^/]+)\/([^/]+)$/,
      async ([pathspec, name]) => {
        const download = await artifactDownload(datastore, pathspec!, name!);
        return {
          status: 200,
          type: download.contentType,
          body: download.body,
          headers: { "content-disposition": `attachment; filename="${download.fileName}"` },
        };
      },
    ],
  ];
}

async function respond(
  request: http.IncomingMessage,
  table: Array<[RegExp, Handler]>,
  assets: string,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return {
      status: 405,
      type: "text/plain",
      body: "flowship ui is read-only\n",
      headers: { allow: "GET, HEAD" },
    };
  }
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname.startsWith("/assets/")) {
    const name = url.pathname.slice("/assets/".length);
    const type = ASSET_TYPES[name];
    if (!type) return { status: 404, type: "text/plain", body: "not found\n" };
    return { status: 200, type, body: fs.readFileSync(path.join(assets, name)) };
  }
  if (url.pathname.startsWith("/api/")) {
    for (const [pattern, handler] of table) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      try {
        return await handler(match.slice(1).map(decodeURIComponent), url.searchParams);
      } catch (error) {
        // The Client API's errors are one-line answers (not found, an invalid pathspec).
        if (isFlowshipError(error))
          return json(
            { error: error.message, code: error.code },
            error.code === "FS_UI_BAD_QUERY" ? 400 : 404,
          );
        throw error;
      }
    }
    return json({ error: `No such API: ${url.pathname}` }, 404);
  }
  return { status: 200, type: "text/html; charset=utf-8", body: PAGE };
}

/** Starts the server; `port` 0 picks a free one. Refuses to start when the front-end was not built. */
export async function startUiServer(options: {
  datastore: DatastoreOption;
  host: string;
  port: number;
}): Promise<UiServer> {
  const assets = assetsFolder();
  if (!fs.existsSync(path.join(assets, "app.js"))) {
    throw new Error(`The UI's front-end is not built (${assets}/app.js is missing); run npm run build.`);
  }
  const table = routes(options.datastore);
  const server = http.createServer((request, response) => {
    respond(request, table, assets)
      .catch((error: unknown) => json({ error: (error as Error).message }, 500))
      .then((answer) => {
        response.writeHead(answer.status, {
          "content-type": answer.type,
          "cache-control": "no-store",
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'",
          ...answer.headers,
        });
        if (answer.body instanceof Readable) {
          if (request.method === "HEAD") answer.body.destroy();
          else answer.body.pipe(response);
          return;
        }
        response.end(request.method === "HEAD" ? undefined : answer.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as { port: number };
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
