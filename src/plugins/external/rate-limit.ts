// The write limit (@fastify/rate-limit): RATE_LIMIT_MAX stores per client per RATE_LIMIT_WINDOW,
// one budget for every route that stores (POST /api/links and /api/share), counted in the app's
// Redis when there is one (so it holds across replicas) and in process otherwise.
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, onRequestAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyInstance {
    /** The hook that counts a write against the client's budget; null when RATE_LIMIT_MAX is 0. */
    writeLimit: onRequestAsyncHookHandler | null;
  }
}

/** Route options that put a route that stores under the one write limit. */
export function writeRateLimit(app: FastifyInstance): { onRequest?: onRequestAsyncHookHandler } {
  return app.writeLimit ? { onRequest: app.writeLimit } : {};
}

export default fp(
  async function writeLimit(app: FastifyInstance) {
    const { config, redis } = app;
    await app.register(rateLimit, {
      global: false,
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindow,
      ...(redis ? { redis, nameSpace: "nglaunch:ratelimit:" } : {}),
      // A Redis outage must not block link creation by itself; the store answers for that.
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`too many links created; try again in ${context.after}`), {
          statusCode: context.statusCode,
        }),
    });
    // One limiter on the plugin's own store, shared by every write route: route-level
    // `config.rateLimit` would give each route a budget of its own.
    const hook =
      config.rateLimitMax > 0 ? (app.rateLimit() as unknown as onRequestAsyncHookHandler) : null;
    app.decorate("writeLimit", hook);
  },
  { name: "rate-limit", dependencies: ["config", "redis"] },
);
