// Load shedding says the service is overloaded, with Retry-After; not "internal error".
import request from "supertest";
import { describe, expect, it } from "vitest";
import { OVERLOAD_RETRY_AFTER_SECONDS } from "../../../src/plugins/external/under-pressure.js";
import { startTestApp } from "../../helpers/app.js";

describe("load shedding", () => {
  it("answers 503 'overloaded' with Retry-After while the event loop lags", async () => {
    const t = await startTestApp({ maxEventLoopDelayMs: 50 });
    try {
      // Warm up (its answer does not matter: a busy machine may already be shedding).
      await request(t.app.server).get("/healthz");
      // Block the event loop, as an overloaded process would, then let the sampler see it.
      const until = Date.now() + 1500;
      while (Date.now() < until) {}
      await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await request(t.app.server)
        .post("/api/links")
        .send({ state: { layers: [] } });
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBe(String(OVERLOAD_RETRY_AFTER_SECONDS));
      expect(res.body.error).toMatch(/the service is overloaded; try again in \d+ seconds/);
      expect(res.body.error).not.toMatch(/internal error/);
    } finally {
      await t.close();
    }
  });
});
