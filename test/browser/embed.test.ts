// Embeds, the gallery's link builder and oEmbed in a real browser (issue 5): a page of another
// origin frames /embed/:id?autoload=1 and the viewer draws data without taking the page's
// keyboard focus;
// an origin not in EMBED_ORIGINS is refused; the gallery form makes a short link that opens the
// right view; an oEmbed answer's HTML, pasted into a page, embeds that link's viewer.
import path from "node:path";
import type { Browser, BrowserContext, Frame, Page } from "playwright-core";
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
  viewerState,
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

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.skipIf(!available)(
  `embeds in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 60_000 },
  () => {
    let fixtures: FixtureServer;
    let manifest: FixtureManifest;
    /** Listed in EMBED_ORIGINS. */
    let wiki: HostServer;
    /** Not listed. */
    let stranger: HostServer;
    let served: ServedApp;
    let browser: Browser;
    let context: BrowserContext | undefined;
    let link: { id: string; shortUrl: string; embedUrl: string };

    beforeAll(async () => {
      manifest = await makeFixtures(fixtureDir);
      fixtures = await startFixtureServer(fixtureDir);
      wiki = await startHostServer();
      stranger = await startHostServer();
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
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    afterAll(async () => {
      await browser?.close();
      await served?.close();
      await Promise.all([wiki?.close(), stranger?.close(), fixtures?.close()]);
    });

    async function openPage(): Promise<{ page: Page; problems: PageProblems }> {
      context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const page = await context.newPage();
      return { page, problems: watchPage(page) };
    }

    /** A URL without its fragment (boot.js writes the state into the embed page's fragment). */
    const withoutHash = (url: string) => url.split("#")[0];

    /** The document inside the page's iframe, once it has navigated. */
    async function frameOf(page: Page): Promise<Frame> {
      const frame = await (await page.waitForSelector("iframe")).contentFrame();
      if (frame === null) throw new Error("the iframe has no document");
      await frame.waitForLoadState("load");
      return frame;
    }

    /** The viewer in `frame` draws the link's segments in their colours and nothing else. */
    async function expectLinkDrawn(page: Page, problems: PageProblems, frame: Frame, name: string) {
      await waitForViewerReady(frame, { minLayers: 2, problems });
      const image = await screenshot(page, name);
      const { at } = await crossSectionMapping(frame, manifest.resolution);
      const selected = Object.keys(COLOURS);
      expect(checkSegmentPixels({ image, at, manifest, selected, colours: COLOURS })).toEqual([]);
    }

    it("renders /embed/:id?autoload=1 in a frame of a listed origin without taking the page's focus", async () => {
      const { page, problems } = await openPage();
      // The full viewer at once, as a wiki author may ask (the light page is light-embeds.test).
      const autoload = `${link.embedUrl}?autoload=1`;
      const iframe = `<iframe src="${autoload}" width="800" height="600" title="Embedded cells"></iframe>`;
      await page.goto(wiki.page("/embed-focus", "Lab wiki", wikiPageBody(iframe)));
      const frame = await frameOf(page);
      expect(withoutHash(frame.url())).toBe(autoload);
      await expectLinkDrawn(page, problems, frame, "embed-listed-origin");

      // The embed chrome: a way out to the full viewer, and the data's attribution.
      const fullViewer = frame.getByRole("link", { name: /open full viewer/i });
      expect(await fullViewer.getAttribute("href")).toBe(link.shortUrl);
      expect(await frame.locator(".nglaunch-attribution").textContent()).toMatch(/E11 Bio PRISM/);

      // Neuroglancer focuses its panels as it starts; the host page must keep its focus.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("search");
      await page.keyboard.type("dentate gyrus");
      expect(await page.inputValue("#search")).toBe("dentate gyrus");
      // After the click on "Click to explore", the frame has the focus.
      await frame.locator(".nglaunch-embed-activate").click();
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("IFRAME");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("is refused by the browser in a frame of an origin not in EMBED_ORIGINS", async () => {
      const { page, problems } = await openPage();
      const iframe = `<iframe src="${link.embedUrl}" width="800" height="600" title="Embedded cells"></iframe>`;
      // Chromium's wording: "Framing '<origin>/' violates the following Content Security Policy
      // directive: "frame-ancestors <allowed>". The request has been blocked."
      const refusal = new RegExp(
        `(Framing|Refused to frame) '${escapeRegExp(served.url)}/'.*"frame-ancestors ${escapeRegExp(wiki.origin)}"`,
      );
      const refused = page.waitForEvent("console", {
        predicate: (message) => refusal.test(message.text()),
        timeout: 30_000,
      });
      await page.goto(stranger.page("/embed-refused", "Other site", wikiPageBody(iframe)));
      await refused;
      const frame = await frameOf(page);
      // Chromium replaces a document blocked by frame-ancestors with its error page.
      expect(frame.url()).toMatch(/^chrome-error:/);
      expect(await frame.evaluate(() => "viewer" in window)).toBe(false);
      await screenshot(page, "embed-refused-origin");
      // The refusal is the only problem: the frame's document, and nothing else, was blocked.
      expect(problems.consoleErrors).toEqual([expect.stringMatching(refusal)]);
      expect(problems.failedRequests).toEqual([
        `GET ${link.embedUrl}: net::ERR_BLOCKED_BY_RESPONSE`,
      ]);
    });

    it("turns the gallery form into a short link that opens the chosen view and segments", async () => {
      const { page, problems } = await openPage();
      await stubPreviewImages(page.context());
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      await page.selectOption("#dataset", "e11-prism");
      await page.selectOption("#view", "overview");
      // Pasted as a CSV column with a header, as a user might.
      await page.fill("#segments", "segment_id\n9007199254740993\n18446744073709551615\n42\n");
      await page.fill("#title", "From the gallery");
      await page.click("#create-link");
      const shortUrl = await page.locator("#short-url").getAttribute("href", { timeout: 30_000 });
      expect(shortUrl).toMatch(new RegExp(`^${escapeRegExp(served.url)}/s/[\\w-]+$`));
      await screenshot(page, "gallery-short-link");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);

      await page.goto(shortUrl ?? "");
      await waitForViewerReady(page, { minLayers: 2, problems });
      const state = await viewerState(page);
      expect(state.title).toBe("From the gallery");
      expect(state.layers?.map((l) => [l.name, l.type])).toEqual([
        ["raw", "image"],
        ["dense_seg", "segmentation"],
      ]);
      expect(state.layers?.[1]?.segments?.slice().sort()).toEqual(
        ["9007199254740993", "18446744073709551615", "42"].sort(),
      );
      await screenshot(page, "gallery-short-link-opened");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("answers oEmbed for a pasted short link with HTML that embeds that link's viewer", async () => {
      const query = new URLSearchParams({
        url: link.shortUrl,
        format: "json",
        maxwidth: "720",
        maxheight: "560",
      });
      const answer = await request(served.app.server).get(`/oembed?${query}`).expect(200);
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      const oembed = answer.body as Record<string, unknown>;
      // oEmbed 1.0, section 2.3.4: version and type always; html, width, height for "rich".
      expect(oembed).toMatchObject({
        version: "1.0",
        type: "rich",
        title: "Embedded cells",
        provider_name: "nglaunch",
      });
      expect(oembed.provider_url).toBe(served.url);
      const { width, height, html } = oembed;
      expect(Number.isInteger(width) && (width as number) > 0 && (width as number) <= 720).toBe(
        true,
      );
      expect(Number.isInteger(height) && (height as number) > 0 && (height as number) <= 560).toBe(
        true,
      );
      expect(typeof html).toBe("string");
      expect(html).toMatch(
        new RegExp(
          `^<iframe src="${escapeRegExp(link.embedUrl)}" width="${width}" height="${height}"`,
        ),
      );

      // Pasted into a wiki page as it is, the HTML frames this link's light embed page; its
      // "Explore in 3D" loads the viewer, which renders.
      const { page, problems } = await openPage();
      await stubPreviewImages(page.context());
      await page.goto(wiki.page("/oembed", "Lab wiki", wikiPageBody(html as string)));
      const frame = await frameOf(page);
      expect(withoutHash(frame.url())).toBe(link.embedUrl);
      const box = await page.locator("iframe").boundingBox();
      expect([box?.width, box?.height]).toEqual([width, height]);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("search");
      await frame.getByRole("button", { name: "Explore in 3D" }).click();
      await frame.waitForURL((url) => url.searchParams.get("autoload") === "1");
      await expectLinkDrawn(page, problems, frame, "embed-from-oembed");
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });
  },
);
