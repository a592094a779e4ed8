// The app's one Redis client, `app.redis` (null when the links live in the embedded store):
// created here from REDIS_URL / REDIS_CLUSTER_NODES, shared by the link store and the rate
// limits (so limits hold across replicas), disconnected when the app closes.
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Cluster, Redis } from "ioredis";
import { redisTarget } from "../../links/create-link-store.js";
import { createRedisClient } from "../../links/redis-link-store.js";

declare module "fastify" {
  interface FastifyInstance {
    redis: Redis | Cluster | null;
  }
}

export default fp(
  async function redis(app: FastifyInstance) {
    const { config } = app;
    const target = redisTarget(config);
    const client = target
      ? createRedisClient(target, { timeoutMs: config.storeTimeoutMs, logger: app.log })
      : null;
    app.decorate<Redis | Cluster | null>("redis", client);
    if (!client) return;
    // Runs after the link store's onClose (hooks run in reverse order), which leaves it open.
    app.addHook("onClose", async () => void client.disconnect());
    // Give the connection a moment so limits hold from the first request; never block start-up.
    // (once() rejects on an "error" event; a Redis that is down is not a start-up failure.)
    await Promise.race([once(client, "ready").catch(() => {}), delay(config.storeTimeoutMs * 4)]);
  },
  { name: "redis", dependencies: ["config"] },
);
