// Stable, human-writable view links for wikis and papers: /v/<dataset>/<view>?segments=...
// open the viewer on the state built from the presets at click time, and their /embed/v/...
// variants for iframes. Every client gets the page (with its preview meta) unless it explicitly
// prefers JSON, which gets the viewer URL and the state: no state ever goes into a Location
// header (a /v/ link with thousands of IDs would make one larger than proxies allow).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { stateUrl } from "../domain/neuroglancer-url.js";
import { presetOf } from "../domain/presets.js";
import { BuildError, buildState } from "../domain/state-builder.js";
import { errorPage } from "../http/error-page.js";
import { anonymous, errorPageOrJson, pageOrJson } from "../http/schemas.js";
import {
  oembedUrlFor,
  PREVIEW_SIZE,
  splitPathAndSearch,
  type ViewTarget,
  viewUrl,
} from "../http/service-urls.js";
import { requestFromQuery, type ViewQuery, viewQuery } from "../http/view-query.js";
import { embedQuery } from "../plugins/app/embed-page.js";
import { negotiate } from "../plugins/app/viewer-page.js";

/** What a view link answers a client that explicitly prefers JSON. */
const viewJson = z.object({
  url: z.string().describe("The viewer URL with the built state in its #! fragment"),
  state: z
    .record(z.string(), z.unknown())
    .describe("The Neuroglancer state built from the presets"),
});

/** A view link's mistakes, as a page for people and crawlers, or the JSON error with issues. */
const errors = {
  400: errorPageOrJson(400, "a bad segment ID, position or query parameter, explained on a page"),
  404: errorPageOrJson(404, "no such dataset, view or layer preset, said on a page"),
};
const pageResponses = {
  200: pageOrJson("The viewer page; JSON clients get the viewer URL and the built state", viewJson),
  ...errors,
};
/** The embed variants answer a page (light, or the viewer with ?autoload=1), or JSON. */
const embedResponses = {
  200: pageOrJson(
    "The light embed page (preview image, Explore in 3D); the compact viewer with ?autoload=1. JSON clients get the viewer URL and the built state",
    viewJson,
  ),
  ...errors,
};

/**
 * The page a person (or a crawler) sees for a view link with a mistake: the builder's (an
 * unknown name, a bad ID or position) or the query schema's (unit, zoom, title length, which
 * fastify attaches to the request). Null for any other error, which the error handler answers.
 */
function mistakePage(
  error: unknown,
  validationError: Error | undefined,
): { code: 400 | 404; html: string } | null {
  if (error instanceof BuildError && error.notFound)
    return { code: 404, html: errorPage("View not found", `${error.message}: check the address.`) };
  if (error instanceof BuildError || (error !== undefined && error === validationError))
    return { code: 400, html: errorPage("This view link has a mistake", (error as Error).message) };
  return null;
}

const viewRoutes: FastifyPluginAsyncZod = async (app) => {
  const { publicUrl } = app.config;

  /** Builds the state at click time and answers the viewer page, or the state as JSON. */
  function open(request: FastifyRequest, reply: FastifyReply, target: ViewTarget, embed: boolean) {
    const json = negotiate(request, reply) === "json";
    // Without a validation error, fastify has parsed the query with viewQuery.
    const query = request.query as ViewQuery;
    let built: ReturnType<typeof buildState>;
    try {
      if (request.validationError) throw request.validationError;
      built = buildState(app.presets, requestFromQuery(target, query));
    } catch (error) {
      // JSON clients get the error handler's answer ({error, issues}); others a page.
      const page = json ? null : mistakePage(error, request.validationError);
      if (!page) throw error;
      return reply.code(page.code).type("text/html; charset=utf-8").send(page.html);
    }
    if (json)
      return reply
        .header("cache-control", "no-cache")
        .send({ url: stateUrl(publicUrl, built.state), state: built.state });
    const preset = presetOf(built.dataset, target);
    // The link people share: the full (not embed) view link, with the query as it was sent; its
    // preview image takes the same query.
    const { search } = splitPathAndSearch(request.url);
    const pageUrl = viewUrl(publicUrl, target, { search });
    const page = {
      meta: {
        title: query.title ?? `${built.dataset.title}: ${preset?.title ?? ""}`,
        description: `${preset?.description ?? ""} ${built.dataset.license.attribution}`.trim(),
        url: pageUrl,
        oembedUrl: oembedUrlFor(publicUrl, pageUrl),
        dataset: built.dataset.title,
        image: { url: viewUrl(publicUrl, target, { preview: true, search }), ...PREVIEW_SIZE },
        attribution: built.dataset.license.attribution,
      },
      state: built.state,
    };
    if (!embed) return app.viewerPage(reply, page);
    return app.embedPage(request, reply, { page });
  }

  for (const embed of [false, true]) {
    const prefix = embed ? "/embed" : "";
    // The query's schema errors reach the handler, which answers them as a page or JSON.
    const routeOptions = { config: { embed }, attachValidation: true };
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
      async (request, reply) => open(request, reply, request.params, embed),
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
      async (request, reply) => open(request, reply, request.params, embed),
    );
  }
};

export default viewRoutes;
