// Property-based fuzzing of every route (issue 13, "Tests"): hostile path segments, queries,
// headers and bodies; no answer may be a 5xx, and every error answer must say what is wrong (a
// JSON {error} on API routes). Routes are read from the app, so new routes are fuzzed too.
//
// Seeded: a failure prints the seed (and fast-check's replay path); rerun it with
// FUZZ_SEED=<seed> npx vitest run test/fuzz. Bounded: each property stops at its share of
// FUZZ_BUDGET_MS (5 s of random cases by default; about 10 s with the exhaustive pass), so a busy machine runs fewer cases, never fails
// for being slow.
import zlib from "node:zlib";
import fc from "fast-check";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import {
  ACCEPTS,
  BAD_PERCENT,
  BUILTIN_NAMES,
  CONTENT_ENCODINGS,
  CONTENT_TYPES,
  encodeBody,
  fieldObject,
  jsonValue,
  malformedJson,
  nestedJsonText,
  nestingDepth,
  textValue,
  toJsonText,
} from "./inputs.js";
import { documentedFields, type FuzzRoute, listRoutes } from "./routes.js";

const SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);
/** Time for the random cases; the exhaustive built-in-name pass takes about as long again. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 5_000);
/** A small body limit, so bodies over it are cheap to make. */
const BODY_LIMIT = 64 * 1024;
const PUBLIC_URL = "http://ngl.test";
/** Query fields any route may be sent, besides the ones it documents. */
const COMMON_QUERY = ["segments", "hidden", "position", "unit", "zoom", "layout", "title", "url"];
/** The built-in names the issue lists, tried exhaustively (the fuzzer tries the others). */
const ISSUE_BUILTINS = ["toString", "valueOf", "__proto__", "constructor", "hasOwnProperty"];
const COMMON_BODY = ["state", "url", "dataset", "view", "layers", "segments", "title", "layers"];

let t: TestApp;
let routes: FuzzRoute[];
let fields: Map<string, string[]>;
/** Names and ids that exist (datasets, views, layers, a link), so requests also reach deep code. */
let known: string[];
let sampleState: Record<string, unknown>;
let sampleBodies: Map<string, Record<string, unknown>>;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  payload?: Buffer;
}

function describeSent(sent: Sent): string {
  const body = sent.payload
    ? ` body(${sent.payload.length} B)=${sent.payload.subarray(0, 300).toString("latin1")}`
    : "";
  return `${sent.method} ${sent.path.slice(0, 500)} ${JSON.stringify(sent.headers)}${body}`;
}

function responseText(res: LightMyRequestResponse): string {
  const raw = res.rawPayload;
  switch (res.headers["content-encoding"]) {
    case "br":
      return zlib.brotliDecompressSync(raw).toString("utf8");
    case "gzip":
      return zlib.gunzipSync(raw).toString("utf8");
    case "deflate":
      return zlib.inflateSync(raw).toString("utf8");
    default:
      return raw.toString("utf8");
  }
}

function isApiPath(path: string): boolean {
  const p = path.split("?")[0] ?? "";
  return p === "/api" || p.startsWith("/api/") || ["/oembed", "/healthz", "/readyz"].includes(p);
}

/** What is wrong with an answer, or null. */
function problemWith(sent: Sent, res: LightMyRequestResponse): string | null {
  const status = res.statusCode;
  const text = sent.method === "HEAD" ? "" : responseText(res);
  // oEmbed's spec asks for 501 for a format the provider does not implement: deliberate.
  const oembedFormat =
    status === 501 &&
    sent.path.startsWith("/oembed") &&
    new URLSearchParams(sent.path.split("?")[1] ?? "").get("format") !== "json";
  if (status >= 500 && !oembedFormat) return `answered ${status}: ${text.slice(0, 300)}`;
  if (status < 400 || sent.method === "HEAD") return null;
  if (text.trim() === "") return `answered ${status} with an empty body`;
  const type = String(res.headers["content-type"] ?? "");
  if (type.includes("json")) {
    let error: unknown;
    try {
      error = (JSON.parse(text) as { error?: unknown }).error;
    } catch {
      return `answered ${status} with a body that is not JSON though typed ${type}: ${text.slice(0, 200)}`;
    }
    if (typeof error !== "string" || error.trim() === "")
      return `answered ${status} without an error message: ${text.slice(0, 200)}`;
  } else if (isApiPath(sent.path)) {
    return `answered ${status} on an API route with ${type || "no content type"}: ${text.slice(0, 200)}`;
  }
  return null;
}

async function send(sent: Sent): Promise<LightMyRequestResponse> {
  const res = await t.app.inject({
    method: sent.method as InjectOptions["method"],
    url: sent.path,
    headers: sent.headers,
    ...(sent.payload !== undefined ? { payload: sent.payload } : {}),
  });
  const problem = problemWith(sent, res);
  if (problem) throw new Error(`${describeSent(sent)}\n  ${problem}`);
  return res;
}

/**
 * Runs a property for numRuns cases or until its share of the time budget is spent (cases after
 * that pass without being sent, so a slow machine runs fewer cases but never fails for being
 * slow); a failure names the seed to replay.
 */
async function check<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  run: (v: T) => Promise<void>,
  numRuns: number,
  ms: number,
) {
  const deadline = performance.now() + ms;
  let sent = 0;
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        // Always at least a few cases per property, however busy the machine.
        if (sent >= 2 && performance.now() > deadline) return;
        sent++;
        await run(value);
      }),
      { seed: SEED, numRuns },
    );
  } catch (error) {
    throw new Error(
      `fuzz ${name} failed; replay with FUZZ_SEED=${SEED}\n${(error as Error).message}`,
    );
  }
}

const encodeSegment = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // a lone surrogate: send it raw
  }
};

function segmentArb(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: textValue(known).map(encodeSegment) },
    { weight: 2, arbitrary: fc.constantFrom(...BUILTIN_NAMES) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_PERCENT) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...known), fc.constantFrom(...BAD_PERCENT))
        .map(([k, bad]) => k + bad),
    },
  );
}

/** A value for a field named like a URL: links and views of this service, broken or foreign. */
function urlValueArb(): fc.Arbitrary<string> {
  const seg = segmentArb();
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(
          "/v/e11-prism/",
          "/v/e11-prism/layer/",
          "/embed/v/e11-prism/",
          "/s/",
          "/embed/",
          "/v/",
          "/",
        ),
        seg,
        fc.constantFrom("", "?title=%", "?title=x&segments=1,2", "/x", "#!{}"),
      )
      .map(([prefix, s, tail]) => `${PUBLIC_URL}${prefix}${s}${tail}`),
    jsonValue(COMMON_BODY, known).map((v) => `${PUBLIC_URL}/#!${toJsonText(v)}`),
    jsonValue(COMMON_BODY, known).map((v) => `${PUBLIC_URL}/#!${encodeSegment(toJsonText(v))}`),
    fc.constantFrom(
      `${PUBLIC_URL}/#!%`,
      `${PUBLIC_URL}/#!${toJsonText(sampleState)}`,
      "http://elsewhere.example/v/e11-prism/overview",
      "javascript:alert(1)",
      "//ngl.test/s/x",
      "not a url",
      "",
    ),
    nestingDepth.map((d) => `${PUBLIC_URL}/#!${nestedJsonText(d, "array")}`),
  );
}

function queryArb(route: FuzzRoute): fc.Arbitrary<string> {
  const names = [
    ...(fields.get(`${route.method === "HEAD" ? "GET" : route.method} ${route.url}`) ?? []),
    ...COMMON_QUERY,
  ];
  const key = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...names) },
    fc.constantFrom(...BUILTIN_NAMES),
    fc.constantFrom(...BAD_PERCENT),
  );
  const entry = key.chain((k) =>
    (k === "url"
      ? urlValueArb().map(encodeSegment)
      : fc.oneof(
          { weight: 4, arbitrary: textValue(known).map(encodeSegment) },
          fc.constantFrom(...BAD_PERCENT),
        )
    ).map((v) => `${k}=${v}`),
  );
  return fc
    .array(entry, { maxLength: 5 })
    .map((entries) => (entries.length ? `?${entries.join("&")}` : ""));
}

function pathArb(route: FuzzRoute): fc.Arbitrary<string> {
  const parts = route.url.split("/");
  return fc
    .tuple(
      ...parts.map((part) => {
        if (part === "*") return fc.array(segmentArb(), { maxLength: 3 }).map((s) => s.join("/"));
        if (part.startsWith(":")) return segmentArb();
        if (part === "") return fc.constant("");
        return fc.oneof(
          { weight: 9, arbitrary: fc.constant(part) },
          fc.constantFrom(...BUILTIN_NAMES),
        );
      }),
    )
    .map((filled) => filled.join("/") || "/");
}

function headersArb(withBody: boolean): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(
      {
        accept: fc.constantFrom(...ACCEPTS),
        "accept-encoding": fc.constantFrom("br", "gzip", "deflate", "identity", "bogus", "*"),
        "content-type": fc.constantFrom(...CONTENT_TYPES),
        "content-encoding": fc.constantFrom(...CONTENT_ENCODINGS),
        origin: fc.constantFrom("http://elsewhere.example", "null", PUBLIC_URL),
        "access-control-request-method": fc.constantFrom("POST", "GET", "toString"),
      },
      { requiredKeys: [] },
    )
    .map((h) => {
      if (!withBody) {
        delete h["content-type"];
        delete h["content-encoding"];
      }
      return h;
    });
}

/** A body for a route: its fields with hostile values, a mutated real state, or broken JSON. */
function bodyArb(route: FuzzRoute): fc.Arbitrary<Buffer> {
  const keys = [...(fields.get(`${route.method} ${route.url}`) ?? []), ...COMMON_BODY];
  const base = sampleBodies.get(route.url) ?? {};
  const structured = fc.oneof(
    fieldObject(keys, known),
    fieldObject(keys, known).map((extra) => ({ ...base, ...extra })),
    fc
      .tuple(fc.constantFrom(...keys), jsonValue(keys, known))
      .map(([k, v]) => ({ ...base, [k]: v })),
    urlValueArb().map((url) => ({ url })),
    fc
      .tuple(fc.constantFrom(...Object.keys(sampleState)), jsonValue(keys, known))
      .map(([k, v]) => ({ state: { ...sampleState, [k]: v } })),
    fc
      .tuple(fc.constantFrom(...Object.keys(sampleState)), jsonValue(keys, known))
      .map(([k, v]) => ({ ...sampleState, [k]: v })),
    jsonValue(keys, known),
  );
  const validText = structured.map(toJsonText);
  return fc
    .oneof(
      { weight: 6, arbitrary: validText },
      { weight: 3, arbitrary: malformedJson(validText) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            nestingDepth,
            fc.constantFrom("array", "object") as fc.Arbitrary<"array" | "object">,
          )
          .map(
            ([d, kind]) =>
              `{"state":{"layers":${nestedJsonText(d, kind)}},"dataset":"e11-prism","segments":${nestedJsonText(d, kind, '"1"')}}`,
          ),
      },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: BODY_LIMIT - 64, max: BODY_LIMIT + 64 })
          .map((n) => `{"title":"${"x".repeat(Math.max(0, n - 12))}"}`),
      },
      { weight: 1, arbitrary: fc.constant(`[${"1,".repeat(BODY_LIMIT)}1]`) },
    )
    .map((text) => Buffer.from(text, "utf8"));
}

function requestArb(route: FuzzRoute): fc.Arbitrary<Sent> {
  const withBody = route.method === "POST";
  const method =
    route.url === "/*" && route.method === "OPTIONS"
      ? fc.constant("OPTIONS")
      : fc.constant(route.method);
  return fc
    .record({
      method,
      path: pathArb(route),
      query: queryArb(route),
      headers: headersArb(withBody),
      body: withBody ? bodyArb(route) : fc.constant(undefined),
      honest: fc.boolean(),
    })
    .map(({ method, path, query, headers, body, honest }) => {
      const sent: Sent = { method, path: path + query, headers };
      if (body !== undefined)
        sent.payload = encodeBody(body, headers["content-encoding"] ?? "", honest);
      return sent;
    });
}

beforeAll(async () => {
  t = await startTestApp({ publicUrl: PUBLIC_URL, maxStateBytes: BODY_LIMIT });
  routes = listRoutes(t.app);
  fields = documentedFields(t.app);
  const presets = (await t.app.inject("/api/presets")).json() as {
    datasets: { id: string; views: { id: string }[]; layers: { id: string }[] }[];
  };
  known = [];
  for (const d of presets.datasets)
    known.push(d.id, ...d.views.map((v) => v.id), ...d.layers.map((l) => l.id));
  const dataset = presets.datasets[0]?.id ?? "e11-prism";
  const view = presets.datasets[0]?.views[0]?.id ?? "overview";
  const built = await t.app.inject({
    method: "POST",
    url: "/api/states",
    payload: { dataset, view, segments: ["1", "2"] },
  });
  sampleState = (built.json() as { state: Record<string, unknown> }).state;
  const link = await t.app.inject({
    method: "POST",
    url: "/api/links",
    payload: { state: sampleState },
  });
  known.push((link.json() as { id: string }).id);
  sampleBodies = new Map([
    ["/api/states", { dataset, view }],
    ["/api/links", { dataset, view }],
    ["/api/states/validate", { state: sampleState }],
    ["/api/share", sampleState],
  ]);
}, 600_000);

afterAll(async () => {
  await t?.close();
});

describe("the fuzz suite's view of the app", () => {
  it("finds every route, and each is reachable as enumerated", async () => {
    const listed = routes.map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      "POST /api/links",
      "GET /api/links/:id",
      "GET /v/:dataset/:view",
      "POST /api/states/validate",
      "GET /oembed",
    ])
      expect(listed).toContain(expected);
    // Every pattern, with its parameters filled, reaches a route (not the "no route" answer).
    for (const route of routes) {
      // Wildcards (static files) answer 404 for files that do not exist, as they should.
      if (route.method === "OPTIONS" || route.url.endsWith("*")) continue;
      const path = route.url.replace(/:[^/]+/g, known[0] ?? "x").replace("*", "x");
      const res = await t.app.inject({
        method: route.method as InjectOptions["method"],
        url: path,
      });
      expect(res.body, `${route.method} ${path}`).not.toContain(`no route ${route.method}`);
    }
  }, 600_000);
});

describe("fuzzing every route", () => {
  it("answers built-in names in every path segment, query field and body field without a 5xx", async () => {
    // HEAD runs the GET handler (the random pass sends HEAD too).
    for (const route of routes.filter((r) => r.method !== "HEAD")) {
      const method = route.method;
      const parts = route.url.split("/");
      const filled = parts.map((p) =>
        p.startsWith(":") ? (known[0] ?? "x") : p === "*" ? "index.html" : p,
      );
      const base = sampleBodies.get(route.url) ?? {};
      const bodyFields = [
        ...new Set([...(fields.get(`${method} ${route.url}`) ?? []), ...Object.keys(base)]),
      ];
      const documented = fields.get(`${method === "HEAD" ? "GET" : method} ${route.url}`) ?? [];
      const queryFields = documented.length > 0 ? documented : ["url", "segments"];
      const json = (value: unknown): Pick<Sent, "headers" | "payload"> =>
        method === "POST"
          ? {
              headers: { "content-type": "application/json" },
              payload: Buffer.from(toJsonText(value)),
            }
          : { headers: {} };
      for (const name of ISSUE_BUILTINS) {
        // In each path segment (parameters and fixed parts alike).
        for (let i = 1; i < parts.length; i++) {
          const path = filled.map((p, j) => (j === i ? name : p)).join("/");
          await send({ method, path, ...json(base) });
        }
        for (const field of queryFields) {
          const path = `${filled.join("/") || "/"}?${field}=${name}`;
          await send({ method, path, ...json(base) });
        }
        if (method !== "POST") continue;
        const path = filled.join("/");
        await send({ method, path, ...json({ ...base, [name]: name }) });
        for (const field of bodyFields)
          for (const value of [name, [name], { [name]: name }, { [name]: [name] }])
            await send({ method, path, ...json({ ...base, [field]: value }) });
      }
    }
  }, 600_000);

  it("answers hostile paths, queries, headers and bodies on every route without a 5xx", async () => {
    const share = (BUDGET_MS * 0.5) / routes.length;
    for (const route of routes)
      await check(
        `${route.method} ${route.url}`,
        requestArb(route),
        async (sent) => void (await send(sent)),
        60,
        share,
      );
  }, 600_000);

  it("answers hostile bodies on every POST route without a 5xx", async () => {
    const posts = routes.filter((r) => r.method === "POST");
    const share = (BUDGET_MS * 0.5) / Math.max(1, posts.length);
    for (const route of posts) {
      const arb = fc.record({
        body: bodyArb(route),
        type: fc.constantFrom("application/json", "application/json", ...CONTENT_TYPES),
        encoding: fc.constantFrom(undefined, undefined, undefined, ...CONTENT_ENCODINGS),
        honest: fc.boolean(),
      });
      await check(
        `${route.method} ${route.url} bodies`,
        arb,
        async ({ body, type, encoding, honest }) => {
          const headers: Record<string, string> = { "content-type": type };
          if (encoding !== undefined) headers["content-encoding"] = encoding;
          await send({
            method: "POST",
            path: route.url,
            headers,
            payload: encodeBody(body, encoding ?? "", honest),
          });
        },
        400,
        share,
      );
    }
  }, 600_000);

  it("answers empty, oversized and compressed-bomb bodies on every POST route with a 4xx", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(BODY_LIMIT * 40, 0x20));
    for (const route of routes.filter((r) => r.method === "POST")) {
      const cases: Pick<Sent, "headers" | "payload">[] = [
        { headers: { "content-type": "application/json" }, payload: Buffer.alloc(0) },
        { headers: {}, payload: Buffer.alloc(0) },
        {
          headers: { "content-type": "application/json" },
          payload: Buffer.alloc(BODY_LIMIT + 1, 0x20),
        },
        {
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          payload: bomb,
        },
        {
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          payload: Buffer.from("not gzip"),
        },
        {
          headers: { "content-type": "application/json", "content-length": "5" },
          payload: Buffer.from("{}"),
        },
      ];
      for (const sent of cases) {
        const res = await send({ method: "POST", path: route.url, ...sent });
        expect(
          res.statusCode,
          describeSent({ method: "POST", path: route.url, ...sent }),
        ).toBeGreaterThanOrEqual(400);
      }
    }
  }, 600_000);
});
