// Layers the bundled viewer cannot draw (issue 14 §6), in a real browser: the viewer names them in
// a notice and offers the view in another Neuroglancer (by the state JSON URL of a short link, by
// the inline state otherwise); views it can draw show no notice; and the scheme lists of
// src/domain/viewer-sources.ts are exactly what the built viewer registers.
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OTHER_NEUROGLANCER } from "../../client/unsupported-notice.js";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import {
  VIEWER_DATA_SOURCES,
  VIEWER_KVSTORE_ADAPTERS,
  VIEWER_KVSTORES,
  VIEWER_PIPELINE_FORMATS,
} from "../../src/domain/viewer-sources.js";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  launchBrowser,
  listProblems,
  viewerState,
  waitForViewerReady,
  watchPage,
} from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";

const available = browserAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");
const NOTICE = ".nglaunch-unsupported";

describe.skipIf(!available)(
  `layers the viewer cannot draw, in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 60_000 },
  () => {
    let fixtures: FixtureServer;
    let served: ServedApp;
    let browser: Browser;
    let context: BrowserContext | undefined;

    beforeAll(async () => {
      await makeFixtures(fixtureDir);
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

    async function openPage(): Promise<Page> {
      context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
      return context.newPage();
    }

    /** A drawable layer and three that need modules this build leaves out (all on loopback). */
    function mixedState() {
      return {
        dimensions: { x: [1e-9, "m"], y: [1e-9, "m"], z: [1e-9, "m"] },
        layout: "xy",
        layers: [
          { type: "image", name: "raw", source: `precomputed://${fixtures.url}/raw` },
          { type: "image", name: "em", source: `n5://${fixtures.url}/em.n5/s0` },
          {
            type: "segmentation",
            name: "proofread",
            source: { url: `graphene://${fixtures.url}/segmentation/table/x` },
          },
          { type: "image", name: "zipped", source: `${fixtures.url}/vol.zip|zip:|zarr3:` },
        ],
      };
    }

    it("names each layer it cannot draw on a short link and offers the state's JSON URL", async () => {
      const created = await request(served.app.server)
        .post("/api/links")
        .send({ state: mixedState(), title: "Mixed sources" })
        .expect(201);
      const { shortUrl, jsonUrl, warnings } = created.body as {
        shortUrl: string;
        jsonUrl: string;
        warnings: { path: string; message: string }[];
      };
      // The link is stored (other Neuroglancers draw it all), and its answer says what is missing.
      expect(warnings.map((warning) => warning.path)).toEqual([
        "state.layers[1].source",
        "state.layers[2].source",
        "state.layers[3].source",
      ]);
      expect(warnings[0]?.message).toContain('layer "em" needs the n5 source type');

      const page = await openPage();
      await page.goto(shortUrl);
      const notice = page.locator(NOTICE);
      await notice.waitFor({ state: "visible" });
      expect(await notice.getAttribute("role")).toBe("alert");
      const text = (await notice.locator("p").textContent()) ?? "";
      expect(text).toContain(
        'cannot draw 3 layers: "em" (n5), "proofread" (graphene), "zipped" (zip)',
      );
      expect(text).not.toContain('"raw"');
      expect(await notice.locator("input").inputValue()).toBe(jsonUrl);
      expect(await notice.locator("a").getAttribute("href")).toBe(
        `${OTHER_NEUROGLANCER}#!${jsonUrl}`,
      );
      // The drawable layer is still there, next to the others.
      const state = await viewerState(page);
      expect(state.layers?.map((layer) => layer.name)).toEqual([
        "raw",
        "em",
        "proofread",
        "zipped",
      ]);

      // Dismissed, it goes; when the layers change it follows them, and goes with the last one.
      await notice.locator("button").click();
      await notice.waitFor({ state: "detached" });
      await setLayers(page, mixedState().layers.slice(0, 2));
      await page.locator(NOTICE).waitFor({ state: "visible" });
      expect(await page.locator(`${NOTICE} p`).textContent()).toContain(
        'cannot draw 1 layer: "em" (n5)',
      );
      await setLayers(page, mixedState().layers.slice(0, 1));
      await page.locator(NOTICE).waitFor({ state: "detached" });
    });

    it("offers an inline state, as it is now, when the page has no state JSON URL", async () => {
      const state = mixedState();
      state.layers = state.layers.slice(0, 2);
      const page = await openPage();
      await page.goto(`${served.url}/#!${encodeURIComponent(JSON.stringify(state))}`);
      const notice = page.locator(NOTICE);
      await notice.waitFor({ state: "visible" });
      expect(await notice.locator("input").count()).toBe(0);
      await notice.locator("a").focus();
      const href = (await notice.locator("a").getAttribute("href")) ?? "";
      expect(href.startsWith(`${OTHER_NEUROGLANCER}#!`)).toBe(true);
      const opened = JSON.parse(decodeURIComponent(href.slice(OTHER_NEUROGLANCER.length + 2)));
      expect(opened.layers.map((layer: { source: unknown }) => layer.source)).toEqual(
        state.layers.map((layer) => layer.source),
      );
    });

    it("shows no notice on a view whose layers it can all draw", async () => {
      const page = await openPage();
      const problems = watchPage(page);
      await page.goto(`${served.url}/v/e11-prism/overview`);
      await waitForViewerReady(page, { minLayers: 2, problems });
      expect(await page.locator(NOTICE).count()).toBe(0);
      expect(listProblems(problems, fixtures.stats)).toEqual([]);
    });

    it("registers exactly the schemes src/domain/viewer-sources.ts lists", async () => {
      const page = await openPage();
      await page.goto(`${served.url}/`);
      await page.waitForFunction(() => "viewer" in window);
      const registered = await page.evaluate(() => {
        const registry = (window as unknown as { viewer: { dataSourceProvider: Registry } }).viewer
          .dataSourceProvider;
        const kv = registry.sharedKvStoreContext.kvStoreContext;
        const keys = (map: Map<string, unknown>) => [...map.keys()].sort();
        return {
          dataSources: keys(registry.dataSources),
          formats: keys(registry.kvStoreBasedDataSources),
          kvstores: keys(kv.baseKvStoreProviders),
          adapters: keys(kv.kvStoreAdapterProviders),
        };
      });
      expect(registered).toEqual({
        dataSources: [...VIEWER_DATA_SOURCES].sort(),
        formats: [...VIEWER_PIPELINE_FORMATS].sort(),
        kvstores: [...VIEWER_KVSTORES].sort(),
        adapters: [...VIEWER_KVSTORE_ADAPTERS].sort(),
      });
    });
  },
);

/** Replaces the viewer's layers, as editing them in the layer panel would. */
function setLayers(page: Page, layers: unknown[]): Promise<void> {
  return page.evaluate((list) => {
    const { viewer } = window as unknown as {
      viewer: { layerSpecification: { restoreState(layers: unknown): void } };
    };
    viewer.layerSpecification.restoreState(list);
  }, layers);
}

/** The parts of Neuroglancer's DataSourceRegistry the scheme test reads. */
interface Registry {
  dataSources: Map<string, unknown>;
  kvStoreBasedDataSources: Map<string, unknown>;
  sharedKvStoreContext: {
    kvStoreContext: {
      baseKvStoreProviders: Map<string, unknown>;
      kvStoreAdapterProviders: Map<string, unknown>;
    };
  };
}
