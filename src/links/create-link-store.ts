// The one place that picks the link store from configuration: Redis Cluster when cluster nodes
// are given, else standalone Redis when a URL is given, else embedded SQLite; always behind the
// in-process cache.

import type { Cluster, Redis } from "ioredis";
import type { TurnScheduler } from "../work/turns.js";
import { CachedLinkStore, type CachedLinkStoreOptions } from "./cached-link-store.js";
import { InstrumentedLinkStore, type StoreObserver } from "./instrumented-link-store.js";
import type { LinkStore } from "./link-store.js";
import { RedisLinkStore, type RedisTarget, type StoreLogger } from "./redis-link-store.js";
import { SqliteLinkStore } from "./sqlite-link-store.js";

export interface LinkStoreConfig {
  /** REDIS_URL, e.g. redis://:password@host:6379/0 or rediss://... */
  redisUrl?: string | undefined;
  /** REDIS_CLUSTER_NODES split into "host:port" (or redis:// URL) entries; wins over redisUrl. */
  redisClusterNodes?: readonly string[] | undefined;
  /**
   * An open client for the Redis that redisUrl / redisClusterNodes name, shared with other users
   * (rate limits); the store leaves it open on close. Without one the store opens its own.
   */
  redisClient?: Redis | Cluster | undefined;
  /** DATA_DIR, home of the embedded store when no Redis is configured. */
  dataDir: string;
  /** Bound on every store call (Redis) or on waiting for a write lock (SQLite). */
  timeoutMs: number;
  cacheEntries: number;
  cacheBytes: number;
  onCacheResult?: CachedLinkStoreOptions["onCacheResult"];
  /** Called after every backend operation (for metrics). */
  onStoreOperation?: StoreObserver;
  logger: StoreLogger;
  /** Where the embedded store answers the creates of a committed group (app.turns). */
  turns?: TurnScheduler | undefined;
}

/** Opens the configured store; never waits for Redis, which connects in the background. */
export function createLinkStore(config: LinkStoreConfig): CachedLinkStore {
  const backend = openBackend(config);
  const inner = config.onStoreOperation
    ? new InstrumentedLinkStore(backend, config.onStoreOperation)
    : backend;
  config.logger.info({ store: inner.kind }, "link store opened");
  return new CachedLinkStore(inner, {
    maxEntries: config.cacheEntries,
    maxBytes: config.cacheBytes,
    onCacheResult: config.onCacheResult,
  });
}

/** The Redis the configuration names: cluster nodes win over a URL; null for none. */
export function redisTarget(
  config: Pick<LinkStoreConfig, "redisUrl" | "redisClusterNodes">,
): RedisTarget | null {
  if (config.redisClusterNodes !== undefined && config.redisClusterNodes.length > 0)
    return { clusterNodes: config.redisClusterNodes };
  if (config.redisUrl !== undefined && config.redisUrl !== "") return { url: config.redisUrl };
  return null;
}

function openBackend(config: LinkStoreConfig): LinkStore {
  const { logger, timeoutMs } = config;
  const target = redisTarget(config);
  if (target === null)
    return new SqliteLinkStore({
      dataDir: config.dataDir,
      busyTimeoutMs: timeoutMs,
      turns: config.turns,
    });
  if (config.redisClient)
    return new RedisLinkStore({ client: config.redisClient, timeoutMs, logger });
  return new RedisLinkStore({ ...target, timeoutMs, logger });
}
