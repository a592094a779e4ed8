// One behavioural suite for every NameStore (embedded SQLite, Redis, Redis Cluster), run against
// the real thing: creation first come first served, atomic moves with compare-and-set, gapless
// histories under concurrent moves, token replacement, and durability across restarts and kill -9.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newLinkId } from "../../src/links/link-id.js";
import type { StoreLogger } from "../../src/links/redis-link-store.js";
import { openSqlite } from "../../src/links/sqlite.js";
import { SqliteLinkStore } from "../../src/links/sqlite-link-store.js";
import { createNameStore } from "../../src/names/create-name-store.js";
import { hashEditToken, MAX_VERSIONS, newEditToken } from "../../src/names/name.js";
import type { NameStore } from "../../src/names/name-store.js";
import { RedisNameStore } from "../../src/names/redis-name-store.js";
import { SqliteNameStore } from "../../src/names/sqlite-name-store.js";
import {
  REDIS_MISSING_REASON,
  type RedisClusterProcesses,
  type RedisServer,
  redisServerAvailable,
  startRedisCluster,
  startRedisServer,
} from "../helpers/redis-server.js";

const redisAvailable = redisServerAvailable();
/** Roomy per-command bound: the suite checks correctness on a busy two-core machine. */
const SUITE_TIMEOUT_MS = 3000;

const quietLogger: StoreLogger = { info() {}, warn() {} };

/** A fresh, valid name per test, so tests sharing one backend never see each other's names. */
function freshName(): string {
  return `cells-${randomUUID().slice(0, 8)}`;
}

async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > giveUpAt) throw error;
      await sleep(50);
    }
  }
}

interface Backend {
  open(): NameStore;
  /** A service restart or a crash; afterwards fresh stores must see everything acknowledged. */
  restart?(): Promise<void>;
}

function sharedSuite(backend: () => Backend): void {
  let store: NameStore;
  const tokenHash = hashEditToken(newEditToken());
  beforeAll(async () => {
    store = backend().open();
    await eventually(() => store.ping());
  });

  it("creates a name at version 1 and reads it back", async () => {
    const name = freshName();
    const linkId = newLinkId();
    const created = await store.create(name, tokenHash, { linkId, note: "first cut ✨" });
    expect(created).toMatchObject({
      name,
      tokenHash,
      current: { version: 1, linkId, note: "first cut ✨" },
    });
    expect(created?.createdAt).toBe(created?.current.createdAt);
    expect(new Date(created?.createdAt ?? "").toISOString()).toBe(created?.createdAt);
    expect(await store.get(name)).toEqual(created);
    expect(await store.history(name)).toEqual([created?.current]);
    expect(await store.version(name, 1)).toEqual(created?.current);
    expect(await store.version(name, 2)).toBeNull();
    expect(await store.version(name, 0)).toBeNull();
  });

  it("gives a name to the first who asks and refuses it to the second", async () => {
    const name = freshName();
    const first = await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    const second = await store.create(name, hashEditToken(newEditToken()), {
      linkId: newLinkId(),
      note: null,
    });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect((await store.get(name))?.tokenHash).toBe(tokenHash);
    expect(await store.history(name)).toHaveLength(1);
  });

  it("lets exactly one of 20 concurrent creators have a name", async () => {
    const name = freshName();
    const other = backend().open();
    await eventually(() => other.ping());
    const hashes = Array.from({ length: 20 }, () => hashEditToken(newEditToken()));
    const results = await Promise.all(
      hashes.map((hash, i) =>
        (i % 2 ? other : store).create(name, hash, { linkId: newLinkId(), note: null }),
      ),
    );
    const winners = results.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    expect((await store.get(name))?.tokenHash).toBe(winners[0]?.tokenHash);
    expect(await store.history(name)).toHaveLength(1);
  });

  it("says nothing exists for unknown names", async () => {
    const name = freshName();
    expect(await store.get(name)).toBeNull();
    expect(await store.history(name)).toBeNull();
    expect(await store.version(name, 1)).toBeNull();
    expect(await store.setTokenHash(name, tokenHash)).toBe(false);
    expect(
      await store.move(name, { tokenHash, ifVersion: "any", linkId: newLinkId(), note: null }),
    ).toEqual({ outcome: "missing" });
  });

  it("moves a name as a new version and keeps the old ones", async () => {
    const name = freshName();
    const [a, b, c] = [newLinkId(), newLinkId(), newLinkId()];
    await store.create(name, tokenHash, { linkId: a, note: null });
    const second = await store.move(name, { tokenHash, ifVersion: 1, linkId: b, note: "merge" });
    expect(second).toMatchObject({ outcome: "moved", version: { version: 2, linkId: b } });
    const third = await store.move(name, { tokenHash, ifVersion: "any", linkId: c, note: null });
    expect(third).toMatchObject({ outcome: "moved", version: { version: 3, linkId: c } });
    expect((await store.get(name))?.current).toMatchObject({ version: 3, linkId: c });
    const history = await store.history(name);
    expect(history?.map((v) => [v.version, v.linkId, v.note])).toEqual([
      [1, a, null],
      [2, b, "merge"],
      [3, c, null],
    ]);
    expect(await store.version(name, 2)).toEqual(history?.[1]);
  });

  it("refuses a conditional move on a stale version and says which is current", async () => {
    const name = freshName();
    await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    await store.move(name, { tokenHash, ifVersion: 1, linkId: newLinkId(), note: null });
    const stale = await store.move(name, {
      tokenHash,
      ifVersion: 1,
      linkId: newLinkId(),
      note: null,
    });
    expect(stale).toEqual({ outcome: "stale", currentVersion: 2 });
    expect(await store.history(name)).toHaveLength(2);
  });

  it("refuses a move checked against a token that was replaced since", async () => {
    const name = freshName();
    await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    const replacement = hashEditToken(newEditToken());
    expect(await store.setTokenHash(name, replacement)).toBe(true);
    expect((await store.get(name))?.tokenHash).toBe(replacement);
    const refused = await store.move(name, {
      tokenHash,
      ifVersion: "any",
      linkId: newLinkId(),
      note: null,
    });
    expect(refused).toEqual({ outcome: "token-changed" });
    const moved = await store.move(name, {
      tokenHash: replacement,
      ifVersion: "any",
      linkId: newLinkId(),
      note: null,
    });
    expect(moved.outcome).toBe("moved");
  });

  it("leaves a gapless history after 50 concurrent moves from two clients", async () => {
    const name = freshName();
    const other = backend().open(); // two connections racing, as two service instances would
    await eventually(() => other.ping());
    await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    const targets = Array.from({ length: 50 }, () => newLinkId());
    const results = await Promise.all(
      targets.map((linkId, i) =>
        (i % 2 ? other : store).move(name, { tokenHash, ifVersion: "any", linkId, note: `m${i}` }),
      ),
    );
    const numbers = results.map((r) => (r.outcome === "moved" ? r.version.version : -1));
    expect(numbers.toSorted((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const history = (await store.history(name)) ?? [];
    expect(history.map((v) => v.version)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(
      history
        .slice(1)
        .map((v) => v.linkId)
        .toSorted(),
    ).toEqual(targets.toSorted());
    // Each move's answer names the version its link really got.
    for (const [i, result] of results.entries()) {
      if (result.outcome !== "moved") throw new Error(`move ${i}: ${result.outcome}`);
      expect(history[result.version.version - 1]).toEqual(result.version);
    }
    expect((await store.get(name))?.current).toEqual(history.at(-1));
  });

  it("lets only one of 20 concurrent moves conditional on the same version win", async () => {
    const name = freshName();
    await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.move(name, { tokenHash, ifVersion: 1, linkId: newLinkId(), note: null }),
      ),
    );
    expect(results.filter((r) => r.outcome === "moved")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "stale")).toHaveLength(19);
    expect(await store.history(name)).toHaveLength(2);
  });

  it("keeps names and their histories across a restart", async (context) => {
    const { restart } = backend();
    if (restart === undefined) context.skip("this backend has no restart test");
    const name = freshName();
    await store.create(name, tokenHash, { linkId: newLinkId(), note: null });
    await store.move(name, { tokenHash, ifVersion: 1, linkId: newLinkId(), note: "v2" });
    const before = await store.history(name);
    const record = await store.get(name);
    await restart?.();
    store = backend().open();
    await eventually(() => store.ping());
    expect(await store.history(name)).toEqual(before);
    expect(await store.get(name)).toEqual(record);
    const next = await store.move(name, {
      tokenHash,
      ifVersion: 2,
      linkId: newLinkId(),
      note: null,
    });
    expect(next).toMatchObject({ outcome: "moved", version: { version: 3 } });
  });
}

describe("SqliteNameStore", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "nglaunch-names-sqlite-"));
  const open: SqliteNameStore[] = [];
  const backend: Backend = {
    open() {
      const store = new SqliteNameStore({ dataDir });
      open.push(store);
      return store;
    },
    async restart() {
      for (const store of open.splice(0)) await store.close();
    },
  };
  afterAll(async () => {
    for (const store of open) await store.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe("shared behaviour", () => sharedSuite(() => backend));

  it("shares links.sqlite3 with the link store without touching its schema version", async () => {
    const dir = join(dataDir, "shared");
    const links = new SqliteLinkStore({ dataDir: dir });
    const names = new SqliteNameStore({ dataDir: dir });
    await names.create("shared-file", hashEditToken(newEditToken()), {
      linkId: newLinkId(),
      note: null,
    });
    await names.close();
    await links.close();
    const db = openSqlite(join(dir, "links.sqlite3"), { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(1);
      expect({ ...(db.prepare("SELECT count(*) AS n FROM names").get() as object) }).toEqual({
        n: 1,
      });
      expect(
        db
          .prepare("SELECT * FROM schema_versions")
          .all()
          .map((row) => ({ ...(row as object) })),
      ).toEqual([{ component: "names", version: 1 }]);
    } finally {
      db.close();
    }
    // Reopening in the other order works too (migrations are idempotent).
    await new SqliteNameStore({ dataDir: dir }).close();
    await new SqliteLinkStore({ dataDir: dir }).close();
  });

  it("refuses a database whose names schema is newer than this code", () => {
    const dir = join(dataDir, "newer");
    new SqliteNameStore({ dataDir: dir }).close();
    const db = openSqlite(join(dir, "links.sqlite3"));
    db.prepare("UPDATE schema_versions SET version = 7 WHERE component = 'names'").run();
    db.close();
    expect(() => new SqliteNameStore({ dataDir: dir })).toThrow(/names schema version 7/);
  });

  it("stops a history at MAX_VERSIONS", async () => {
    const store = backend.open();
    const tokenHash = hashEditToken(newEditToken());
    await store.create("full-history", tokenHash, { linkId: newLinkId(), note: null });
    const db = openSqlite(join(dataDir, "links.sqlite3"));
    db.prepare("UPDATE names SET version = ? WHERE name = 'full-history'").run(MAX_VERSIONS);
    db.close();
    const move = { tokenHash, ifVersion: "any" as const, linkId: newLinkId(), note: null };
    expect(await store.move("full-history", move)).toEqual({ outcome: "full" });
  });

  it("is what createNameStore picks without Redis", async () => {
    const store = createNameStore({ dataDir, timeoutMs: 500, logger: quietLogger });
    expect(store.kind).toBe("sqlite");
    await store.close();
  });
});

describe.skipIf(!redisAvailable)(
  `RedisNameStore (standalone)${redisAvailable ? "" : `: ${REDIS_MISSING_REASON}`}`,
  () => {
    let server: RedisServer;
    const stores: NameStore[] = [];
    const backend: Backend = {
      open() {
        const store = new RedisNameStore({
          url: server.url,
          timeoutMs: SUITE_TIMEOUT_MS,
          logger: quietLogger,
        });
        stores.push(store);
        return store;
      },
      // A crash, not a clean shutdown: only appendfsync=always keeps the last moves.
      restart: () => server.restart("SIGKILL"),
    };
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      for (const store of stores) await store.close();
      await server?.dispose();
    });

    describe("shared behaviour", () => sharedSuite(() => backend));

    it("uses the documented key layout", async () => {
      const store = backend.open();
      await eventually(() => store.ping());
      const tokenHash = hashEditToken(newEditToken());
      const linkId = newLinkId();
      await store.create("layout-check", tokenHash, { linkId, note: "n" });
      const client = new Redis(server.url);
      try {
        const meta = await client.hgetall("nglaunch:name:{layout-check}");
        expect(meta).toEqual({ token: tokenHash, created: expect.any(String) });
        const versions = await client.lrange("nglaunch:name:{layout-check}:versions", 0, -1);
        expect(versions.map((v) => JSON.parse(v))).toEqual([
          { linkId, createdAt: meta.created, note: "n" },
        ]);
      } finally {
        client.disconnect();
      }
    });

    it("stops a history at MAX_VERSIONS", async () => {
      const store = backend.open();
      await eventually(() => store.ping());
      const tokenHash = hashEditToken(newEditToken());
      await store.create("full-history", tokenHash, { linkId: newLinkId(), note: null });
      const client = new Redis(server.url);
      try {
        const filler = JSON.stringify({ linkId: newLinkId(), createdAt: "x", note: null });
        await client.rpush(
          "nglaunch:name:{full-history}:versions",
          ...Array.from({ length: MAX_VERSIONS - 1 }, () => filler),
        );
      } finally {
        client.disconnect();
      }
      const move = { tokenHash, ifVersion: "any" as const, linkId: newLinkId(), note: null };
      expect(await store.move("full-history", move)).toEqual({ outcome: "full" });
    });
  },
);

describe.skipIf(!redisAvailable)(
  `RedisNameStore (cluster)${redisAvailable ? "" : `: ${REDIS_MISSING_REASON}`}`,
  () => {
    let cluster: RedisClusterProcesses;
    const stores: NameStore[] = [];
    const backend: Backend = {
      open() {
        const store = createNameStore({
          redisClusterNodes: cluster.nodes,
          dataDir: "unused",
          timeoutMs: SUITE_TIMEOUT_MS,
          logger: quietLogger,
        });
        stores.push(store);
        return store;
      },
    };
    beforeAll(async () => {
      cluster = await startRedisCluster();
      const first = backend.open();
      await eventually(() => first.ping(), 10_000);
    });
    afterAll(async () => {
      for (const store of stores) await store.close();
      await cluster?.dispose();
    });

    it("reports its kind", () => {
      expect(backend.open().kind).toBe("redis-cluster");
    });

    it("keeps a name and its history in one hash slot (scripts would fail with CROSSSLOT)", async () => {
      const client = new Redis(`redis://${cluster.nodes[0]}`);
      try {
        const slot = (key: string) => client.call("CLUSTER", "KEYSLOT", key);
        expect(await slot("nglaunch:name:{ca3-proofread}")).toBe(
          await slot("nglaunch:name:{ca3-proofread}:versions"),
        );
      } finally {
        client.disconnect();
      }
    });

    describe("shared behaviour", () => sharedSuite(() => backend));
  },
);
