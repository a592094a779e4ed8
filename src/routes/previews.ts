// Preview images (PNG) of short links, names and view links, for og:image, oEmbed thumbnails and
// README image links: /s/<id>/preview.png, /n/<name>[/<version>]/preview.png and
// /v/<dataset>/<view or layer/<layer>>/preview.png?<view query>. Thin adapters over app.previews,
// which answers from its caches, a render, or the fallback card; never a 5xx for render trouble.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { presetOf } from "../domain/presets.js";
import { buildState } from "../domain/state-builder.js";
import { anonymous, errorResponses, type HeaderDoc, respond } from "../http/schemas.js";
import { PREVIEW_BOUNDS, PREVIEW_SIZE, type ViewTarget } from "../http/service-urls.js";
import { requestFromQuery, type ViewQuery, viewQuery } from "../http/view-query.js";
import type { PreviewAnswer, PreviewSize } from "../plugins/app/previews.js";

function pixels(name: "w" | "h", bounds: { min: number; max: number }, what: string) {
  const message = `${name}: the ${what} in pixels, a whole number from ${bounds.min} to ${bounds.max}`;
  return z.coerce
    .number(message)
    .int(message)
    .min(bounds.min, message)
    .max(bounds.max, message)
    .optional()
    .describe(
      `Image ${what} in pixels (${bounds.min}-${bounds.max}, default ${name === "w" ? PREVIEW_SIZE.width : PREVIEW_SIZE.height})`,
    );
}

const sizeQuery = z.object({
  w: pixels("w", PREVIEW_BOUNDS.width, "width"),
  h: pixels("h", PREVIEW_BOUNDS.height, "height"),
});
type SizeQuery = z.infer<typeof sizeQuery>;

const cacheControlHeader: HeaderDoc = {
  description:
    "A year (immutable) for short links and pinned name versions, an hour for view links and current names, a minute for the fallback card (so crawlers come back for the rendered picture)",
  schema: {
    type: "string",
    enum: ["public, max-age=31536000, immutable", "public, max-age=3600", "public, max-age=60"],
  },
};
const etagHeader: HeaderDoc = {
  description: "Strong validator: a digest of the image bytes (304 to If-None-Match)",
  schema: { type: "string" },
};
const imageResponses = {
  200: respond(z.unknown(), {
    description:
      "The preview (PNG): the view rendered with a caption strip (title, dataset, attribution), or, while that is not ready or previews are off, a fallback card with the same caption",
    mediaTypes: ["image/png"],
    headers: { "cache-control": cacheControlHeader, etag: etagHeader },
  }),
  304: respond(z.null(), {
    description: "Not modified: the client's copy (If-None-Match) is current",
    noBody: true,
    headers: { "cache-control": cacheControlHeader, etag: etagHeader },
  }),
};

function sizeOf(query: SizeQuery): PreviewSize {
  return { width: query.w ?? PREVIEW_SIZE.width, height: query.h ?? PREVIEW_SIZE.height };
}

/** Whether If-None-Match names this ETag (a list, W/ prefixes and * allowed, per RFC 9110). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header === etag || header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/** Sends a prebuilt answer as it is, or a 304. */
function send(request: FastifyRequest, reply: FastifyReply, answer: PreviewAnswer) {
  if (matches(request.headers["if-none-match"], answer.etag))
    return reply.code(304).headers(answer.notModifiedHeaders).send();
  return reply.headers(answer.headers).send(answer.body);
}

const previewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/s/:id/preview.png",
    {
      schema: {
        operationId: "getLinkPreview",
        tags: ["links"],
        ...anonymous,
        summary: "A short link's preview image (PNG, 1200x630 by default; ?w=&h= for other sizes)",
        params: z.object({ id: z.string().describe("The short link id") }),
        querystring: sizeQuery,
        response: { ...imageResponses, ...errorResponses(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const size = sizeOf(request.query);
      // The hot path: a prebuilt answer from memory, no store read.
      const hot = app.previews.cachedLink(id, size, "immutable");
      if (hot) return send(request, reply, hot);
      const link = await app.links.get(id);
      if (link === null)
        return reply
          .code(404)
          .send({ error: `no link "${id}" here; check the address for typing mistakes` });
      return send(request, reply, await app.previews.ofLink(link, size, "immutable"));
    },
  );

  /** A name's preview: its version's short link's picture, cached under the link's id. */
  async function namePreview(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    versionText: string | null,
    query: SizeQuery,
  ) {
    const pinned =
      versionText === null ? null : /^[1-9]\d{0,8}$/.test(versionText) ? Number(versionText) : 0;
    const found = pinned === 0 ? null : await app.names.find(name, pinned);
    if (!found) {
      const what =
        versionText === null ? `no name "${name}"` : `no version ${versionText} of "${name}"`;
      return reply.code(404).send({ error: `${what}; check the address for typing mistakes` });
    }
    // Cached under the version's link id, with the link's own caption: one picture per link.
    const lifetime = found.pinned ? "immutable" : "hour";
    return send(request, reply, await app.previews.ofLink(found.link, sizeOf(query), lifetime));
  }

  const nameParams = z.object({ name: z.string().describe("A name") });
  app.get(
    "/n/:name/preview.png",
    {
      schema: {
        operationId: "getNamePreview",
        tags: ["names"],
        ...anonymous,
        summary: "The preview image (PNG) of a name's current version; follows the name's moves",
        params: nameParams,
        querystring: sizeQuery,
        response: { ...imageResponses, ...errorResponses(400, 404, 503) },
      },
    },
    (request, reply) => namePreview(request, reply, request.params.name, null, request.query),
  );
  app.get(
    "/n/:name/:version/preview.png",
    {
      schema: {
        operationId: "getNameVersionPreview",
        tags: ["names"],
        ...anonymous,
        summary: "The preview image (PNG) of one version of a name, forever",
        params: nameParams.extend({ version: z.string().describe("A version number, from 1") }),
        querystring: sizeQuery,
        response: { ...imageResponses, ...errorResponses(400, 404, 503) },
      },
    },
    (request, reply) =>
      namePreview(request, reply, request.params.name, request.params.version, request.query),
  );

  /** A view link's preview: the state built from the presets now, as the page would open. */
  async function viewPreview(
    request: FastifyRequest,
    reply: FastifyReply,
    target: ViewTarget,
    query: ViewQuery & SizeQuery,
  ) {
    const built = buildState(app.presets, requestFromQuery(target, query));
    const preset = presetOf(built.dataset, target);
    const caption = {
      title: query.title ?? `${built.dataset.title}: ${preset?.title ?? ""}`,
      dataset: built.dataset.title,
      attribution: built.dataset.license.attribution,
    };
    return send(request, reply, await app.previews.ofView(built.state, caption, sizeOf(query)));
  }

  const viewPreviewQuery = viewQuery.extend(sizeQuery.shape);
  app.get(
    "/v/:dataset/:view/preview.png",
    {
      schema: {
        operationId: "getViewPreview",
        tags: ["views"],
        ...anonymous,
        summary: "A named view's preview image (PNG), with the view link's query",
        params: z.object({ dataset: z.string(), view: z.string() }),
        querystring: viewPreviewQuery,
        response: { ...imageResponses, ...errorResponses(400, 404) },
      },
    },
    (request, reply) => viewPreview(request, reply, request.params, request.query),
  );
  app.get(
    "/v/:dataset/layer/:layer/preview.png",
    {
      schema: {
        operationId: "getLayerPreview",
        tags: ["views"],
        ...anonymous,
        summary: "One layer preset's preview image (PNG), with the view link's query",
        params: z.object({ dataset: z.string(), layer: z.string() }),
        querystring: viewPreviewQuery,
        response: { ...imageResponses, ...errorResponses(400, 404) },
      },
    },
    (request, reply) => viewPreview(request, reply, request.params, request.query),
  );
};

export default previewRoutes;
