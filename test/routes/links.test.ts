// The short-link API over real HTTP, run once on the embedded store and once on a real
// redis-server started for the suite.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../helpers/redis-server.js";

const STATE = {
  title: "two cells",
  layers: [
    {
      type: "segmentation",
      name: "seg",
      source: "precomputed://s3://e11bio-prism/ls/images/precomputed/dense_seg",
      segments: ["18446744073709551615", "42"],
    },
  ],
  layout: "xy",
};
/** The same state with keys in another order: must map to the same link. */
const SAME_STATE_REORDERED = { layout: "xy", layers: STATE.layers, title: "two cells" };

const hasRedis = redisServerAvailable();

type StoreSetup = {
  name: string;
  skip: boolean;
  start(): Promise<{ overrides: object; stop(): Promise<void> }>;
};
const stores: StoreSetup[] = [
  {
    name: "embedded SQLite store",
    skip: false,
    start: async () => ({ overrides: {}, stop: async () => {} }),
  },
  {
    name: "Redis store",
    skip: !hasRedis,
    async start() {
      const redis = await startRedisServer();
      // A roomy per-command bound: these tests check answers, not latency, and the burst of 500
      // concurrent posts queues behind whatever else a busy CI machine is doing.
      return {
        overrides: { redisUrl: redis.url, storeTimeoutMs: 10_000 },
        stop: () => redis.dispose(),
      };
    },
  },
];

for (const setup of stores) {
  describe.skipIf(setup.skip)(`short links on the ${setup.name}`, () => {
    let t: TestApp;
    let stopStore: () => Promise<void>;
    beforeAll(async () => {
      const store = await setup.start();
      stopStore = store.stop;
      t = await startTestApp(store.overrides);
    });
    afterAll(async () => {
      await t.close();
      await stopStore();
    });

    it("creates a link (201), and re-posting the same state returns it (200)", async () => {
      const first = await request(t.app.server)
        .post("/api/links")
        .send({ state: STATE })
        .expect(201);
      expect(first.body).toMatchObject({
        created: true,
        shortUrl: `http://ngl.test/s/${first.body.id}`,
        jsonUrl: `http://ngl.test/api/links/${first.body.id}`,
        viewerUrl: `http://ngl.test/#!http://ngl.test/api/links/${first.body.id}`,
        embedUrl: `http://ngl.test/embed/${first.body.id}`,
      });
      expect(first.body.longUrl.startsWith("http://ngl.test/#!")).toBe(true);
      const again = await request(t.app.server)
        .post("/api/links")
        .send({ state: SAME_STATE_REORDERED })
        .expect(200);
      expect(again.body).toMatchObject({ id: first.body.id, created: false });
    });

    it("serves exactly the stored state with CORS and immutable caching", async () => {
      const { body } = await request(t.app.server)
        .post("/api/links")
        .send({ state: STATE, title: "t1" })
        .expect(201);
      const res = await request(t.app.server).get(`/api/links/${body.id}`).expect(200);
      expect(res.headers["content-type"]).toMatch(/application\/json/);
      expect(res.headers["access-control-allow-origin"]).toBe("*");
      expect(res.headers["cache-control"]).toMatch(/immutable/);
      expect(JSON.parse(res.text)).toEqual(STATE);
      expect(res.text).toContain('"18446744073709551615"');
      const meta = await request(t.app.server).get(`/api/links/${body.id}/meta`).expect(200);
      expect(meta.body).toMatchObject({
        id: body.id,
        title: "t1",
        dataset: null,
        sizeBytes: res.text.length,
      });
    });

    it("builds from preset fields and from a Neuroglancer URL", async () => {
      const built = await request(t.app.server)
        .post("/api/links")
        .send({ dataset: "e11-prism", view: "overview", segments: ["7"], title: "cell 7" })
        .expect(201);
      const meta = await request(t.app.server).get(`/api/links/${built.body.id}/meta`).expect(200);
      expect(meta.body).toMatchObject({ dataset: "e11-prism", view: "overview", title: "cell 7" });
      const fromUrl = await request(t.app.server)
        .post("/api/links")
        .send({ url: built.body.longUrl })
        .expect(201);
      const state = await request(t.app.server).get(`/api/links/${fromUrl.body.id}`).expect(200);
      const original = await request(t.app.server).get(`/api/links/${built.body.id}`).expect(200);
      expect(state.body).toEqual(original.body);
    });

    it("takes this service's own links as url: short, embed, JSON and Share-button forms", async () => {
      const { body } = await request(t.app.server)
        .post("/api/links")
        .send({ state: STATE })
        .expect(200);
      for (const url of [body.shortUrl, body.embedUrl, body.jsonUrl, body.viewerUrl]) {
        const again = await request(t.app.server).post("/api/links").send({ url }).expect(200);
        expect(again.body.id).toBe(body.id);
        const checked = await request(t.app.server)
          .post("/api/states/validate")
          .send({ url })
          .expect(200);
        expect(checked.body.valid).toBe(true);
      }
      const unknown = await request(t.app.server)
        .post("/api/links")
        .send({ url: "http://ngl.test/s/AAAAAAAAAAAAAAAA" })
        .expect(400);
      expect(unknown.body.issues[0]).toMatchObject({
        path: "url",
        message: expect.stringMatching(/no link/),
      });
    });

    it("opens /s/:id in the viewer and answers 404 for unknown ids", async () => {
      const { body } = await request(t.app.server)
        .post("/api/links")
        .send({ state: STATE })
        .expect(200);
      const res = await request(t.app.server).get(`/s/${body.id}`).expect(200);
      expect(res.text).toContain(body.jsonUrl);
      await request(t.app.server).get("/s/AAAAAAAAAAAAAAAA").expect(404);
      await request(t.app.server).get("/api/links/not-an-id").expect(404);
      await request(t.app.server).get("/api/links/AAAAAAAAAAAAAAAA/meta").expect(404);
    });

    it("rejects invalid states (400 with paths), wrong types (415) and oversize bodies (413)", async () => {
      const invalid = await request(t.app.server)
        .post("/api/links")
        .send({
          state: {
            layers: [
              { type: "segmentation", name: "s", source: "precomputed://x", segments: ["1.5"] },
            ],
          },
        })
        .expect(400);
      expect(invalid.body.issues[0].path).toBe("state.layers[0].segments[0]");
      const neither = await request(t.app.server)
        .post("/api/links")
        .send({ title: "x" })
        .expect(400);
      expect(neither.body.issues[0].message).toMatch(/exactly one of/);
      await request(t.app.server)
        .post("/api/links")
        .set("content-type", "text/plain")
        .send("{}")
        .expect(415);
      const big = JSON.stringify({
        state: { layers: [], title: "x".repeat(t.config.maxStateBytes) },
      });
      await request(t.app.server)
        .post("/api/links")
        .set("content-type", "application/json")
        .send(big)
        .expect(413);
    });

    it("speaks Neuroglancer's Share protocol", async () => {
      const res = await request(t.app.server).post("/api/share").send(STATE).expect(200);
      expect(typeof res.body).toBe("string");
      const stored = await request(t.app.server).get(new URL(res.body).pathname).expect(200);
      expect(stored.body).toEqual(STATE);
      await request(t.app.server).post("/api/share").send({ layers: 3 }).expect(400);
    });

    it("reports readiness", async () => {
      const res = await request(t.app.server).get("/readyz").expect(200);
      expect(res.body.store.reachable).toBe(true);
    });

    it("gives each distinct state one id under 500 concurrent posts, half duplicates", async () => {
      const distinct = 250;
      const bodies = Array.from({ length: 500 }, (_, i) => ({
        state: { layers: [], title: `concurrent ${i % distinct}` },
      }));
      const answers = await Promise.all(
        bodies.map((body) => request(t.app.server).post("/api/links").send(body)),
      );
      const idsByTitle = new Map<string, Set<string>>();
      for (const [i, res] of answers.entries()) {
        expect([200, 201]).toContain(res.status);
        const title = bodies[i]?.state.title ?? "";
        const ids = idsByTitle.get(title) ?? new Set();
        ids.add(res.body.id);
        idsByTitle.set(title, ids);
      }
      expect(idsByTitle.size).toBe(distinct);
      for (const ids of idsByTitle.values()) expect(ids.size).toBe(1);
      const allIds = [...idsByTitle.values()].map((ids) => [...ids][0]);
      expect(new Set(allIds).size).toBe(distinct);
      expect(answers.filter((r) => r.status === 201)).toHaveLength(distinct);
      for (const id of allIds) await request(t.app.server).get(`/api/links/${id}/meta`).expect(200);
      // 500 requests through real sockets: correctness under concurrency, not speed.
    }, 180_000);
  });
}

describe("the embedded store survives a service restart", () => {
  it("still resolves links", async () => {
    const first = await startTestApp();
    const { body } = await request(first.app.server)
      .post("/api/links")
      .send({ state: STATE })
      .expect(201);
    await first.app.close(); // keep the data directory
    const second = await startTestApp({ dataDir: first.config.dataDir });
    try {
      const res = await request(second.app.server).get(`/api/links/${body.id}`).expect(200);
      expect(res.body).toEqual(STATE);
    } finally {
      await second.close();
    }
  });
});

describe.skipIf(!hasRedis)("Redis failures", () => {
  let redis: RedisServer;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startRedisServer();
    t = await startTestApp({ redisUrl: redis.url, storeTimeoutMs: 300 });
  });
  afterAll(async () => {
    await t.close();
    await redis.dispose();
  });

  it("links survive a Redis restart", async () => {
    const { body } = await request(t.app.server)
      .post("/api/links")
      .send({ state: STATE, title: "restart" })
      .expect(201);
    await redis.restart("SIGKILL");
    const fresh = await startTestApp({ redisUrl: redis.url }); // an empty cache: must come from Redis
    try {
      await expect
        .poll(async () => (await request(fresh.app.server).get(`/api/links/${body.id}`)).status, {
          timeout: 30_000,
        })
        .toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it("answers 503 within a second when Redis is down, while cached links are still served", async () => {
    // The previous test killed Redis; let this app's client reconnect first.
    await expect
      .poll(async () => (await request(t.app.server).get("/readyz")).status, { timeout: 30_000 })
      .toBe(200);
    const { body } = await request(t.app.server)
      .post("/api/links")
      .send({ state: STATE, title: "cached" })
      .expect(201);
    // Read once, so it is in the read cache (creates do not fill it).
    await request(t.app.server).get(`/api/links/${body.id}`).expect(200);
    await redis.stop();
    try {
      // Fails at once rather than queueing (a hang would hit the test timeout); no wall-clock
      // bound, which a busy machine could miss.
      const post = await request(t.app.server)
        .post("/api/links")
        .send({ state: { layers: [], title: "new" } });
      expect(post.status).toBe(503);
      expect(post.headers["retry-after"]).toBeDefined();
      expect(post.body.longUrl).toMatch(/^http:\/\/ngl\.test\/#!/);

      const unknown = await request(t.app.server).get("/api/links/AAAAAAAAAAAAAAAB");
      expect(unknown.status).toBe(503);

      const ready = await request(t.app.server).get("/readyz");
      expect(ready.status).toBe(503);
      await request(t.app.server).get(`/api/links/${body.id}`).expect(200);
    } finally {
      await redis.restart();
    }
    await expect
      .poll(async () => (await request(t.app.server).get("/readyz")).status, { timeout: 30_000 })
      .toBe(200);
  });

  it("starts while Redis is not up yet and becomes ready when it is", async () => {
    await redis.stop();
    const early = await startTestApp({ redisUrl: redis.url });
    try {
      await request(early.app.server).get("/readyz").expect(503);
      await redis.restart();
      await expect
        .poll(async () => (await request(early.app.server).get("/readyz")).status, {
          timeout: 30_000,
        })
        .toBe(200);
    } finally {
      await early.close();
    }
  });
});
