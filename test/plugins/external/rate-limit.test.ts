// One write limit for every route that stores: /api/links and /api/share draw on one budget.
import request from "supertest";
import { describe, expect, it } from "vitest";
import { startTestApp } from "../../helpers/app.js";

describe("the write limit", () => {
  it("after /api/links answers 429, /api/share answers 429 too and stores nothing", async () => {
    const t = await startTestApp({ rateLimitMax: 2, maxEventLoopDelayMs: 0 });
    const created = async () =>
      (await t.app.metrics.linksCreated.get()).values.reduce((sum, v) => sum + v.value, 0);
    try {
      for (const title of ["a", "b"])
        await request(t.app.server)
          .post("/api/links")
          .send({ state: { layers: [], title } })
          .expect(201);
      await request(t.app.server)
        .post("/api/links")
        .send({ state: { layers: [], title: "c" } })
        .expect(429);
      const before = await created();
      const share = await request(t.app.server)
        .post("/api/share")
        .send({ layers: [], title: "shared while limited" })
        .expect(429);
      expect(share.headers["retry-after"]).toBeDefined();
      expect(share.body.error).toMatch(/too many links created; try again in/);
      expect(await created()).toBe(before);
      // Reads are not limited.
      await request(t.app.server).get("/api/presets").expect(200);
    } finally {
      await t.close();
    }
  });

  it("/api/share spends the same budget as /api/links", async () => {
    const t = await startTestApp({ rateLimitMax: 2, maxEventLoopDelayMs: 0 });
    try {
      await request(t.app.server).post("/api/share").send({ layers: [], title: "1" }).expect(200);
      await request(t.app.server).post("/api/share").send({ layers: [], title: "2" }).expect(200);
      await request(t.app.server)
        .post("/api/links")
        .send({ state: { layers: [], title: "3" } })
        .expect(429);
    } finally {
      await t.close();
    }
  });
});
