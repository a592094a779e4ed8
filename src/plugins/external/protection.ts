// Protection against overload and abuse: rate limits on the write endpoints (shared through
// Redis when Redis is the store, so they hold across replicas), load shedding, compression.
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import zlib from "node:zlib";
import compress from "@fastify/compress";
import rateLimit from "@fastify/rate-limit";
import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "../../config.js";
import { createRedisClient } from "../../links/redis-link-store.js";

/** Route options that put a write route under the rate limit, unless RATE_LIMIT_MAX is 0. */
export function writeRateLimit(config: Pick<Config, "rateLimitMax">) {
  return config.rateLimitMax > 0 ? { config: { rateLimit: {} } } : {};
}

export default fp(
  async function protection(app: FastifyInstance) {
    const { config } = app;
    await app.register(compress, {
      global: true,
      threshold: 1024,
      encodings: ["br", "gzip"],
      // Quality 4: most of brotli's gain at a fraction of the default's CPU cost.
      brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    });

    await app.register(underPressure, {
      maxEventLoopDelay: config.maxEventLoopDelayMs,
      retryAfter: 10,
      message: "the service is overloaded; try again shortly",
      exposeStatusRoute: false,
    });

    const target = config.redisClusterNodes?.length
      ? { clusterNodes: config.redisClusterNodes }
      : config.redisUrl
        ? { url: config.redisUrl }
        : null;
    const redis = target
      ? createRedisClient(target, { timeoutMs: config.storeTimeoutMs, logger: app.log })
      : null;
    if (redis) {
      app.addHook("onClose", async () => void redis.disconnect());
      // Give the connection a moment so limits hold from the first request; never block start-up.
      // (once() rejects on an "error" event; a Redis that is down is not a start-up failure.)
      await Promise.race([once(redis, "ready").catch(() => {}), delay(config.storeTimeoutMs * 4)]);
    }
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
  },
  { name: "protection", dependencies: ["config"] },
);
