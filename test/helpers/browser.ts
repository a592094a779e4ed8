// A real browser for end-to-end tests and the viewer benchmark: Debian's Chromium driven by
// playwright-core, with WebGL in software. Also what the tests read back from it: console errors,
// failed requests, Neuroglancer's readiness, screenshots decoded to pixels, and where a voxel of
// the fixture volume lands on screen.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Frame, type Page } from "playwright-core";
import type { FixtureManifest } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import { CHROMIUM_ARGS } from "../../src/previews/chromium.js";
import type { FixtureServerStats } from "./fixture-server.js";
import { type DecodedImage, decodePng, pixelAt, type Rgba } from "./png.js";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const BROWSER_MISSING_REASON = `${CHROMIUM_PATH} not installed; .ci/run installs chromium`;

export const screenshotDir = path.join(packageRoot, "test-output", "screenshots");

/**
 * Whether Chromium is installed, so suites can `describe.skipIf(!available)`. With
 * NGLAUNCH_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is an error: CI never skips.
 */
export function browserAvailable(): boolean {
  const available = existsSync(CHROMIUM_PATH);
  if (!available && process.env.NGLAUNCH_REQUIRE_BROWSER === "1")
    throw new Error(`NGLAUNCH_REQUIRE_BROWSER=1 but ${BROWSER_MISSING_REASON}`);
  if (!available) console.warn(`skipping browser tests: ${BROWSER_MISSING_REASON}`);
  return available;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Everything that went wrong in a page (and its frames and workers), as readable lines. */
export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
}

// Neuroglancer reports failed chunk loads with console.log("Error retrieving chunk …").
const ERROR_TEXT = /\bError\b/;

/** Starts recording a page's console errors, uncaught exceptions and failed requests. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { consoleErrors: [], failedRequests: [] };
  page.on("console", (message) => {
    if (message.type() === "error" || ERROR_TEXT.test(message.text()))
      problems.consoleErrors.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => {
    problems.consoleErrors.push(`uncaught: ${error.message || String(error)}`);
  });
  page.on("requestfailed", (request) => {
    problems.failedRequests.push(
      `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? "failed"}`,
    );
  });
  page.on("response", (response) => {
    if (response.status() >= 400)
      problems.failedRequests.push(
        `${response.request().method()} ${response.url()}: HTTP ${response.status()}`,
      );
  });
  return problems;
}

/** Every problem of a page and of the data server, one line each: tests expect none. */
export function listProblems(page: PageProblems, data?: FixtureServerStats): string[] {
  return [
    ...page.consoleErrors,
    ...page.failedRequests,
    ...(data?.failures ?? []).map((f) => `data server: ${f.method} ${f.path}: HTTP ${f.status}`),
  ];
}

/** Lets the page draw: resolves after the frame after the next one (drawn, then composited). */
export async function nextFrames(target: Page | Frame): Promise<void> {
  await target.evaluate(
    () =>
      new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

/**
 * Waits until Neuroglancer has a state with layers and reports every visible chunk loaded, then
 * two frames so that the data is on screen. A viewer with no layers counts as ready to
 * Neuroglancer, and a short link's state arrives only after a fetch, hence `minLayers`. Given the
 * page's `problems`, it gives up at the first one rather than wait for the timeout.
 */
export async function waitForViewerReady(
  target: Page | Frame,
  {
    timeoutMs = 30_000,
    minLayers = 1,
    problems,
  }: { timeoutMs?: number; minLayers?: number; problems?: PageProblems } = {},
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const status = await target
      .evaluate((min) => {
        const viewer = (window as unknown as { viewer?: NeuroglancerViewer }).viewer;
        if (viewer === undefined) return { ready: false, waitingFor: ["window.viewer"] };
        const layers = viewer.layerManager.managedLayers;
        const waitingFor = layers.filter((layer) => !layer.isReady()).map((layer) => layer.name);
        if (layers.length < min) waitingFor.push(`${min - layers.length} more layer(s)`);
        return { ready: viewer.isReady() && layers.length >= min, waitingFor };
      }, minLayers)
      .catch((error: Error) => ({ ready: false, waitingFor: [`the page (${error.message})`] }));
    if (status.ready) break;
    const seen = problems ? listProblems(problems) : [];
    if (seen.length > 0 || Date.now() > giveUpAt) {
      const waitingFor = status.waitingFor.join(", ") || "its panels";
      const why =
        seen.length > 0 ? `the page had problems:\n${seen.join("\n")}` : `${timeoutMs} ms`;
      throw new Error(
        `Neuroglancer did not report its data loaded (waiting for ${waitingFor}): ${why}`,
      );
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  await nextFrames(target);
}

/** The parts of Neuroglancer's global `viewer` the tests read. */
interface NeuroglancerViewer {
  isReady(): boolean;
  layerManager: { managedLayers: { name: string; isReady(): boolean }[] };
  state: { toJSON(): unknown };
}

/** The viewer state as Neuroglancer holds it now (segment IDs as decimal strings). */
export function viewerState(target: Page | Frame): Promise<ViewerState> {
  return target.evaluate(
    () =>
      (window as unknown as { viewer: NeuroglancerViewer }).viewer.state.toJSON() as ViewerState,
  );
}

export interface ViewerState {
  dimensions?: Record<string, [number, string]>;
  position?: number[];
  crossSectionScale?: number;
  layout?: string | { type: string };
  layers?: {
    name: string;
    type: string;
    source: unknown;
    segments?: string[];
    segmentColors?: Record<string, string>;
  }[];
  title?: string;
}

/** Takes a screenshot of the page, saves it as test-output/screenshots/<name>.png, decodes it. */
export async function screenshot(page: Page, name: string): Promise<DecodedImage> {
  // Pointer to the corner first: a hovered panel spreads its dimension widget over the data.
  await page.mouse.move(0, 0);
  const png = await page.screenshot({ type: "png" });
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(path.join(screenshotDir, `${name}.png`), png);
  return decodePng(png);
}

export interface Point {
  x: number;
  y: number;
}

/**
 * Where fixture voxels appear in the first cross-section panel of a viewer, in page pixels (the
 * panel's box already includes an iframe's offset). Built from the viewer's own state, so it
 * holds for any position, zoom and display units; `voxelSizeNm` is the volume's resolution.
 */
export async function crossSectionMapping(
  target: Page | Frame,
  voxelSizeNm: readonly number[],
): Promise<{
  panel: { x: number; y: number; width: number; height: number };
  at: (v: Point) => Point;
}> {
  const box = await target.locator(".neuroglancer-rendered-data-panel").first().boundingBox();
  if (box === null) throw new Error("no cross-section panel on screen");
  const state = await viewerState(target);
  const [x, y] = [state.dimensions?.x, state.dimensions?.y];
  const [px, py] = state.position ?? [];
  const scale = state.crossSectionScale;
  if (!x || !y || px === undefined || py === undefined || scale === undefined)
    throw new Error(
      `the viewer state lacks dimensions, position or zoom: ${JSON.stringify(state)}`,
    );
  // Only metre-based display units are expected here; a voxel edge in those units:
  const [sx = 0, sy = 0] = voxelSizeNm;
  const unitsX = (sx * 1e-9) / x[0];
  const unitsY = (sy * 1e-9) / y[0];
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  return {
    panel: box,
    at: (voxel) => ({
      x: centre.x + (voxel.x * unitsX - px) / scale,
      y: centre.y + (voxel.y * unitsY - py) / scale,
    }),
  };
}

/** The per-channel median of the (2r+1)² pixels around a point: robust to a stray line. */
export function sample(image: DecodedImage, point: Point, radius = 2): Rgba {
  const values: Rgba[] = [];
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++)
      values.push(pixelAt(image, point.x + dx, point.y + dy));
  const median = (channel: keyof Rgba) =>
    values.map((v) => v[channel]).sort((a, b) => a - b)[values.length >> 1] ?? 0;
  return { r: median("r"), g: median("g"), b: median("b"), a: median("a") };
}

export type Rgb = Pick<Rgba, "r" | "g" | "b">;

/** The largest per-channel difference of two colours (0-255). */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a.r - b.r), Math.abs(a.g - b.g), Math.abs(a.b - b.b));
}

export function hexColour(hex: string): Rgb {
  const value = Number.parseInt(hex.replace(/^#/, ""), 16);
  return { r: (value >> 16) & 0xff, g: (value >> 8) & 0xff, b: value & 0xff };
}

export const formatColour = ({ r, g, b }: Rgb) => `rgb(${r}, ${g}, ${b})`;

// ---------------------------------------------------------------------------------------------
// What the overview preset draws of the fixture volume (scripts/make-fixtures.ts)

/** The z slice the views of the tests show: position z = SLICE + 0.5 voxels. */
export const SLICE = 4;
/** x of the raw layer's red, green and blue stripes (channel c is 255 over x in [3c, 3c + 3)). */
export const STRIPES = [1.5, 4.5, 7.5];
/** A row between two rows of segment blocks (blocks span y in [10k + 2, 10k + 10)). */
export const GAP_Y = 11;

/**
 * The colour the overview preset draws the raw layer in at a voxel: channels 0-2 as red, green
 * and blue, painted from the fixture manifest the way the generator paints them.
 */
export function rawColourAt(manifest: FixtureManifest, voxel: Point, z = SLICE): Rgb {
  const raw = manifest.layers.raw;
  if (raw?.type !== "image") throw new Error("the fixture has no raw image layer");
  const rgb = raw.background.slice(0, 3);
  for (const { channel, value, box, z0, z1 } of raw.fills) {
    const inside = voxel.x >= box.x0 && voxel.x < box.x1 && voxel.y >= box.y0 && voxel.y < box.y1;
    if (channel < 3 && inside && z >= z0 && z < z1) rgb[channel] = value;
  }
  const [r = 0, g = 0, b = 0] = rgb;
  return { r, g, b };
}

/**
 * Where a segment's block is read: a voxel centre inside it, away from its edges and from the
 * edges of the raw stripes (x = 7.5 in the first column of blocks is mid blue stripe).
 */
export function blockPoint(manifest: FixtureManifest, id: string): Point {
  const segment = manifest.segments.find((s) => s.id === id);
  if (!segment) throw new Error(`no fixture segment ${id}`);
  return { x: segment.box.x0 + 5.5, y: segment.box.y0 + 4.5 };
}

export interface SegmentCheck {
  image: DecodedImage;
  /** Fixture voxel -> page pixel (crossSectionMapping). */
  at: (voxel: Point) => Point;
  manifest: FixtureManifest;
  /** Segment IDs that must be drawn; blocks of all others must show the bare image. */
  selected: readonly string[];
  /** Exact colours given to selected segments; the others only need to stand out. */
  colours?: Record<string, string>;
  /** Blocks to read; default every segment of the fixture. */
  only?: readonly string[];
}

/**
 * Compares the image between blocks and each block with what the overview preset must draw: a
 * selected segment blended half and half with the image (selectedAlpha 0.5), in its given
 * colour when there is one; an unselected one not at all. Returns what is wrong, one line each.
 */
export function checkSegmentPixels(check: SegmentCheck): string[] {
  const { image, at, manifest, selected, colours = {} } = check;
  const wrong: string[] = [];
  for (const x of [...STRIPES, 21]) {
    const voxel = { x, y: GAP_Y };
    const seen = sample(image, at(voxel));
    const expected = rawColourAt(manifest, voxel);
    if (colourDistance(seen, expected) > 8)
      wrong.push(`image at x=${x}: ${formatColour(seen)}, expected ${formatColour(expected)}`);
  }
  for (const id of check.only ?? manifest.segments.map((s) => s.id)) {
    const voxel = blockPoint(manifest, id);
    const seen = sample(image, at(voxel));
    const bare = rawColourAt(manifest, voxel);
    const colour = colours[id];
    if (!selected.includes(id)) {
      if (colourDistance(seen, bare) > 8)
        wrong.push(`unselected ${id} is drawn: ${formatColour(seen)} over ${formatColour(bare)}`);
    } else if (colour !== undefined) {
      const c = hexColour(colour);
      const blended = {
        r: Math.round((c.r + bare.r) / 2),
        g: Math.round((c.g + bare.g) / 2),
        b: Math.round((c.b + bare.b) / 2),
      };
      if (colourDistance(seen, blended) > 12)
        wrong.push(`${id} is ${formatColour(seen)}, expected about ${formatColour(blended)}`);
    } else if (colourDistance(seen, bare) < 40) {
      wrong.push(
        `selected ${id} is not drawn: ${formatColour(seen)} (bare image ${formatColour(bare)})`,
      );
    }
  }
  return wrong;
}
