// The preview images (/.../preview.png) of embeds and gallery cards, answered by the browser.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { packageRoot } from "../../src/config.js";

const STILL_IMAGE = readFileSync(path.join(packageRoot, "static", "favicon.svg"));
export const PREVIEW_PATH = /\/preview\.png(\?|$)/;

/**
 * Answers the preview images in the browser with a fixed picture, or with 404s for `missing`;
 * returns the URLs asked for, in order. Why not the service's: the preview route renders in the
 * service's own Chromium and is tested with it (test/routes/previews); in embed and gallery
 * tests only the page around the image is under test, and renders on a shared 2-core machine
 * would only slow them.
 */
export async function stubPreviewImages(
  target: BrowserContext | Page,
  previews: "image" | "missing" = "image",
): Promise<string[]> {
  const requested: string[] = [];
  await target.route(PREVIEW_PATH, (route) => {
    requested.push(route.request().url());
    return previews === "image"
      ? route.fulfill({ status: 200, contentType: "image/svg+xml", body: STILL_IMAGE })
      : route.fulfill({ status: 404, contentType: "text/plain", body: "no preview" });
  });
  return requested;
}

/**
 * Waits until the image at `selector` has settled (loaded or failed) and says whether it shows
 * a picture. A test that navigates away must wait for it first: the browser aborts an image in
 * flight, and the page's problem list would name that aborted request.
 */
export async function settledImage(page: Page, selector: string): Promise<boolean> {
  await page.waitForFunction(
    (s) => document.querySelector<HTMLImageElement>(s)?.complete === true,
    selector,
  );
  return page.locator(selector).evaluate((img: HTMLImageElement) => img.naturalWidth > 0);
}
