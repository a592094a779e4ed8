// Short links: immutable snapshots of validated states. Create (idempotent), open, read the
// state JSON (CORS, cached forever), read metadata, and Neuroglancer's own Share protocol.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { stateJsonUrl } from "../domain/neuroglancer-url.js";
import type { Dataset } from "../domain/presets.js";
import { linkSnippets } from "../domain/snippets.js";
import { buildStateFromInput } from "../domain/state-builder.js";
import { validateState } from "../domain/state-schema/index.js";
import { errorPage } from "../http/error-page.js";
import { errorResponses, errorSchema, issueSchema } from "../http/schemas.js";
import { linkUrls, oembedUrlFor } from "../http/service-urls.js";
import { stateFromUrl } from "../http/state-from-url.js";
import { EMBED_HEAD, embedChrome } from "../http/viewer-page.js";
import { contentDigest } from "../links/canonical-json.js";
import { isLinkId, newLinkId } from "../links/link-id.js";
import { type NewLink, type StoredLink, StoreUnavailableError } from "../links/link-store.js";
import { RETRY_AFTER_SECONDS } from "../plugins/app/error-handler.js";
import { wantsHtml } from "../plugins/app/viewer-page.js";
import { writeRateLimit } from "../plugins/external/protection.js";

const linkBody = z
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

interface Candidate {
  state: Record<string, unknown>;
  title: string | null;
  dataset: string | null;
  view: string | null;
  warnings: { path: string; message: string }[];
}

class InvalidStateError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super("invalid state");
  }
}

/** Validates what a user posted and turns it into a state plus link metadata. */
async function candidateFrom(
  app: FastifyInstance,
  body: z.infer<typeof linkBody>,
): Promise<Candidate> {
  if (body.dataset !== undefined) {
    const built = buildStateFromInput(app.presets, body);
    return {
      state: built.state,
      title: body.title ?? null,
      dataset: built.dataset.id,
      view: built.view,
      warnings: built.warnings,
    };
  }
  let state: unknown = body.state;
  let prefix = "state";
  if (body.url !== undefined) {
    const parsed = await stateFromUrl(app, body.url);
    if (!parsed.ok) throw new InvalidStateError([{ path: "url", message: parsed.message }]);
    state = parsed.state;
    prefix = "url#!";
  }
  const result = validateState(state);
  const at = (i: { path: string; message: string }) => ({
    ...i,
    path: i.path ? `${prefix}.${i.path}` : prefix,
  });
  if (!result.valid) throw new InvalidStateError(result.errors.map(at));
  return {
    state: state as Record<string, unknown>,
    title: body.title ?? null,
    dataset: null,
    view: null,
    warnings: result.warnings.map(at),
  };
}

/** The record to store for a candidate: canonical JSON and content digest. */
function newLinkOf(candidate: Candidate): NewLink {
  const { stateJson, digest } = contentDigest(candidate.state, candidate);
  return {
    stateJson,
    digest,
    title: candidate.title,
    dataset: candidate.dataset,
    view: candidate.view,
  };
}

/** The preset dataset a link came from, or whose data its state uses (for attribution). */
function datasetOfLink(app: FastifyInstance, link: StoredLink): Dataset | undefined {
  if (link.dataset) return app.presets.datasets.get(link.dataset);
  for (const dataset of app.presets.datasets.values())
    if (link.stateJson.includes(dataset.dataRoot.replace(/\/+$/, ""))) return dataset;
  return undefined;
}

async function findLink(app: FastifyInstance, id: string): Promise<StoredLink | null> {
  return isLinkId(id) ? app.links.get(id) : null;
}

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
  const { publicUrl } = app.config;

  app.post(
    "/api/links",
    {
      ...writeRateLimit(app.config),
      // The answer is built right here from typed values, so the schema documents it and the
      // type-checker enforces it; re-validating it with zod on every call was measurable (bench).
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
      let candidate: Candidate;
      try {
        candidate = await candidateFrom(app, request.body);
      } catch (error) {
        if (error instanceof InvalidStateError)
          return reply.code(400).send({ error: "invalid state", issues: error.issues });
        throw error;
      }
      const record = newLinkOf(candidate);
      // From the canonical JSON already made for the digest: no second serialisation.
      const longUrl = stateJsonUrl(publicUrl, record.stateJson);
      try {
        const { link, created } = await app.links.create(record, newLinkId);
        if (created) app.metrics.linksCreated.inc({ source: "links" });
        return reply.code(created ? 201 : 200).send({
          id: link.id,
          created,
          title: link.title,
          ...linkUrls(publicUrl, link.id),
          longUrl,
          warnings: candidate.warnings,
        });
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        request.log.warn({ err: error }, "link store unavailable; answered with the long URL");
        return reply
          .code(503)
          .header("retry-after", String(RETRY_AFTER_SECONDS))
          .send({ error: "the link store is unavailable; longUrl still opens this view", longUrl });
      }
    },
  );

  app.get(
    "/api/links/:id",
    {
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
      reply.header("access-control-allow-origin", "*");
      const link = await findLink(app, request.params.id);
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
      schema: {
        tags: ["links"],
        summary: "A link's metadata: title, origin, creation time, size",
        params: idParams,
        response: { 200: linkMeta, ...errorResponses(404, 503) },
      },
    },
    async (request, reply) => {
      reply.header("access-control-allow-origin", "*");
      const link = await findLink(app, request.params.id);
      if (!link) return notFound(reply, request.params.id);
      const { shortUrl, jsonUrl, embedUrl } = linkUrls(publicUrl, link.id);
      reply.header("cache-control", IMMUTABLE);
      return {
        id: link.id,
        title: link.title,
        dataset: link.dataset,
        view: link.view,
        createdAt: link.createdAt,
        sizeBytes: link.sizeBytes,
        shortUrl,
        jsonUrl,
        embedUrl,
      };
    },
  );

  // A link never changes, so neither does its page: keep recently opened pages rendered.
  const pages = new LRUCache<string, string>({ max: 1000 });

  function linkPage(link: StoredLink, embed: boolean): string {
    const urls = linkUrls(publicUrl, link.id);
    const dataset = datasetOfLink(app, link);
    const page = {
      meta: {
        title:
          link.title ?? (dataset ? `${dataset.title}: a Neuroglancer view` : "A Neuroglancer view"),
        description: dataset
          ? `${dataset.description} ${dataset.license.attribution}`
          : "A Neuroglancer view shared with nglaunch.",
        url: urls.shortUrl,
        oembedUrl: oembedUrlFor(publicUrl, urls.shortUrl),
        dataset: dataset?.title,
      },
      state: urls.jsonUrl,
    };
    if (!embed) return app.renderViewerPage(page);
    return app.renderViewerPage({
      ...page,
      head: EMBED_HEAD,
      body: embedChrome(urls.shortUrl, dataset?.license.attribution ?? null),
    });
  }

  /** The page (or, for non-browsers, the redirect) that opens a stored link. */
  async function openLink(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    embed: boolean,
  ) {
    const link = await findLink(app, id);
    if (!link) return notFound(reply, id, embed || wantsHtml(request));
    if (!embed && !wantsHtml(request))
      return reply.redirect(linkUrls(publicUrl, link.id).viewerUrl, 302);
    const key = `${embed ? "embed" : "page"}:${link.id}`;
    let html = pages.get(key);
    if (html === undefined) {
      html = linkPage(link, embed);
      pages.set(key, html);
    }
    return app.viewerPage(reply, html);
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
      reply.header("access-control-allow-origin", "*");
      const link = await findLink(app, request.params.id);
      if (!link) return notFound(reply, request.params.id);
      const urls = linkUrls(publicUrl, link.id);
      const { list } = linkSnippets(
        { title: link.title, ...urls },
        { badgeUrl: `${publicUrl}/badge.svg` },
      );
      return { snippets: list };
    },
  );

  app.post(
    "/api/share",
    {
      schema: {
        tags: ["links"],
        summary:
          "Neuroglancer's Share protocol: state JSON in, the JSON string URL of the stored state out",
        body: z.record(z.string(), z.unknown()),
        response: { 200: z.string(), ...errorResponses(400, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const result = validateState(request.body);
      if (!result.valid)
        return reply.code(400).send({ error: "invalid state", issues: result.errors });
      const title = typeof request.body.title === "string" ? request.body.title : null;
      const { link, created } = await app.links.create(
        newLinkOf({ state: request.body, title, dataset: null, view: null, warnings: [] }),
        newLinkId,
      );
      if (created) app.metrics.linksCreated.inc({ source: "share" });
      // A JSON string, as the client expects (it calls response.json()).
      return reply
        .type("application/json")
        .send(JSON.stringify(linkUrls(publicUrl, link.id).jsonUrl));
    },
  );
};

export default linkRoutes;
