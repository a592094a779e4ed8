// POST /api/states with names that are JavaScript built-ins: a 404/400 naming the field.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Load shedding off: these tests are about answers, not load (the machine may be busy).
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

describe("POST /api/states with built-in names", () => {
  it.each(["constructor", "toString", "__proto__"])(
    '"view": "%s" is 404 naming view',
    async (view) => {
      const res = await request(t.app.server)
        .post("/api/states")
        .send({ dataset: "e11-prism", view })
        .expect(404);
      expect(res.body.issues[0]).toMatchObject({ path: "view" });
    },
  );

  it('"layers": ["hasOwnProperty"] is 404 naming layers[0]', async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", layers: ["hasOwnProperty"] })
      .expect(404);
    expect(res.body.issues[0]).toMatchObject({ path: "layers[0]" });
  });

  it('"dataset": "constructor" is 404 naming dataset', async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "constructor", view: "overview" })
      .expect(404);
    expect(res.body.issues[0]).toMatchObject({ path: "dataset" });
  });

  it("layerOptions for a built-in name is 400 naming it", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .set("content-type", "application/json")
      .send('{"dataset":"e11-prism","view":"overview","layerOptions":{"valueOf":{"visible":true}}}')
      .expect(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain("layerOptions.valueOf");
  });
});
