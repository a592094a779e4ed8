// Short links: immutable snapshots of validated states. Create (idempotent), open, read the
// state JSON (CORS, cached forever), read metadata, and Neuroglancer's own Share protocol.
// A thin adapter over the links service (plugins/app/links.ts).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { annotationLayersSchema } from "../domain/annotations.js";
import { buildRequestSchema } from "../domain/state-builder.js";
import { errorPage } from "../http/error-page.js";
import {
  anonymous,
  documentBody,
  errorResponse,
  errorResponses,
  errorSchema,
  headers,
  issueSchema,
  notFoundPageOrJson,
  pageOrJson,
  rateLimitHeaders,
  respond,
} from "../http/schemas.js";
import { embedQuery } from "../plugins/app/embed-page.js";
import { negotiate, sendStoredState } from "../plugins/app/viewer-page.js";
import { readCors } from "../plugins/external/cors.js";
import { writeRateLimit } from "../plugins/external/rate-limit.js";

const linkTitle = z.string().max(300).describe("Shown in link previews and the page title");

/**
 * Validated leniently here (the links service checks the preset fields with the builder's
 * schema and says what to fix); documented as the three exact forms.
 */
export const linkBody = documentBody(
  z
    .object({
      state: z.record(z.string(), z.unknown()).optional().describe("A whole Neuroglancer state"),
      url: z.string().optional().describe("A full Neuroglancer URL (#!{...} fragment)"),
      dataset: z.string().optional().describe("Or build from presets: the POST /api/states body"),
      annotations: annotationLayersSchema.optional(),
      title: linkTitle.optional(),
    })
    .catchall(z.unknown())
    .refine((b) => [b.state, b.url, b.dataset].filter((v) => v !== undefined).length === 1, {
      message: 'send exactly one of "state", "url" or the preset fields ("dataset", "view", ...)',
    }),
  z
    .xor([
      z.strictObject({
        state: z.record(z.string(), z.unknown()).describe("A whole Neuroglancer state"),
        title: linkTitle.optional(),
      }),
      z.strictObject({
        url: z.string().describe("A full Neuroglancer URL (#!{...} fragment)"),
        title: linkTitle.optional(),
      }),
      buildRequestSchema.describe("Built from presets: the POST /api/states body"),
    ])
    .describe('Exactly one of "state", "url", or the preset fields ("dataset", "view", ...)'),
);

/** Neuroglancer's Share body: the state itself. */
export const shareBody = z.record(z.string(), z.unknown());

/** A stored state, sent as the stored JSON text (so fastify's type is unknown). */
const storedState = z.record(z.string(), z.unknown());

const linkAnswer = z.object({
  id: z.string(),
  created: z.boolean().describe("false when the same content was already stored"),
  title: z.string().nullable(),
  shortUrl: z.string(),
  viewerUrl: z.string().describe("Opens this service's viewer on the stored state"),
  jsonUrl: z.string().describe("The state JSON; works in any Neuroglancer as #!<jsonUrl>"),
  embedUrl: z.string(),
  previewUrl: z.string().describe("The link's preview image (PNG)"),
  longUrl: z.string().describe("The whole state in the URL: works without this service"),
  warnings: z.array(issueSchema),
});

const linkMeta = z.object({
  id: z.string(),
  title: z.string().nullable(),
  dataset: z.string().nullable(),
  view: z.string().nullable(),
  createdAt: z.string(),
  sizeBytes: z.number(),
  shortUrl: z.string(),
  jsonUrl: z.string(),
  embedUrl: z.string(),
});

const idParams = z.object({ id: z.string().describe("A link id") });
const IMMUTABLE = "public, max-age=31536000, immutable";

function notFound(reply: FastifyReply, id: string, html = false) {
  if (html)
    return reply
      .code(404)
      .type("text/html; charset=utf-8")
      .send(
        errorPage(
          "Link not found",
          `There is no link “${id}” here: check the address for typing mistakes.`,
        ),
      );
  return reply.code(404).send({ error: `no link "${id}"; check the address for typing mistakes` });
}

const linkRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/api/links",
    {
      ...writeRateLimit(app),
      // The answer is built by the links service from typed values, so the schema documents it
      // and the type-checker enforces it; re-validating it with zod on every call was
      // measurable (bench).
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        operationId: "createLink",
        tags: ["links"],
        ...anonymous,
        summary: "Store a state (or a preset view, or a Neuroglancer URL) and get a short link",
        body: linkBody,
        response: {
          200: respond(linkAnswer, {
            description: "The same content was already stored",
            headers: rateLimitHeaders,
          }),
          201: respond(linkAnswer, {
            description: "Stored: a new short link",
            headers: rateLimitHeaders,
          }),
          ...errorResponses(400, 404, 413, 415, 429),
          503: errorResponse(
            503,
            errorSchema.extend({
              longUrl: z
                .string()
                .optional()
                .describe("A working link without the store (when the state was valid)"),
            }),
          ),
        },
      },
    },
    async (request, reply) => {
      const answer = await app.links.create(request.body);
      return reply.code(answer.created ? 201 : 200).send(answer);
    },
  );

  app.get(
    "/api/links/:id",
    {
      config: readCors,
      schema: {
        operationId: "getLinkState",
        tags: ["links"],
        ...anonymous,
        summary:
          "The stored state JSON, exactly; CORS-enabled for #!<this URL> in any Neuroglancer",
        params: idParams,
        response: {
          // Sent as the stored JSON text, so fastify's type is unknown; documented as an object.
          200: respond(z.unknown(), {
            description: "The Neuroglancer state, byte for byte as stored",
            schema: storedState,
            headers: { "cache-control": headers.cacheImmutable, etag: headers.etag },
          }),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const link = await app.links.get(request.params.id);
      if (!link) return notFound(reply, request.params.id);
      return reply
        .header("cache-control", IMMUTABLE)
        .header("etag", `"${link.id}"`)
        .type("application/json; charset=utf-8")
        .send(link.stateJson);
    },
  );

  app.get(
    "/api/links/:id/meta",
    {
      config: readCors,
      schema: {
        operationId: "getLinkMeta",
        tags: ["links"],
        ...anonymous,
        summary: "A link's metadata: title, origin, creation time, size",
        params: idParams,
        response: {
          200: respond(linkMeta, {
            description: "The link's metadata",
            headers: { "cache-control": headers.cacheImmutable },
          }),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const link = await app.links.get(request.params.id);
      if (!link) return notFound(reply, request.params.id);
      reply.header("cache-control", IMMUTABLE);
      return app.links.meta(link);
    },
  );

  /**
   * The page that opens a stored link, for every client (crawlers too) but those that explicitly
   * prefer JSON: they get the stored state, as GET /api/links/:id sends it.
   */
  async function openLink(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    embed: boolean,
  ) {
    const json = negotiate(request, reply) === "json";
    const link = await app.links.get(id);
    if (!link) return notFound(reply, id, !json);
    if (json) return sendStoredState(reply, link.stateJson);
    if (embed)
      return app.embedPage(request, reply, {
        page: app.links.pageContent(link),
        viewerPage: () => app.links.page(link, true),
      });
    return app.viewerPage(reply, app.links.page(link, embed));
  }

  const linkPage = (description: string) =>
    pageOrJson(`${description}; JSON clients get the stored state`, z.unknown(), storedState);

  app.get(
    "/s/:id",
    {
      schema: {
        operationId: "openLink",
        tags: ["links"],
        ...anonymous,
        summary: "Open a short link in the viewer (JSON clients get the stored state)",
        params: idParams,
        response: {
          200: linkPage("The viewer page on the stored state"),
          404: notFoundPageOrJson(),
          ...errorResponses(503),
        },
      },
    },
    (request, reply) => openLink(request, reply, request.params.id, false),
  );
  app.get(
    "/embed/:id",
    {
      schema: {
        operationId: "embedLink",
        tags: ["embed"],
        ...anonymous,
        summary: "For iframes: the preview until Explore in 3D, then the compact viewer",
        params: idParams,
        querystring: embedQuery,
        response: {
          200: linkPage(
            "The light embed page (preview image, Explore in 3D); the compact viewer with ?autoload=1",
          ),
          404: notFoundPageOrJson(),
          ...errorResponses(400, 503),
        },
      },
      config: { embed: true },
    },
    (request, reply) => openLink(request, reply, request.params.id, true),
  );

  app.get(
    "/api/links/:id/snippets",
    {
      config: readCors,
      schema: {
        operationId: "getLinkSnippets",
        tags: ["embed"],
        ...anonymous,
        summary: "Ready-to-paste snippets: HTML iframe, MediaWiki, Confluence, Markdown, badge",
        params: idParams,
        response: {
          200: z.object({
            snippets: z.array(
              z.object({ id: z.string(), label: z.string(), note: z.string(), text: z.string() }),
            ),
          }),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const link = await app.links.get(request.params.id);
      if (!link) return notFound(reply, request.params.id);
      return { snippets: app.links.snippets(link) };
    },
  );

  app.post(
    "/api/share",
    {
      ...writeRateLimit(app),
      schema: {
        operationId: "shareState",
        tags: ["links"],
        ...anonymous,
        summary:
          "Neuroglancer's Share protocol: state JSON in, the JSON string URL of the stored state out",
        body: shareBody.describe("A Neuroglancer state"),
        response: {
          200: respond(z.string(), {
            description: "The state's JSON URL (GET /api/links/{id}), as a JSON string",
            headers: rateLimitHeaders,
          }),
          ...errorResponses(400, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const jsonUrl = await app.links.share(request.body);
      // A JSON string, as the client expects (it calls response.json()).
      return reply.type("application/json").send(JSON.stringify(jsonUrl));
    },
  );
};

export default linkRoutes;
