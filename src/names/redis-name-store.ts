// The Redis name store, for standalone Redis and Redis Cluster alike (ioredis).
//
// Key layout (prefix "nglaunch:"), with the name in a hash tag so both keys of a name live in
// one Cluster slot and one script can update them atomically:
//   nglaunch:name:{<name>}            hash: token (hex SHA-256 of the edit token), created (ISO)
//   nglaunch:name:{<name>}:versions   list: one JSON entry {linkId, createdAt, note} per version;
//                                     version N is the entry at index N-1
// Versions are numbered by their place in the list, so a number can be neither skipped nor
// given twice: a move is one script that checks the token hash and the expected version and then
// RPUSHes (compare-and-set). Scripts run atomically, and their writes reach the AOF together,
// so with `appendfsync always` an acknowledged move survives kill -9.

import type { Cluster, Redis } from "ioredis";
import { RedisCalls } from "../links/redis-calls.js";
import {
  createRedisClient,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisStoreOptions,
} from "../links/redis-link-store.js";
import { MAX_VERSIONS } from "./name.js";
import type {
  MoveRequest,
  MoveResult,
  NameRecord,
  NameStore,
  NameVersion,
  NewVersion,
} from "./name-store.js";

export type RedisNameStoreOptions = RedisStoreOptions;

/** KEYS: meta, versions. ARGV: token hash, created, first entry. 1 created, 0 taken. */
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'created', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1`;

/** KEYS: meta, versions. {token hash, created, version count, last entry}, or nil. */
const GET_SCRIPT = `
local meta = redis.call('HMGET', KEYS[1], 'token', 'created')
if not meta[1] then return false end
return {meta[1], meta[2], redis.call('LLEN', KEYS[2]), redis.call('LINDEX', KEYS[2], -1)}`;

/**
 * KEYS: meta, versions. ARGV: token hash, expected version ('' = any), most versions, entry.
 * {0} missing, {1} token changed, {2, current} stale, {3, current} full, {4, new version}.
 */
const MOVE_SCRIPT = `
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return {0} end
if token ~= ARGV[1] then return {1} end
local current = redis.call('LLEN', KEYS[2])
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= current then return {2, current} end
if current >= tonumber(ARGV[3]) then return {3, current} end
return {4, redis.call('RPUSH', KEYS[2], ARGV[4])}`;

/** KEYS: meta. ARGV: token hash. 1 replaced, 0 no such name. */
const SET_TOKEN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'token', ARGV[1])
return 1`;

interface NameScripts {
  nglaunchNameCreate(meta: string, versions: string, ...args: string[]): Promise<number>;
  nglaunchNameGet(meta: string, versions: string): Promise<[string, string, number, string] | null>;
  nglaunchNameMove(meta: string, versions: string, ...args: string[]): Promise<number[]>;
  nglaunchNameSetToken(meta: string, tokenHash: string): Promise<number>;
}

interface Entry {
  linkId: string;
  createdAt: string;
  note: string | null;
}

export class RedisNameStore implements NameStore {
  readonly kind: "redis" | "redis-cluster";
  readonly #client: (Redis | Cluster) & NameScripts;
  readonly #ownsClient: boolean;
  readonly #calls: RedisCalls;

  constructor(options: RedisNameStoreOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    let client: Redis | Cluster;
    if ("client" in options) {
      client = options.client;
      this.#ownsClient = false;
    } else {
      client = createRedisClient(options, { timeoutMs, logger: options.logger });
      this.#ownsClient = true;
    }
    // Each script touches only the keys of one name, which share a slot: cluster-safe.
    if (!("nglaunchNameMove" in client)) {
      client.defineCommand("nglaunchNameCreate", { numberOfKeys: 2, lua: CREATE_SCRIPT });
      client.defineCommand("nglaunchNameGet", { numberOfKeys: 2, lua: GET_SCRIPT });
      client.defineCommand("nglaunchNameMove", { numberOfKeys: 2, lua: MOVE_SCRIPT });
      client.defineCommand("nglaunchNameSetToken", { numberOfKeys: 1, lua: SET_TOKEN_SCRIPT });
    }
    this.#client = client as (Redis | Cluster) & NameScripts;
    this.kind = client.isCluster ? "redis-cluster" : "redis";
    this.#calls = new RedisCalls(client, timeoutMs);
  }

  async create(name: string, tokenHash: string, first: NewVersion): Promise<NameRecord | null> {
    const createdAt = new Date().toISOString();
    const entry: Entry = { linkId: first.linkId, createdAt, note: first.note };
    const created = await this.#calls.call("EVALSHA name create", () =>
      this.#client.nglaunchNameCreate(
        metaKey(name),
        versionsKey(name),
        tokenHash,
        createdAt,
        JSON.stringify(entry),
      ),
    );
    if (created !== 1) return null;
    return { name, tokenHash, createdAt, current: { version: 1, ...entry } };
  }

  async get(name: string): Promise<NameRecord | null> {
    const reply = await this.#calls.call("EVALSHA name get", () =>
      this.#client.nglaunchNameGet(metaKey(name), versionsKey(name)),
    );
    if (reply === null) return null;
    const [tokenHash, createdAt, count, last] = reply;
    return { name, tokenHash, createdAt, current: decodeEntry(name, count, last) };
  }

  async history(name: string): Promise<NameVersion[] | null> {
    const entries = await this.#calls.call("LRANGE", () =>
      this.#client.lrange(versionsKey(name), 0, -1),
    );
    if (entries.length === 0) return null;
    return entries.map((raw, index) => decodeEntry(name, index + 1, raw));
  }

  async version(name: string, version: number): Promise<NameVersion | null> {
    // LINDEX counts negative indexes from the end: never send one.
    if (!Number.isInteger(version) || version < 1) return null;
    const raw = await this.#calls.call("LINDEX", () =>
      this.#client.lindex(versionsKey(name), version - 1),
    );
    return raw === null ? null : decodeEntry(name, version, raw);
  }

  async move(name: string, request: MoveRequest): Promise<MoveResult> {
    const entry: Entry = {
      linkId: request.linkId,
      createdAt: new Date().toISOString(),
      note: request.note,
    };
    const [code, number = 0] = await this.#calls.call("EVALSHA name move", () =>
      this.#client.nglaunchNameMove(
        metaKey(name),
        versionsKey(name),
        request.tokenHash,
        request.ifVersion === "any" ? "" : String(request.ifVersion),
        String(MAX_VERSIONS),
        JSON.stringify(entry),
      ),
    );
    switch (code) {
      case 0:
        return { outcome: "missing" };
      case 1:
        return { outcome: "token-changed" };
      case 2:
        return { outcome: "stale", currentVersion: number };
      case 3:
        return { outcome: "full" };
      case 4:
        return { outcome: "moved", version: { version: number, ...entry } };
      default:
        throw new Error(`name ${name}: unexpected move reply ${code}`);
    }
  }

  async setTokenHash(name: string, tokenHash: string): Promise<boolean> {
    const replaced = await this.#calls.call("EVALSHA name set-token", () =>
      this.#client.nglaunchNameSetToken(metaKey(name), tokenHash),
    );
    return replaced === 1;
  }

  async ping(): Promise<void> {
    await this.#calls.call("PING", () => this.#client.ping());
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

function metaKey(name: string): string {
  return `nglaunch:name:{${name}}`;
}

function versionsKey(name: string): string {
  return `nglaunch:name:{${name}}:versions`;
}

function decodeEntry(name: string, version: number, raw: string): NameVersion {
  const entry = JSON.parse(raw) as Partial<Entry>;
  if (typeof entry.linkId !== "string" || typeof entry.createdAt !== "string")
    throw new Error(`name ${name}: unreadable version ${version}`);
  return {
    version,
    linkId: entry.linkId,
    createdAt: entry.createdAt,
    note: entry.note ?? null,
  };
}
