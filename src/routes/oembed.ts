// oEmbed (https://oembed.com) for this service's short links, names and view links, so wikis and
// chat apps that speak it can turn a pasted link into an embedded viewer, with the link's
// preview image as the thumbnail.
import type { FastifyInstance } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { presetOf } from "../domain/presets.js";
import { iframeHtml } from "../domain/snippets.js";
import { anonymous, errorResponses } from "../http/schemas.js";
import {
  localPath,
  ownLinkId,
  ownNameRef,
  PREVIEW_BOUNDS,
  PREVIEW_SIZE,
  parseViewPath,
  viewUrl,
} from "../http/service-urls.js";
import { readCors } from "../plugins/external/cors.js";

export const EMBED_WIDTH = 800;
export const EMBED_HEIGHT = 600;
interface Embeddable {
  title: string;
  embedUrl: string;
  /** The preview image (PNG, PREVIEW_SIZE). */
  previewUrl: string;
}

/** What a URL of this service embeds as, or null when it is not one we serve. */
async function resolve(app: FastifyInstance, url: string): Promise<Embeddable | null> {
  const { publicUrl } = app.config;
  const id = ownLinkId(publicUrl, url);
  if (id !== null) {
    const link = await app.links.get(id);
    if (!link) return null;
    const { embedUrl, previewUrl } = app.links.urls(id);
    return { title: link.title ?? "A Neuroglancer view", embedUrl, previewUrl };
  }
  const named = ownNameRef(publicUrl, url);
  if (named !== null) {
    // The iframe opens the name (or the pinned version) itself, so an embed made from this
    // answer follows the name's moves.
    const found = await app.names.find(named.name, named.version);
    if (!found) return null;
    const { embedUrl, previewUrl } = app.names.urls(named.name, named.version ?? undefined);
    return { title: found.link.title ?? named.name, embedUrl, previewUrl };
  }
  const local = localPath(publicUrl, url);
  const view = local && parseViewPath(local.path);
  if (!local || !view) return null;
  const dataset = app.presets.datasets.get(view.target.dataset);
  const preset = dataset && presetOf(dataset, view.target);
  if (!dataset || !preset) return null;
  const title =
    new URLSearchParams(local.search).get("title") ?? `${dataset.title}: ${preset.title}`;
  return {
    title,
    embedUrl: viewUrl(publicUrl, view.target, { embed: true, search: local.search }),
    previewUrl: viewUrl(publicUrl, view.target, { preview: true, search: local.search }),
  };
}

/**
 * The thumbnail: the preview image, scaled down (?w=&h=, same aspect) to fit the maxwidth and
 * maxheight the consumer sent, as oEmbed requires; null when it cannot fit.
 */
function thumbnail(
  previewUrl: string,
  maxwidth: number | undefined,
  maxheight: number | undefined,
): { url: string; width: number; height: number } | null {
  const scale = Math.min(
    1,
    (maxwidth ?? PREVIEW_SIZE.width) / PREVIEW_SIZE.width,
    (maxheight ?? PREVIEW_SIZE.height) / PREVIEW_SIZE.height,
  );
  if (scale === 1) return { url: previewUrl, ...PREVIEW_SIZE };
  const width = Math.floor(PREVIEW_SIZE.width * scale);
  const height = Math.floor(PREVIEW_SIZE.height * scale);
  // The preview route renders nothing smaller: a consumer with less room gets no thumbnail.
  if (width < PREVIEW_BOUNDS.width.min || height < PREVIEW_BOUNDS.height.min) return null;
  const join = previewUrl.includes("?") ? "&" : "?";
  return { url: `${previewUrl}${join}w=${width}&h=${height}`, width, height };
}

const oembedAnswer = z.object({
  version: z.literal("1.0"),
  type: z.literal("rich"),
  provider_name: z.string(),
  provider_url: z.string(),
  title: z.string(),
  width: z.number(),
  height: z.number(),
  html: z.string(),
  thumbnail_url: z
    .string()
    .optional()
    .describe(
      "The link's preview image (PNG), scaled to fit maxwidth/maxheight; the three thumbnail fields are absent when it cannot fit",
    ),
  thumbnail_width: z.number().optional().describe("The thumbnail's width in pixels"),
  thumbnail_height: z.number().optional().describe("The thumbnail's height in pixels"),
  cache_age: z.number(),
});

const size = (fallback: number, what: string) =>
  z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      `The largest ${what} the consumer can show, in pixels (the iframe's default ${fallback})`,
    );

const oembedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/oembed",
    {
      config: readCors,
      schema: {
        operationId: "getOembed",
        tags: ["embed"],
        ...anonymous,
        summary: "oEmbed for short links, names and view links of this service",
        querystring: z.object({
          url: z
            .string()
            .describe(
              "A /s/<id>, /embed/<id>, /n/<name>[/<version>] or /v/... URL of this service",
            ),
          maxwidth: size(EMBED_WIDTH, "width"),
          maxheight: size(EMBED_HEIGHT, "height"),
          format: z.string().default("json").describe('Only "json" is implemented'),
        }),
        response: { 200: oembedAnswer, ...errorResponses(400, 404, 501, 503) },
      },
    },
    async (request, reply) => {
      const { url, maxwidth, maxheight, format } = request.query;
      if (format !== "json")
        return reply
          .code(501)
          .send({ error: `format "${format}" is not implemented; use format=json` });
      const target = await resolve(app, url);
      if (!target)
        return reply
          .code(404)
          .send({ error: `not a link or view of ${app.config.publicUrl}: ${url}` });
      const width = Math.min(EMBED_WIDTH, maxwidth ?? EMBED_WIDTH);
      const height = Math.min(EMBED_HEIGHT, maxheight ?? EMBED_HEIGHT);
      const thumb = thumbnail(target.previewUrl, maxwidth, maxheight);
      return {
        version: "1.0" as const,
        type: "rich" as const,
        provider_name: "nglaunch",
        provider_url: app.config.publicUrl,
        title: target.title,
        width,
        height,
        html: iframeHtml({ title: target.title, embedUrl: target.embedUrl }, { width, height }),
        ...(thumb && {
          thumbnail_url: thumb.url,
          thumbnail_width: thumb.width,
          thumbnail_height: thumb.height,
        }),
        cache_age: 86_400,
      };
    },
  );
};

export default oembedRoutes;
