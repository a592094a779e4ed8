// Response shapes shared by routes, declared once so the OpenAPI document shows them, and the
// helpers every route uses to say what it really answers: the media type (JSON, HTML, SVG,
// text), the headers it sets, redirects without a body. README "API" lists the conventions.
//
// fastify serializes with the zod schema of a status code; the OpenAPI document needs more
// (media type, headers), which a zod schema cannot carry. So each helper returns a fresh zod
// schema for fastify and records what the document should say about it in `responseDocs`;
// the swagger plugin (plugins/external/swagger.ts) reads it back. Responses a route declares
// as plain zod schemas are documented as JSON without headers.
import { z } from "zod";

export const issueSchema = z.object({
  path: z.string().describe('JSON path of the problem, e.g. "layers[0].segments[3]"'),
  message: z.string().describe("What is wrong and what to send instead"),
});

export const errorSchema = z
  .object({
    error: z.string(),
    issues: z.array(issueSchema).optional(),
  })
  .describe("Every 4xx/5xx answer");

/** One response header as the OpenAPI document shows it. */
export interface HeaderDoc {
  description: string;
  schema: { type: "string" | "integer"; enum?: string[]; pattern?: string };
}

/** What the document says about a response besides its body schema. */
export interface ResponseDoc {
  description: string;
  /** Media types the body is sent as; "application/json" unless said. */
  mediaTypes: readonly string[];
  /** No body at all (redirects). */
  noBody?: boolean;
  headers?: Readonly<Record<string, HeaderDoc>>;
  /** The body as documented, when the route sends it pre-serialized (a string of JSON). */
  schema?: z.ZodType;
}

/** Documentation of the response schemas made by the helpers below, keyed by the schema. */
export const responseDocs = new WeakMap<object, ResponseDoc>();

/** Headers routes send, described once. */
export const headers = {
  retryAfter: {
    description: "Seconds to wait before trying again",
    schema: { type: "integer" },
  },
  varyAccept: {
    description:
      "Accept (and Accept-Encoding when compressed): the page and its JSON share one URL, so caches keep them apart",
    schema: { type: "string" },
  },
  cacheNoCache: {
    description: "no-cache: pages name the current build's assets, so browsers revalidate",
    schema: { type: "string", enum: ["no-cache"] },
  },
  cacheImmutable: {
    description: "Stored links never change: cached for a year",
    schema: { type: "string", enum: ["public, max-age=31536000, immutable"] },
  },
  cacheDay: {
    description: "Cached for a day",
    schema: { type: "string", enum: ["public, max-age=86400"] },
  },
  etag: {
    description: "The link id, quoted: the content never changes",
    schema: { type: "string" },
  },
  cacheNoStore: {
    description: "no-store: the answer holds a secret (an edit token)",
    schema: { type: "string", enum: ["no-store"] },
  },
  cacheRevalidate: {
    description: "no-cache: the answer changes when its name moves, so clients revalidate",
    schema: { type: "string", enum: ["no-cache"] },
  },
  nameVersionEtag: {
    description:
      'The name\'s current version, quoted (e.g. "3"): send it as If-Match to move from it',
    schema: { type: "string" },
  },
  nameLinkEtag: {
    description: "The link id of the name's current version, quoted: changes when the name moves",
    schema: { type: "string" },
  },
  revalidateEtag: {
    description: "Validator for If-None-Match (answered 304 when unchanged)",
    schema: { type: "string" },
  },
  lastModified: {
    description: "Validator for If-Modified-Since (answered 304 when unchanged)",
    schema: { type: "string" },
  },
  rateLimit: {
    description: "Writes allowed per window (RATE_LIMIT_MAX; sent when the limit is on)",
    schema: { type: "integer" },
  },
  rateLimitRemaining: {
    description: "Writes left in the current window",
    schema: { type: "integer" },
  },
  rateLimitReset: {
    description: "Seconds until the window resets",
    schema: { type: "integer" },
  },
} as const satisfies Record<string, HeaderDoc>;

/** A response with documented headers and media types; `schema` is what fastify serializes with. */
export function respond<T extends z.ZodType>(
  schema: T,
  doc: Omit<ResponseDoc, "mediaTypes"> & { mediaTypes?: readonly string[] },
): T {
  // A clone of its own, so one shared schema (errorSchema) can be documented per route.
  const own = schema.clone() as T;
  responseDocs.set(own, { ...doc, mediaTypes: doc.mediaTypes ?? ["application/json"] });
  return own;
}

/** An HTML page (sent as a string, never serialized). */
export function htmlPage(
  description: string,
  pageHeaders: Readonly<Record<string, HeaderDoc>> = { "cache-control": headers.cacheNoCache },
) {
  return respond(z.string(), { description, mediaTypes: ["text/html"], headers: pageHeaders });
}

/** The write limit's headers, on every answer of a route that stores (when the limit is on). */
export const rateLimitHeaders = {
  "x-ratelimit-limit": headers.rateLimit,
  "x-ratelimit-remaining": headers.rateLimitRemaining,
  "x-ratelimit-reset": headers.rateLimitReset,
} as const;

/** 304 to a conditional request (files served with ETag and Last-Modified). */
export function notModified() {
  return respond(z.null(), {
    description: "Not modified since the copy the client has (If-None-Match/If-Modified-Since)",
    noBody: true,
    headers: {
      "cache-control": headers.cacheNoCache,
      etag: headers.revalidateEtag,
      "last-modified": headers.lastModified,
    },
  });
}

type ErrorCode = 400 | 404 | 413 | 415 | 429 | 501 | 503;

const errorDocs: Record<ErrorCode, Omit<ResponseDoc, "mediaTypes">> = {
  400: { description: "Bad request: `issues` say what to fix, with JSON paths" },
  404: { description: "Not found: the message names what is missing" },
  413: { description: "Body too large (MAX_STATE_BYTES): send less, or use a short link" },
  415: { description: "Not JSON (or an unsupported Content-Encoding): send application/json" },
  429: {
    description: "Too many writes from this client: wait for the window to reset",
    headers: { "retry-after": headers.retryAfter, ...rateLimitHeaders },
  },
  501: { description: "Not implemented (an oEmbed format other than json)" },
  503: {
    description:
      "The link store is unavailable, or the service is overloaded: retry after Retry-After seconds",
    headers: { "retry-after": headers.retryAfter },
  },
};

/** The error answers a route may give, for its `response` schema. */
export function errorResponses<Code extends ErrorCode>(
  ...codes: Code[]
): { [K in Code]: typeof errorSchema } {
  return Object.fromEntries(codes.map((code) => [code, respond(errorSchema, errorDocs[code])])) as {
    [K in Code]: typeof errorSchema;
  };
}

/** An error answer of `code` with its own schema (e.g. the 503 of POST /api/links). */
export function errorResponse<T extends z.ZodType>(code: ErrorCode, schema: T): T {
  return respond(schema, errorDocs[code]);
}

/** The content-negotiation rule of link pages (acceptPrefersJson), as the document states it. */
const JSON_RULE =
  "JSON only for a client whose Accept ranks application/json (or application/<x>+json) above text/html (by its most specific range: text/html, text/*, */*); ties and every other client, crawlers included, get the page";

/**
 * The 200 of a link page (/s/, /v/, /n/ and their /embed/ forms): the HTML page for every
 * client, crawlers included, except those that explicitly prefer JSON (README "API"), which
 * get `json`. `json` is what fastify serializes the JSON answer with; `documented` what the
 * document shows, when the route sends pre-serialized JSON.
 */
export function pageOrJson(
  description: string,
  json: z.ZodType,
  documented?: z.ZodType,
): z.ZodType {
  return respond(json, {
    description: `${description}. ${JSON_RULE}`,
    mediaTypes: ["text/html", "application/json"],
    headers: { "cache-control": headers.cacheNoCache, vary: headers.varyAccept },
    ...(documented ? { schema: documented } : {}),
  });
}

/**
 * An error of a link page (a 404, a view link's 400): a page saying what is wrong, the JSON
 * error for clients that explicitly prefer JSON.
 */
export function errorPageOrJson(code: 400 | 404, description: string) {
  return respond(errorSchema, {
    description: `${code === 404 ? "Not found" : "Bad request"}: ${description}; JSON for clients that prefer JSON (Accept: application/json)`,
    mediaTypes: ["text/html", "application/json"],
    headers: { vary: headers.varyAccept },
  });
}

/** A 404 of a link page: a page saying so, JSON for clients that explicitly prefer JSON. */
export function notFoundPageOrJson(what = "link") {
  return errorPageOrJson(404, `no such ${what}, a page saying so`);
}

/**
 * Anonymous: every route of this service is public (no accounts, no keys), and says so with
 * `security: []` so generated clients send no credentials.
 */
export const anonymous = { security: [] as Array<Record<string, string[]>> };

/**
 * Request bodies documented more precisely than fastify validates them: the route validates
 * leniently (to answer with messages that say what to fix), the document shows the exact
 * forms (e.g. a `oneOf`), so generated clients refuse typos at compile time.
 */
export const bodyDocs = new WeakMap<object, z.ZodType>();

/** Declares `runtime` (what fastify validates with) as documented by `documented`. */
export function documentBody<T extends z.ZodType>(runtime: T, documented: z.ZodType): T {
  bodyDocs.set(runtime, documented);
  return runtime;
}
