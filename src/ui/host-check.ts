/**
 * Which Host headers the UI answers. The server listens on loopback, but a web page the user
 * opens elsewhere can point a name of its own at 127.0.0.1 (DNS rebinding) and then read the
 * UI's JSON as same-origin. The browser still sends that name as the Host, so the server answers
 * only names that are its own: `localhost`, the address or name it was bound to, and IP
 * literals (an IP cannot be rebound) — always with its own port. When it listens on every
 * interface (0.0.0.0, ::), the machine's host name is its own too.
 */
import net from "node:net";
import os from "node:os";

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/** `name` and `port` of a Host header (`localhost:8321`, `[::1]:8321`, `example.com`). */
function splitHost(header: string): { name: string; port: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), port: match[2] === undefined ? 80 : Number(match[2]) };
}

function isIpLiteral(name: string): boolean {
  return name.startsWith("[") ? net.isIPv6(name.slice(1, -1)) : net.isIPv4(name);
}

/** A check of Host headers for a server bound to `boundHost` and listening on `port`. */
export function hostCheck(boundHost: string, port: number): (header: string | undefined) => boolean {
  const bound = boundHost.toLowerCase();
  const own = new Set(["localhost", bound.includes(":") && !bound.startsWith("[") ? `[${bound}]` : bound]);
  if (WILDCARDS.has(bound)) own.add(os.hostname().toLowerCase());
  return (header) => {
    const host = header === undefined ? undefined : splitHost(header);
    if (!host || host.port !== port) return false;
    return own.has(host.name) || isIpLiteral(host.name);
  };
}
