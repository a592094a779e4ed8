// A stand-in for a lab wiki in browser tests: another loopback origin (another port) serving
// fixed HTML pages that frame this service's embeds.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface HostServer {
  origin: string;
  /** Serves `body` inside a minimal HTML page at `path`; returns its URL. */
  page(path: string, title: string, body: string): string;
  close(): Promise<void>;
}

export async function startHostServer(): Promise<HostServer> {
  const pages = new Map<string, string>();
  const server = createServer((req, res) => {
    // Browsers ask every origin for a favicon; a 404 would count as a failed request.
    if (req.url === "/favicon.ico") return void res.writeHead(204).end();
    const html = pages.get(req.url ?? "");
    res.writeHead(html === undefined ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? "not found");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    page(path, title, body) {
      pages.set(
        path,
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
          `<style>iframe { border: 0 }</style></head>` +
          `<body style="margin:8px">${body}</body></html>`,
      );
      return `${origin}${path}`;
    },
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

/** A wiki page with a focused search box above the embedded frames. */
export function wikiPageBody(iframes: string): string {
  return [
    `<label>Search the wiki <input id="search" autofocus></label>`,
    `<div>${iframes}</div>`,
    `<script>document.getElementById("search").focus();</script>`,
  ].join("\n");
}
