// Light embeds in a real browser (issue 9 §3): a wiki page (another loopback origin) with 20
// embeds starts no viewer, no WebGL context and fetches none of the viewer's code until a reader
// clicks "Explore in 3D" (or tabs to it and presses Enter) in one of them; then exactly that one
// loads the viewer, which draws the link's data, and the others stay light. The host page keeps
// its keyboard focus at load.
import path from "node:path";
import type { Browser, BrowserContext, Frame, Page, Request } from "playwright-core";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FixtureManifest, makeFixtures } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  checkSegmentPixels,
  crossSectionMapping,
  launchBrowser,
  listProblems,
  type PageProblems,
  SLICE,
  screenshot,
  waitForViewerReady,
  watchPage,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { type HostServer, startHostServer, wikiPageBody } from "../helpers/host-server.js";
import { stubPreviewImages } from "../helpers/preview-stub.js";

const available = browserAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");

/** 7 pixels per voxel: the whole 64-voxel volume fits in an 800x600 frame. */
const FRAMED = { position: [1120, 1120, 80 * (SLICE + 0.5)], zoom: 5, layout: "xy" };
const COLOURS = { "9007199254740993": "#ff0000", "18446744073709551615": "#00ff00" };
const EMBEDS = 20;

/** The frame navigated to the full embed (boot.js then writes the state into its fragment). */
const autoloaded = (url: URL) => url.searchParams.get("autoload") === "1";
const withoutHash = (url: string) => url.split("#")[0];

/**
 * Runs in every frame before its scripts: counts the WebGL contexts the frame creates (a canvas
 * answers the same context to repeated calls, so each is counted once).
 */
function countWebglContexts() {
  const original = HTMLCanvasElement.prototype.getContext;
  const counted = new WeakSet<object>();
  const page = window as unknown as { webglContexts: number };
  page.webglContexts = 0;
  HTMLCanvasElement.prototype.getContext = function getContext(
    this: HTMLCanvasElement,
    ...args: Parameters<typeof original>
  ) {
    const context = original.apply(this, args);
    if (/webgl/.test(String(args[0])) && context !== null && !counted.has(context)) {
      counted.add(context);
      page.webglContexts += 1;
    }
    return context;
  } as typeof original;
}

/** The viewer's code: the built client (/viewer/...) and the full embed page's script. */
const VIEWER_CODE = /^\/(?:viewer\/|static\/embed\.js$)/;

describe.skipIf(!available)(
  `light embeds in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 120_000 },
  () => {
    let fixtures: FixtureServer;
    let manifest: FixtureManifest;
    let wiki: HostServer;
    let served: ServedApp;
    let browser: Browser;
    let context: BrowserContext | undefined;
    let link: { id: string; shortUrl: string; embedUrl: string };
    let nameEmbedUrl: string;

    beforeAll(async () => {
      manifest = await makeFixtures(fixtureDir);
      fixtures = await startFixtureServer(fixtureDir);
      wiki = await startHostServer();
      served = await startServedApp({
        sourceRoots: { "e11-prism": `${fixtures.url}/` },
        embedOrigins: [wiki.origin],
      });
      const created = await request(served.app.server)
        .post("/api/links")
        .send({
          dataset: "e11-prism",
          view: "overview",
          segments: Object.keys(COLOURS),
          segmentColors: COLOURS,
          ...FRAMED,
          title: "Embedded cells",
        })
        .expect(201);
      link = created.body;
      const named = await request(served.app.server)
        .post("/api/names")
        .send({ name: "light-embeds", link: link.id })
        .expect(201);
      nameEmbedUrl = named.body.embedUrl;
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    afterAll(async () => {
      await browser?.close();
      await served?.close();
      await Promise.all([wiki?.close(), fixtures?.close()]);
    });

    /** The 20 embeds: the link large first, then short-link, view and name embeds, small. */
    function embedUrls(): string[] {
      const urls = [link.embedUrl];
      for (let i = 1; i < EMBEDS; i++) {
        if (i % 3 === 0) urls.push(nameEmbedUrl);
        else if (i % 3 === 1)
          urls.push(`${served.url}/embed/v/e11-prism/overview?segments=${i},9007199254740993`);
        else urls.push(link.embedUrl);
      }
      return urls;
    }

    interface Wiki {
      page: Page;
      problems: PageProblems;
      frames: Frame[];
      /** Requests for the viewer's code, with the frame that made them (null: a worker). */
      viewerRequests: { url: string; frame: Frame | null }[];
    }

    /** Opens a wiki page with the 20 embeds; waits until every frame shows its image. */
    async function openWiki(previews: "image" | "missing" = "image"): Promise<Wiki> {
      context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      await context.addInitScript(countWebglContexts);
      await stubPreviewImages(context, previews);
      const viewerRequests: Wiki["viewerRequests"] = [];
      context.on("request", (req: Request) => {
        if (!VIEWER_CODE.test(new URL(req.url()).pathname)) return;
        let frame: Frame | null = null;
        try {
          frame = req.frame();
        } catch {
          // Requests of workers have no frame.
        }
        viewerRequests.push({ url: req.url(), frame });
      });
      const page = await context.newPage();
      const problems = watchPage(page);
      const iframes = embedUrls().map((url, i) =>
        i === 0
          ? `<iframe src="${url}" width="800" height="600" title="Embedded cells"></iframe>`
          : `<iframe src="${url}" width="240" height="160" title="Embed ${i}"></iframe>`,
      );
      await page.goto(wiki.page(`/wiki-${previews}`, "Lab wiki", wikiPageBody(iframes.join(""))));
      const frames: Frame[] = [];
      for (const handle of await page.locator("iframe").elementHandles()) {
        const frame = await handle.contentFrame();
        if (frame === null) throw new Error("an iframe has no document");
        await frame.waitForLoadState("load");
        await frame.waitForFunction(() => document.querySelector("img")?.complete === true);
        frames.push(frame);
      }
      return { page, problems, frames, viewerRequests };
    }

    const webglContexts = (frame: Frame) =>
      frame.evaluate(() => (window as unknown as { webglContexts: number }).webglContexts);

    /** Every frame is still the light page: no WebGL context, no viewer code, no viewer. */
    async function expectLight(wikiPage: Wiki, except?: Frame) {
      for (const frame of wikiPage.frames) {
        if (frame === except) continue;
        expect(frame.url()).not.toContain("autoload");
        expect(await webglContexts(frame)).toBe(0);
        expect(await frame.evaluate(() => "viewer" in window)).toBe(false);
        await expect(frame.getByRole("button", { name: "Explore in 3D" }).count()).resolves.toBe(1);
      }
      expect(
        wikiPage.viewerRequests.filter((r) => except === undefined || r.frame !== except),
      ).toEqual([]);
    }

    /** `frame` loaded the full viewer, which draws the link's segments in their colours. */
    async function expectViewerDrawn(wikiPage: Wiki, frame: Frame, name: string) {
      await frame.waitForURL(autoloaded);
      await waitForViewerReady(frame, { minLayers: 2, problems: wikiPage.problems });
      const image = await screenshot(wikiPage.page, name);
      const { at } = await crossSectionMapping(frame, manifest.resolution);
      const selected = Object.keys(COLOURS);
      expect(checkSegmentPixels({ image, at, manifest, selected, colours: COLOURS })).toEqual([]);
      // Exactly this frame fetched the viewer and made a WebGL context; the rest stayed light.
      expect(await webglContexts(frame)).toBe(1);
      const framesThatFetched = new Set(wikiPage.viewerRequests.map((r) => r.frame ?? frame));
      expect([...framesThatFetched]).toEqual([frame]);
      expect(wikiPage.viewerRequests.some((r) => /\/viewer\/assets\//.test(r.url))).toBe(true);
      await expectLight(wikiPage, frame);
      // The reader asked for the viewer: it is active at once, no second "Click to explore".
      expect(
        await frame.evaluate(() =>
          document.documentElement.classList.contains("nglaunch-embed-active"),
        ),
      ).toBe(true);
    }

    it("20 embeds start no viewer until a click; the clicked one loads and draws", async () => {
      const wikiPage = await openWiki();
      const { page, problems, frames } = wikiPage;
      await screenshot(page, "light-embeds-20");
      await expectLight(wikiPage);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("search");
      const [first] = frames as [Frame];
      expect(await first.locator("img").getAttribute("alt")).toBe("Preview of Embedded cells");
      expect(await first.locator(".nglaunch-attribution").textContent()).toMatch(/E11 Bio PRISM/);
      const fullViewer = first.getByRole("link", { name: /open full viewer/i });
      expect(await fullViewer.getAttribute("href")).toBe(link.shortUrl);

      await first.getByRole("button", { name: "Explore in 3D" }).click();
      await first.waitForURL(autoloaded);
      expect(withoutHash(first.url())).toBe(`${link.embedUrl}?autoload=1`);
      await expectViewerDrawn(wikiPage, first, "light-embeds-clicked");
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("IFRAME");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("a view embed keeps its query when Explore in 3D (Tab, Space) loads the viewer", async () => {
      const wikiPage = await openWiki();
      const { page } = wikiPage;
      const [first, frame] = wikiPage.frames as [Frame, Frame];
      // From the first embed's last control (Open full viewer), Tab goes on into the second
      // embed's Explore in 3D. Focus crossing into a frame settles after the key press returns,
      // so the check polls; one press, so a late update cannot make the test tab past it.
      await first.getByRole("link", { name: /open full viewer/i }).focus();
      await page.keyboard.press("Tab");
      await expect
        .poll(() => frame.evaluate(() => document.activeElement?.textContent))
        .toBe("Explore in 3D");
      await page.keyboard.press("Space");
      await frame.waitForURL(autoloaded);
      const url = new URL(frame.url());
      expect(url.pathname).toBe("/embed/v/e11-prism/overview");
      expect([...url.searchParams]).toEqual([
        ["segments", "1,9007199254740993"],
        ["autoload", "1"],
      ]);
      await waitForViewerReady(frame, { minLayers: 2, problems: wikiPage.problems });
      await expectLight(wikiPage, frame);
      expect(listProblems(wikiPage.problems, fixtures.stats)).toEqual([]);
    });

    it("is keyboard-accessible: Tab reaches Explore in 3D with a focus ring, Enter loads", async () => {
      const wikiPage = await openWiki();
      const { page, problems, frames } = wikiPage;
      const [first] = frames as [Frame];
      // Nothing took the host page's focus at load: typing goes to its search box.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("search");
      await page.keyboard.type("dentate gyrus");
      expect(await page.inputValue("#search")).toBe("dentate gyrus");

      await page.keyboard.press("Tab");
      // Focus crossing into the frame settles after the key press returns: poll.
      const focused = () =>
        first.evaluate(() => {
          const element = document.activeElement;
          const style = element ? getComputedStyle(element) : null;
          return {
            text: element?.textContent,
            outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : null,
          };
        });
      await expect.poll(focused).toEqual({ text: "Explore in 3D", outline: "solid 3px" });
      await screenshot(page, "light-embeds-focused");
      await expectLight(wikiPage);

      await page.keyboard.press("Enter");
      await expectViewerDrawn(wikiPage, first, "light-embeds-keyboard");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("without its preview image still shows the title, alt text and Explore in 3D", async () => {
      const wikiPage = await openWiki("missing");
      const { page, problems, frames } = wikiPage;
      const [first] = frames as [Frame];
      await screenshot(page, "light-embeds-no-preview");
      const image = await first.evaluate(() => {
        const img = document.querySelector("img");
        return { loaded: (img?.naturalWidth ?? 0) > 0, alt: img?.alt };
      });
      expect(image).toEqual({ loaded: false, alt: "Preview of Embedded cells" });
      await expect(first.getByText("Embedded cells", { exact: true }).isVisible()).resolves.toBe(
        true,
      );
      await expect(first.getByRole("button", { name: "Explore in 3D" }).isVisible()).resolves.toBe(
        true,
      );
      await expectLight(wikiPage);
      // The only problems are the missing images (and Chromium's console line for each).
      const missing = /preview\.png(\?\S*)?: HTTP 404|status of 404/;
      expect(listProblems(problems, fixtures.stats).filter((p) => !missing.test(p))).toEqual([]);
    });
  },
);
