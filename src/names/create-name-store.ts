// The one place that picks the name store from configuration, the same way as for links: Redis
// Cluster, else standalone Redis, else the embedded SQLite file shared with the link store.
import type { LinkStoreConfig } from "../links/create-link-store.js";
import type { NameStore } from "./name-store.js";
import { RedisNameStore } from "./redis-name-store.js";
import { SqliteNameStore } from "./sqlite-name-store.js";

export type NameStoreConfig = Pick<
  LinkStoreConfig,
  "redisUrl" | "redisClusterNodes" | "dataDir" | "timeoutMs" | "logger"
>;

/** Opens the configured store; never waits for Redis, which connects in the background. */
export function createNameStore(config: NameStoreConfig): NameStore {
  const { logger, timeoutMs } = config;
  if (config.redisClusterNodes !== undefined && config.redisClusterNodes.length > 0)
    return new RedisNameStore({ clusterNodes: config.redisClusterNodes, timeoutMs, logger });
  if (config.redisUrl !== undefined && config.redisUrl !== "")
    return new RedisNameStore({ url: config.redisUrl, timeoutMs, logger });
  return new SqliteNameStore({ dataDir: config.dataDir, busyTimeoutMs: timeoutMs });
}
