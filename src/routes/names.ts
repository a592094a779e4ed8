// Named links: one address ("/n/ca3-proofread") that its owner can move to a newer short link,
// with every earlier version kept and reachable at /n/<name>/<version>. Create (first come first
// served, answers an edit token once), move (Bearer token, optional If-Match), read the history,
// and open, embed or follow a name.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorPage } from "../http/error-page.js";
import {
  anonymous,
  errorResponses,
  errorSchema,
  headers,
  notFoundPageOrJson,
  pageOrJson,
  rateLimitHeaders,
  respond,
} from "../http/schemas.js";
import type { StoredLink } from "../links/link-store.js";
import {
  bearerToken,
  editTokenMatches,
  hashEditToken,
  ifMatchVersion,
  isName,
  MAX_VERSIONS,
  NAME_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  nameProblem,
  newEditToken,
} from "../names/name.js";
import { embedQuery } from "../plugins/app/embed-page.js";
import { LinkRefError } from "../plugins/app/names.js";
import { negotiate, sendStoredState } from "../plugins/app/viewer-page.js";
import { readCors } from "../plugins/external/cors.js";
import { writeRateLimit } from "../plugins/external/rate-limit.js";

const linkRef = z
  .string()
  .min(1)
  .max(2048)
  .describe("A short link id, or any link of this service: /s/<id>, /embed/<id>, /n/<name>...");
const note = z
  .string()
  .max(NOTE_MAX_LENGTH)
  .nullable()
  .optional()
  .describe('What changed in this version, e.g. "fixed merge in 123"');

const createBody = z.object({
  name: z
    .string()
    .max(NAME_MAX_LENGTH * 4)
    .describe("Lowercase letters, digits and hyphens, 3-64 characters"),
  link: linkRef,
  note,
});
const moveBody = z.object({ link: linkRef, note });

const versionSchema = z.object({
  version: z.number(),
  linkId: z.string(),
  createdAt: z.string(),
  note: z.string().nullable(),
  url: z.string().describe("Opens this version forever: /n/<name>/<version>"),
  shortUrl: z.string().describe("The short link of this version"),
});

const nameAnswer = z.object({
  name: z.string(),
  createdAt: z.string().describe("When the name was created"),
  current: versionSchema,
  url: z.string().describe("Opens the current version: /n/<name>"),
  embedUrl: z.string().describe("For iframes; follows the name's moves"),
  previewUrl: z.string().describe("The current version's preview image (PNG)"),
  apiUrl: z.string(),
  stateUrl: z.string().describe("The current state JSON; #!<stateUrl> in any Neuroglancer"),
});
const createAnswer = nameAnswer.extend({
  token: z
    .string()
    .describe("The edit token, shown this once: send it as 'Authorization: Bearer <token>'"),
});
const historyAnswer = nameAnswer.extend({
  history: z.array(versionSchema).describe("Every version, oldest first"),
});

const nameParams = z.object({ name: z.string().describe("A name") });
const versionParams = nameParams.extend({
  version: z.string().describe("A version number, from 1"),
});

/** Answers for a name that is not here, as JSON or, on a page route, a page. */
function nameNotFound(reply: FastifyReply, name: string, html: boolean, version?: number) {
  const what = version === undefined ? `no name "${name}"` : `no version ${version} of "${name}"`;
  if (html)
    return reply
      .code(404)
      .type("text/html; charset=utf-8")
      .send(errorPage("Name not found", `There is ${what} here: check the address.`));
  return reply.code(404).send({ error: `${what}; check the address for typing mistakes` });
}

function versionNumber(text: string): number | null {
  return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : null;
}

const nameRoutes: FastifyPluginAsyncZod = async (app) => {
  async function linkOrIssue(reply: FastifyReply, ref: string): Promise<StoredLink | null> {
    try {
      return await app.names.resolveLink(ref);
    } catch (error) {
      if (!(error instanceof LinkRefError)) throw error;
      reply
        .code(400)
        .send({ error: "invalid link", issues: [{ path: "link", message: error.message }] });
      return null;
    }
  }

  app.post(
    "/api/names",
    {
      ...writeRateLimit(app),
      schema: {
        operationId: "createName",
        tags: ["names"],
        ...anonymous,
        summary:
          "Give a short link a name that can later move to newer links (answers an edit token once)",
        body: createBody,
        response: {
          201: respond(createAnswer, {
            description: "Created: the name's URLs and its edit token (shown this once)",
            headers: {
              "cache-control": headers.cacheNoStore,
              etag: headers.nameVersionEtag,
              ...rateLimitHeaders,
            },
          }),
          409: respond(errorSchema, {
            description: "The name is taken: choose another",
            headers: rateLimitHeaders,
          }),
          ...errorResponses(400, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { name, note: text } = request.body;
      const problem = nameProblem(name);
      if (problem !== null)
        return reply
          .code(400)
          .send({ error: "invalid name", issues: [{ path: "name", message: problem }] });
      const link = await linkOrIssue(reply, request.body.link);
      if (link === null) return reply;
      const token = newEditToken();
      const record = await app.nameStore.create(name, hashEditToken(token), {
        linkId: link.id,
        note: text ?? null,
      });
      if (record === null)
        return reply.code(409).send({
          error: `the name "${name}" is taken; choose another (names are first come, first served)`,
        });
      return reply
        .code(201)
        .header("cache-control", "no-store") // the answer holds a secret
        .header("etag", `"${record.current.version}"`)
        .send({ ...app.names.describe(record), token });
    },
  );

  app.put(
    "/api/names/:name",
    {
      ...writeRateLimit(app),
      schema: {
        operationId: "moveName",
        tags: ["names"],
        // The one operation that is not anonymous: the name's edit token, as a Bearer token.
        security: [{ editToken: [] }],
        summary:
          'Move a name to another link, as a new version (Authorization: Bearer <token>; If-Match: "<version>" to move only from that version)',
        params: nameParams,
        body: moveBody,
        headers: z.looseObject({
          authorization: z.string().optional(),
          "if-match": z.string().optional(),
        }),
        response: {
          200: respond(nameAnswer, {
            description: "Moved: the name's new current version",
            headers: { etag: headers.nameVersionEtag, ...rateLimitHeaders },
          }),
          401: respond(errorSchema, {
            description: "No edit token: send 'Authorization: Bearer <token>'",
            headers: {
              "www-authenticate": {
                description: "Bearer, the scheme the token is sent with",
                schema: { type: "string" },
              },
              ...rateLimitHeaders,
            },
          }),
          403: respond(errorSchema, {
            description: "Not the name's edit token (or it was just replaced)",
            headers: rateLimitHeaders,
          }),
          409: respond(errorSchema, {
            description: "The name keeps no more versions: create a new name",
            headers: rateLimitHeaders,
          }),
          412: respond(errorSchema.extend({ currentVersion: z.number() }), {
            description: "If-Match names another version than the current one: reload and decide",
            headers: { etag: headers.nameVersionEtag, ...rateLimitHeaders },
          }),
          ...errorResponses(400, 404, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const token = bearerToken(request.headers.authorization);
      if (token === null)
        return reply
          .code(401)
          .header("www-authenticate", 'Bearer realm="nglaunch names"')
          .send({ error: 'send the name\'s edit token as "Authorization: Bearer <token>"' });
      const ifVersion = ifMatchVersion(request.headers["if-match"]);
      if (ifVersion === null)
        return reply.code(400).send({
          error: "invalid If-Match",
          issues: [
            {
              path: "headers.if-match",
              message: `expected the version to move from in quotes, as in the name's ETag (e.g. "3"), or *`,
            },
          ],
        });
      const record = isName(name) ? await app.nameStore.get(name) : null;
      if (record === null) return nameNotFound(reply, name, false);
      if (!editTokenMatches(token, record.tokenHash))
        return reply.code(403).send({
          error: `this is not the edit token of "${name}"; a lost token can only be replaced by the service's operator (nglaunch names reset-token ${name})`,
        });
      const link = await linkOrIssue(reply, request.body.link);
      if (link === null) return reply;
      const result = await app.nameStore.move(name, {
        tokenHash: record.tokenHash,
        ifVersion,
        linkId: link.id,
        note: request.body.note ?? null,
      });
      switch (result.outcome) {
        case "moved":
          return reply
            .header("etag", `"${result.version.version}"`)
            .send(app.names.describe({ ...record, current: result.version }));
        case "stale":
          return reply
            .code(412)
            .header("etag", `"${result.currentVersion}"`)
            .send({
              error: `"${name}" is at version ${result.currentVersion}, not ${ifVersion}: someone moved it meanwhile; reload GET /api/names/${name} and decide again`,
              currentVersion: result.currentVersion,
            });
        case "token-changed":
          return reply
            .code(403)
            .send({ error: `the edit token of "${name}" was just replaced; ask its operator` });
        case "missing":
          return nameNotFound(reply, name, false);
        case "full":
          return reply.code(409).send({
            error: `"${name}" has ${MAX_VERSIONS} versions, the most a name keeps; create a new name`,
          });
      }
    },
  );

  app.get(
    "/api/names/:name",
    {
      config: readCors,
      schema: {
        operationId: "getName",
        tags: ["names"],
        ...anonymous,
        summary: "A name's current version and its whole history (ETag: the current version)",
        params: nameParams,
        response: {
          200: respond(historyAnswer, {
            description: "The name, its current version and every version",
            headers: { "cache-control": headers.cacheRevalidate, etag: headers.nameVersionEtag },
          }),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const [record, history] = isName(name)
        ? await Promise.all([app.nameStore.get(name), app.nameStore.history(name)])
        : [null, null];
      if (record === null || history === null) return nameNotFound(reply, name, false);
      // The two reads may straddle a move: the history is the later truth for "current".
      const current = history.at(-1) ?? record.current;
      return reply
        .header("cache-control", "no-cache")
        .header("etag", `"${current.version}"`)
        .send({
          ...app.names.describe({ ...record, current }),
          history: history.map((version) => app.names.describeVersion(name, version)),
        });
    },
  );

  app.get(
    "/api/names/:name/state",
    {
      config: readCors,
      schema: {
        operationId: "getNameState",
        tags: ["names"],
        ...anonymous,
        summary:
          "The current version's state JSON; CORS-enabled, so #!<this URL> in any Neuroglancer follows the name",
        params: nameParams,
        response: {
          // Sent as the stored JSON text, so fastify's type is unknown; documented as an object.
          200: respond(z.unknown(), {
            description: "The Neuroglancer state of the name's current version",
            schema: z.record(z.string(), z.unknown()),
            headers: { "cache-control": headers.cacheRevalidate, etag: headers.nameLinkEtag },
          }),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const found = await app.names.find(request.params.name, null);
      if (!found) return nameNotFound(reply, request.params.name, false);
      return reply
        .header("cache-control", "no-cache")
        .header("etag", `"${found.link.id}"`)
        .type("application/json; charset=utf-8")
        .send(found.link.stateJson);
    },
  );

  app.get(
    "/api/names/:name/snippets",
    {
      config: readCors,
      schema: {
        operationId: "getNameSnippets",
        tags: ["embed"],
        ...anonymous,
        summary: "Ready-to-paste snippets that embed a name and follow its moves",
        params: nameParams,
        response: {
          200: respond(
            z.object({
              snippets: z.array(
                z.object({ id: z.string(), label: z.string(), note: z.string(), text: z.string() }),
              ),
            }),
            {
              description: "The snippets",
              headers: { "cache-control": headers.cacheRevalidate },
            },
          ),
          ...errorResponses(404, 503),
        },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const found = await app.names.find(name, null);
      if (!found) return nameNotFound(reply, name, false);
      return reply
        .header("cache-control", "no-cache")
        .send({ snippets: app.names.snippets(found) });
    },
  );

  /**
   * The page that opens a name's current or pinned version, for every client (crawlers too) but
   * those that explicitly prefer JSON: they get the version's state.
   */
  async function openName(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    versionText: string | null,
    embed: boolean,
  ) {
    const html = negotiate(request, reply) === "html";
    const pinned = versionText === null ? null : versionNumber(versionText);
    if (versionText !== null && pinned === null) return nameNotFound(reply, name, html);
    const found = await app.names.find(name, pinned);
    if (!found) return nameNotFound(reply, name, html, pinned ?? undefined);
    if (!html) return sendStoredState(reply, found.link.stateJson);
    if (embed)
      return app.embedPage(request, reply, {
        page: app.names.pageContent(found),
        viewerPage: () => app.names.page(found, true),
      });
    return app.viewerPage(reply, app.names.page(found, embed));
  }

  const versionPage = (description: string) =>
    pageOrJson(
      `${description}; JSON clients get the version's state`,
      z.unknown(),
      z.record(z.string(), z.unknown()),
    );
  const pageResponses = {
    200: versionPage("The viewer page on the name's version"),
    404: notFoundPageOrJson("name or version"),
    ...errorResponses(503),
  };
  const embedResponses = {
    200: versionPage(
      "The light embed page of the name's version (preview image, Explore in 3D); the compact viewer with ?autoload=1",
    ),
    404: notFoundPageOrJson("name or version"),
    ...errorResponses(400, 503),
  };
  for (const embed of [false, true]) {
    const prefix = embed ? "/embed" : "";
    const routeOptions = { config: { embed } };
    const tags = [embed ? "embed" : "names"];
    app.get(
      `${prefix}/n/:name`,
      {
        schema: {
          operationId: embed ? "embedName" : "openName",
          tags,
          ...anonymous,
          summary: embed
            ? "A name's current version for iframes: follows the name's moves"
            : "Open a name's current version in the viewer",
          params: nameParams,
          ...(embed ? { querystring: embedQuery } : {}),
          response: embed ? embedResponses : pageResponses,
        },
        ...routeOptions,
      },
      (request, reply) => openName(request, reply, request.params.name, null, embed),
    );
    app.get(
      `${prefix}/n/:name/:version`,
      {
        schema: {
          operationId: embed ? "embedNameVersion" : "openNameVersion",
          tags,
          ...anonymous,
          summary: embed
            ? "One version of a name for iframes, forever"
            : "Open one version of a name in the viewer, forever",
          params: versionParams,
          ...(embed ? { querystring: embedQuery } : {}),
          response: embed ? embedResponses : pageResponses,
        },
        ...routeOptions,
      },
      (request, reply) =>
        openName(request, reply, request.params.name, request.params.version, embed),
    );
  }
};

export default nameRoutes;
