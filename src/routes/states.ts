// Build a state from presets, and validate states users bring (as JSON or as a URL).
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { stateUrl } from "../domain/neuroglancer-url.js";
import { buildRequestSchema, buildState } from "../domain/state-builder.js";
import { validateState } from "../domain/state-schema/index.js";
import { anonymous, documentBody, errorResponses, issueSchema } from "../http/schemas.js";
import { stateFromUrl } from "../http/state-from-url.js";

/** Browsers and chat apps start to fail on URLs much longer than this; suggest a short link. */
export const LONG_URL_CHARS = 8_000;

const builtSchema = z.object({
  state: z.record(z.string(), z.unknown()).describe("The Neuroglancer viewer state"),
  url: z.string().describe("Viewer URL with the state in the #! fragment"),
  warnings: z.array(issueSchema),
});

const validateBody = documentBody(
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

const validationSchema = z.object({
  valid: z.boolean(),
  errors: z.array(issueSchema),
  warnings: z.array(issueSchema),
});

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
    async (request) => {
      const built = buildState(app.presets, request.body);
      const url = stateUrl(app.config.publicUrl, built.state);
      const warnings = [...built.warnings];
      if (url.length > LONG_URL_CHARS)
        warnings.push({
          path: "",
          message: `the URL is ${url.length} characters long; create a short link with POST /api/links`,
        });
      return { state: built.state, url, warnings };
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
      let state = request.body.state;
      if (request.body.url !== undefined) {
        const parsed = await stateFromUrl(app, request.body.url);
        if (!parsed.ok)
          return reply.code(400).send({
            error: "cannot read this URL",
            issues: [{ path: "url", message: parsed.message }],
          });
        state = parsed.state;
      }
      return validateState(state);
    },
  );
};

export default stateRoutes;
