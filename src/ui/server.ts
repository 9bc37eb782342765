/**
 * `flowship ui`'s server: node's own http server, no framework — a handful of read-only JSON
 * routes over the read model, the bundled front-end (built by esbuild at build time, nothing
 * fetched from a CDN) and index.html for every page path, so deep links work. Only GET and HEAD;
 * every name in a URL goes through the Client API's pathspec checks, so no path outside the
 * datastore can be reached. A request whose Host is not the server's own is refused (DNS
 * rebinding, host-check.ts), and no request can end the server: whatever a handler or Node's
 * header checks throw becomes that request's 500.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { type Duplex, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { DatastoreOption } from "../client/client-context.js";
import { FlowshipError, isFlowshipError } from "../errors.js";
import { cardImage, cardsView } from "./cards-view.js";
import { attachment } from "./content-disposition.js";
import { hostCheck } from "./host-check.js";
import { logChunk, logDownload } from "./log-view.js";
import { attemptParam, decodeParts, numberParam, streamParam } from "./query-params.js";
import { artifactDownload, flowRunsView, flowsView, runView, taskView } from "./read-model.js";
import { RunViews } from "./run-view-ahead.js";

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

/** A Map, not an object: `/assets/__proto__` or `/assets/constructor` must not find a type. */
const ASSET_TYPES = new Map([
  ["app.js", "text/javascript; charset=utf-8"],
  ["app.css", "text/css; charset=utf-8"],
]);

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

function routes(datastore: DatastoreOption, runs: RunViews): Array<[RegExp, Handler]> {
  return [
    [/^\/api\/flows$/, async () => json(await flowsView(datastore))],
    [
      /^\/api\/flows\/([^/]+)\/runs$/,
      async ([flow], query) => json(await flowRunsView(datastore, flow!, query)),
    ],
    [/^\/api\/runs\/([^/]+)\/([^/]+)$/, async ([flow, run]) => json(await runs.get(flow!, run!))],
    [
      /^\/api\/tasks\/([^/]+\/[^/]+\/[^/]+\/[^/]+)$/,
      async ([pathspec]) => json(await taskView(datastore, pathspec!)),
    ],
    [
      /^\/api\/logs\/([^/]+\/[^/]+\/[^/]+\/[^/]+)$/,
      async ([pathspec], query) => {
        const stream = streamParam(query);
        const attempt = attemptParam(query);
        const number = (name: string) => numberParam(query, name, 0, Number.MAX_SAFE_INTEGER);
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
          headers: { "content-disposition": attachment(download.fileName) },
        };
      },
    ],
    ...cardRoutes(datastore),
  ];
}

/** A task attempt's cards (drawn as HTML) and their images. */
function cardRoutes(datastore: DatastoreOption): Array<[RegExp, Handler]> {
  return [
    [
      /^\/api\/cards\/([^/]+\/[^/]+\/[^/]+\/[^/]+)$/,
      async ([pathspec], query) => {
        return json(await cardsView(datastore, pathspec!, attemptParam(query)));
      },
    ],
    [
      /^\/api\/card-images\/([^/]+\/[^/]+\/[^/]+\/[^/]+)\/(\d+)\/([^/]+)\/(\d+)$/,
      async ([pathspec, attempt, id, index]) => {
        const image = await cardImage(datastore, pathspec!, Number(attempt), id!, Number(index));
        // An SVG opened on its own is a document: this policy keeps any script in it from running.
        return {
          status: 200,
          type: image.contentType,
          body: image.body,
          headers: { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox" },
        };
      },
    ],
  ];
}

interface Site {
  table: Array<[RegExp, Handler]>;
  runs: RunViews;
  assets: string;
  ownHost: (header: string | undefined) => boolean;
}

async function respond(request: http.IncomingMessage, site: Site): Promise<Response> {
  const { table, assets } = site;
  if (request.headers.host === undefined) {
    return {
      status: 400,
      type: "text/plain; charset=utf-8",
      body: "flowship ui: this request names no Host; open the URL flowship ui printed.\n",
    };
  }
  if (!site.ownHost(request.headers.host)) {
    return {
      status: 403,
      type: "text/plain; charset=utf-8",
      body: "flowship ui answers only to its own address (the Host of this request is another); open the URL it printed.\n",
    };
  }
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
    const type = ASSET_TYPES.get(name);
    if (!type) return { status: 404, type: "text/plain", body: "not found\n" };
    return { status: 200, type, body: fs.readFileSync(path.join(assets, name)) };
  }
  if (url.pathname.startsWith("/api/")) {
    for (const [pattern, handler] of table) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      try {
        return await handler(decodeParts(match.slice(1), url.pathname), url.searchParams);
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
  site.runs.ahead(url.pathname);
  return { status: 200, type: "text/html; charset=utf-8", body: PAGE };
}

/** Answers one request; a failure anywhere is this request's 500, never the server's end. */
async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  site: Site,
): Promise<void> {
  let answer: Response;
  try {
    answer = await respond(request, site);
  } catch (error) {
    answer = json({ error: (error as Error).message }, 500);
  }
  try {
    response.writeHead(answer.status, {
      "content-type": answer.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'",
      ...answer.headers,
    });
    if (answer.body instanceof Readable) {
      // A stream (a log's download) that fails half-way ends this response, not the server.
      answer.body.on("error", () => response.destroy());
      if (request.method === "HEAD") {
        answer.body.destroy();
        response.end();
      } else answer.body.pipe(response);
      return;
    }
    response.end(request.method === "HEAD" ? undefined : answer.body);
  } catch (error) {
    // Node refuses a header value it cannot send (a bug of ours): say so, for this request only.
    if (response.headersSent) throw error;
    response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
    response.end(JSON.stringify({ error: (error as Error).message }));
  }
}

/**
 * A request Node could not read (an address or headers over its 16 KiB, a malformed line): a
 * one-line answer saying so, where Node's own has no body (a blank page in the browser).
 */
function refuseUnreadable(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLong = error.code === "HPE_HEADER_OVERFLOW";
  const body = tooLong
    ? "flowship ui: this address (with its query) and headers are over 16 KiB; shorten the query.\n"
    : "flowship ui: this request could not be read (it is not well-formed HTTP).\n";
  socket.end(
    `HTTP/1.1 ${tooLong ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Starts the server; `port` 0 picks a free one. Refuses to start when the front-end was not built. */
export async function startUiServer(options: {
  datastore: DatastoreOption;
  host: string;
  port: number;
}): Promise<UiServer> {
  const assets = assetsFolder();
  if (!fs.existsSync(path.join(assets, "app.js"))) {
    throw new FlowshipError(
      "FS_UI_NOT_BUILT",
      `The UI's front-end is not built: '${assets}/app.js' is missing. Run npm run build.`,
    );
  }
  const runs = new RunViews((flow, run) => runView(options.datastore, flow, run));
  const site: Site = { table: routes(options.datastore, runs), runs, assets, ownHost: () => false };
  // Node's own answer to a request without a Host is an empty 400; respond() gives it a line.
  const server = http.createServer({ requireHostHeader: false }, (request, response) => {
    serve(request, response, site).catch(() => response.destroy());
  });
  server.on("clientError", refuseUnreadable);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as { port: number };
  site.ownHost = hostCheck(options.host, address.port);
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
