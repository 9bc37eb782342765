/**
 * `flowship ui [--port 8321] [--host 127.0.0.1] [--datastore-root DIR | s3://…] [--open]`: the
 * browser UI over a datastore, served until Ctrl-C. Loopback only unless --host says otherwise.
 */
import fs from "node:fs";
import { Command } from "commander";
import { FlowshipError, UsageError } from "../../errors.js";
import { openForUser } from "../opener.js";
import { datastoreFromFlags } from "../options.js";
import { parseStandalone } from "../standalone-command.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

interface UiFlags {
  port: string;
  host: string;
  datastore?: string;
  datastoreRoot?: string;
  open: boolean;
}

function program(): Command {
  return new Command("flowship ui")
    .description(
      "browse flows, runs, their graphs, timelines, logs and artifacts in a browser (read-only, no service or database)",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", "8321")
    .option(
      "--host <host>",
      "address to listen on; anything but loopback lets others read every run",
      "127.0.0.1",
    )
    .option("--datastore <kind>", "where runs are stored: local or s3 (env FLOWSHIP_DATASTORE)")
    .option(
      "--datastore-root <root>",
      "folder of the local datastore (env FLOWSHIP_DATASTORE_ROOT), or s3://bucket/prefix (env FLOWSHIP_S3_ROOT)",
    )
    .option("--open", "open the UI in the browser (FLOWSHIP_OPEN_COMMAND, else the platform's opener)", false)
    .helpOption("-h, --help", "print this help");
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`Invalid --port '${text}': give a whole number from 0 to 65535.`);
  }
  return port;
}

/** Opens the UI for the user; an opener that fails says so, and the server goes on. */
function openBrowser(url: string): void {
  void openForUser(url).then((failed) => {
    if (failed !== undefined) process.stderr.write(`Could not open a browser: ${failed}.\n`);
  });
}

/** Entry of `flowship ui …`; serves until SIGINT or SIGTERM and returns the exit code. */
export async function runUi(argv: string[]): Promise<number> {
  const command = program();
  if (!parseStandalone([command], argv, "flowship ui")) return 0;
  const flags = command.opts<UiFlags>();
  const port = parsePort(flags.port);
  const datastore = datastoreFromFlags(flags);
  const { startUiServer } = await import("../../ui/server.js");
  let server: Awaited<ReturnType<typeof startUiServer>>;
  try {
    server = await startUiServer({ datastore, host: flags.host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new FlowshipError(
        "FS_UI_PORT_IN_USE",
        `Port ${port} is already in use on ${flags.host}; choose another with --port.`,
      );
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
      throw new FlowshipError(
        "FS_UI_LISTEN",
        `Cannot listen on ${flags.host}:${port} (${code}); check --host and --port.`,
      );
    }
    throw error;
  }
  process.stderr.write(
    `flowship ui: ${server.url}/ (datastore ${datastore.root}, read-only); Ctrl-C stops it.\n`,
  );
  if (datastore.kind === "local" && !fs.existsSync(datastore.root)) {
    process.stderr.write(
      `There is no datastore at ${datastore.root} yet: runs appear once a flow has run there (or give --datastore-root).\n`,
    );
  }
  if (!LOOPBACK.has(flags.host)) {
    process.stderr.write(
      `Listening on ${flags.host}: anyone who can reach this address can read every run, log and artifact of the datastore.\n`,
    );
  }
  if (flags.open) openBrowser(`${server.url}/`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  return 0;
}
