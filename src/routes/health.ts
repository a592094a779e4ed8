// Liveness (the process answers) and readiness (the link store answers, presets are loaded).
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { presetCheckSummary } from "../domain/preset-verification.js";
import { anonymous, respond } from "../http/schemas.js";

const readiness = z.object({
  status: z.enum(["ready", "unready"]),
  store: z.object({ kind: z.string(), reachable: z.boolean(), error: z.string().optional() }),
  presets: z.object({
    datasets: z.number(),
    verification: presetCheckSummary.describe(
      "Background check of the layer presets against their data (VERIFY_PRESETS=on); never affects readiness",
    ),
  }),
});

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/healthz",
    {
      schema: {
        operationId: "getLiveness",
        tags: ["operations"],
        ...anonymous,
        summary: "Liveness: the process is up",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        operationId: "getReadiness",
        tags: ["operations"],
        ...anonymous,
        summary: "Readiness: the link store is reachable and presets are loaded",
        response: {
          200: respond(readiness, { description: "Ready: the link store answers" }),
          503: respond(readiness, { description: "Not ready: the link store does not answer" }),
        },
      },
    },
    async (_request, reply) => {
      const presets = {
        datasets: app.presets.datasets.size,
        verification: app.presetChecks.summary(),
      };
      try {
        await app.linkStore.ping();
        return {
          status: "ready" as const,
          store: { kind: app.linkStore.kind, reachable: true },
          presets,
        };
      } catch (error) {
        return reply.code(503).send({
          status: "unready" as const,
          store: { kind: app.linkStore.kind, reachable: false, error: (error as Error).message },
          presets,
        });
      }
    },
  );
};

export default healthRoutes;
