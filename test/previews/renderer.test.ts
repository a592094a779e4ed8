// The preview renderer in real Chromium against a real app on the fixture data: the picture
// shows the selected segments (one above 2^53) in their colours where the live viewer draws
// them, under a caption strip; a render reaches no host outside the allowed ones; the pool says
// busy at once when full; a render past its deadline fails as a timeout and the next one works.
import { once } from "node:events";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureManifest, makeFixtures } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import { connectSources } from "../../src/http/csp.js";
import type { Caption } from "../../src/previews/card.js";
import {
  CAPTION_HEIGHT,
  hideViewerControls,
  PreviewRenderer,
  RendererBusyError,
  type RendererOptions,
  RenderFailedError,
} from "../../src/previews/renderer.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  blockPoint,
  browserAvailable,
  CHROMIUM_PATH,
  checkSegmentPixels,
  colourDistance,
  crossSectionMapping,
  GAP_Y,
  launchBrowser,
  rawColourAt,
  SLICE,
  sample,
  screenshot,
  screenshotDir,
  waitForViewerReady,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { type DecodedImage, decodePng, pixelAt } from "../helpers/png.js";

const available = browserAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");

const ABOVE_2_53 = "9007199254740993";
const COLOURS = {
  [ABOVE_2_53]: "#ff0000",
  "18446744073709551615": "#00ff00",
  "12345678901234567890": "#ffff00",
};
/** The volume's centre in one xy panel, zoomed so all 64 x 64 voxels fit (about 8 px each). */
const WHOLE_SLICE = { position: [1120, 1120, 80 * (SLICE + 0.5)], zoom: 4.5, layout: "xy" };
const SIZE = { width: 1200, height: 630 };

/** A loopback listener that counts connections and bytes received, and never answers. */
async function startSilentListener(): Promise<{
  origin: string;
  connections: () => number;
  bytesReceived: () => number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let count = 0;
  let bytes = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("data", (data) => {
      bytes += data.length;
    });
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    connections: () => count,
    bytesReceived: () => bytes,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

/** Process ids of this process's children running Chromium (the browsers this file launched). */
function chromiumChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === process.pid && comm.startsWith("chrom")) pids.push(Number(entry));
  }
  return pids;
}

function savePng(name: string, png: Buffer): DecodedImage {
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(path.join(screenshotDir, `${name}.png`), png);
  return decodePng(png);
}

describe.skipIf(!available)(
  `preview renderer in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 120_000 },
  () => {
    let fixtures: FixtureServer;
    let manifest: FixtureManifest;
    /** Allowed by the app's CONNECT_SRC: accepts connections and never answers. */
    let hanging: Awaited<ReturnType<typeof startSilentListener>>;
    let served: ServedApp;
    let caption: Caption;
    const renderers: PreviewRenderer[] = [];
    const logged: { level: string; msg: string; obj: object }[] = [];

    beforeAll(async () => {
      manifest = await makeFixtures(fixtureDir);
      fixtures = await startFixtureServer(fixtureDir);
      hanging = await startSilentListener();
      served = await startServedApp({
        sourceRoots: { "e11-prism": `${fixtures.url}/` },
        connectSrc: [hanging.origin],
      });
      const dataset = served.app.presets.datasets.get("e11-prism");
      if (!dataset) throw new Error("no e11-prism preset");
      caption = {
        title: "Coloured segments <&> of PRISM",
        dataset: dataset.title,
        attribution: dataset.license.attribution,
      };
    });
    afterAll(async () => {
      for (const renderer of renderers) await renderer.close();
      await served?.close();
      await hanging?.close();
      await fixtures?.close();
    });

    /** A renderer against the served app, as the previews plugin builds it. */
    function makeRenderer(overrides: Partial<RendererOptions> = {}): PreviewRenderer {
      const { app } = served;
      const renderer = new PreviewRenderer({
        chromiumPath: CHROMIUM_PATH,
        concurrency: 1,
        queueLimit: 4,
        timeoutMs: 90_000,
        origin: () => served.url,
        allowedOrigins: () => connectSources(app.presets, app.config),
        pageHtml: (state) =>
          app.renderViewerPage({
            meta: { title: caption.title, description: "", url: served.url },
            state,
          }),
        log: {
          warn: (obj, msg) => logged.push({ level: "warn", msg, obj }),
          info: (obj, msg) => logged.push({ level: "info", msg, obj }),
        },
        ...overrides,
      });
      renderers.push(renderer);
      return renderer;
    }

    /** The state (and its viewer URL) the service builds for the coloured-segments view. */
    async function colouredState(): Promise<{ state: Record<string, unknown>; url: string }> {
      const built = await request(served.app.server)
        .post("/api/states")
        .send({
          dataset: "e11-prism",
          view: "overview",
          segments: Object.keys(COLOURS),
          segmentColors: COLOURS,
          ...WHOLE_SLICE,
        })
        .expect(200);
      return { state: built.body.state, url: built.body.url };
    }

    /** How many pixels of the image are within `tolerance` of a colour. */
    function countColour(
      image: DecodedImage,
      colour: ReturnType<typeof rawColourAt>,
      rows: number,
    ) {
      let count = 0;
      for (let y = 0; y < rows; y++)
        for (let x = 0; x < image.width; x++)
          if (colourDistance(pixelAt(image, x, y), colour) <= 8) count++;
      return count;
    }

    let shared: PreviewRenderer;

    it("draws the selected segments (one above 2^53) in their colours where the live viewer does, above a caption strip", async () => {
      shared = makeRenderer();
      const { state, url } = await colouredState();
      const png = await shared.render({ state, ...SIZE, caption });
      const preview = savePng("preview-coloured-segments", png);
      expect([preview.width, preview.height]).toEqual([SIZE.width, SIZE.height]);

      // The live viewer for the same state, in a page as large as the preview's viewer area,
      // with the same controls hidden: its panel maps voxels to the preview's pixels too.
      const browser = await launchBrowser();
      try {
        const context = await browser.newContext({
          viewport: { width: SIZE.width, height: SIZE.height - CAPTION_HEIGHT },
        });
        const page = await context.newPage();
        await page.goto(url);
        await hideViewerControls(page);
        await waitForViewerReady(page, { minLayers: 2 });
        const live = await screenshot(page, "preview-coloured-segments-live");
        const { at } = await crossSectionMapping(page, manifest.resolution);
        const selected = Object.keys(COLOURS);
        // The live viewer draws what the fixture says (so the comparison means something) ...
        expect(
          checkSegmentPixels({ image: live, at, manifest, selected, colours: COLOURS }),
        ).toEqual([]);
        // ... and the preview draws the same at the same places.
        expect(
          checkSegmentPixels({ image: preview, at, manifest, selected, colours: COLOURS }),
        ).toEqual([]);
        for (const segment of manifest.segments) {
          const point = at(blockPoint(manifest, segment.id));
          expect(colourDistance(sample(preview, point), sample(live, point))).toBeLessThanOrEqual(
            12,
          );
        }
      } finally {
        await browser.close();
      }

      // The caption strip: its own dark background across the bottom, with light text on it.
      const stripTop = SIZE.height - CAPTION_HEIGHT;
      const stripBackground = { r: 0x14, g: 0x18, b: 0x1f };
      let background = 0;
      let text = 0;
      for (let y = stripTop + 3; y < SIZE.height; y++)
        for (let x = 0; x < SIZE.width; x++) {
          const pixel = pixelAt(preview, x, y);
          if (colourDistance(pixel, stripBackground) <= 4) background++;
          else if (pixel.r > 150 && pixel.g > 150 && pixel.b > 150) text++;
        }
      expect(background).toBeGreaterThan(SIZE.width * 20);
      expect(text).toBeGreaterThan(200);
      // The data area is not the strip's colour: the viewer fills all above it.
      const gap = rawColourAt(manifest, { x: 21, y: GAP_Y });
      expect(countColour(preview, gap, stripTop)).toBeGreaterThan(1000);
    });

    it("reaches no host outside the allowed ones, while allowed sources still render", async () => {
      const forbidden = await startSilentListener();
      try {
        const renderer = shared ?? makeRenderer();
        const { state } = await colouredState();
        const layers = state.layers as Record<string, unknown>[];
        const forged = {
          ...state,
          layers: [
            ...layers,
            {
              type: "segmentation",
              name: "forged",
              source: `precomputed://${forbidden.origin}/seg`,
            },
            {
              type: "image",
              name: "forged-zarr",
              source: `zarr://${forbidden.origin.replace("127.0.0.1", "localhost")}/img.zarr`,
            },
          ],
        };
        const png = await renderer.render({ state: forged, ...SIZE, caption });
        const preview = savePng("preview-forged-sources", png);
        const gap = rawColourAt(manifest, { x: 21, y: GAP_Y });
        expect(countColour(preview, gap, SIZE.height - CAPTION_HEIGHT)).toBeGreaterThan(1000);

        expect(forbidden.connections()).toBe(0);
      } finally {
        await forbidden.close();
      }
    });

    it("aborts a navigation away from the render page before any request reaches its host", async () => {
      // The page's CSP already refuses the viewer's fetches to other hosts; navigations are
      // what CSP does not govern, so this exercises the renderer's own filter: a page that
      // refreshes itself to a host outside the allowed ones.
      const forbidden = await startSilentListener();
      try {
        const refreshing = makeRenderer({
          pageHtml: (s) =>
            served.app
              .renderViewerPage({
                meta: { title: "x", description: "", url: served.url },
                state: s,
              })
              .replace(
                "<head>",
                `<head><meta http-equiv="refresh" content="0;url=${forbidden.origin}/refresh">`,
              ),
        });
        await refreshing.render({ state: {}, width: 320, height: 200, caption }).catch(() => {});
        expect(
          logged.some(
            (l) =>
              l.msg.includes("blocked") && JSON.stringify(l.obj).includes(`${forbidden.origin}/`),
          ),
        ).toBe(true);
        // Chromium's loading predictor may open a bare TCP connection to a navigation's host
        // as the navigation starts, before any interception; no request may follow on it.
        expect(forbidden.bytesReceived()).toBe(0);
      } finally {
        await forbidden.close();
      }
    });

    it("answers RendererBusyError at once when every slot and queue place is taken", async () => {
      const renderer = makeRenderer({ concurrency: 1, queueLimit: 1 });
      const job = { state: {}, width: 320, height: 200, caption };
      expect(renderer.canStartNow()).toBe(true);
      const first = renderer.render(job);
      expect(renderer.canStartNow()).toBe(false);
      const second = renderer.render(job);
      expect([renderer.running, renderer.queued]).toEqual([1, 1]);
      await expect(renderer.render(job)).rejects.toBeInstanceOf(RendererBusyError);
      const pictures = await Promise.all([first, second]);
      for (const png of pictures) {
        const image = decodePng(png);
        expect([image.width, image.height]).toEqual([320, 200]);
      }
      expect([renderer.running, renderer.queued]).toEqual([0, 0]);
      expect(renderer.canStartNow()).toBe(true);

      const strict = makeRenderer({ concurrency: 1, queueLimit: 0 });
      const running = strict.render(job);
      await expect(strict.render(job)).rejects.toBeInstanceOf(RendererBusyError);
      await running;
    });

    it("starts Chromium again when it died between renders", async () => {
      const job = { state: {}, width: 320, height: 200, caption };
      const before = new Set(chromiumChildren());
      const renderer = makeRenderer();
      await renderer.render(job);
      const started = chromiumChildren().filter((pid) => !before.has(pid));
      expect(started).toHaveLength(1);
      for (const pid of started) process.kill(pid, "SIGKILL");
      const png = await renderer.render(job);
      expect(decodePng(png).width).toBe(320);
      const relaunched = chromiumChildren().filter((pid) => !before.has(pid));
      expect(relaunched).toHaveLength(1);
      expect(relaunched).not.toEqual(started);
    });

    it("fails a render whose data never arrives as a timeout, and renders the next one", {
      timeout: 240_000,
    }, async () => {
      // A bound that any render that can finish meets on a busy machine, so that only the
      // stuck one reaches it; the renders before and after it must not.
      const renderer = makeRenderer({ timeoutMs: 45_000 });
      await renderer.render({ state: {}, width: 400, height: 300, caption });
      const stuck = {
        layers: [{ type: "image", name: "stuck", source: `precomputed://${hanging.origin}/never` }],
      };
      const failure = await renderer
        .render({ state: stuck, width: 400, height: 300, caption })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RenderFailedError);
      expect((failure as RenderFailedError).reason).toBe("timeout");
      expect(hanging.connections()).toBeGreaterThan(0);
      expect([renderer.running, renderer.queued]).toEqual([0, 0]);

      const png = await renderer.render({ state: {}, width: 400, height: 300, caption });
      expect(decodePng(png).width).toBe(400);
    });
  },
);
