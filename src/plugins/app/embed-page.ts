// Exposes `app.embedPage`: what an /embed/... route answers. The light page (preview image,
// "Explore in 3D") by default, so a wiki page with many embeds starts no viewers; the full embed
// viewer with ?autoload=1, which is where "Explore in 3D" leads.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { z } from "zod";
import { AUTOLOAD_PARAM, renderLightEmbed } from "../../http/light-embed.js";
import { splitPathAndSearch } from "../../http/service-urls.js";
import { EMBED_HEAD, embedChrome, type PageContent } from "../../http/viewer-page.js";

/** The query every embed route takes (view embeds take it with the view query). */
export const embedQuery = z.object({
  [AUTOLOAD_PARAM]: z
    .enum(["0", "1"])
    .optional()
    .describe(
      "1: the viewer at once (it still takes no focus until clicked); default: the preview " +
        'image with an "Explore in 3D" control that loads the viewer',
    ),
});

export interface EmbedPageOptions {
  /**
   * The link's page: its meta (the same head tags on every page of the link; its image and
   * attribution are what the light page shows) and state.
   */
  page: PageContent;
  /** The full embed page, when the caller keeps it rendered (pages of immutable links). */
  viewerPage?: () => string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Answers an embed route: the light page, or the full embed viewer with ?autoload=1. */
    embedPage(
      request: FastifyRequest,
      reply: FastifyReply,
      options: EmbedPageOptions,
    ): FastifyReply;
  }
}

/** The full embed viewer: the viewer page with the embed chrome and focus guard. */
export function fullEmbedPage(page: PageContent): PageContent {
  return {
    ...page,
    head: EMBED_HEAD,
    body: embedChrome(page.meta.url, page.meta.attribution ?? null),
  };
}

export default fp(
  async function embedPage(app: FastifyInstance) {
    app.decorate(
      "embedPage",
      (request: FastifyRequest, reply: FastifyReply, options: EmbedPageOptions) => {
        // The raw query, not the parsed one: "Explore in 3D" passes it on as it was written.
        const { search } = splitPathAndSearch(request.url);
        if (new URLSearchParams(search).get(AUTOLOAD_PARAM) === "1")
          return app.viewerPage(reply, options.viewerPage?.() ?? fullEmbedPage(options.page));
        return (
          reply
            .type("text/html; charset=utf-8")
            // As the viewer pages: a link's page may change with the service (names move).
            .header("cache-control", "no-cache")
            .send(renderLightEmbed({ meta: options.page.meta, search }))
        );
      },
    );
  },
  { name: "embed-page", dependencies: ["viewer-page"] },
);
