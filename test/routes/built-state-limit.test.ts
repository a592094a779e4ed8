// MAX_STATE_BYTES bounds what is stored, not only what is posted: a compact request can build a
// larger state (a preset view with many segments, a table of annotations).
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

const LIMIT = 8192;
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ maxStateBytes: LIMIT });
});
afterAll(() => t.close());

describe("a state built larger than MAX_STATE_BYTES", () => {
  it("is refused with 413 saying the size, the limit and what to do, and nothing is stored", async () => {
    // A table of 400 points is about 2.5 KB of CSV and some 25 KB of annotations in the state.
    const rows = Array.from({ length: 400 }, (_, i) => `${i},${i},${i}`).join("\n");
    const body = JSON.stringify({
      dataset: "e11-prism",
      view: "overview",
      annotations: [{ name: "points", type: "point", table: `x,y,z\n${rows}\n` }],
    });
    expect(Buffer.byteLength(body)).toBeLessThan(LIMIT);
    const res = await request(t.app.server)
      .post("/api/links")
      .set("content-type", "application/json")
      .send(body);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/state built from this request is \d+ bytes/);
    expect(res.body.error).toContain(`MAX_STATE_BYTES (${LIMIT})`);
    expect(res.body.error).toMatch(/split .* over several links/);
  });

  it("still stores the same view with few segments", async () => {
    const body = { dataset: "e11-prism", view: "overview", segments: ["1000001"] };
    const res = await request(t.app.server).post("/api/links").send(body);
    expect(res.status).toBe(201);
  });
});
