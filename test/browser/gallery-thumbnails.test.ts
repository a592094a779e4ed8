// The gallery's preview thumbnails in real Chromium (issue 9 §4): every view and layer card shows
// its preview image, lazily loaded and with alt text, and a link just made shows its own; a
// missing image leaves a readable card.
import type { Browser, BrowserContext } from "playwright-core";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  launchBrowser,
  listProblems,
  screenshot,
  watchPage,
} from "../helpers/browser.js";
import { settledImage, stubPreviewImages } from "../helpers/preview-stub.js";

const available = browserAvailable();

interface Card {
  id: string;
  title: string;
  previewUrl: string;
}

describe.skipIf(!available)(
  `gallery thumbnails in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 60_000 },
  () => {
    let served: ServedApp;
    let browser: Browser;
    let context: BrowserContext | undefined;
    let views: Card[];
    let layers: Card[];

    beforeAll(async () => {
      served = await startServedApp();
      const prism = await request(served.app.server).get("/api/presets/e11-prism").expect(200);
      views = prism.body.views;
      layers = prism.body.layers;
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    afterAll(async () => {
      await browser?.close();
      await served?.close();
    });

    async function openGallery(previews: "image" | "missing" = "image") {
      context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      const requested = await stubPreviewImages(context, previews);
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      return { page, problems, requested };
    }

    /** Waits until the image in `selector` has loaded or failed; whether it has a picture. */
    it("shows each view's and layer's preview, lazily, with alt text", async () => {
      const { page, problems, requested } = await openGallery();
      expect(views.length).toBeGreaterThan(0);
      for (const [kind, cards] of [
        ["view", views],
        ["layer", layers],
      ] as const)
        for (const card of cards) {
          const img = page.locator(`[data-${kind}="e11-prism/${card.id}"] img.thumbnail`);
          expect(card.previewUrl).toMatch(
            /^http:\/\/127\.0\.0\.1:\d+\/v\/e11-prism\/.+\/preview\.png$/,
          );
          expect(await img.getAttribute("src")).toBe(card.previewUrl);
          expect(await img.getAttribute("alt")).toBe(`Preview of ${card.title}`);
          expect(await img.getAttribute("loading")).toBe("lazy");
        }
      // Lazy: the cards far below the first screen have not asked for their image yet.
      const last = layers.at(-1) as Card;
      expect(requested).not.toContain(last.previewUrl);
      const selector = `[data-layer="e11-prism/${last.id}"] img.thumbnail`;
      await page.locator(selector).scrollIntoViewIfNeeded();
      expect(await settledImage(page, selector)).toBe(true);
      expect(requested).toContain(last.previewUrl);
      await screenshot(page, "gallery-thumbnails");
      expect(listProblems(problems)).toEqual([]);
    });

    it("shows the preview of a link just made", async () => {
      const { page, problems } = await openGallery();
      await page.selectOption("#dataset", "e11-prism");
      await page.selectOption("#view", "overview");
      await page.fill("#segments", "9007199254740993");
      await page.fill("#title", "Thumbnail cell");
      await page.click("#create-link");
      const shortUrl = await page.locator("#short-url").getAttribute("href", { timeout: 30_000 });
      const preview = page.locator("#short-url-preview");
      // The POST /api/links answer's previewUrl: /s/<id>/preview.png.
      expect(await preview.getAttribute("src")).toBe(`${shortUrl}/preview.png`);
      expect(await preview.getAttribute("alt")).toBe("Preview of Thumbnail cell");
      expect(await settledImage(page, "#short-url-preview")).toBe(true);
      await screenshot(page, "gallery-thumbnail-new-link");
      expect(listProblems(problems)).toEqual([]);
    });

    it("keeps cards readable when a preview is missing: alt text on a neutral box", async () => {
      const { page, problems, requested } = await openGallery("missing");
      const first = views[0] as Card;
      const selector = `[data-view="e11-prism/${first.id}"] img.thumbnail`;
      await page.locator(selector).scrollIntoViewIfNeeded();
      await expect.poll(() => requested.includes(first.previewUrl)).toBe(true);
      expect(await settledImage(page, selector)).toBe(false);
      const box = await page.locator(selector).boundingBox();
      // The card keeps the image's 1200:630 shape, so nothing jumps when images arrive or fail.
      expect(Math.abs((box?.width ?? 0) / (box?.height ?? 1) - 1200 / 630)).toBeLessThan(0.05);
      await screenshot(page, "gallery-thumbnail-missing");
      const missing = /preview\.png: HTTP 404|status of 404/;
      expect(listProblems(problems).filter((p) => !missing.test(p))).toEqual([]);
    });
  },
);
