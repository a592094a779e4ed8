// The gallery's "My links" in real Chromium: links made with the builder are listed, a link gets
// a name (its token kept in the browser), the name moves to a newer link with If-Match, a stale
// move is caught, and everything is still there after a reload (browser storage, no accounts).
import type { Browser, Page } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  launchBrowser,
  listProblems,
  screenshot,
  watchPage,
} from "../helpers/browser.js";
import { stubPreviewImages } from "../helpers/preview-stub.js";

const available = browserAvailable();

describe.skipIf(!available)(
  `My links in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 60_000 },
  () => {
    let served: ServedApp;
    let browser: Browser;

    beforeAll(async () => {
      served = await startServedApp();
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await served?.close();
    });

    async function makeLink(page: Page, segments: string, title: string): Promise<string> {
      await page.fill("#segments", segments);
      await page.fill("#title", title);
      await page.click("#create-link");
      await page.waitForSelector(`#my-links li.my-link:has-text("${title}")`);
      return (await page.locator("#short-url").getAttribute("href")) ?? "";
    }

    it("keeps links and names, names a link and moves the name to the current link", async () => {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      await stubPreviewImages(context);
      const page = await context.newPage();
      const problems = watchPage(page);
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      expect(await page.locator("#my-links").textContent()).toContain("No links yet");

      const first = await makeLink(page, "42", "First cut");
      const firstId = first.split("/").pop() ?? "";
      const firstItem = page.locator(`li.my-link[data-link-id="${firstId}"]`);
      await firstItem.locator("input").fill("ca3-proofread");
      await firstItem.getByRole("button", { name: "Create name" }).click();
      const nameItem = page.locator('li.my-name[data-name="ca3-proofread"]');
      await nameItem.waitFor();
      expect(await nameItem.textContent()).toContain("version 1");

      const second = await makeLink(page, "43", "Proofread");
      const secondId = second.split("/").pop() ?? "";
      await nameItem.locator("button.move").click();
      await page.waitForSelector('li.my-name[data-name="ca3-proofread"]:has-text("version 2")');
      expect(await nameItem.textContent()).toContain("Moved");
      const history = await request(served.app.server).get("/api/names/ca3-proofread").expect(200);
      expect(history.body.history.map((v: { linkId: string }) => v.linkId)).toEqual([
        firstId,
        secondId,
      ]);

      // Another editor moves the name back; this page still thinks version 2 is current.
      await nameItem.getByRole("button", { name: "Show token" }).click();
      const token = (await nameItem.locator(".token code").textContent()) ?? "";
      expect(token).toMatch(/^ngn_/);
      await request(served.app.server)
        .put("/api/names/ca3-proofread")
        .set("authorization", `Bearer ${token}`)
        .send({ link: firstId })
        .expect(200);
      await nameItem.locator("button.move").click();
      await page.waitForSelector('li.my-name[data-name="ca3-proofread"]:has-text("meanwhile")');
      expect(await nameItem.textContent()).toContain("version 3");
      await screenshot(page, "gallery-my-links-stale");
      await nameItem.locator("button.move").click(); // deliberate, from version 3
      await page.waitForSelector('li.my-name[data-name="ca3-proofread"]:has-text("version 4")');

      // The embed snippets of a name embed the name, not one snapshot.
      await nameItem.getByRole("button", { name: "Embed snippets" }).click();
      const html = nameItem.locator('[data-snippet-id="html"] textarea');
      await html.waitFor();
      expect(await html.inputValue()).toContain(`${served.url}/embed/n/ca3-proofread`);

      await page.reload();
      await page.waitForSelector("body[data-ready='true']");
      await page.locator('li.my-name[data-name="ca3-proofread"]').waitFor();
      expect(await page.locator("li.my-link").count()).toBe(2);
      expect(await page.locator('li.my-name[data-name="ca3-proofread"]').textContent()).toContain(
        "version 4",
      );
      await screenshot(page, "gallery-my-links");

      // Forget removes an entry from this browser only.
      await page.locator(`li.my-link[data-link-id="${firstId}"] button.forget`).click();
      expect(await page.locator("li.my-link").count()).toBe(1);
      await request(served.app.server).get(`/api/links/${firstId}`).expect(200);
      await context.close();
      // The one refused request is the stale move the page handled.
      expect(listProblems(problems)).toEqual([
        expect.stringMatching(/status of 412/),
        `PUT ${served.url}/api/names/ca3-proofread: HTTP 412`,
      ]);
    });
  },
);
