// The embedded default link store: one SQLite file, <dataDir>/links.sqlite3, no server needed.
// Durable across restarts, crashes and power loss; safe to share between processes on one host.
// Creates are group-committed: all creates that arrive while the event loop is busy are written
// in one transaction with one fsync, so a burst costs one disk flush rather than one per link.

import { join } from "node:path";
import {
  type CreateResult,
  type LinkStore,
  type NewLink,
  type StoredLink,
  StoreUnavailableError,
} from "./link-store.js";
import {
  openStoreDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  sqliteErrorCode,
} from "./sqlite.js";

export interface SqliteLinkStoreOptions {
  /** Directory of links.sqlite3; created when missing. */
  dataDir: string;
  /** How long a write waits for another process's write lock before failing as unavailable. */
  busyTimeoutMs?: number;
  /** Called after each committed group of creates with its size (for metrics). */
  onCommit?: (creates: number) => void;
}

/**
 * Schema migrations, in order; PRAGMA user_version counts how many have run. Append, never edit:
 * a file written by version N is upgraded by running migrations N+1.. on open.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE links (
     id         TEXT PRIMARY KEY,
     digest     TEXT NOT NULL UNIQUE,
     state_json TEXT NOT NULL,
     title      TEXT,
     dataset    TEXT,
     view       TEXT,
     created_at TEXT NOT NULL,
     size_bytes INTEGER NOT NULL
   ) STRICT`,
];

/** The database file in DATA_DIR; the name store keeps its tables in the same file. */
export const SQLITE_FILE_NAME = "links.sqlite3";

/** A new id that clashes this many times in a row means the id source is broken, not unlucky. */
const MAX_ID_ATTEMPTS = 5;
/**
 * Most creates committed in one transaction. Each insert costs microseconds next to the fsync,
 * so a large group is cheap; the bound keeps one commit's time on the event loop predictable.
 */
const MAX_GROUP = 512;

interface PendingCreate {
  link: NewLink;
  newId: () => string;
  resolve: (result: CreateResult) => void;
  reject: (error: unknown) => void;
}

/** One create's outcome inside a group: its result, or the error only it met. */
type GroupOutcome = { result: CreateResult } | { error: unknown };

interface LinkRow {
  id: string;
  digest: string;
  state_json: string;
  title: string | null;
  dataset: string | null;
  view: string | null;
  created_at: string;
  size_bytes: number;
}

export class SqliteLinkStore implements LinkStore {
  readonly kind = "sqlite";
  /** Path of the database file. */
  readonly path: string;
  readonly #db: SqliteDatabase;
  readonly #insert: SqliteStatement<[LinkRow]>;
  readonly #selectById: SqliteStatement<[string], LinkRow>;
  readonly #selectByDigest: SqliteStatement<[string], LinkRow>;
  readonly #ping: SqliteStatement<[]>;
  readonly #commitGroup: (group: readonly PendingCreate[]) => GroupOutcome[];
  readonly #onCommit: ((creates: number) => void) | undefined;
  #pending: PendingCreate[] = [];
  #flushScheduled = false;

  constructor(options: SqliteLinkStoreOptions) {
    this.path = join(options.dataDir, SQLITE_FILE_NAME);
    // Creates are group-committed (below), so a burst of creates shares one fsync.
    const db = openStoreDatabase(this.path, options.busyTimeoutMs ?? 1000, migrate);
    this.#db = db;

    this.#insert = db.prepare(
      `INSERT INTO links (id, digest, state_json, title, dataset, view, created_at, size_bytes)
       VALUES (@id, @digest, @state_json, @title, @dataset, @view, @created_at, @size_bytes)
       ON CONFLICT (digest) DO NOTHING`,
    );
    this.#selectById = db.prepare("SELECT * FROM links WHERE id = ?");
    this.#selectByDigest = db.prepare("SELECT * FROM links WHERE digest = ?");
    this.#ping = db.prepare("SELECT 1");

    this.#onCommit = options.onCommit;
    // A clash on `digest` is absorbed by ON CONFLICT; a clash on the `id` primary key aborts
    // only that INSERT statement (SQLite keeps the transaction), so the create retries with a
    // fresh id and an existing link is never overwritten. IMMEDIATE takes the write lock up
    // front, so inserts and read-backs see one database state even when other processes write
    // to the same file. An outage (lock timeout, I/O, full disk) throws out of the transaction,
    // which rolls back the whole group: no create in it is acknowledged.
    this.#commitGroup = db.transaction((group: readonly PendingCreate[]): GroupOutcome[] =>
      group.map((pending) => {
        try {
          return { result: this.#insertOne(pending) };
        } catch (error) {
          if (isOutage(error)) throw error;
          return { error };
        }
      }),
    ).immediate;
  }

  /** Inserts one link (retrying id clashes) and reads back what the digest now holds. */
  #insertOne({ link, newId }: PendingCreate): CreateResult {
    for (let attempt = 1; ; attempt++) {
      let changes: number;
      try {
        ({ changes } = this.#insert.run({
          id: newId(),
          digest: link.digest,
          state_json: link.stateJson,
          title: link.title,
          dataset: link.dataset,
          view: link.view,
          created_at: new Date().toISOString(),
          size_bytes: Buffer.byteLength(link.stateJson, "utf8"),
        }));
      } catch (error) {
        if (!isIdClash(error)) throw error;
        if (attempt >= MAX_ID_ATTEMPTS) {
          throw new Error(`no free link id after ${MAX_ID_ATTEMPTS} attempts`, { cause: error });
        }
        continue;
      }
      const row = this.#selectByDigest.get(link.digest);
      if (row === undefined) throw new Error(`link with digest ${link.digest} vanished`);
      return { link: toStoredLink(row), created: changes === 1 };
    }
  }

  /**
   * Queues the create for the next group commit, which runs once the event loop has taken in
   * whatever else arrived meanwhile. Resolves only after the group's transaction committed
   * (synchronous=FULL: it is on disk), so an acknowledged link survives a crash.
   */
  create(link: NewLink, newId: () => string): Promise<CreateResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ link, newId, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const group = this.#pending.splice(0, MAX_GROUP);
    if (this.#pending.length > 0) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    if (group.length === 0) return;
    let outcomes: GroupOutcome[];
    try {
      outcomes = this.#commitGroup(group);
    } catch (error) {
      const reason = asStoreError(error);
      for (const pending of group) pending.reject(reason);
      return;
    }
    this.#onCommit?.(group.length);
    group.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome !== undefined && "result" in outcome) pending.resolve(outcome.result);
      else pending.reject(outcome?.error ?? new Error("create lost its outcome"));
    });
  }

  async get(id: string): Promise<StoredLink | null> {
    try {
      const row = this.#selectById.get(id);
      return row === undefined ? null : toStoredLink(row);
    } catch (error) {
      throw asStoreError(error);
    }
  }

  async ping(): Promise<void> {
    try {
      this.#ping.get();
    } catch (error) {
      throw asStoreError(error);
    }
  }

  /** Commits creates still queued (they were promised to callers), then closes the file. */
  async close(): Promise<void> {
    while (this.#pending.length > 0) this.#flush();
    this.#db.close();
  }
}

function migrate(db: SqliteDatabase): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `links.sqlite3 has schema version ${version}; this nglaunch knows up to ${MIGRATIONS.length}`,
      );
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

function toStoredLink(row: LinkRow): StoredLink {
  return {
    id: row.id,
    digest: row.digest,
    stateJson: row.state_json,
    title: row.title,
    dataset: row.dataset,
    view: row.view,
    createdAt: row.created_at,
    sizeBytes: row.size_bytes,
  };
}

function isIdClash(error: unknown): boolean {
  return sqliteErrorCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Lock contention, I/O errors and a full or read-only disk are outages (503), not bugs. */
function isOutage(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  return code !== undefined && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code);
}

export function asStoreError(error: unknown): unknown {
  return isOutage(error)
    ? new StoreUnavailableError(`sqlite: ${sqliteErrorCode(error)}`, { cause: error })
    : error;
}
