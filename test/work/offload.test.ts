// Large bodies are handled in a worker thread (src/work/offload.ts). Whatever the thread, the
// answers must be the same: every case below is sent to an app that does all work inline and to
// one that sends every body to the worker, and the answers are compared.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../src/domain/json-nesting.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

let inline: TestApp;
let offloaded: TestApp;

beforeAll(async () => {
  [inline, offloaded] = await Promise.all([
    startTestApp({ offloadBodyBytes: Number.MAX_SAFE_INTEGER }),
    startTestApp({ offloadBodyBytes: 0 }),
  ]);
  // Counts the bodies that went to the worker, so a silent inline fallback would show.
  const offload = offloaded.app.offload.bind(offloaded.app);
  offloaded.app.offload = (route, body) => {
    workerTasks++;
    return offload(route, body);
  };
});
let workerTasks = 0;
afterAll(async () => {
  await Promise.all([inline?.close(), offloaded?.close()]);
});

const BIG = "18446744073709551615";
const validState = {
  dimensions: { x: [8e-9, "m"], y: [8e-9, "m"], z: [8e-9, "m"] },
  layers: [
    {
      type: "segmentation",
      name: "seg",
      source: "precomputed://gs://bucket/seg",
      segments: [BIG, "42", "9007199254740993"],
    },
  ],
  title: "worker test",
};
const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

/** Raw bodies per route: valid ones and every kind of bad one. */
const cases: { name: string; url: string; body: string }[] = [
  {
    name: "build from presets",
    url: "/api/states",
    body: JSON.stringify({
      dataset: "e11-prism",
      layers: ["raw", "dense_seg"],
      segments: [BIG, "17"],
    }),
  },
  { name: "build: unknown dataset", url: "/api/states", body: JSON.stringify({ dataset: "nope" }) },
  {
    name: "build: unknown layer",
    url: "/api/states",
    body: JSON.stringify({ dataset: "e11-prism", layers: ["constructor"] }),
  },
  {
    name: "build: bad segment",
    url: "/api/states",
    body: JSON.stringify({ dataset: "e11-prism", layers: ["dense_seg"], segments: ["12x"] }),
  },
  { name: "build: wrong type", url: "/api/states", body: JSON.stringify({ dataset: 5 }) },
  {
    name: "build: unsafe number literal",
    url: "/api/states",
    body: `{"dataset":"e11-prism","layers":["dense_seg"],"segments":[${BIG}]}`,
  },
  {
    name: "validate: valid",
    url: "/api/states/validate",
    body: JSON.stringify({ state: validState }),
  },
  {
    name: "validate: invalid",
    url: "/api/states/validate",
    body: JSON.stringify({ state: { layers: [{ type: "segmentation", source: 3 }] } }),
  },
  {
    name: "validate: unsafe literal",
    url: "/api/states/validate",
    body: `{"state":{"layers":[{"type":"segmentation","source":"precomputed://gs://b/s","segments":[${BIG}]}]}}`,
  },
  {
    name: "validate: url",
    url: "/api/states/validate",
    body: JSON.stringify({
      url: `https://neuroglancer-demo.appspot.com/#!${encodeURIComponent(JSON.stringify(validState))}`,
    }),
  },
  {
    name: "validate: bad url",
    url: "/api/states/validate",
    body: JSON.stringify({ url: "https://example.org/no-state" }),
  },
  {
    name: "validate: both",
    url: "/api/states/validate",
    body: JSON.stringify({ state: {}, url: "x" }),
  },
  {
    name: "link: state",
    url: "/api/links",
    body: JSON.stringify({ state: validState, title: "t" }),
  },
  {
    name: "link: presets",
    url: "/api/links",
    body: JSON.stringify({ dataset: "e11-prism", layers: ["dense_seg"], segments: [BIG] }),
  },
  {
    name: "link: invalid state",
    url: "/api/links",
    body: JSON.stringify({ state: { layers: "no" } }),
  },
  {
    name: "link: title too long",
    url: "/api/links",
    body: JSON.stringify({ state: validState, title: "x".repeat(301) }),
  },
  { name: "link: nothing", url: "/api/links", body: "{}" },
  { name: "share: valid", url: "/api/share", body: JSON.stringify(validState) },
  {
    name: "share: invalid",
    url: "/api/share",
    body: JSON.stringify({ layers: [{ type: "bogus" }] }),
  },
  { name: "share: not an object", url: "/api/share", body: "[1,2]" },
  ...["/api/states", "/api/states/validate", "/api/links", "/api/share"].flatMap((url) => [
    { name: `${url}: not JSON`, url, body: '{"state": {' },
    { name: `${url}: too deep`, url, body: `{"state":{"x":${deep(MAX_JSON_DEPTH + 5)}}}` },
  ]),
];

/** The answer without what differs between two stores (link ids and the URLs made of them). */
function comparable(status: number, text: string): unknown {
  const body = JSON.parse(text) as unknown;
  if (typeof body === "object" && body !== null && "id" in body) {
    const {
      id: _id,
      shortUrl,
      viewerUrl,
      jsonUrl,
      embedUrl,
      previewUrl,
      ...rest
    } = body as Record<string, unknown>;
    // The URLs name the link's id, which differs between the two apps.
    const urls = [shortUrl, viewerUrl, jsonUrl, embedUrl, previewUrl];
    return { status, ...rest, urls: urls.filter((url) => typeof url === "string").length };
  }
  if (typeof body === "string") return { status, share: body.replace(/[^/]+$/, "<id>") };
  return { status, body };
}

describe("large bodies in a worker thread", () => {
  it.each(cases)("answers $name as inline does", async ({ url, body }) => {
    const send = (app: TestApp) =>
      app.app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        payload: body,
      });
    const before = workerTasks;
    const [a, b] = await Promise.all([send(inline), send(offloaded)]);
    expect(workerTasks).toBe(before + 1);
    expect(b.statusCode).toBeLessThan(500);
    expect(comparable(b.statusCode, b.body)).toEqual(comparable(a.statusCode, a.body));
    expect(b.headers["content-type"]).toBe(a.headers["content-type"]);
  });

  it("stores the same state JSON, uint64 IDs exact", async () => {
    const body = JSON.stringify({ state: validState });
    const post = (app: TestApp) =>
      app.app.inject({
        method: "POST",
        url: "/api/links",
        headers: { "content-type": "application/json" },
        payload: body,
      });
    const [a, b] = await Promise.all([post(inline), post(offloaded)]);
    expect(b.statusCode).toBe(201);
    const read = (app: TestApp, id: string) => app.app.inject({ url: `/api/links/${id}` });
    const [sa, sb] = await Promise.all([read(inline, a.json().id), read(offloaded, b.json().id)]);
    expect(sb.body).toBe(sa.body);
    expect(sb.body).toContain(`"${BIG}"`);
    // Idempotent across threads: the same content again is the same link.
    const again = await post(offloaded);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(b.json().id);
  });

  it("names the JSON path of the too-deep container", async () => {
    const answer = await offloaded.app.inject({
      method: "POST",
      url: "/api/links",
      headers: { "content-type": "application/json" },
      payload: `{"state":{"layers":${deep(MAX_JSON_DEPTH + 1)}}}`,
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatch(
      /nesting deeper than 100 levels at path state\.layers\[0\]\[0\]/,
    );
  });

  it("answers 413 for a body above MAX_STATE_BYTES", async () => {
    const small = await startTestApp({ offloadBodyBytes: 0, maxStateBytes: 4096 });
    try {
      const answer = await small.app.inject({
        method: "POST",
        url: "/api/links",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ state: { ...validState, title: "x".repeat(5000) } }),
      });
      expect(answer.statusCode).toBe(413);
    } finally {
      await small.close();
    }
  });
});
