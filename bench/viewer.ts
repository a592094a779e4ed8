// Benchmark (issue 4, section 5): in Chromium, the time from navigation to the first frame that
// shows data for a view link, and the bytes a first visit (empty cache) and a repeat visit (same
// browser profile, new tab) transfer, split into viewer assets, data and page/API.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { makeFixtures } from "../scripts/make-fixtures.js";
import { packageRoot } from "../src/config.js";
import { startServedApp } from "../test/helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  checkSegmentPixels,
  crossSectionMapping,
  launchBrowser,
  SLICE,
  screenshot,
} from "../test/helpers/browser.js";
import { startFixtureServer } from "../test/helpers/fixture-server.js";
import type { BenchSection } from "./run.js";

const RUNS = 5;
/** One of each kind of awkward ID, at 10 pixels per voxel in one xy panel. */
const SEGMENTS = ["9007199254740993", "18446744073709551615", "42"];
const VIEW_PATH = `/v/e11-prism/overview?${new URLSearchParams({
  segments: SEGMENTS.join(","),
  position: `1120,1120,${80 * (SLICE + 0.5)}`,
  zoom: "3.5",
  layout: "xy",
})}`;
/** A visit's downloads are over once nothing was transferred for this long after the render. */
const QUIET_MS = 500;
const TIMEOUT_MS = 30_000;
/** "Near zero": a repeat visit may only revalidate the few assets without a content hash. */
const REPEAT_ASSET_TARGET = 0.02;

type Category = "assets" | "data" | "page";

/** One response of a visit. */
interface Transfer {
  category: Category;
  /** Without the query string. */
  path: string;
  status: number;
  /** Headers and body as they went over the wire (0 when served from the browser's cache). */
  bytes: number;
  encoding: string | null;
}

/** Milliseconds from navigation start, as the page measured them. */
interface Timing {
  htmlReceived: number;
  domContentLoaded: number;
  viewerReady: number;
  firstDataFrame: number;
}

interface Visit {
  timing: Timing;
  transfers: Transfer[];
}

/** Collects the responses of one visit, from the app's socket and from the browser. */
class TransferLog {
  private entries: Transfer[] = [];
  private lastActivity = 0;

  add(entry: Transfer): void {
    this.entries.push(entry);
    this.lastActivity = performance.now();
  }

  /** Returns what was collected since the last call and starts a new list. */
  take(): Transfer[] {
    const taken = this.entries;
    this.entries = [];
    return taken;
  }

  /** Resolves once nothing was transferred for QUIET_MS. */
  async quiet(): Promise<void> {
    const giveUpAt = performance.now() + TIMEOUT_MS;
    while (performance.now() - this.lastActivity < QUIET_MS && performance.now() < giveUpAt)
      await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * Meters the app on its own socket: the bytes written per response, headers included. The
 * browser's figures miss module-worker scripts (Chromium fetches those outside the page).
 */
function meterAppServer(server: Server, log: TransferLog): void {
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    const before = req.socket.bytesWritten;
    res.once("finish", () => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      const encoding = res.getHeader("content-encoding");
      log.add({
        category: /^\/(viewer|static)\//.test(path) ? "assets" : "page",
        path,
        status: res.statusCode,
        bytes: req.socket.bytesWritten - before,
        encoding: typeof encoding === "string" ? encoding : null,
      });
    });
  });
}

/**
 * Meters the data as the browser reports it (headers plus encoded body): the chunk worker's
 * fetches are plain requests, which Playwright sees with their sizes.
 */
function meterData(page: Page, dataOrigin: string, log: TransferLog): void {
  page.on("requestfinished", (request) => {
    if (!request.url().startsWith(`${dataOrigin}/`)) return;
    void Promise.all([request.sizes(), request.response()]).then(([sizes, response]) => {
      log.add({
        category: "data",
        path: new URL(request.url()).pathname,
        status: response?.status() ?? 0,
        bytes: Math.max(0, sizes.responseHeadersSize + sizes.responseBodySize),
        encoding: response?.headers()["content-encoding"] ?? null,
      });
    });
  });
}

/**
 * Installed in every page: notes when Neuroglancer is first ready, and two frames later. A string,
 * not a function: tsx would wrap named inner functions in a helper the page does not have.
 */
const FIRST_RENDER_PROBE = `(() => {
  const probe = {};
  window.nglaunchBench = probe;
  function tick() {
    const viewer = window.viewer;
    if (viewer && viewer.layerManager.managedLayers.length > 0 && viewer.isReady()) {
      probe.readyAt = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => { probe.drawnAt = performance.now(); }));
    } else {
      requestAnimationFrame(tick);
    }
  }
  requestAnimationFrame(tick);
})();`;

async function readTiming(page: Page): Promise<Timing> {
  const giveUpAt = Date.now() + TIMEOUT_MS;
  for (;;) {
    const timing = await page.evaluate(() => {
      const probe = (
        window as unknown as { nglaunchBench?: { readyAt?: number; drawnAt?: number } }
      ).nglaunchBench;
      const [navigation] = performance.getEntriesByType(
        "navigation",
      ) as PerformanceNavigationTiming[];
      if (probe?.readyAt === undefined || probe.drawnAt === undefined || !navigation) return null;
      return {
        htmlReceived: navigation.responseEnd,
        domContentLoaded: navigation.domContentLoadedEventEnd,
        viewerReady: probe.readyAt,
        firstDataFrame: probe.drawnAt,
      };
    });
    if (timing) return timing;
    if (Date.now() > giveUpAt) throw new Error(`no rendered frame within ${TIMEOUT_MS} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${Math.round(value)}`;

export async function run(): Promise<BenchSection> {
  const title = "Viewer: time to first rendered data, bytes per visit (issue 4)";
  if (!browserAvailable())
    return {
      title,
      method: [],
      tables: [],
      targets: [],
      notes: [`skipped: ${BROWSER_MISSING_REASON}`],
      data: { skipped: BROWSER_MISSING_REASON },
    };

  const fixtureDir = path.join(packageRoot, "test-output", "fixtures");
  const manifest = await makeFixtures(fixtureDir);
  const fixtures = await startFixtureServer(fixtureDir);
  const served = await startServedApp({ sourceRoots: { "e11-prism": `${fixtures.url}/` } });
  const log = new TransferLog();
  meterAppServer(served.app.server, log);
  const browser = await launchBrowser();
  const visits: { first: Visit; repeat: Visit }[] = [];

  /** Opens the view link in a new tab of `context`, checks the pixels, returns the figures. */
  async function visit(context: BrowserContext, shot: string): Promise<Visit> {
    const page = await context.newPage();
    meterData(page, fixtures.url, log);
    await log.quiet();
    log.take();
    await page.goto(`${served.url}${VIEW_PATH}`);
    const timing = await readTiming(page);
    await log.quiet();
    const transfers = log.take();
    const image = await screenshot(page, shot);
    const { at } = await crossSectionMapping(page, manifest.resolution);
    const wrong = checkSegmentPixels({ image, at, manifest, selected: SEGMENTS });
    if (wrong.length > 0) throw new Error(`the rendered frame is wrong:\n${wrong.join("\n")}`);
    await page.close();
    return { timing, transfers };
  }

  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
      await context.addInitScript({ content: FIRST_RENDER_PROBE });
      try {
        const first = await visit(context, "bench-viewer-first-visit");
        const repeat = await visit(context, "bench-viewer-repeat-visit");
        visits.push({ first, repeat });
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await served.close();
    await fixtures.close();
  }
  if (fixtures.stats.failures.length > 0)
    throw new Error(`failed data requests: ${JSON.stringify(fixtures.stats.failures)}`);

  type Kind = "first" | "repeat";
  const kinds = ["first", "repeat"] as const;
  const label = { first: "first visit (empty cache)", repeat: "repeat visit (same profile)" };
  const timing = (kind: Kind, key: keyof Timing) => visits.map((v) => v[kind].timing[key]);
  const of = (visit: Visit, category?: Category) =>
    visit.transfers.filter((t) => category === undefined || t.category === category);
  const sum = (transfers: Transfer[]) => transfers.reduce((n, t) => n + t.bytes, 0);
  const bytes = (kind: Kind, category?: Category) =>
    median(visits.map((v) => sum(of(v[kind], category))));
  const requests = (kind: Kind, category: Category) =>
    median(visits.map((v) => of(v[kind], category).length));
  const timeCell = (values: number[]) =>
    `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})`;
  const bytesCell = (kind: Kind, category: Category) =>
    `${kb(bytes(kind, category))} (${requests(kind, category)})`;
  const described = (transfers: Transfer[]) =>
    transfers.map((t) => `${t.path} ${t.status} ${t.bytes} B`).join(", ") || "none";

  const firstAssets = bytes("first", "assets");
  const repeatAssets = bytes("repeat", "assets");
  const sampleRun = visits[0];
  const encodings = [
    ...new Set(sampleRun ? of(sampleRun.first, "assets").map((t) => t.encoding ?? "none") : []),
  ];
  return {
    title,
    method: [
      `view link ${VIEW_PATH} on the synthetic fixture volume (scripts/make-fixtures.ts)`,
      "served from loopback by this app (PUBLIC_URL = its own origin) and the fixture server",
      `Chromium (Debian, headless, software WebGL), 1000×1000 viewport; ${RUNS} runs, each in a fresh browser context (empty cache)`,
      "repeat visit: the same link in a new tab of the same context (a new navigation, not a reload)",
      "times on the page's own clock from navigation start: HTML received (responseEnd), DOMContentLoaded, viewer.isReady() first true (polled every animation frame), and two frames later: the first frame with the data on screen",
      "every visit's screenshot is checked: the selected segments drawn, the others not",
      `bytes: the app's responses counted on its socket, headers included; the data as the browser reports it (headers + encoded body); a visit ends ${QUIET_MS} ms after the last transfer that follows the first data frame; medians over the runs`,
    ],
    tables: [
      {
        caption: "Milliseconds from navigation start, median (min–max)",
        columns: ["visit", "HTML received", "DOMContentLoaded", "viewer ready", "first data frame"],
        rows: kinds.map((kind) => [
          label[kind],
          timeCell(timing(kind, "htmlReceived")),
          timeCell(timing(kind, "domContentLoaded")),
          timeCell(timing(kind, "viewerReady")),
          `**${timeCell(timing(kind, "firstDataFrame"))}**`,
        ]),
      },
      {
        caption: "Bytes transferred per visit, median (requests)",
        columns: [
          "visit",
          "viewer assets (/viewer/, /static/)",
          "data (fixture)",
          "page + API",
          "total",
        ],
        rows: kinds.map((kind) => [
          label[kind],
          bytesCell(kind, "assets"),
          bytesCell(kind, "data"),
          bytesCell(kind, "page"),
          `**${kb(bytes(kind))}**`,
        ]),
      },
    ],
    targets: [
      {
        what: "repeat-visit viewer asset bytes (immutable caching)",
        value: `${kb(repeatAssets)} = ${((repeatAssets / firstAssets) * 100).toFixed(1)}% of the first visit's ${kb(firstAssets)}`,
        target: `≤ ${REPEAT_ASSET_TARGET * 100}% of the first visit's`,
        met: repeatAssets <= REPEAT_ASSET_TARGET * firstAssets,
      },
    ],
    notes: [
      "WebGL runs in software (SwiftShader) here: a GPU draws faster; a real network adds latency.",
      `Viewer assets of run 1's repeat visit that reached the server: ${described(sampleRun ? of(sampleRun.repeat, "assets") : [])}. Only the files without a content hash (boot.js, boot.css, favicon.svg) should be there, as 304 revalidations; the hashed bundle, workers and CSS come from the cache.`,
      `Content-Encoding of the first visit's assets: ${encodings.join(", ")}.`,
      "The page is never cached (its HTML names the current build's assets), so it is sent again; the fixture server sends no cache headers, so the data is too (S3 answers with ETag/Last-Modified, which allow revalidation).",
    ],
    data: { viewPath: VIEW_PATH, runs: visits },
  };
}
