// Build a state from presets, and validate states users bring (as JSON or as a URL).
import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { stateUrl } from "../domain/neuroglancer-url.js";
import type { Catalogue } from "../domain/presets.js";
import { buildRequestSchema, buildState } from "../domain/state-builder.js";
import { validateState } from "../domain/state-schema/index.js";
import { anonymous, documentBody, errorResponses, issueSchema } from "../http/schemas.js";
import { stateFromUrl } from "../http/state-from-url.js";
import { OffloadedBody } from "../work/offload.js";

/** Browsers and chat apps start to fail on URLs much longer than this; suggest a short link. */
export const LONG_URL_CHARS = 8_000;

export const builtSchema = z.object({
  state: z.record(z.string(), z.unknown()).describe("The Neuroglancer viewer state"),
  url: z.string().describe("Viewer URL with the state in the #! fragment"),
  warnings: z.array(issueSchema),
});

export const validateBody = documentBody(
  z
    .object({
      state: z.unknown().optional().describe("A Neuroglancer state object"),
      url: z.string().optional().describe("A full Neuroglancer URL with a #! fragment"),
    })
    .refine((b) => (b.state === undefined) !== (b.url === undefined), {
      message: 'send exactly one of "state" (the JSON object) or "url" (a Neuroglancer URL)',
    }),
  // The two forms, exactly (the route checks "exactly one" itself, with a message).
  z
    .xor([
      z.strictObject({
        state: z.record(z.string(), z.unknown()).describe("A Neuroglancer state object"),
      }),
      z.strictObject({
        url: z.string().describe("A full Neuroglancer URL with a #! fragment"),
      }),
    ])
    .describe('Exactly one of "state" or "url"'),
);

export const validationSchema = z.object({
  valid: z.boolean(),
  errors: z.array(issueSchema),
  warnings: z.array(issueSchema),
});

/** The answer of POST /api/states: the state, its long URL, and warnings. */
export function buildAnswer(
  presets: Catalogue,
  publicUrl: string,
  body: z.output<typeof buildRequestSchema>,
) {
  const built = buildState(presets, body);
  const url = stateUrl(publicUrl, built.state);
  const warnings = [...built.warnings];
  if (url.length > LONG_URL_CHARS)
    warnings.push({
      path: "",
      message: `the URL is ${url.length} characters long; create a short link with POST /api/links`,
    });
  return { state: built.state, url, warnings };
}

/** The answer of POST /api/states/validate when the URL (if any) could be read. */
export function urlError(message: string) {
  return { error: "cannot read this URL", issues: [{ path: "url", message }] };
}

/** Sends the answer a worker serialised (src/work/offload.ts). */
function sendOffloaded(reply: FastifyReply, body: OffloadedBody) {
  const { status, json } = body.result as { status: number; json: string };
  // A string payload skips the response serialiser: the worker already ran it.
  return reply.code(status).type("application/json; charset=utf-8").send(json);
}

const stateRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    "/api/states",
    {
      schema: {
        operationId: "buildState",
        tags: ["states"],
        ...anonymous,
        summary: "Build a Neuroglancer state from a view or layer presets, segment IDs and options",
        body: buildRequestSchema,
        response: { 200: builtSchema, ...errorResponses(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      if (body instanceof OffloadedBody) return sendOffloaded(reply, body);
      return app.turns.run(() => buildAnswer(app.presets, app.config.publicUrl, request.body));
    },
  );

  app.post(
    "/api/states/validate",
    {
      schema: {
        operationId: "validateState",
        tags: ["states"],
        ...anonymous,
        summary: "Validate a Neuroglancer state or URL: errors and warnings with JSON paths",
        body: validateBody,
        response: { 200: validationSchema, ...errorResponses(400, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      if (body instanceof OffloadedBody) return sendOffloaded(reply, body);
      let state = request.body.state;
      if (request.body.url !== undefined) {
        const parsed = await stateFromUrl(app, request.body.url);
        if (!parsed.ok) return reply.code(400).send(urlError(parsed.message));
        state = parsed.state;
      }
      return app.turns.run(() => validateState(state));
    },
  );
};

export default stateRoutes;
