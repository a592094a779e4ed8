// The gallery shows each layer's and view's verification state beside it, in a real browser:
// a verified layer with its date, assumed ones with what is assumed, and a failed start-up
// check (VERIFY_PRESETS=on) against loopback fixtures whose raw chunk is missing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { loadConfig } from "../../src/config.js";
import { formatJson } from "../../src/domain/preset-record.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  launchBrowser,
  listProblems,
  screenshot,
  watchPage,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { stubPreviewImages } from "../helpers/preview-stub.js";

const available = browserAvailable();
const DIGEST = `sha256:${"cd".repeat(32)}`;

describe.skipIf(!available)(
  `gallery verification badges${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  () => {
    let work: string;
    let fixtures: FixtureServer;
    let served: ServedApp;
    let browser: Browser;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), "nglaunch-gallery-verification-"));
      await makeFixtures(join(work, "data"));
      unlinkSync(join(work, "data", "raw", "70_70_80", "0-32_0-32_0-4"));
      fixtures = await startFixtureServer(work);
      const presetsDir = join(work, "presets");
      mkdirSync(presetsDir);
      const preset = JSON.parse(
        readFileSync(join(loadConfig({}).presetsDir, "e11-prism.json"), "utf8"),
      );
      for (const key of ["layerType", "dataType", "numChannels"])
        preset.layers.dense_seg.expects[key] = {
          value: preset.layers.dense_seg.expects[key].value,
          basis: "verified",
          date: "2026-12-02",
          infoDigest: DIGEST,
        };
      writeFileSync(join(presetsDir, "e11-prism.json"), formatJson(preset));
      served = await startServedApp({
        presetsDir,
        verifyPresets: true,
        sourceRoots: { "e11-prism": `${fixtures.url}/data/` },
      });
      await served.app.presetChecks.done;
      browser = await launchBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await served?.close();
      await fixtures?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it("shows verified, assumed and failed states beside layers and views", async () => {
      const page = await browser.newPage();
      await stubPreviewImages(page);
      const problems = watchPage(page);
      await page.goto(`${served.url}/gallery`);
      await page.waitForSelector("body[data-ready='true']");
      const badge = (selector: string) => page.locator(`${selector} .verification`).textContent();
      expect(await badge('[data-layer="e11-prism/dense_seg"]')).toBe("✓ verified 2026-12-02");
      expect(await badge('[data-layer="e11-prism/markers_all"]')).toBe(
        "? not verified: assumed uint16, 7 channels",
      );
      expect(await badge('[data-layer="e11-prism/raw"]')).toBe(
        "✗ check failed (chunk): not verified: assumed uint8, 18 channels",
      );
      expect(
        await page.locator('[data-layer="e11-prism/raw"] .verification').getAttribute("title"),
      ).toMatch(/^chunk 70_70_80\/0-32_0-32_0-4: missing \(HTTP 404\); checked \d{4}-/);
      expect(await badge('[data-view="e11-prism/overview"]')).toBe(
        "✗ check failed for raw: not verified: 1 of 2 layers assumed (raw)",
      );
      expect(await badge('[data-view="e11-prism/proofread"]')).toBe(
        "? not verified: 2 of 2 layers assumed (enhanced, proofed_cells)",
      );
      await page.locator('[data-view="e11-prism/overview"]').scrollIntoViewIfNeeded();
      await screenshot(page, "gallery-verification");
      expect(listProblems(problems)).toEqual([]);
      await page.close();
    });
  },
);
