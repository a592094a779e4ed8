// The durable preview stores against real backends: the embedded SQLite file (kept across a
// reopen, next to the links), a real redis-server, and a Redis Cluster (hash-tagged keys).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteLinkStore } from "../../src/links/sqlite-link-store.js";
import type { PreviewStore } from "../../src/previews/preview-store.js";
import { RedisPreviewStore } from "../../src/previews/redis-preview-store.js";
import { SqlitePreviewStore } from "../../src/previews/sqlite-preview-store.js";
import {
  type RedisClusterProcesses,
  type RedisServer,
  redisServerAvailable,
  startRedisCluster,
  startRedisServer,
} from "../helpers/redis-server.js";

const hasRedis = redisServerAvailable();
const quiet = { info() {}, warn() {}, error() {} };
/** Bytes that are not valid UTF-8, so a store that kept strings would mangle them. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00, 0xfe, 0x80]);

/** What every store must do, whatever its backend. */
function behavesAsAPreviewStore(open: () => Promise<PreviewStore>) {
  let store: PreviewStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("answers null for a preview never stored", async () => {
    expect(await store.get({ linkId: "none1234", width: 1200, height: 630 })).toBeNull();
  });

  it("gives back the exact bytes stored, per link and size", async () => {
    await store.put({ linkId: "abcd1234", width: 1200, height: 630 }, PNG);
    const other = Buffer.concat([PNG, Buffer.from([1])]);
    await store.put({ linkId: "abcd1234", width: 600, height: 315 }, other);
    expect((await store.get({ linkId: "abcd1234", width: 1200, height: 630 }))?.equals(PNG)).toBe(
      true,
    );
    expect((await store.get({ linkId: "abcd1234", width: 600, height: 315 }))?.equals(other)).toBe(
      true,
    );
    // A second put of the same key is harmless.
    await store.put({ linkId: "abcd1234", width: 1200, height: 630 }, PNG);
  });
}

describe("SqlitePreviewStore", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-previews-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  behavesAsAPreviewStore(async () => new SqlitePreviewStore({ dataDir: dir }));

  it("keeps previews across a reopen, in the links' file next to the link store", async () => {
    const links = new SqliteLinkStore({ dataDir: dir });
    const first = new SqlitePreviewStore({ dataDir: dir });
    await first.put({ linkId: "keep1234", width: 300, height: 200 }, PNG);
    await first.close();
    const again = new SqlitePreviewStore({ dataDir: dir });
    expect((await again.get({ linkId: "keep1234", width: 300, height: 200 }))?.equals(PNG)).toBe(
      true,
    );
    await again.close();
    await links.close();
  });
});

describe.skipIf(!hasRedis)("RedisPreviewStore on a real redis-server", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  behavesAsAPreviewStore(async () => new RedisPreviewStore({ url: redis.url, logger: quiet }));

  it("survives a Redis restart (AOF), as links do", async () => {
    const store = new RedisPreviewStore({ url: redis.url, logger: quiet, timeoutMs: 5000 });
    await store.put({ linkId: "aof12345", width: 1200, height: 630 }, PNG);
    await redis.restart("SIGKILL");
    const again = new RedisPreviewStore({ url: redis.url, logger: quiet, timeoutMs: 5000 });
    expect((await again.get({ linkId: "aof12345", width: 1200, height: 630 }))?.equals(PNG)).toBe(
      true,
    );
    await store.close();
    await again.close();
  });
});

describe.skipIf(!hasRedis)("RedisPreviewStore on a Redis Cluster", { timeout: 60_000 }, () => {
  let cluster: RedisClusterProcesses;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.dispose();
  });
  behavesAsAPreviewStore(
    async () =>
      new RedisPreviewStore({ clusterNodes: cluster.nodes, logger: quiet, timeoutMs: 5000 }),
  );
});
