// CORS through @fastify/cors: exactly the read routes allow any origin, on success and on 404;
// writes and pages do not.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let id: string;
beforeAll(async () => {
  // Load shedding off: these tests are about answers, not load (the machine may be busy).
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
  const made = await request(t.app.server)
    .post("/api/links")
    .set("origin", "https://elsewhere.test")
    .send({ state: { layers: [], layout: "xy" } })
    .expect(201);
  expect(made.headers["access-control-allow-origin"]).toBeUndefined();
  id = made.body.id;
});
afterAll(async () => {
  await t.close();
});

describe("CORS", () => {
  it("the read routes allow any origin", async () => {
    for (const path of [
      `/api/links/${id}`,
      `/api/links/${id}/meta`,
      `/api/links/${id}/snippets`,
      `/oembed?url=${encodeURIComponent(`http://ngl.test/s/${id}`)}`,
      "/badge.svg",
    ]) {
      const res = await request(t.app.server).get(path).set("origin", "https://elsewhere.test");
      expect(res.status, path).toBe(200);
      expect(res.headers["access-control-allow-origin"], path).toBe("*");
    }
  });

  it("also on their 404s, so other sites can read the error", async () => {
    const res = await request(t.app.server).get("/api/links/AAAAAAAAAAAAAAAA").expect(404);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });

  it("pages, presets and writes do not", async () => {
    for (const path of ["/", "/api/presets", "/v/e11-prism/overview", `/s/${id}`]) {
      const res = await request(t.app.server).get(path).set("origin", "https://elsewhere.test");
      expect(res.headers["access-control-allow-origin"], path).toBeUndefined();
    }
    const share = await request(t.app.server)
      .post("/api/share")
      .set("origin", "https://elsewhere.test")
      .send({ layers: [] })
      .expect(200);
    expect(share.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
