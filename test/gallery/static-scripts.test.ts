// The pages' scripts are TypeScript in src/browser, bundled by scripts/build.mjs into dist/static
// and served at /static/ next to the hand-written assets of static/.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("/static/", () => {
  it("serves the bundled gallery module, with the segment-ID parser inside it", async () => {
    const res = await request(t.app.server).get("/static/gallery.js").expect(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toMatch(/must-revalidate/);
    expect(res.text).not.toMatch(/^import\b/m); // one request: nothing left to fetch
    expect(res.text).toContain("function parseSegmentIds(");
  });

  it("serves the embed script as a classic script (no module syntax)", async () => {
    const res = await request(t.app.server).get("/static/embed.js").expect(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.text).not.toMatch(/^\s*(import|export)\b/m);
    expect(res.text).toContain("nglaunch-embed-active");
  });

  it("still serves the hand-written assets, and no TypeScript source", async () => {
    await request(t.app.server).get("/static/gallery.css").expect(200);
    await request(t.app.server).get("/static/favicon.svg").expect(200);
    await request(t.app.server).get("/static/gallery.ts").expect(404);
    await request(t.app.server).get("/static/segment-ids.js").expect(404);
  });
});
