// Short links: immutable snapshots of validated states. Create (idempotent), open, read the
// state JSON (CORS, cached forever), read metadata, and Neuroglancer's own Share protocol.
// A thin adapter over the links service (plugins/app/links.ts).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorPage } from "../http/error-page.js";
import { errorResponses, errorSchema, issueSchema } from "../http/schemas.js";
import { wantsHtml } from "../plugins/app/viewer-page.js";
import { readCors } from "../plugins/external/cors.js";
import { writeRateLimit } from "../plugins/external/rate-limit.js";

export const linkBody = z
  .object({
    state: z.record(z.string(), z.unknown()).optional().describe("A whole Neuroglancer state"),
    url: z.string().optional().describe("A full Neuroglancer URL (#!{...} fragment)"),
    dataset: z.string().optional().describe("Or build from presets: the POST /api/states body"),
    title: z.string().max(300).optional().describe("Shown in link previews and the page title"),
  })
  .catchall(z.unknown())
  .refine((b) => [b.state, b.url, b.dataset].filter((v) => v !== undefined).length === 1, {
    message: 'send exactly one of "state", "url" or the preset fields ("dataset", "view", ...)',
  });

/** Neuroglancer's Share body: the state itself. */
export const shareBody = z.record(z.string(), z.unknown());

const linkAnswer = z.object({
  id: z.string(),
  created: z.boolean().describe("false when the same content was already stored"),
  title: z.string().nullable(),
  shortUrl: z.string(),
  viewerUrl: z.string().describe("Opens this service's viewer on the stored state"),
  jsonUrl: z.string().describe("The state JSON; works in any Neuroglancer as #!<jsonUrl>"),
  embedUrl: z.string(),
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
        tags: ["links"],
        summary: "Store a state (or a preset view, or a Neuroglancer URL) and get a short link",
        body: linkBody,
        response: {
          200: linkAnswer,
          201: linkAnswer,
          ...errorResponses(400, 404, 413, 415, 429),
          503: errorSchema.extend({
            longUrl: z.string().describe("A working link without the store"),
          }),
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
        tags: ["links"],
        summary:
          "The stored state JSON, exactly; CORS-enabled for #!<this URL> in any Neuroglancer",
        params: idParams,
        response: {
          200: z.unknown().describe("The Neuroglancer state"),
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
        tags: ["links"],
        summary: "A link's metadata: title, origin, creation time, size",
        params: idParams,
        response: { 200: linkMeta, ...errorResponses(404, 503) },
      },
    },
    async (request, reply) => {
      const link = await app.links.get(request.params.id);
      if (!link) return notFound(reply, request.params.id);
      reply.header("cache-control", IMMUTABLE);
      return app.links.meta(link);
    },
  );

  /** The page (or, for non-browsers, the redirect) that opens a stored link. */
  async function openLink(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    embed: boolean,
  ) {
    const link = await app.links.get(id);
    if (!link) return notFound(reply, id, embed || wantsHtml(request));
    if (!embed && !wantsHtml(request))
      return reply.redirect(app.links.urls(link.id).viewerUrl, 302);
    return app.viewerPage(reply, app.links.page(link, embed));
  }

  const pageSchema = {
    params: idParams,
    response: { 200: z.string().describe("HTML page"), 302: z.null(), ...errorResponses(404, 503) },
  };
  app.get(
    "/s/:id",
    { schema: { tags: ["links"], summary: "Open a short link in the viewer", ...pageSchema } },
    (request, reply) => openLink(request, reply, request.params.id, false),
  );
  app.get(
    "/embed/:id",
    {
      schema: {
        tags: ["embed"],
        summary: "The viewer for iframes: compact, never steals focus",
        ...pageSchema,
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
        tags: ["embed"],
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
        tags: ["links"],
        summary:
          "Neuroglancer's Share protocol: state JSON in, the JSON string URL of the stored state out",
        body: shareBody,
        response: { 200: z.string(), ...errorResponses(400, 413, 415, 429, 503) },
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
