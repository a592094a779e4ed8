// A stand-in for a lab wiki in browser tests: another loopback origin (another port) serving
// fixed HTML pages that frame this service's embeds; and the embeds' preview images, stubbed.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { packageRoot } from "../../src/config.js";

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

const STILL_IMAGE = readFileSync(path.join(packageRoot, "static", "favicon.svg"));

/**
 * Answers the preview images (/.../preview.png) of the embeds in the browser, with a fixed
 * picture, or with 404s for `missing`. Why not the service's: the preview route renders in the
 * service's own Chromium and is tested with it (test/routes/previews); in embed tests only the
 * page around the image is under test, and renders on a shared 2-core machine only slow them.
 */
export async function stubPreviewImages(
  context: BrowserContext,
  previews: "image" | "missing" = "image",
): Promise<void> {
  await context.route(/\/preview\.png(\?|$)/, (route) =>
    previews === "image"
      ? route.fulfill({ status: 200, contentType: "image/svg+xml", body: STILL_IMAGE })
      : route.fulfill({ status: 404, contentType: "text/plain", body: "no preview" }),
  );
}
