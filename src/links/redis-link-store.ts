// The Redis link store (ioredis), for standalone Redis and Redis Cluster alike. Every command is
// bounded by a timeout, and calls fail fast with StoreUnavailableError while Redis is slow or down.
//
// Key layout (prefix "nglaunch:"):
//   nglaunch:link:<id>         string: the link record, `<header JSON>\n<stateJson>`
//   nglaunch:digest:<sha256>   string: the id of the link with that content digest
//
// Record format: one string rather than a hash, because `SET key value NX` creates a string
// atomically only if absent in one single-key command; a hash has no whole-key set-if-absent
// without MULTI or Lua. The header line (JSON.stringify never emits a raw newline) holds the
// metadata; everything after the first "\n" is stateJson, byte for byte, so a read does not
// parse or unescape the state, however large it is.
//
// Cluster safety: every command touches exactly one key (GET, SET NX, DEL, PING has none), and
// there are no transactions, multi-key commands or scripts. So it does not matter which slot or
// node each key hashes to; no hash tags are needed.
//
// Atomic create without multi-key operations (see `create`):
//   1. GET digest:<d>; if it names an id, return that link (created=false).
//   2. Otherwise pick a new id and SET link:<id> <record> NX (a clash retries with another id,
//      so a link is never overwritten).
//   3. SET digest:<d> <id> NX. If that fails, a concurrent writer claimed the digest first:
//      DEL our link key (its id was never returned to anyone) and return the winner's link.
// Invariant: digest:<d> always names an existing link, because a writer claims the digest only
// after its link record is stored, and the only link ever deleted is one whose digest claim
// failed, which therefore no digest key names. One digest thus never gets two ids. If a record
// is lost anyway (eviction, an unreplicated failover, manual deletion), step 1 rewrites it under
// the id the digest names, so links already shared under that id start working again.
// A failure between steps 2 and 3 leaves an unreachable record whose id nobody received.
// Production Redis must run with `maxmemory-policy noeviction` and AOF with `appendfsync always`:
// a link is acknowledged once Redis acknowledged its SET, and `everysec` could lose up to a
// second of acknowledged links on a crash (see docker-compose.yml).

import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { CreateResult, LinkStore, NewLink, StoredLink } from "./link-store.js";
import { RedisCalls } from "./redis-calls.js";

/** The subset of a pino logger the stores use (object first, then message). */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type RedisTarget = { url: string } | { clusterNodes: readonly string[] };

export interface RedisClientOptions {
  /** Per-command timeout; also the connect-timeout scale. */
  timeoutMs: number;
  logger: StoreLogger;
}

/** How the Redis stores (links, names, previews) reach Redis. */
export type RedisStoreOptions = {
  logger: StoreLogger;
  /** Bound on each Redis command. Default 500 ms. */
  timeoutMs?: number;
} & (
  | RedisTarget
  /** A client made by the caller, who keeps ownership: close() leaves it open. */
  | { client: Redis | Cluster }
);
export type RedisLinkStoreOptions = RedisStoreOptions;

export const DEFAULT_REDIS_TIMEOUT_MS = 500;
const KEY_PREFIX = "nglaunch:";
const RECORD_VERSION = 1;
/** Attempts at steps 1-3 before giving up; each retry needs an id clash or a lost race. */
const MAX_CREATE_ATTEMPTS = 5;

/** Delay before reconnect attempt `times`: doubling from 100 ms, capped at 1 s. */
function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** times, 1000);
}

/**
 * An ioredis client (standalone for `url`, Cluster for `clusterNodes`, given as "host:port" or
 * redis:// URLs) set up to fail fast: no offline queue, so commands sent while disconnected
 * reject at once instead of waiting; a command timeout; one retry per request; reconnection in
 * the background with capped backoff. It starts connecting immediately but never throws or
 * crashes when Redis is not up: connection errors go to the logger, once per outage.
 */
export function createRedisClient(
  target: RedisTarget,
  options: RedisClientOptions,
): Redis | Cluster {
  const nodeOptions: RedisOptions = {
    commandTimeout: options.timeoutMs,
    connectTimeout: Math.max(2000, 4 * options.timeoutMs),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
  };
  const client =
    "url" in target
      ? new Redis(target.url, nodeOptions)
      : new Cluster([...target.clusterNodes], {
          enableOfflineQueue: false,
          clusterRetryStrategy: reconnectDelay,
          redisOptions: nodeOptions,
        });
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    options.logger.warn({ err: error }, "redis unavailable; reconnecting in the background");
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    options.logger.info({}, "redis connection restored");
  });
  return client;
}

/** KEYS: digest key, link key; ARGV: id, record. {1} created, {0, id} exists, {2} id clash. */
const CREATE_SCRIPT = {
  numberOfKeys: 2,
  lua: `
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX') then return {2} end
redis.call('SET', KEYS[1], ARGV[1])
return {1}`,
};

interface ScriptedCommands {
  nglaunchCreateLink(
    digestKey: string,
    linkKey: string,
    id: string,
    record: string,
  ): Promise<[number, string?]>;
}

interface RecordHeader {
  v: number;
  digest: string;
  title: string | null;
  dataset: string | null;
  view: string | null;
  createdAt: string;
  sizeBytes: number;
}

export class RedisLinkStore implements LinkStore {
  readonly kind: "redis" | "redis-cluster";
  readonly #client: Redis | Cluster;
  readonly #ownsClient: boolean;
  readonly #timeoutMs: number;
  readonly #logger: StoreLogger;
  readonly #calls: RedisCalls;

  constructor(options: RedisLinkStoreOptions) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.#logger = options.logger;
    if ("client" in options) {
      this.#client = options.client;
      this.#ownsClient = false;
    } else {
      this.#client = createRedisClient(options, {
        timeoutMs: this.#timeoutMs,
        logger: options.logger,
      });
      this.#ownsClient = true;
    }
    this.kind = this.#client.isCluster ? "redis-cluster" : "redis";
    this.#calls = new RedisCalls(this.#client, this.#timeoutMs);
  }

  async create(link: NewLink, newId: () => string): Promise<CreateResult> {
    if (!this.#client.isCluster) {
      const fast = await this.#createInOneTrip(link, newId);
      if (fast !== null) return fast;
    }
    const digestKey = `${KEY_PREFIX}digest:${link.digest}`;
    for (let attempt = 1; attempt <= MAX_CREATE_ATTEMPTS; attempt++) {
      const existingId = await this.#call("GET", () => this.#client.get(digestKey));
      if (existingId !== null) {
        const existing = await this.#read(existingId);
        if (existing !== null) return { link: existing, created: false };
        const restored = newRecord(link, existingId);
        if (await this.#setIfAbsent(linkKey(existingId), encodeRecord(restored))) {
          this.#logger.warn({ id: existingId }, "link record was missing; rewritten from content");
          return { link: restored, created: true };
        }
        continue; // a concurrent writer restored it; the next round reads theirs
      }

      const stored = newRecord(link, newId());
      if (!(await this.#setIfAbsent(linkKey(stored.id), encodeRecord(stored)))) {
        continue; // id clash: never overwrite, try another id
      }
      if (await this.#setIfAbsent(digestKey, stored.id)) {
        return { link: stored, created: true };
      }
      // Lost the race for the digest: drop our record (nobody has its id); next round returns
      // the winner's link.
      await this.#call("DEL", () => this.#client.del(linkKey(stored.id)));
    }
    throw new Error(`link create gave up after ${MAX_CREATE_ATTEMPTS} attempts`);
  }

  /**
   * Standalone Redis only: the same three steps in one atomic script, so a new link costs one
   * round trip and one AOF fsync instead of three and two (bench: POST /api/links). A script
   * touching two keys is not cluster-safe, so Cluster keeps the single-key protocol above.
   * Returns null when the general path must decide (an id clash, or a digest naming a lost
   * record).
   */
  async #createInOneTrip(link: NewLink, newId: () => string): Promise<CreateResult | null> {
    const stored = newRecord(link, newId());
    const client = this.#client as Redis & ScriptedCommands;
    if (!client.nglaunchCreateLink) client.defineCommand("nglaunchCreateLink", CREATE_SCRIPT);
    const [outcome, existingId] = await this.#call("EVALSHA create", () =>
      client.nglaunchCreateLink(
        `${KEY_PREFIX}digest:${link.digest}`,
        linkKey(stored.id),
        stored.id,
        encodeRecord(stored),
      ),
    );
    if (outcome === 1) return { link: stored, created: true };
    if (outcome === 0 && existingId) {
      const existing = await this.#read(existingId);
      if (existing !== null) return { link: existing, created: false };
    }
    return null;
  }

  async get(id: string): Promise<StoredLink | null> {
    return this.#read(id);
  }

  async ping(): Promise<void> {
    await this.#call("PING", () => this.#client.ping());
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    try {
      await this.#call("QUIT", () => this.#client.quit());
    } catch {
      // Not connected (or too slow to say goodbye): drop the socket and stop reconnecting.
      this.#client.disconnect();
    }
  }

  async #read(id: string): Promise<StoredLink | null> {
    const raw = await this.#call("GET", () => this.#client.get(linkKey(id)));
    return raw === null ? null : decodeRecord(id, raw);
  }

  async #setIfAbsent(key: string, value: string): Promise<boolean> {
    const reply = await this.#call("SET NX", () => this.#client.set(key, value, "NX"));
    return reply === "OK";
  }

  #call<T>(command: string, send: () => Promise<T>): Promise<T> {
    return this.#calls.call(command, send);
  }
}

function linkKey(id: string): string {
  return `${KEY_PREFIX}link:${id}`;
}

function newRecord(link: NewLink, id: string): StoredLink {
  return {
    id,
    digest: link.digest,
    stateJson: link.stateJson,
    title: link.title,
    dataset: link.dataset,
    view: link.view,
    createdAt: new Date().toISOString(),
    sizeBytes: Buffer.byteLength(link.stateJson, "utf8"),
  };
}

function encodeRecord(link: StoredLink): string {
  const header: RecordHeader = {
    v: RECORD_VERSION,
    digest: link.digest,
    title: link.title,
    dataset: link.dataset,
    view: link.view,
    createdAt: link.createdAt,
    sizeBytes: link.sizeBytes,
  };
  return `${JSON.stringify(header)}\n${link.stateJson}`;
}

function decodeRecord(id: string, raw: string): StoredLink {
  const newline = raw.indexOf("\n");
  const header = newline < 0 ? undefined : (JSON.parse(raw.slice(0, newline)) as RecordHeader);
  if (header?.v !== RECORD_VERSION) throw new Error(`link ${id}: unreadable record`);
  return {
    id,
    digest: header.digest,
    stateJson: raw.slice(newline + 1),
    title: header.title,
    dataset: header.dataset,
    view: header.view,
    createdAt: header.createdAt,
    sizeBytes: header.sizeBytes,
  };
}
