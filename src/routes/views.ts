// Stable, human-writable view links for wikis and papers: /v/<dataset>/<view>?segments=...
// redirect to the viewer with the state built from the presets at click time.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { stateUrl } from "../domain/neuroglancer-url.js";
import { BuildError, buildState, type ParsedBuildRequest } from "../domain/state-builder.js";
import { errorResponses } from "../http/schemas.js";

const viewQuery = z.object({
  segments: z.string().optional().describe("Segment IDs separated by commas, spaces or '+'"),
  hidden: z.string().optional().describe("Segment IDs selected but hidden"),
  position: z.string().optional().describe("x,y,z of the view centre"),
  unit: z.enum(["nm", "um", "m"]).default("nm").describe("Unit of position and zoom"),
  zoom: z.coerce.number().positive().optional().describe("Units per screen pixel"),
  layout: z.string().optional(),
  title: z.string().max(300).optional(),
});
type ViewQuery = z.infer<typeof viewQuery>;

/** Splits a list of IDs the way people paste them: commas, whitespace, '+' (a URL-encoded space). */
export function splitIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(/[\s,+;]+/).filter(Boolean);
}

function parsePosition(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(",").map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.length !== 3 || numbers.some((n, i) => parts[i] === "" || !Number.isFinite(n)))
    throw new BuildError([
      { path: "position", message: `expected three numbers "x,y,z", got "${text}"` },
    ]);
  return numbers;
}

function requestFromQuery(
  dataset: string,
  query: ViewQuery,
): Omit<ParsedBuildRequest, "view" | "layers"> {
  return {
    dataset,
    segments: splitIds(query.segments),
    hiddenSegments: splitIds(query.hidden),
    position: parsePosition(query.position),
    positionUnit: query.unit,
    zoom: query.zoom,
    layout: query.layout,
    title: query.title,
  };
}

const redirectSchema = {
  302: z.null().describe("Redirect to the viewer"),
  ...errorResponses(400, 404),
};

const viewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/v/:dataset/:view",
    {
      schema: {
        tags: ["views"],
        summary: "Open a named view in the viewer",
        params: z.object({ dataset: z.string(), view: z.string() }),
        querystring: viewQuery,
        response: redirectSchema,
      },
    },
    async (request, reply) => {
      const { dataset, view } = request.params;
      const built = buildState(app.presets, { ...requestFromQuery(dataset, request.query), view });
      return reply.redirect(stateUrl(app.config.publicUrl, built.state), 302);
    },
  );

  app.get(
    "/v/:dataset/layer/:layer",
    {
      schema: {
        tags: ["views"],
        summary: "Open one layer preset in the viewer",
        params: z.object({ dataset: z.string(), layer: z.string() }),
        querystring: viewQuery,
        response: redirectSchema,
      },
    },
    async (request, reply) => {
      const { dataset, layer } = request.params;
      const built = buildState(app.presets, {
        ...requestFromQuery(dataset, request.query),
        layers: [layer],
      });
      return reply.redirect(stateUrl(app.config.publicUrl, built.state), 302);
    },
  );
};

export default viewRoutes;
