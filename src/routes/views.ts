// Stable, human-writable view links for wikis and papers: /v/<dataset>/<view>?segments=...
// open the viewer on the state built from the presets at click time (a page for browsers,
// a redirect for other clients), and their /embed/v/... variants for iframes.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { stateUrl } from "../domain/neuroglancer-url.js";
import { presetOf } from "../domain/presets.js";
import { buildState } from "../domain/state-builder.js";
import { anonymous, errorResponses, htmlPage, redirect } from "../http/schemas.js";
import {
  oembedUrlFor,
  splitPathAndSearch,
  type ViewTarget,
  viewUrl,
} from "../http/service-urls.js";
import { requestFromQuery, type ViewQuery, viewQuery } from "../http/view-query.js";
import { embedQuery } from "../plugins/app/embed-page.js";
import { wantsHtml } from "../plugins/app/viewer-page.js";

/** A view link opens a page for browsers (Accept: text/html) and redirects other clients. */
const pageResponses = {
  200: htmlPage("The viewer page (for browsers: Accept text/html)"),
  302: redirect("Other clients: a redirect to the viewer URL with the state in #!"),
  ...errorResponses(400, 404),
};
/** The embed variants always answer a page: light, or the viewer with ?autoload=1. */
const embedResponses = {
  200: htmlPage(
    "The light embed page (preview image, Explore in 3D); the compact viewer with ?autoload=1",
  ),
  ...errorResponses(400, 404),
};

const viewRoutes: FastifyPluginAsyncZod = async (app) => {
  const { publicUrl } = app.config;

  /** Builds the state at click time and answers the viewer page, or a redirect to it. */
  function open(
    request: FastifyRequest,
    query: ViewQuery,
    reply: FastifyReply,
    target: ViewTarget,
    embed: boolean,
  ) {
    const built = buildState(app.presets, requestFromQuery(target, query));
    const viewerUrl = stateUrl(publicUrl, built.state);
    if (!embed && !wantsHtml(request)) return reply.redirect(viewerUrl, 302);
    const preset = presetOf(built.dataset, target);
    // The link people share: the full (not embed) view link, with the query as it was sent.
    const pageUrl = viewUrl(publicUrl, target, { search: splitPathAndSearch(request.url).search });
    const page = {
      meta: {
        title: query.title ?? `${built.dataset.title}: ${preset?.title ?? ""}`,
        description: `${preset?.description ?? ""} ${built.dataset.license.attribution}`.trim(),
        url: pageUrl,
        oembedUrl: oembedUrlFor(publicUrl, pageUrl),
        dataset: built.dataset.title,
      },
      state: built.state,
    };
    if (!embed) return app.viewerPage(reply, page);
    return app.embedPage(request, reply, {
      page,
      previewUrl: viewUrl(publicUrl, target, {
        preview: true,
        search: splitPathAndSearch(request.url).search,
      }),
      attribution: built.dataset.license.attribution,
    });
  }

  for (const embed of [false, true]) {
    const prefix = embed ? "/embed" : "";
    const routeOptions = { config: { embed } };
    const tags = [embed ? "embed" : "views"];
    app.get(
      `${prefix}/v/:dataset/:view`,
      {
        schema: {
          operationId: embed ? "embedView" : "openView",
          tags,
          ...anonymous,
          summary: embed ? "A named view for iframes" : "Open a named view in the viewer",
          params: z.object({ dataset: z.string(), view: z.string() }),
          querystring: embed ? viewQuery.extend(embedQuery.shape) : viewQuery,
          response: embed ? embedResponses : pageResponses,
        },
        ...routeOptions,
      },
      async (request, reply) => open(request, request.query, reply, request.params, embed),
    );
    app.get(
      `${prefix}/v/:dataset/layer/:layer`,
      {
        schema: {
          operationId: embed ? "embedLayer" : "openLayer",
          tags,
          ...anonymous,
          summary: embed ? "One layer preset for iframes" : "Open one layer preset in the viewer",
          params: z.object({ dataset: z.string(), layer: z.string() }),
          querystring: embed ? viewQuery.extend(embedQuery.shape) : viewQuery,
          response: embed ? embedResponses : pageResponses,
        },
        ...routeOptions,
      },
      async (request, reply) => open(request, request.query, reply, request.params, embed),
    );
  }
};

export default viewRoutes;
