// States nested thousands of levels deep, on every route that takes a state: a 400 that names the
// limit and the path, never a 500 or "not valid JSON" about valid JSON.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/domain/json-nesting.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Load shedding off: this suite is about answers, and a busy machine must not turn them to 503.
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

/** `levels` nested arrays (or objects) under the key "deep" of the first layer. */
function deepState(levels: number, kind: "arrays" | "objects"): string {
  const inner =
    kind === "arrays"
      ? `${"[".repeat(levels)}${"]".repeat(levels)}`
      : `${'{"a":'.repeat(levels)}0${"}".repeat(levels)}`;
  return `{"layers":[{"type":"image","name":"em","source":"precomputed://gs://b/em","deep":${inner}}]}`;
}

/** The message, with the JSON path of the body (or of the URL's state) before "layers". */
function tooDeep(kind: "arrays" | "objects", prefix = ""): string {
  // The state is level 1 of a URL's fragment, level 2 of a body that wraps it.
  const steps = (kind === "arrays" ? "[0]" : ".a").repeat(MAX_JSON_DEPTH - (prefix ? 4 : 3));
  return `nesting deeper than ${MAX_JSON_DEPTH} levels at path ${prefix}layers[0].deep${steps}; no Neuroglancer state nests that deep`;
}

async function post(path: string, body: string) {
  return request(t.app.server).post(path).set("content-type", "application/json").send(body);
}

describe.each([3_000, 10_000])("%i levels", (levels) => {
  for (const kind of ["arrays", "objects"] as const) {
    const state = deepState(levels, kind);
    // A number above 2^53 sends the body through the hand-written parser instead of JSON.parse.
    const lossless = state.replace("{", '{"big":18446744073709551616,');

    it(`POST /api/states/validate with deep ${kind}: 400 naming the limit`, async () => {
      for (const text of [state, lossless]) {
        const res = await post("/api/states/validate", `{"state":${text}}`);
        expect(res.status).toBe(400);
        expect(res.body.error).toContain(tooDeep(kind, "state."));
        expect(res.body.error).toMatch(/^body has nesting/);
        expect(res.body.error).not.toMatch(/not valid JSON|call stack/);
      }
    });

    it(`POST /api/links with deep ${kind}: 400`, async () => {
      for (const text of [state, lossless]) {
        const res = await post("/api/links", `{"state":${text}}`);
        expect(res.status).toBe(400);
        expect(res.body.error).toContain(tooDeep(kind, "state."));
      }
    });

    it(`POST /api/states with deep ${kind}: 400`, async () => {
      const res = await post("/api/states", `{"dataset":"e11-prism","extra":${state}}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toContain(tooDeep(kind, "extra."));
    });

    it(`a #! URL with deep ${kind}: 400 on /api/states/validate and /api/links`, async () => {
      for (const text of [state, lossless]) {
        const url = `https://ngl.test/#!${encodeURIComponent(text)}`;
        for (const path of ["/api/states/validate", "/api/links"]) {
          const res = await request(t.app.server).post(path).send({ url });
          expect(res.status, path).toBe(400);
          expect(JSON.stringify(res.body), path).toContain(tooDeep(kind));
          expect(JSON.stringify(res.body), path).not.toMatch(/not valid JSON|call stack/);
        }
      }
    });
  }
});

it("accepts a state at the limit: the bound leaves real states alone", async () => {
  const res = await post(
    "/api/states/validate",
    `{"state":${deepState(MAX_JSON_DEPTH - 4, "arrays")}}`,
  );
  expect(res.status).toBe(200);
  expect(res.body.errors).toEqual([]);
});
