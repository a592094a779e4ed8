// The one place that picks the preview store from configuration, as for links and names: Redis
// (Cluster or standalone, on the app's shared client when there is one), else the embedded
// SQLite file shared with the link store.
import { type LinkStoreConfig, redisTarget } from "../links/create-link-store.js";
import type { PreviewStore } from "./preview-store.js";
import { RedisPreviewStore } from "./redis-preview-store.js";
import { SqlitePreviewStore } from "./sqlite-preview-store.js";

export type PreviewStoreConfig = Pick<
  LinkStoreConfig,
  "redisUrl" | "redisClusterNodes" | "redisClient" | "dataDir" | "timeoutMs" | "logger"
>;

/** Opens the configured store; never waits for Redis, which connects in the background. */
export function createPreviewStore(config: PreviewStoreConfig): PreviewStore {
  const { logger, timeoutMs } = config;
  const target = redisTarget(config);
  if (target === null)
    return new SqlitePreviewStore({ dataDir: config.dataDir, busyTimeoutMs: timeoutMs });
  if (config.redisClient)
    return new RedisPreviewStore({ client: config.redisClient, timeoutMs, logger });
  return new RedisPreviewStore({ ...target, timeoutMs, logger });
}
