// Serves a fixture folder on loopback the way a public precomputed bucket would (CORS, byte
// ranges, plain 404s), and records every failed request so browser tests can assert that none
// happened. A CORS policy per path lets tests play a bucket that refuses some origins.
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve, sep } from "node:path";

export interface FailedRequest {
  method: string;
  path: string;
  status: number;
}

export interface FixtureServerStats {
  /** Every request received, preflights included. */
  requests: number;
  /** Responses with status >= 400, in arrival order. */
  failures: FailedRequest[];
}

export interface FixtureServerOptions {
  /**
   * The Access-Control-Allow-Origin answered for a request path and Origin; undefined sends no
   * header (a bucket without a CORS rule). Default: "*" everywhere.
   */
  allowOrigin?: (path: string, origin: string | undefined) => string | undefined;
}

export interface FixtureServer {
  url: string;
  stats: FixtureServerStats;
  close(): Promise<void>;
}

const CORS_HEADERS = {
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "*",
};

/** [start, end] (inclusive) of a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range, or null. */
function parseRange(header: string, size: number): [number, number] | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const [, from = "", to = ""] = match;
  if (from === "") return [Math.max(0, size - Number(to)), size - 1];
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  return start <= end ? [start, end] : null;
}

/** Resolves a URL path inside root, or undefined for anything that could escape it. */
function resolveInside(root: string, rawUrl: string): string | undefined {
  const rawPath = rawUrl.split("?")[0] ?? "";
  let segments: string[];
  try {
    // Decoding before splitting catches `..%2F..` as well as plain `../`.
    segments = decodeURIComponent(rawPath).split("/").filter(Boolean);
  } catch {
    return undefined;
  }
  if (segments.some((s) => s === "." || s === ".." || s.includes("\\") || s.includes("\0"))) {
    return undefined;
  }
  const path = join(root, ...segments);
  return path.startsWith(root + sep) ? path : undefined;
}

function contentType(path: string): string {
  return path.endsWith("/info") || path.endsWith(".json")
    ? "application/json"
    : "application/octet-stream";
}

async function readServedFile(path: string | undefined): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return (await stat(path)).isFile() ? await readFile(path) : undefined;
  } catch {
    return undefined;
  }
}

export async function startFixtureServer(
  dir: string,
  options: FixtureServerOptions = {},
): Promise<FixtureServer> {
  const allowOrigin = options.allowOrigin ?? (() => "*");
  const root = resolve(dir);
  const stats: FixtureServerStats = { requests: 0, failures: [] };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const allowed = allowOrigin(req.url ?? "/", req.headers.origin);
    const cors =
      allowed === undefined ? {} : { ...CORS_HEADERS, "access-control-allow-origin": allowed };
    const respond = (status: number, headers: Record<string, string | number>, body?: Buffer) => {
      if (status >= 400) stats.failures.push({ method, path: req.url ?? "", status });
      res.writeHead(status, { ...cors, ...headers });
      res.end(method === "HEAD" ? undefined : body);
    };
    if (method === "OPTIONS") return respond(204, {});
    if (method !== "GET" && method !== "HEAD") return respond(405, { allow: "GET, HEAD, OPTIONS" });
    const path = resolveInside(root, req.url ?? "/");
    const body = await readServedFile(path);
    if (path === undefined || body === undefined) {
      // A plain 404 is what Neuroglancer's HTTP store reads as "this optional file is absent".
      return respond(404, { "content-type": "text/plain" }, Buffer.from("not found\n"));
    }
    const range = req.headers.range;
    if (range !== undefined) {
      const span = parseRange(range, body.length);
      if (span === null) return respond(416, { "content-range": `bytes */${body.length}` });
      const [start, end] = span;
      return respond(
        206,
        {
          "content-type": contentType(path),
          "content-length": end - start + 1,
          "content-range": `bytes ${start}-${end}/${body.length}`,
        },
        body.subarray(start, end + 1),
      );
    }
    respond(200, { "content-type": contentType(path), "content-length": body.length }, body);
  }

  const server = createServer((req, res) => {
    stats.requests++;
    handle(req, res).catch(() => {
      stats.failures.push({ method: req.method ?? "GET", path: req.url ?? "", status: 500 });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}
