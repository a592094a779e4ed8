// The viewer in a real browser (issue 4): view links and short links open the self-hosted
// Neuroglancer on the fixture data, and the pixels show the image layer, the selected segments in
// their colours and no unselected one, with no console error and no failed request.
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FixtureManifest, makeFixtures } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  blockPoint,
  browserAvailable,
  checkSegmentPixels,
  colourDistance,
  crossSectionMapping,
  GAP_Y,
  launchBrowser,
  listProblems,
  type PageProblems,
  rawColourAt,
  SLICE,
  STRIPES,
  sample,
  screenshot,
  viewerState,
  waitForViewerReady,
  watchPage,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";

const available = browserAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");

/** 2^53 + 1 and its rounding neighbour: a JS number would turn the first into the second. */
const ABOVE_2_53 = "9007199254740993";
const ROUNDED = "9007199254740992";
/** The volume's centre (voxel 32, 32, SLICE + 0.5) at 10 pixels per voxel, in one xy panel. */
const ZOOMED = { position: [1120, 1120, 80 * (SLICE + 0.5)], zoom: 3.5, layout: "xy" };

describe.skipIf(!available)(
  `viewer in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 60_000 },
  () => {
    let fixtures: FixtureServer;
    let manifest: FixtureManifest;
    let served: ServedApp;
    let browser: Browser;
    let context: BrowserContext | undefined;

    beforeAll(async () => {
      manifest = await makeFixtures(fixtureDir);
      fixtures = await startFixtureServer(fixtureDir);
      served = await startServedApp({ sourceRoots: { "e11-prism": `${fixtures.url}/` } });
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    afterAll(async () => {
      await browser?.close();
      await served?.close();
      await fixtures?.close();
    });

    /** A fresh context (no cache, no storage) and a watched page of 1000x1000 CSS pixels. */
    async function openPage(): Promise<{ page: Page; problems: PageProblems }> {
      context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
      const page = await context.newPage();
      return { page, problems: watchPage(page) };
    }

    it("opens /v/e11-prism/overview and draws the raw barcodes in the preset's RGB", async () => {
      const { page, problems } = await openPage();
      await page.goto(`${served.url}/v/e11-prism/overview`);
      await waitForViewerReady(page, { minLayers: 2, problems });
      const image = await screenshot(page, "viewer-overview");

      const state = await viewerState(page);
      expect(state.layers?.map((l) => [l.name, l.type])).toEqual([
        ["raw", "image"],
        ["dense_seg", "segmentation"],
      ]);
      expect(state.layers?.[0]?.source).toContain(`${fixtures.url}/raw`);
      expect(state.layout).toBe("xy-3d");

      // Neuroglancer's default zoom shows one voxel per pixel and outlines the volume in yellow,
      // so count the image's colours in the xy panel rather than sample 3-pixel stripes.
      const { panel } = await crossSectionMapping(page, manifest.resolution);
      const colours = [21, ...STRIPES].map((x) => rawColourAt(manifest, { x, y: GAP_Y }));
      const counts = colours.map(() => 0);
      for (let y = Math.ceil(panel.y); y < panel.y + panel.height; y++)
        for (let x = Math.ceil(panel.x); x < panel.x + panel.width; x++) {
          const seen = sample(image, { x, y }, 0);
          colours.forEach((colour, i) => {
            if (colourDistance(seen, colour) <= 8) counts[i] = (counts[i] ?? 0) + 1;
          });
        }
      const [background = 0, red = 0, green = 0, blue = 0] = counts;
      // With no segment selected every block is drawn, so the background shows between blocks
      // (about 1800 pixels); each stripe is 3 x 64 pixels, partly under blocks and the outline.
      expect(background).toBeGreaterThan(1000);
      expect(red).toBeGreaterThan(20);
      expect(green).toBeGreaterThan(20);
      expect(blue).toBeGreaterThan(20);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("draws the segments of a /v/ link, IDs above 2^53 exactly, and no unselected one", async () => {
      const { page, problems } = await openPage();
      const selected = [ABOVE_2_53, "12345678901234567890", "18446744073709551615", "42"];
      const query = new URLSearchParams({
        segments: selected.join(","),
        position: ZOOMED.position.join(","),
        zoom: String(ZOOMED.zoom),
        layout: ZOOMED.layout,
        title: "uint64 segments",
      });
      await page.goto(`${served.url}/v/e11-prism/overview?${query}`);
      await waitForViewerReady(page, { minLayers: 2, problems });
      const image = await screenshot(page, "viewer-view-link-uint64-segments");

      const state = await viewerState(page);
      expect(state.layers?.[1]?.segments?.slice().sort()).toEqual(selected.slice().sort());
      const { at } = await crossSectionMapping(page, manifest.resolution);
      expect(checkSegmentPixels({ image, at, manifest, selected })).toEqual([]);
      // Spelled out: 2^53 + 1 is drawn and its rounding neighbour 2^53 is not.
      const bare = rawColourAt(manifest, blockPoint(manifest, ROUNDED));
      const [above, rounded] = [ABOVE_2_53, ROUNDED].map((id) =>
        sample(image, at(blockPoint(manifest, id))),
      );
      expect(colourDistance(above ?? bare, bare)).toBeGreaterThan(40);
      expect(colourDistance(rounded ?? bare, bare)).toBeLessThanOrEqual(8);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("opens a /s/:id short link and draws each segment in the colour it was given", async () => {
      const colours = {
        [ABOVE_2_53]: "#ff0000",
        "18446744073709551615": "#00ff00",
        "12345678901234567890": "#ffff00",
      };
      const created = await request(served.app.server)
        .post("/api/links")
        .send({
          dataset: "e11-prism",
          view: "overview",
          segments: Object.keys(colours),
          segmentColors: colours,
          ...ZOOMED,
          title: "Coloured segments",
        })
        .expect(201);
      expect(created.body.shortUrl).toBe(`${served.url}/s/${created.body.id}`);

      const { page, problems } = await openPage();
      await page.goto(created.body.shortUrl);
      // The page loads the state from /api/links/<id>: no layers until that fetch is done.
      await waitForViewerReady(page, { minLayers: 2, problems });
      const image = await screenshot(page, "viewer-short-link-colours");

      const state = await viewerState(page);
      expect(state.title).toBe("Coloured segments");
      expect(state.layers?.[1]?.segmentColors).toEqual(colours);
      const { at } = await crossSectionMapping(page, manifest.resolution);
      const selected = Object.keys(colours);
      expect(checkSegmentPixels({ image, at, manifest, selected, colours })).toEqual([]);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });
  },
);
