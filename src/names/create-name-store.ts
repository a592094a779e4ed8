// The one place that picks the name store from configuration, the same way as for links: Redis
// (Cluster or standalone, on the app's shared client when there is one), else the embedded SQLite
// file shared with the link store.
import { type LinkStoreConfig, redisTarget } from "../links/create-link-store.js";
import type { NameStore } from "./name-store.js";
import { RedisNameStore } from "./redis-name-store.js";
import { SqliteNameStore } from "./sqlite-name-store.js";

export type NameStoreConfig = Pick<
  LinkStoreConfig,
  "redisUrl" | "redisClusterNodes" | "redisClient" | "dataDir" | "timeoutMs" | "logger"
>;

/** Opens the configured store; never waits for Redis, which connects in the background. */
export function createNameStore(config: NameStoreConfig): NameStore {
  const { logger, timeoutMs } = config;
  const target = redisTarget(config);
  if (target === null)
    return new SqliteNameStore({ dataDir: config.dataDir, busyTimeoutMs: timeoutMs });
  if (config.redisClient)
    return new RedisNameStore({ client: config.redisClient, timeoutMs, logger });
  return new RedisNameStore({ ...target, timeoutMs, logger });
}
