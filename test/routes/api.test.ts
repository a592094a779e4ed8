import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Decodes the state out of a viewer URL's #! fragment. */
function stateOf(url: string): Record<string, unknown> {
  const fragment = url.slice(url.indexOf("#!") + 2);
  return JSON.parse(decodeURIComponent(fragment));
}

describe("GET /healthz and /docs", () => {
  it("answers ok", async () => {
    const res = await request(t.app.server).get("/healthz").expect(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("serves an OpenAPI document generated from the route schemas", async () => {
    const res = await request(t.app.server).get("/docs/json").expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/presets",
        "/api/states",
        "/api/states/validate",
        "/v/{dataset}/{view}",
      ]),
    );
    expect(res.body.paths["/api/states"].post.requestBody).toBeDefined();
  });
});

describe("GET /api/presets", () => {
  it("lists datasets with layers, views, expectations and licence", async () => {
    const res = await request(t.app.server).get("/api/presets").expect(200);
    const prism = res.body.datasets.find((d: { id: string }) => d.id === "e11-prism");
    expect(prism.license.name).toBe("CC BY-SA 4.0");
    expect(prism.layers).toHaveLength(13);
    expect(prism.views.find((v: { id: string }) => v.id === "overview")).toMatchObject({
      segmentLayer: "dense_seg",
      openUrl: "http://ngl.test/v/e11-prism/overview",
      previewUrl: "http://ngl.test/v/e11-prism/overview/preview.png",
    });
    expect(prism.layers[0].expects.dataType.basis).toMatch(/documented|assumed/);
  });

  it("answers one dataset, and 404 with the known ids for an unknown one", async () => {
    await request(t.app.server).get("/api/presets/e11-prism").expect(200);
    const res = await request(t.app.server).get("/api/presets/nope").expect(404);
    expect(res.body.error).toMatch(/unknown dataset "nope"/);
    expect(res.body.issues[0].message).toMatch(/e11-prism/);
  });
});

describe("POST /api/states", () => {
  it("builds a state and a viewer URL under PUBLIC_URL", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", view: "overview", segments: ["123", "18446744073709551615"] })
      .expect(200);
    expect(res.body.url.startsWith("http://ngl.test/#!")).toBe(true);
    expect(stateOf(res.body.url)).toEqual(res.body.state);
    const seg = res.body.state.layers.find((l: { name: string }) => l.name === "dense_seg");
    expect(seg.segments).toEqual(["123", "18446744073709551615"]);
  });

  it("keeps a bare JSON number above 2^53 from being rounded: 400 with the path", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .set("content-type", "application/json")
      .send('{"dataset":"e11-prism","view":"overview","segments":["1",18446744073709551615]}')
      .expect(400);
    expect(res.body.issues[0].path).toBe("segments[1]");
    expect(res.body.issues[0].message).toMatch(/send segment IDs as strings/);
  });

  it("answers 404 for an unknown view, 400 for bad fields, 415 for a wrong content type", async () => {
    await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", view: "x" })
      .expect(404);
    const bad = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", view: "overview", zoom: -1 })
      .expect(400);
    expect(bad.body.issues[0].path).toBe("zoom");
    const wrongType = await request(t.app.server)
      .post("/api/states")
      .set("content-type", "text/plain")
      .send("dataset=e11-prism")
      .expect(415);
    expect(wrongType.body.error).toMatch(/application\/json/);
  });

  it("answers 400 for malformed JSON and 413 for a body over the limit", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .set("content-type", "application/json")
      .send('{"dataset": ')
      .expect(400);
    expect(res.body.error).toMatch(/not valid JSON/);
    const huge = JSON.stringify({
      dataset: "e11-prism",
      view: "overview",
      title: "x".repeat(t.config.maxStateBytes),
    });
    const tooBig = await request(t.app.server)
      .post("/api/states")
      .set("content-type", "application/json")
      .send(huge)
      .expect(413);
    expect(tooBig.body.error).toMatch(/short link|smaller/);
  });
});

describe("POST /api/states/validate", () => {
  it("validates a state and reports warnings for unknown keys", async () => {
    const res = await request(t.app.server)
      .post("/api/states/validate")
      .send({ state: { layers: [], someFutureKey: 1 } })
      .expect(200);
    expect(res.body.valid).toBe(true);
    expect(res.body.warnings[0].path).toBe("someFutureKey");
  });

  it("reports errors with paths, with 200", async () => {
    const res = await request(t.app.server)
      .post("/api/states/validate")
      .send({
        state: {
          layers: [
            { type: "segmentation", name: "s", source: "precomputed://gs://b/s", segments: ["-5"] },
          ],
        },
      })
      .expect(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors[0].path).toBe("layers[0].segments[0]");
  });

  it("reads a full Neuroglancer URL", async () => {
    const built = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", view: "synapses" })
      .expect(200);
    const res = await request(t.app.server)
      .post("/api/states/validate")
      .send({ url: built.body.url })
      .expect(200);
    expect(res.body).toMatchObject({ valid: true, errors: [] });
  });

  it("answers 400 when the request itself is malformed", async () => {
    const both = await request(t.app.server)
      .post("/api/states/validate")
      .send({ state: {}, url: "x" })
      .expect(400);
    expect(both.body.issues[0].message).toMatch(/exactly one/);
    await request(t.app.server)
      .post("/api/states/validate")
      .send({ url: "https://example.org/no-fragment" })
      .expect(400);
  });
});

describe("GET /v/...", () => {
  it("answers JSON clients a view link's viewer URL and built state", async () => {
    const res = await request(t.app.server)
      .get("/v/e11-prism/overview?segments=42,9007199254740993&layout=xy&title=My%20cell")
      .set("accept", "application/json")
      .expect(200);
    expect(res.headers.location).toBeUndefined();
    const state = res.body.state as Record<string, unknown>;
    expect(stateOf(res.body.url)).toEqual(state);
    expect(state.title).toBe("My cell");
    expect(state.layout).toBe("xy");
    const seg = (state.layers as { name: string; segments?: string[] }[]).find(
      (l) => l.name === "dense_seg",
    );
    expect(seg?.segments).toEqual(["42", "9007199254740993"]);
  });

  it("answers a single layer link's state, with a position", async () => {
    const res = await request(t.app.server)
      .get("/v/e11-prism/layer/raw?position=10,20,30")
      .set("accept", "application/json")
      .expect(200);
    const state = res.body.state as Record<string, unknown>;
    expect(state.position).toEqual([10, 20, 30]);
    expect((state.layers as unknown[]).length).toBe(1);
  });

  it("answers 404 for unknown views and 400 naming a bad ID or position", async () => {
    await request(t.app.server).get("/v/e11-prism/nope").expect(404);
    await request(t.app.server).get("/v/nope/overview").expect(404);
    await request(t.app.server).get("/v/e11-prism/layer/nope").expect(404);
    const bad = await request(t.app.server)
      .get("/v/e11-prism/overview?segments=1,abc")
      .set("accept", "application/json")
      .expect(400);
    expect(bad.body.issues).toEqual([
      { path: "segments", message: '"abc" (item 2) is not a segment ID: use decimal digits only' },
    ]);
    const pos = await request(t.app.server)
      .get("/v/e11-prism/overview?position=1,2")
      .set("accept", "application/json")
      .expect(400);
    expect(pos.body.issues[0].path).toBe("position");
  });

  it("answers JSON 404 for unknown routes", async () => {
    const res = await request(t.app.server).get("/nope").expect(404);
    expect(res.body.error).toMatch(/no route GET \/nope/);
  });
});
