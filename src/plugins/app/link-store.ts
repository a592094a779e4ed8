// Opens the configured link store (Redis or embedded SQLite, behind the read cache) and
// exposes it as `app.linkStore`; closes it with the app. The links service (links.ts) and
// readiness use it; routes go through the service.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { CachedLinkStore } from "../../links/cached-link-store.js";
import { createLinkStore, type LinkStoreConfig } from "../../links/create-link-store.js";

declare module "fastify" {
  interface FastifyInstance {
    linkStore: CachedLinkStore;
  }
}

/** Where every store (links, names, previews) keeps its data: the app's Redis, or DATA_DIR. */
export function storeTarget(
  app: FastifyInstance,
): Pick<
  LinkStoreConfig,
  "redisUrl" | "redisClusterNodes" | "redisClient" | "dataDir" | "timeoutMs" | "logger"
> {
  const { config } = app;
  return {
    redisUrl: config.redisUrl,
    redisClusterNodes: config.redisClusterNodes,
    redisClient: app.redis ?? undefined,
    dataDir: config.dataDir,
    timeoutMs: config.storeTimeoutMs,
    logger: app.log,
  };
}

export default fp(
  async function linkStore(app: FastifyInstance) {
    const { config } = app;
    const store = createLinkStore({
      ...storeTarget(app),
      cacheEntries: config.linkCacheEntries,
      cacheBytes: config.linkCacheBytes,
      turns: app.turns,
      onCacheResult: (hit) => app.metrics.cacheRequests.inc({ result: hit ? "hit" : "miss" }),
      onStoreOperation: (operation, ok, seconds) =>
        app.metrics.storeOperations.observe({ operation, outcome: ok ? "ok" : "error" }, seconds),
    });
    app.decorate("linkStore", store);
    app.addHook("onClose", async () => {
      await store.close();
    });
  },
  { name: "link-store", dependencies: ["config", "metrics", "redis", "work"] },
);
