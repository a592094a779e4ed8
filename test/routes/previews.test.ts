// Preview images over real HTTP: fallback cards when previews are off or Chromium is missing
// (PNG of the requested size, short cache life, pages unaffected), sizes and their bounds, 404s,
// HEAD, ETag/304; and with a real Chromium on fixture data: a rendered preview kept durably
// (a restart on the same DATA_DIR serves it with no new render), shared through one real
// redis-server by two apps, one render for concurrent requests, and the view-link cache bound.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { packageRoot } from "../../src/config.js";
import { SqlitePreviewStore } from "../../src/previews/sqlite-preview-store.js";
import { type ServedApp, startServedApp, startTestApp, type TestApp } from "../helpers/app.js";
import { BROWSER_MISSING_REASON, browserAvailable, CHROMIUM_PATH } from "../helpers/browser.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { decodePng } from "../helpers/png.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../helpers/redis-server.js";

const CARD_CACHE = "public, max-age=60";
const IMMUTABLE = "public, max-age=31536000, immutable";

async function createLink(app: FastifyInstance, body: object): Promise<string> {
  const res = await app.inject({ method: "POST", url: "/api/links", payload: body });
  if (res.statusCode !== 201 && res.statusCode !== 200)
    throw new Error(`link: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** The value of one series of /metrics, 0 when absent. */
async function metric(app: FastifyInstance, series: string): Promise<number> {
  const text = (await app.inject({ url: "/metrics" })).body;
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
const renders = (app: FastifyInstance, outcome: string) =>
  metric(app, `nglaunch_preview_renders_total{outcome="${outcome}"}`);

describe("previews off: fallback cards", () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp({ previews: "off" });
    id = await createLink(t.app, {
      dataset: "e11-prism",
      view: "overview",
      segments: ["648518346349538235"],
      title: "Cards",
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers /s/:id/preview.png with a 1200x630 PNG card, a short cache life, and counts 'off'", async () => {
    const res = await t.app.inject({ url: `/s/${id}/preview.png` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers["cache-control"]).toBe(CARD_CACHE);
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    const image = decodePng(res.rawPayload);
    expect([image.width, image.height]).toEqual([1200, 630]);
    expect(await renders(t.app, "off")).toBeGreaterThanOrEqual(1);
    // The pages still work.
    const page = await t.app.inject({ url: `/s/${id}`, headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>Cards</title>");
  });

  it("makes cards for names (current and pinned) and view links too", async () => {
    const named = await t.app.inject({
      method: "POST",
      url: "/api/names",
      payload: { name: "preview-cards", link: id },
    });
    expect(named.statusCode).toBe(201);
    for (const url of [
      "/n/preview-cards/preview.png",
      "/n/preview-cards/1/preview.png",
      "/v/e11-prism/overview/preview.png?segments=648518346349538235",
      "/v/e11-prism/layer/raw/preview.png",
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"], url).toBe("image/png");
      const image = decodePng(res.rawPayload);
      expect([image.width, image.height], url).toEqual([1200, 630]);
    }
  });

  it("takes ?w=&h= within bounds and refuses others with 400 naming the range", async () => {
    const small = await t.app.inject({ url: `/s/${id}/preview.png?w=400&h=210` });
    expect(small.statusCode).toBe(200);
    const image = decodePng(small.rawPayload);
    expect([image.width, image.height]).toEqual([400, 210]);
    for (const query of ["w=100", "w=5000", "h=20", "h=1601", "w=abc", "w=300.5"]) {
      const res = await t.app.inject({ url: `/s/${id}/preview.png?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(res.body, query).toMatch(/from (200 to 2400|100 to 1600)/);
    }
    const view = await t.app.inject({ url: "/v/e11-prism/overview/preview.png?h=9999" });
    expect(view.statusCode).toBe(400);
  });

  it("answers 404 JSON for unknown links, names and views, 400 for a bad view query", async () => {
    for (const url of [
      "/s/nope1234/preview.png",
      "/s/x/preview.png",
      "/n/no-such-name/preview.png",
      "/n/preview-cards/9/preview.png",
      "/n/preview-cards/first/preview.png",
      "/v/nope/overview/preview.png",
      "/v/e11-prism/layer/nope/preview.png",
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"], url).toMatch(/^application\/json/);
    }
    const bad = await t.app.inject({ url: "/v/e11-prism/overview/preview.png?segments=12abc" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ issues: [{ path: "segments" }] });
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await t.app.inject({ method: "HEAD", url: `/s/${id}/preview.png` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    expect(res.headers.etag).toMatch(/^"/);
    expect(res.rawPayload.length).toBe(0);
  });

  it("answers 304 to If-None-Match with its ETag (also in a list), 200 to another", async () => {
    const first = await t.app.inject({ url: `/s/${id}/preview.png` });
    const etag = String(first.headers.etag);
    for (const header of [etag, `"other", ${etag}`, `W/${etag}`]) {
      const res = await t.app.inject({
        url: `/s/${id}/preview.png`,
        headers: { "if-none-match": header },
      });
      expect(res.statusCode, header).toBe(304);
      expect(res.headers.etag).toBe(etag);
      expect(res.body).toBe("");
    }
    const other = await t.app.inject({
      url: `/s/${id}/preview.png`,
      headers: { "if-none-match": '"something-else"' },
    });
    expect(other.statusCode).toBe(200);
  });
});

describe("stored previews, without a browser", () => {
  it("serves a preview from the durable store as rendered, then from memory, across a restart", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-previews-"));
    const first = await startTestApp({ previews: "off", dataDir });
    const id = await createLink(first.app, { dataset: "e11-prism", view: "overview" });
    // What a render on another replica (or before a restart) left in the store.
    const png = decodeablePng();
    const store = new SqlitePreviewStore({ dataDir });
    await store.put({ linkId: id, width: 1200, height: 630 }, png);
    await store.close();
    await first.app.close(); // keeps dataDir
    const again = await startTestApp({ previews: "off", dataDir });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await again.app.inject({ url: `/s/${id}/preview.png` });
        expect(res.statusCode).toBe(200);
        expect(res.headers["cache-control"]).toBe(IMMUTABLE);
        expect(res.rawPayload.equals(png)).toBe(true);
      }
      const series = (tier: string, result: string) =>
        metric(
          again.app,
          `nglaunch_preview_cache_requests_total{tier="${tier}",result="${result}"}`,
        );
      expect(await series("store", "hit")).toBe(1);
      expect(await series("memory", "hit")).toBe(2);
      expect(await renders(again.app, "off")).toBe(0);
      // A name's pinned version uses its link's picture, immutable; the current one for an hour.
      await again.app.inject({
        method: "POST",
        url: "/api/names",
        payload: { name: "stored-preview", link: id },
      });
      const pinned = await again.app.inject({ url: "/n/stored-preview/1/preview.png" });
      expect(pinned.headers["cache-control"]).toBe(IMMUTABLE);
      const current = await again.app.inject({ url: "/n/stored-preview/preview.png" });
      expect(current.headers["cache-control"]).toBe("public, max-age=3600");
      expect(current.headers.etag).toBe(pinned.headers.etag);
    } finally {
      await again.close(); // removes dataDir
    }
  });
});

/** A small valid PNG standing in for a rendered one. */
function decodeablePng(): Buffer {
  return Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
    "base64",
  );
}

describe("PREVIEWS=auto with a bogus CHROMIUM_PATH", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ previews: "auto", chromiumPath: "/nonexistent/chromium" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("starts, and serves the fallback card", async () => {
    expect(t.app.previews.rendering).toBe(false);
    const id = await createLink(t.app, { dataset: "e11-prism", view: "overview" });
    const res = await t.app.inject({ url: `/s/${id}/preview.png` });
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe(CARD_CACHE);
    expect(decodePng(res.rawPayload).width).toBe(1200);
  });
});

const available = browserAvailable();
const hasRedis = redisServerAvailable();
const fixtureDir = path.join(packageRoot, "test-output", "fixtures");

describe.skipIf(!available)(
  `rendered previews in Chromium${available ? "" : ` (${BROWSER_MISSING_REASON})`}`,
  { timeout: 600_000 },
  () => {
    let fixtures: FixtureServer;
    const dataDirs: string[] = [];
    const opened: FastifyInstance[] = [];

    /** A served app that renders, on fixture data; closed (data kept) by afterAll. */
    async function renderingApp(overrides: object = {}): Promise<ServedApp> {
      const served = await startServedApp({
        sourceRoots: { "e11-prism": `${fixtures.url}/` },
        previews: "on",
        chromiumPath: CHROMIUM_PATH,
        // Generous: the machine is shared and WebGL is software-rendered.
        previewTimeoutMs: 150_000,
        ...overrides,
      });
      opened.push(served.app);
      return served;
    }
    function dataDir(): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-previews-"));
      dataDirs.push(dir);
      return dir;
    }

    beforeAll(async () => {
      await makeFixtures(fixtureDir);
      fixtures = await startFixtureServer(fixtureDir);
    }, 120_000);
    afterAll(async () => {
      for (const app of opened) await app.close().catch(() => {});
      await fixtures?.close();
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });

    it("renders a link's preview once, keeps it, and serves it after a restart with no render", async () => {
      const dir = dataDir();
      const first = await renderingApp({ dataDir: dir });
      const id = await createLink(first.app, {
        dataset: "e11-prism",
        view: "overview",
        segments: ["9007199254740993"],
        title: "Kept",
      });
      const url = `/s/${id}/preview.png?w=600&h=400`;
      // Two requests at once share one render.
      const [a, b] = await Promise.all([first.app.inject({ url }), first.app.inject({ url })]);
      for (const res of [a, b]) {
        expect(res.statusCode).toBe(200);
        expect(res.headers["cache-control"]).toBe(IMMUTABLE);
      }
      expect(a.headers.etag).toBe(b.headers.etag);
      expect(await renders(first.app, "ok")).toBe(1);
      const image = decodePng(a.rawPayload);
      expect([image.width, image.height]).toEqual([600, 400]);
      // From memory now: no second render.
      const again = await first.app.inject({ url });
      expect(again.headers.etag).toBe(a.headers.etag);
      expect(await renders(first.app, "ok")).toBe(1);
      await first.app.close();

      const second = await renderingApp({ dataDir: dir });
      const after = await second.app.inject({ url });
      expect(after.statusCode).toBe(200);
      expect(after.headers["cache-control"]).toBe(IMMUTABLE);
      expect(after.headers.etag).toBe(a.headers.etag);
      expect(after.rawPayload.equals(a.rawPayload)).toBe(true);
      expect(await renders(second.app, "ok")).toBe(0);
      expect(
        await metric(
          second.app,
          'nglaunch_preview_cache_requests_total{tier="store",result="hit"}',
        ),
      ).toBe(1);
    });

    it("answers the card at once while the pool is busy, and renders it in the background", async () => {
      const served = await renderingApp({ dataDir: dataDir(), previewConcurrency: 1 });
      const view = (segment: string) =>
        served.app.inject({
          url: `/v/e11-prism/overview/preview.png?w=300&h=200&segments=${segment}`,
        });
      // Two at once with one slot: whichever comes first renders, the other gets the card.
      const answers = await Promise.all([view("11"), view("12")]);
      const lives = answers.map((res) => res.headers["cache-control"]).sort();
      expect(lives).toEqual(["public, max-age=3600", CARD_CACHE]);
      const carded = answers.findIndex((res) => res.headers["cache-control"] === CARD_CACHE);
      expect(decodePng(answers[carded]?.rawPayload ?? Buffer.alloc(0)).width).toBe(300);
      expect(await renders(served.app, "busy")).toBe(1);
      // The queued render lands in the cache; wait for it without a bound on its speed.
      while ((await renders(served.app, "ok")) + (await renders(served.app, "timeout")) < 2)
        await sleep(200);
      const later = await view(carded === 0 ? "11" : "12");
      expect(later.headers["cache-control"]).toBe("public, max-age=3600");
      expect(await renders(served.app, "ok")).toBe(2);
    });

    it("keeps at most PREVIEW_CACHE_ENTRIES view-link previews", async () => {
      const served = await renderingApp({ dataDir: dataDir(), previewCacheEntries: 1 });
      const view = (segment: string) =>
        served.app.inject({
          url: `/v/e11-prism/overview/preview.png?w=300&h=200&segments=${segment}`,
        });
      expect((await view("1")).headers["cache-control"]).toBe("public, max-age=3600");
      expect(await renders(served.app, "ok")).toBe(1);
      await view("1"); // cached
      expect(await renders(served.app, "ok")).toBe(1);
      await view("2"); // evicts the first
      expect(await renders(served.app, "ok")).toBe(2);
      await view("1");
      expect(await renders(served.app, "ok")).toBe(3);
    });

    describe.skipIf(!hasRedis)("with Redis", () => {
      let redis: RedisServer;
      beforeAll(async () => {
        redis = await startRedisServer();
      });
      afterAll(async () => {
        await redis?.dispose();
      });

      it("two apps on one redis-server share a rendered preview", async () => {
        const one = await renderingApp({ dataDir: dataDir(), redisUrl: redis.url });
        // The other renders nothing at all: what it serves can only come from Redis.
        const other = await startTestApp({ redisUrl: redis.url, previews: "off" });
        try {
          const id = await createLink(one.app, {
            dataset: "e11-prism",
            view: "overview",
            title: "Shared",
          });
          const url = `/s/${id}/preview.png?w=400&h=300`;
          const rendered = await one.app.inject({ url });
          expect(rendered.headers["cache-control"]).toBe(IMMUTABLE);
          const shared = await other.app.inject({ url });
          expect(shared.statusCode).toBe(200);
          expect(shared.headers["cache-control"]).toBe(IMMUTABLE);
          expect(shared.rawPayload.equals(rendered.rawPayload)).toBe(true);
          expect(await renders(other.app, "off")).toBe(0);
        } finally {
          await other.close();
        }
      });
    });
  },
);
