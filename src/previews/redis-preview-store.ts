// The Redis preview store, for standalone Redis and Redis Cluster alike (ioredis), on the app's
// shared client. One key per preview, the link id in a hash tag so a link's previews share its
// slot:  nglaunch:preview:{<link id>}:<width>x<height>  ->  the PNG bytes.
// Previews can be rendered again, so unlike links they may be evicted (no TTL is set: a short
// link's preview never changes, and a Redis with an eviction policy may drop them first).
import type { Cluster, Redis } from "ioredis";
import { RedisCalls } from "../links/redis-calls.js";
import {
  createRedisClient,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisStoreOptions,
} from "../links/redis-link-store.js";
import type { PreviewKey, PreviewStore } from "./preview-store.js";

export type RedisPreviewStoreOptions = RedisStoreOptions;

export class RedisPreviewStore implements PreviewStore {
  readonly kind: "redis" | "redis-cluster";
  readonly #client: Redis | Cluster;
  readonly #ownsClient: boolean;
  readonly #calls: RedisCalls;

  constructor(options: RedisPreviewStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    if ("client" in options) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = createRedisClient(options, { timeoutMs, logger: options.logger });
      this.#ownsClient = true;
    }
    this.kind = this.#client.isCluster ? "redis-cluster" : "redis";
    this.#calls = new RedisCalls(this.#client, timeoutMs);
  }

  async get(key: PreviewKey): Promise<Buffer | null> {
    return this.#calls.call("GET preview", () => this.#client.getBuffer(previewKey(key)));
  }

  async put(key: PreviewKey, png: Buffer): Promise<void> {
    await this.#calls.call("SET preview", () => this.#client.set(previewKey(key), png));
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    try {
      await this.#calls.call("QUIT", () => this.#client.quit());
    } catch {
      this.#client.disconnect();
    }
  }
}

function previewKey({ linkId, width, height }: PreviewKey): string {
  return `nglaunch:preview:{${linkId}}:${width}x${height}`;
}
