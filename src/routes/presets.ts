// The preset catalogue as JSON: datasets, layer presets, views, expectations, licence.
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { datasetSummary, summariseDataset } from "../domain/preset-summary.js";
import { anonymous, errorResponses } from "../http/schemas.js";

const presetRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/api/presets",
    {
      schema: {
        operationId: "listPresets",
        tags: ["presets"],
        ...anonymous,
        summary: "Every dataset with its layer presets and views",
        response: { 200: z.object({ datasets: z.array(datasetSummary) }) },
      },
    },
    async () => ({
      datasets: [...app.presets.datasets.values()].map((d) =>
        summariseDataset(d, app.config.publicUrl, app.presetChecks.live),
      ),
    }),
  );

  app.get(
    "/api/presets/:dataset",
    {
      schema: {
        operationId: "getDatasetPresets",
        tags: ["presets"],
        ...anonymous,
        summary: "One dataset with its layer presets and views",
        params: z.object({ dataset: z.string() }),
        response: { 200: datasetSummary, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const dataset = app.presets.datasets.get(request.params.dataset);
      if (!dataset) {
        const known = [...app.presets.datasets.keys()].join(", ");
        return reply.code(404).send({
          error: `unknown dataset "${request.params.dataset}"`,
          issues: [{ path: "dataset", message: `known datasets: ${known}` }],
        });
      }
      return summariseDataset(dataset, app.config.publicUrl, app.presetChecks.live);
    },
  );
};

export default presetRoutes;
