// The API contract (/docs/json) against the server: the document is valid OpenAPI
// (swagger-parser), clean under Redocly's recommended ruleset, every operation follows the
// conventions (README "API"), and real responses recorded from the running app match it:
// their status codes, media types and headers are documented, and their bodies type-check
// against the TypeScript types openapi-typescript generates from the document.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TAGS } from "../../src/plugins/external/swagger.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  summary?: string;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<
    string,
    { description: string; headers?: Record<string, unknown>; content?: Record<string, unknown> }
  >;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** A request made against the running app and what it answered. */
interface Recorded {
  method: "GET" | "POST" | "PUT";
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  status: number;
  responseHeaders: Record<string, string | string[] | undefined>;
  responseBody: string;
}

/** Headers a response must document when it sends them. */
const CHECKED_HEADERS = [
  "location",
  "retry-after",
  "cache-control",
  "etag",
  "last-modified",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];
/** Headers a response must send when it documents them (the rate-limit ones depend on config). */
const ALWAYS_SENT = ["location", "retry-after", "cache-control", "etag", "last-modified"];

let t: TestApp;
let limited: TestApp;
let doc: Document;
const recorded: Recorded[] = [];

async function call(
  app: TestApp,
  method: "GET" | "POST" | "PUT",
  url: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Recorded> {
  const payload = options.rawBody ?? (options.body === undefined ? undefined : options.body);
  const res = await app.app.inject({
    method,
    url,
    headers: options.headers,
    ...(payload === undefined ? {} : { payload: payload as string }),
  });
  const entry: Recorded = {
    method,
    url,
    headers: options.headers,
    body: options.body,
    rawBody: options.rawBody,
    status: res.statusCode,
    responseHeaders: res.headers as Recorded["responseHeaders"],
    responseBody: res.body,
  };
  recorded.push(entry);
  return entry;
}

const html = { accept: "text/html" };
/** A client that explicitly prefers JSON: link pages answer it JSON. */
const json = { accept: "application/json" };

/** Real traffic over every operation, with the status codes a client can provoke. */
async function recordTraffic() {
  await call(t, "GET", "/healthz");
  await call(t, "GET", "/readyz");
  await call(t, "GET", "/metrics");
  await call(t, "GET", "/api/presets");
  await call(t, "GET", "/api/presets/e11-prism");
  await call(t, "GET", "/api/presets/nope");

  await call(t, "POST", "/api/states", {
    body: { dataset: "e11-prism", view: "overview", segments: ["648518346349538235"] },
  });
  await call(t, "POST", "/api/states", { body: { dataset: "e11-prism", segmets: ["1"] } });
  await call(t, "POST", "/api/states", { body: { dataset: "nope", view: "overview" } });
  await call(t, "POST", "/api/states", {
    rawBody: "dataset=e11-prism",
    headers: { "content-type": "text/plain" },
  });
  await call(t, "POST", "/api/states", {
    rawBody: JSON.stringify({ dataset: "e11-prism", title: "x".repeat(70_000) }),
    headers: { "content-type": "application/json" },
  });
  await call(t, "POST", "/api/states/validate", {
    body: { state: { layers: [], dimensions: { x: [8e-9, "m"], y: [8e-9, "m"], z: [8e-9, "m"] } } },
  });
  await call(t, "POST", "/api/states/validate", { body: { url: "https://example.org/" } });

  for (const prefix of ["", "/embed"]) {
    await call(t, "GET", `${prefix}/v/e11-prism/overview?segments=648518346349538235`, {
      headers: html,
    });
    await call(t, "GET", `${prefix}/v/e11-prism/layer/raw`, { headers: html });
    await call(t, "GET", `${prefix}/v/e11-prism/overview?segments=12abc`, { headers: html });
    await call(t, "GET", `${prefix}/v/nope/overview`, { headers: html });
    await call(t, "GET", `${prefix}/v/e11-prism/layer/nope`);
    await call(t, "GET", `${prefix}/v/e11-prism/overview?segments=648518346349538235`, {
      headers: json,
    });
    await call(t, "GET", `${prefix}/v/e11-prism/layer/raw`, { headers: json });
    await call(t, "GET", `${prefix}/v/e11-prism/overview?segments=12abc`, { headers: json });
    await call(t, "GET", `${prefix}/v/nope/overview`, { headers: json });
  }
  await call(t, "GET", "/v/e11-prism/overview");
  await call(t, "GET", "/v/e11-prism/layer/raw", {
    headers: { accept: "application/json, text/plain, */*" },
  });

  const created = await call(t, "POST", "/api/links", {
    body: { dataset: "e11-prism", view: "overview", segments: ["42"], title: "Contract" },
  });
  await call(t, "POST", "/api/links", {
    body: { dataset: "e11-prism", view: "overview", segments: ["42"], title: "Contract" },
  });
  await call(t, "POST", "/api/links", { body: { title: "neither state nor url" } });
  await call(t, "POST", "/api/links", { body: { dataset: "nope", view: "overview" } });
  const { id, shortUrl } = JSON.parse(created.responseBody) as { id: string; shortUrl: string };
  await call(t, "GET", `/api/links/${id}`);
  await call(t, "GET", `/api/links/${id}/meta`);
  await call(t, "GET", `/api/links/${id}/snippets`);
  await call(t, "GET", "/api/links/nope1234");
  await call(t, "GET", "/api/links/nope1234/meta");
  await call(t, "GET", "/api/links/nope1234/snippets");
  await call(t, "GET", `/s/${id}`, { headers: html });
  await call(t, "GET", `/s/${id}`);
  await call(t, "GET", "/s/nope1234", { headers: html });
  await call(t, "GET", "/s/nope1234");
  await call(t, "GET", `/s/${id}`, { headers: json });
  await call(t, "GET", "/s/nope1234", { headers: json });
  await call(t, "GET", `/embed/${id}`);
  await call(t, "GET", `/embed/${id}?autoload=1`);
  await call(t, "GET", `/embed/${id}?autoload=yes`);
  await call(t, "GET", "/embed/nope1234");
  await call(t, "GET", `/embed/${id}`, { headers: json });
  await call(t, "GET", "/embed/nope1234", { headers: json });
  await call(t, "POST", "/api/share", {
    body: { layers: [], dimensions: { x: [8e-9, "m"], y: [8e-9, "m"], z: [8e-9, "m"] } },
  });
  await call(t, "POST", "/api/share", { body: [1, 2] });

  // Named links: create (answers the edit token once), move with the token, read, open.
  const other = await call(t, "POST", "/api/links", {
    body: { dataset: "e11-prism", view: "overview", segments: ["43"], title: "Contract 2" },
  });
  const otherId = (JSON.parse(other.responseBody) as { id: string }).id;
  const named = await call(t, "POST", "/api/names", {
    body: { name: "contract-cells", link: id, note: "first" },
  });
  const { token } = JSON.parse(named.responseBody) as { token: string };
  await call(t, "POST", "/api/names", { body: { name: "contract-cells", link: id } });
  await call(t, "POST", "/api/names", { body: { name: "No Such Name!", link: id } });
  await call(t, "POST", "/api/names", { body: { name: "contract-bad", link: "nope1234" } });
  const bearer = { authorization: `Bearer ${token}` };
  const moveUrl = "/api/names/contract-cells";
  await call(t, "PUT", moveUrl, {
    body: { link: `/s/${otherId}`, note: "second" },
    headers: { ...bearer, "if-match": '"1"' },
  });
  await call(t, "PUT", moveUrl, { body: { link: id }, headers: { ...bearer, "if-match": '"1"' } });
  await call(t, "PUT", moveUrl, { body: { link: id }, headers: { "if-match": "3" } });
  await call(t, "PUT", moveUrl, { body: { link: id }, headers: { ...bearer, "if-match": "3" } });
  await call(t, "PUT", moveUrl, { body: { link: id } });
  await call(t, "PUT", moveUrl, { body: { link: id }, headers: { authorization: "Bearer wrong" } });
  await call(t, "PUT", "/api/names/contract-none", { body: { link: id }, headers: bearer });
  await call(t, "GET", "/api/names/contract-cells");
  await call(t, "GET", "/api/names/contract-none");
  await call(t, "GET", "/api/names/contract-cells/state");
  await call(t, "GET", "/api/names/contract-none/state");
  await call(t, "GET", "/api/names/contract-cells/snippets");
  await call(t, "GET", "/api/names/contract-none/snippets");
  for (const prefix of ["", "/embed"]) {
    await call(t, "GET", `${prefix}/n/contract-cells`, { headers: html });
    await call(t, "GET", `${prefix}/n/contract-cells/1`, { headers: html });
    await call(t, "GET", `${prefix}/n/contract-none`, { headers: html });
    await call(t, "GET", `${prefix}/n/contract-cells/9`, { headers: html });
    await call(t, "GET", `${prefix}/n/contract-cells/first`);
    await call(t, "GET", `${prefix}/n/contract-cells`, { headers: json });
    await call(t, "GET", `${prefix}/n/contract-cells/1`, { headers: json });
    await call(t, "GET", `${prefix}/n/contract-none`, { headers: json });
    await call(t, "GET", `${prefix}/n/contract-cells/9`, { headers: json });
  }
  await call(t, "GET", "/n/contract-cells");
  await call(t, "GET", "/n/contract-cells/2");
  await call(t, "GET", "/n/contract-none");

  // Preview images (fallback cards here: the contract app renders nothing), sizes, 304, 404.
  const preview = await call(t, "GET", `/s/${id}/preview.png`);
  const previewEtag = preview.responseHeaders.etag;
  if (typeof previewEtag === "string")
    await call(t, "GET", `/s/${id}/preview.png`, { headers: { "if-none-match": previewEtag } });
  await call(t, "GET", `/s/${id}/preview.png?w=10`);
  await call(t, "GET", "/s/nope1234/preview.png");
  await call(t, "GET", "/n/contract-cells/preview.png");
  await call(t, "GET", "/n/contract-none/preview.png");
  await call(t, "GET", "/n/contract-cells/1/preview.png?w=600&h=315");
  await call(t, "GET", "/n/contract-cells/9/preview.png");
  await call(t, "GET", "/v/e11-prism/overview/preview.png?segments=648518346349538235");
  await call(t, "GET", "/v/e11-prism/overview/preview.png?segments=12abc");
  await call(t, "GET", "/v/nope/overview/preview.png");
  await call(t, "GET", "/v/e11-prism/layer/raw/preview.png?h=100");
  await call(t, "GET", "/v/e11-prism/layer/nope/preview.png");

  const encoded = encodeURIComponent(shortUrl);
  await call(t, "GET", `/oembed?url=${encoded}`);
  await call(t, "GET", `/oembed?url=${encodeURIComponent("http://ngl.test/v/e11-prism/overview")}`);
  await call(t, "GET", `/oembed?url=${encoded}&format=xml`);
  await call(t, "GET", `/oembed?url=${encodeURIComponent("https://elsewhere.test/s/abc")}`);
  await call(t, "GET", `/oembed?url=${encoded}&maxwidth=wide`);

  await call(t, "GET", "/", { headers: html });
  const gallery = await call(t, "GET", "/gallery", { headers: html });
  const etag = gallery.responseHeaders.etag;
  if (typeof etag === "string")
    await call(t, "GET", "/gallery", { headers: { ...html, "if-none-match": etag } });
  await call(t, "GET", "/badge.svg");

  // The write limit: the second store from one client within the window is refused.
  const state = { layers: [], dimensions: { x: [4e-9, "m"], y: [4e-9, "m"], z: [4e-9, "m"] } };
  await call(limited, "POST", "/api/links", { body: { state } });
  await call(limited, "POST", "/api/links", { body: { state } });
  await call(limited, "POST", "/api/share", { body: state });
  await call(limited, "POST", "/api/names", { body: { name: "contract-limited", link: id } });
}

/** The operation a recorded request went to, by the document's path templates. */
function operationOf(entry: Recorded): { template: string; operation: Operation } {
  const pathname = entry.url.split("?")[0] ?? "";
  const matches = Object.entries(doc.paths).filter(([template]) => {
    const pattern = template.replace(/\{[^}]+\}/g, "[^/]+");
    return new RegExp(`^${pattern}$`).test(pathname);
  });
  // A literal segment beats a parameter (/v/{dataset}/layer/{layer} over /v/{dataset}/{view}).
  matches.sort((a, b) => a[0].split("{").length - b[0].split("{").length);
  const found = matches[0];
  const operation = found?.[1][entry.method.toLowerCase()];
  if (!found || !operation)
    throw new Error(`no documented operation for ${entry.method} ${pathname}`);
  return { template: found[0], operation };
}

function mediaType(entry: Recorded): string | undefined {
  const value = entry.responseHeaders["content-type"];
  return typeof value === "string" ? value.split(";")[0]?.trim() : undefined;
}

beforeAll(async () => {
  t = await startTestApp({ maxStateBytes: 64_000, previews: "off" });
  limited = await startTestApp({ rateLimitMax: 1 });
  const res = await t.app.inject({ url: "/docs/json" });
  expect(res.statusCode).toBe(200);
  doc = res.json() as Document;
  await recordTraffic();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await limited?.close();
});

describe("the OpenAPI document", () => {
  it("is valid OpenAPI (swagger-parser)", async () => {
    // swagger-parser dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it("has no problems under Redocly's recommended ruleset", async () => {
    const config = await createConfig({ extends: ["recommended"] });
    const takesInput = new Set<string>();
    for (const [template, item] of Object.entries(doc.paths))
      for (const [method, operation] of Object.entries(item))
        if ((operation as { parameters?: unknown[] }).parameters?.length || operation.requestBody)
          takesInput.add(`#/paths/${template.replaceAll("/", "~1")}/${method}/responses`);
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: "/docs/json",
      config,
    });
    const described = problems.map(
      (p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? "?"}`,
    );
    expect(described.filter((p) => p.startsWith("error"))).toEqual([]);
    // Warnings too, but two: an operation that takes no input (no parameters, no body) cannot
    // answer 4xx, and the document does not invent one to please operation-4xx-response. And the
    // preview of a view (/v/{dataset}/{view}/preview.png) has as many segments as a layer link
    // (/v/{dataset}/layer/{layer}); they cannot collide: the preset schema refuses a view named
    // "layer", and a layer's name has no "." (test/domain/presets.test.ts).
    const previewPaths = ["/v/{dataset}/layer/{layer}", "/v/{dataset}/{view}/preview.png"];
    const warnings = problems.filter(
      (p) =>
        !(p.ruleId === "operation-4xx-response" && !takesInput.has(p.location[0]?.pointer ?? "")) &&
        !(p.ruleId === "no-ambiguous-paths" && previewPaths.every((t) => p.message.includes(t))),
    );
    expect(warnings.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  });

  it("gives every operation a unique operationId, a known tag and `security: []`", () => {
    const known = new Set<string>(TAGS.map((tag) => tag.name));
    const ids = new Map<string, string>();
    const problems: string[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${template}`;
        const id = operation.operationId;
        if (!id) problems.push(`${where}: no operationId`);
        else if (ids.has(id)) problems.push(`${where}: operationId ${id} also on ${ids.get(id)}`);
        else ids.set(id, where);
        if (!operation.tags?.length) problems.push(`${where}: no tags`);
        for (const tag of operation.tags ?? [])
          if (!known.has(tag)) problems.push(`${where}: tag "${tag}" is not one of TAGS`);
        if (!Array.isArray(operation.security))
          problems.push(`${where}: no security (anonymous routes declare security: [])`);
        if (!operation.summary) problems.push(`${where}: no summary`);
        if (Object.keys(operation.responses).every((code) => code === "500" || code === "503"))
          problems.push(`${where}: no response declared`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents pages as text/html, not JSON", () => {
    for (const template of ["/", "/gallery"]) {
      const content = doc.paths[template]?.get?.responses["200"]?.content ?? {};
      expect(Object.keys(content), template).toEqual(["text/html"]);
    }
  });

  it("documents link pages as text/html and, for JSON clients, application/json; no redirects", () => {
    for (const template of [
      "/s/{id}",
      "/embed/{id}",
      "/v/{dataset}/{view}",
      "/v/{dataset}/layer/{layer}",
      "/embed/v/{dataset}/{view}",
      "/embed/v/{dataset}/layer/{layer}",
      "/n/{name}",
      "/n/{name}/{version}",
      "/embed/n/{name}",
      "/embed/n/{name}/{version}",
    ]) {
      const responses = doc.paths[template]?.get?.responses ?? {};
      expect(Object.keys(responses["200"]?.content ?? {}), template).toEqual([
        "text/html",
        "application/json",
      ]);
      // A missing link, name or view is a page too (JSON for JSON clients), and so is a view
      // link's mistake.
      const errors = template.includes("/v/") ? ["400", "404"] : ["404"];
      for (const code of errors)
        expect(Object.keys(responses[code]?.content ?? {}), `${template} ${code}`).toEqual([
          "text/html",
          "application/json",
        ]);
      expect(
        Object.keys(responses).filter((code) => code.startsWith("3")),
        template,
      ).toEqual([]);
    }
  });

  it("documents request bodies precisely: the link and state forms as a oneOf", () => {
    const schemaOf = (template: string) =>
      (doc.paths[template]?.post?.requestBody?.content["application/json"] as { schema: unknown })
        ?.schema as { oneOf?: Array<{ additionalProperties?: boolean; required?: string[] }> };
    const links = schemaOf("/api/links");
    expect(links.oneOf?.map((form) => form.required)).toEqual([["state"], ["url"], ["dataset"]]);
    expect(links.oneOf?.every((form) => form.additionalProperties === false)).toBe(true);
    expect(schemaOf("/api/states/validate").oneOf?.map((form) => form.required)).toEqual([
      ["state"],
      ["url"],
    ]);
    const segments = JSON.stringify(schemaOf("/api/states"));
    expect(segments).toContain('"pattern":"^[0-9]{1,20}$"');
  });
});

describe("real responses", () => {
  it("have documented status codes, media types and headers", () => {
    const problems: string[] = [];
    for (const entry of recorded) {
      const { template, operation } = operationOf(entry);
      const where = `${entry.method} ${entry.url} -> ${entry.status} (${template})`;
      const response = operation.responses[String(entry.status)];
      if (!response) {
        problems.push(`${where}: status not documented`);
        continue;
      }
      const type = mediaType(entry);
      const documentedTypes = Object.keys(response.content ?? {});
      if (entry.responseBody === "") {
        if (documentedTypes.length > 0) problems.push(`${where}: empty body, documented with one`);
      } else if (!type || !documentedTypes.includes(type))
        problems.push(`${where}: sent ${type}, documented ${documentedTypes.join(", ")}`);
      const documentedHeaders = Object.keys(response.headers ?? {});
      for (const name of CHECKED_HEADERS) {
        const sent = entry.responseHeaders[name] !== undefined;
        const documented = documentedHeaders.includes(name);
        if (sent && !documented) problems.push(`${where}: header ${name} sent, not documented`);
        if (documented && !sent && ALWAYS_SENT.includes(name))
          problems.push(`${where}: header ${name} documented, not sent`);
      }
    }
    expect(problems).toEqual([]);
    // The traffic reached every operation of the document.
    const reached = new Set(recorded.map((entry) => operationOf(entry).operation.operationId));
    const all = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    // A new route's operation shows up here until recordTraffic() calls it.
    expect(
      all.filter((id) => !reached.has(id)),
      "operations recordTraffic() never calls",
    ).toEqual([]);
  });

  it("type-check against the types openapi-typescript generates", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-openapi-"));
    try {
      const types = astToString(await openapiTS(structuredClone(doc) as never));
      writeFileSync(path.join(dir, "api.ts"), types);
      const lines = [
        'import type { paths } from "./api";',
        "",
        "// A typo in a request body must not compile (the forms are exact).",
        'type LinkBody = paths["/api/links"]["post"]["requestBody"]["content"]["application/json"];',
        'type BuildBody = paths["/api/states"]["post"]["requestBody"]["content"]["application/json"];',
        "// @ts-expect-error segmets is not a field",
        'export const typo: LinkBody = { dataset: "e11-prism", segmets: ["1"] };',
        "// @ts-expect-error segmets is not a field",
        'export const typo2: BuildBody = { dataset: "e11-prism", segmets: ["1"] };',
        "// @ts-expect-error segment IDs are decimal strings",
        'export const numberId: BuildBody = { dataset: "e11-prism", segments: [{}] };',
        "",
      ];
      let n = 0;
      for (const entry of recorded) {
        const { template, operation } = operationOf(entry);
        const method = entry.method.toLowerCase();
        const op = `paths[${JSON.stringify(template)}][${JSON.stringify(method)}]`;
        const json = mediaType(entry) === "application/json" && entry.responseBody !== "";
        if (json && operation.responses[String(entry.status)]) {
          lines.push(
            `// ${entry.method} ${entry.url} -> ${entry.status}`,
            `export const r${n++}: ${op}["responses"][${entry.status}]["content"]["application/json"] = ${entry.responseBody};`,
          );
        }
        if (entry.body !== undefined && entry.status < 300)
          lines.push(
            `export const q${n++}: ${op}["requestBody"]["content"]["application/json"] = ${JSON.stringify(entry.body)};`,
          );
      }
      const checkFile = path.join(dir, "check.ts");
      writeFileSync(checkFile, lines.join("\n"));
      const program = ts.createProgram([checkFile], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
        const where =
          d.file && d.start !== undefined
            ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
            : "";
        return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n").slice(0, 400)}`;
      });
      expect(diagnostics).toEqual([]);
      // Most recorded answers are JSON and were checked.
      expect(n).toBeGreaterThan(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
