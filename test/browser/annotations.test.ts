// Annotation layers in a real browser (issue 10): points, a line and a box given in nm (and um)
// over the fixture volume, whose voxels are 35 x 35 x 80 nm, land on the pixels where the data
// puts those coordinates, at two zoom levels; a double-click on a linked annotation selects its
// segment; filtering by segmentation hides the annotations of unselected segments.
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
  colourDistance,
  crossSectionMapping,
  formatColour,
  hexColour,
  launchBrowser,
  listProblems,
  type PageProblems,
  type Point,
  SLICE,
  sample,
  screenshot,
  viewerState,
  waitForViewerReady,
  watchPage,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import type { DecodedImage } from "../helpers/png.js";
import { settledImage, stubPreviewImages } from "../helpers/preview-stub.js";

const available = browserAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");

/** 2^53 + 1: a JS number would make it 2^53, the block next to it. */
const ABOVE_2_53 = "9007199254740993";
/** The z of the drawn slice, in nm: the centre of voxel SLICE (80 nm voxels). */
const PLANE_NM = (SLICE + 0.5) * 80;
const MAGENTA = "#ff00ff";
const YELLOW = "#ffff00";
const CYAN = "#00ffff";
const ORANGE = "#ff8000";
const GREEN = "#00ff00";

/** Fixture voxel (x, y) -> nm, as a user's table would hold it. */
const nm = (voxel: Point) => ({ x: voxel.x * 35, y: voxel.y * 35 });

interface Expected {
  voxel: Point;
  colour: string;
  /** Marker diameter in pixels: 15 for the largest size, 3 for the smallest. */
  large: boolean;
}

describe.skipIf(!available)(
  `annotations in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 180_000 },
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

    /** Makes a short link from a POST /api/links body, opens it and waits for its data. */
    async function open(
      body: Record<string, unknown>,
      minLayers: number,
      name: string,
    ): Promise<{ page: Page; problems: PageProblems; image: DecodedImage }> {
      const created = await request(served.app.server).post("/api/links").send(body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(created.body.shortUrl);
      await waitForViewerReady(page, { minLayers, problems });
      return { page, problems, image: await screenshot(page, name) };
    }

    /** What is wrong with the markers at the expected pixels, one line each. */
    function checkMarkers(
      image: DecodedImage,
      at: (voxel: Point) => Point,
      panel: { x: number; y: number; width: number; height: number },
      expected: readonly Expected[],
    ): { wrong: string[]; checked: number } {
      const wrong: string[] = [];
      let checked = 0;
      for (const { voxel, colour, large } of expected) {
        const centre = at(voxel);
        const inside =
          centre.x > panel.x + 20 &&
          centre.x < panel.x + panel.width - 20 &&
          centre.y > panel.y + 20 &&
          centre.y < panel.y + panel.height - 20;
        if (!inside) continue;
        checked++;
        const want = hexColour(colour);
        // A 3-pixel marker has a 1-pixel black border: only its centre pixel is all colour.
        const seen = sample(image, centre, large ? 1 : 0);
        if (colourDistance(seen, want) > 48)
          wrong.push(`${colour} at voxel ${voxel.x},${voxel.y}: ${formatColour(seen)}`);
        // 5 pixels off centre is inside a 15-pixel marker and outside a 3-pixel one.
        const off = sample(image, { x: centre.x + 5, y: centre.y }, 0);
        const covered = colourDistance(off, want) <= 40;
        if (covered !== large)
          wrong.push(
            `${colour} at voxel ${voxel.x},${voxel.y} is ${covered ? "large" : "small"}, expected ${large ? "large" : "small"} (${formatColour(off)} 5 px right)`,
          );
        // 16 pixels away is outside every marker.
        const away = sample(image, { x: centre.x, y: centre.y + 16 }, 1);
        if (colourDistance(away, want) <= 40)
          wrong.push(`${colour} at voxel ${voxel.x},${voxel.y} spreads 16 px down`);
      }
      return { wrong, checked };
    }

    it("draws points given in nm and um where the data puts them, at two zoom levels", async () => {
      const points: Expected[] = [
        { voxel: { x: 21.5, y: 11.5 }, colour: MAGENTA, large: true },
        { voxel: { x: 45.5, y: 31.5 }, colour: YELLOW, large: true },
        { voxel: { x: 11.5, y: 51.5 }, colour: CYAN, large: true },
        { voxel: { x: 51.5, y: 51.5 }, colour: ORANGE, large: false },
      ];
      const rows = points.map(({ voxel, colour, large }) => {
        const { x, y } = nm(voxel);
        return `${x},${y},${PLANE_NM},${colour},${large ? 2 : 1}`;
      });
      const micrometres: Expected[] = [{ voxel: { x: 31.5, y: 21.5 }, colour: GREEN, large: true }];
      const umItems = [
        ...micrometres.map(({ voxel }) => {
          const { x, y } = nm(voxel);
          return { point: [x / 1000, y / 1000, PLANE_NM / 1000], props: { size: 2 } };
        }),
        // A small twin far off, so the size range is 1..2 in this layer too.
        { point: [0.07, 2.17, PLANE_NM / 1000], props: { size: 1 } },
      ];
      const annotations = [
        { name: "points-nm", table: `x,y,z,color,size\n${rows.join("\n")}\n`, sizeBy: "size" },
        { name: "points-um", unit: "um", color: GREEN, items: umItems, sizeBy: "size" },
      ];
      const expected = [...points, ...micrometres];
      const zooms = [
        { position: [1120, 1120, PLANE_NM], zoom: 3.5 }, // 10 pixels a voxel, whole volume
        { position: [900, 700, PLANE_NM], zoom: 1.4 }, // 25 pixels a voxel, part of it
      ];
      for (const [i, view] of zooms.entries()) {
        const { page, problems, image } = await open(
          {
            dataset: "e11-prism",
            view: "overview",
            layout: "xy",
            segments: ["1"],
            ...view,
            annotations,
          },
          4,
          `annotations-points-zoom-${i + 1}`,
        );
        const { at, panel } = await crossSectionMapping(page, manifest.resolution);
        const { wrong, checked } = checkMarkers(image, at, panel, expected);
        expect(wrong).toEqual([]);
        expect(checked).toBeGreaterThanOrEqual(i === 0 ? expected.length : 2);
        expect(listProblems(problems, fixtures.stats)).toEqual([]);
        await context?.close();
        context = undefined;
      }
    });

    it("draws a line and a box", async () => {
      const line = { from: { x: 12.5, y: 41 }, to: { x: 52.5, y: 41 } };
      const box = { from: { x: 22, y: 12 }, to: { x: 38, y: 20 } };
      const corner = (voxel: Point, z: number) => [nm(voxel).x, nm(voxel).y, z];
      const { page, problems, image } = await open(
        {
          dataset: "e11-prism",
          view: "overview",
          layout: "xy",
          segments: ["1"],
          position: [1120, 1120, PLANE_NM],
          zoom: 3.5,
          annotations: [
            {
              name: "line",
              type: "line",
              color: MAGENTA,
              sizeBy: "width",
              items: [
                {
                  pointA: corner(line.from, PLANE_NM),
                  pointB: corner(line.to, PLANE_NM),
                  props: { width: 2 },
                },
                {
                  pointA: corner({ x: 2, y: 1 }, PLANE_NM),
                  pointB: corner({ x: 8, y: 1 }, PLANE_NM),
                  props: { width: 1 },
                },
              ],
            },
            {
              name: "box",
              type: "box",
              table: `x1,y1,z1,x2,y2,z2,width\n${[
                [...corner(box.from, 160), ...corner(box.to, 560), 2],
                [...corner({ x: 2, y: 60 }, 160), ...corner({ x: 4, y: 62 }, 560), 1],
              ]
                .map((row) => row.join(","))
                .join("\n")}`,
              color: CYAN,
              sizeBy: "width",
            },
          ],
        },
        4,
        "annotations-line-box",
      );
      const { at } = await crossSectionMapping(page, manifest.resolution);
      const wrong: string[] = [];
      const expectColour = (voxel: Point, colour: string, what: string) => {
        const seen = sample(image, at(voxel), 1);
        if (colourDistance(seen, hexColour(colour)) > 40)
          wrong.push(`${what} at ${voxel.x},${voxel.y}: ${formatColour(seen)}`);
      };
      const expectNot = (voxel: Point, colour: string, what: string) => {
        const seen = sample(image, at(voxel), 1);
        if (colourDistance(seen, hexColour(colour)) <= 40)
          wrong.push(`${what} at ${voxel.x},${voxel.y} should not be drawn`);
      };
      for (const x of [20, 32, 44]) expectColour({ x, y: line.from.y }, MAGENTA, "line");
      expectNot({ x: 32, y: line.from.y + 2 }, MAGENTA, "beside the line");
      expectNot({ x: 56, y: line.from.y }, MAGENTA, "past the line's end");
      expectColour({ x: box.from.x, y: 16 }, CYAN, "box left edge");
      expectColour({ x: box.to.x, y: 16 }, CYAN, "box right edge");
      expectColour({ x: 30, y: box.from.y }, CYAN, "box top edge");
      expectColour({ x: 30, y: box.to.y }, CYAN, "box bottom edge");
      expectNot({ x: 30, y: 16 }, CYAN, "inside the box");
      expect(wrong).toEqual([]);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    /** A point on the centre of a segment's block, linked to that segment. */
    const onBlock = (id: string) => {
      const { x, y } = nm(blockPoint(manifest, id));
      return { point: [x, y, PLANE_NM], segments: [id], description: `on ${id}` };
    };

    it("a double-click on a linked annotation selects its segment, IDs above 2^53 exact", async () => {
      const { page, problems } = await open(
        {
          dataset: "e11-prism",
          view: "overview",
          layout: "xy",
          segments: ["1"],
          position: [1120, 1120, PLANE_NM],
          zoom: 3.5,
          annotations: [{ name: "cells", color: MAGENTA, items: [onBlock(ABOVE_2_53)] }],
        },
        3,
        "annotations-click-before",
      );
      const before = await viewerState(page);
      const cells = before.layers?.find((l) => l.name === "cells") as
        | { annotations?: { segments?: string[][] }[]; linkedSegmentationLayer?: unknown }
        | undefined;
      expect(cells?.linkedSegmentationLayer).toEqual({ segments: "dense_seg" });
      expect(cells?.annotations?.[0]?.segments).toEqual([[ABOVE_2_53]]);

      const { at } = await crossSectionMapping(page, manifest.resolution);
      const target = at(blockPoint(manifest, ABOVE_2_53));
      await page.mouse.move(target.x, target.y);
      // The pointer is over the annotation: Neuroglancer picked it, not only the voxel.
      await expect
        .poll(() =>
          page.evaluate(
            () =>
              (window as unknown as { viewer: { mouseState: { pickedAnnotationId?: string } } })
                .viewer.mouseState.pickedAnnotationId,
          ),
        )
        .toBe("1");
      await page.mouse.dblclick(target.x, target.y);
      await expect
        .poll(async () => (await viewerState(page)).layers?.[1]?.segments?.slice().sort())
        .toEqual(["1", ABOVE_2_53]);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("filterBySegmentation shows only the annotations of selected segments", async () => {
      const shown = "42";
      const hidden = ABOVE_2_53;
      const { page, problems, image } = await open(
        {
          dataset: "e11-prism",
          view: "overview",
          layout: "xy",
          segments: [shown],
          position: [1120, 1120, PLANE_NM],
          zoom: 3.5,
          annotations: [
            {
              name: "cells",
              color: YELLOW,
              filterBySegmentation: true,
              items: [onBlock(shown), onBlock(hidden)],
            },
          ],
        },
        3,
        "annotations-filtered",
      );
      const { at } = await crossSectionMapping(page, manifest.resolution);
      const yellow = hexColour(YELLOW);
      const at42 = sample(image, at(blockPoint(manifest, shown)), 1);
      const atHidden = sample(image, at(blockPoint(manifest, hidden)), 1);
      expect(colourDistance(at42, yellow), formatColour(at42)).toBeLessThanOrEqual(40);
      expect(colourDistance(atHidden, yellow), formatColour(atHidden)).toBeGreaterThan(40);

      // Selecting the other segment (a double-click on its block) brings its annotation back.
      const target = at(blockPoint(manifest, hidden));
      await page.mouse.dblclick(target.x, target.y);
      await expect
        .poll(async () => (await viewerState(page)).layers?.[1]?.segments?.length)
        .toBe(2);
      const after = await screenshot(page, "annotations-filtered-after-select");
      const now = sample(after, target, 1);
      expect(colourDistance(now, yellow), formatColour(now)).toBeLessThanOrEqual(40);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("the gallery previews a pasted table, names bad rows, and makes a link of the good one", async () => {
      context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
      await stubPreviewImages(context);
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      await page.selectOption("#dataset", "e11-prism");
      await page.selectOption("#view", "overview");
      const good = `x,y,z,segment_id,description\n752.5,402.5,${PLANE_NM},${ABOVE_2_53},first\n1592.5,1102.5,${PLANE_NM},42,second\n`;
      await page.fill("#annotations", `${good}1,2,n/a,42,third\n`);
      await expect
        .poll(() => page.locator("#annotations-count").textContent())
        .toBe("3 rows read; 1 bad (listed below; fix them to make the link).");
      expect(await page.locator("#annotations-problems li").allTextContents()).toEqual([
        "row 4, column z: 'n/a' is not a number",
      ]);
      await page.click("#create-link");
      await expect
        .poll(() => page.locator("#form-errors li").allTextContents())
        .toEqual(["row 4, column z: 'n/a' is not a number"]);
      await screenshot(page, "annotations-gallery-bad-row");

      await page.fill("#annotations", good);
      await expect
        .poll(() => page.locator("#annotations-count").textContent())
        .toBe("2 rows read; 2 points.");
      await page.click("#create-link");
      const shortUrl = await page.locator("#short-url").getAttribute("href", { timeout: 10_000 });
      expect(await settledImage(page, "#short-url-preview")).toBe(true);
      await page.goto(shortUrl ?? "");
      await waitForViewerReady(page, { minLayers: 3, problems });
      const state = await viewerState(page);
      const points = state.layers?.find((l) => l.name === "points") as
        | { annotations?: { point: number[]; segments?: string[][]; description?: string }[] }
        | undefined;
      expect(points?.annotations?.map((a) => [a.point, a.segments, a.description])).toEqual([
        [[752.5, 402.5, PLANE_NM], [[ABOVE_2_53]], "first"],
        [[1592.5, 1102.5, PLANE_NM], [["42"]], "second"],
      ]);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });
  },
);
