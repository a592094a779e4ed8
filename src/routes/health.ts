// Liveness (the process answers) and readiness (the link store answers, presets are loaded).
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";

const readiness = z.object({
  status: z.enum(["ready", "unready"]),
  store: z.object({ kind: z.string(), reachable: z.boolean(), error: z.string().optional() }),
  presets: z.object({ datasets: z.number() }),
});

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["operations"],
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
        tags: ["operations"],
        summary: "Readiness: the link store is reachable and presets are loaded",
        response: { 200: readiness, 503: readiness },
      },
    },
    async (_request, reply) => {
      const presets = { datasets: app.presets.datasets.size };
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
