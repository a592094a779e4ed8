// The embedded default link store: one SQLite file, <dataDir>/links.sqlite3, no server needed.
// Durable across restarts, crashes and power loss; safe to share between processes on one host.
// Creates are group-committed: all creates that arrive while a commit is under way are written
// in the next transaction with one fsync, so a burst costs a few disk flushes rather than one per
// link. The commits run in a writer thread with a connection of its own (sqlite-link-writer.ts),
// so neither SQLite's work nor the fsync holds the event loop: reads go on during a commit.

import { once } from "node:events";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { TurnScheduler } from "../work/turns.js";
import { startWorker } from "../work/worker-module.js";
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
import type {
  WriterCreate,
  WriterData,
  WriterError,
  WriterReply,
  WriterRequest,
} from "./sqlite-link-writer.js";

export interface SqliteLinkStoreOptions {
  /** Directory of links.sqlite3; created when missing. */
  dataDir: string;
  /** How long a write waits for another process's write lock before failing as unavailable. */
  busyTimeoutMs?: number;
  /** Called after each committed group of creates with its size (for metrics). */
  onCommit?: (creates: number) => void;
  /**
   * Where the creates of a committed group are answered, one per turn: a group settles hundreds
   * of creates at once, and what awaits each (serialising, compressing and writing an HTTP answer)
   * must not run back to back on the event loop. The app passes its own (app.turns); default: one
   * of the store's.
   */
  turns?: TurnScheduler;
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
 * so a large group is cheap; the bound keeps one message between the threads moderate.
 */
const MAX_GROUP = 512;

interface PendingCreate {
  link: NewLink;
  newId: () => string;
  /** Ids tried so far (one per group the create was in). */
  attempts: number;
  resolve: (result: CreateResult) => void;
  reject: (error: unknown) => void;
}

export interface LinkRow {
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
  readonly #selectById: SqliteStatement<[string], LinkRow>;
  readonly #ping: SqliteStatement<[]>;
  readonly #writerData: WriterData;
  readonly #onCommit: ((creates: number) => void) | undefined;
  readonly #turns: TurnScheduler;
  #writer: Worker | undefined;
  /** Creates waiting for the next group. */
  #pending: PendingCreate[] = [];
  /** The group the writer is committing; one at a time, so the next one gathers meanwhile. */
  #inFlight: PendingCreate[] | undefined;
  #flushScheduled = false;
  #closing: Promise<void> | undefined;
  /** Settles when nothing is pending or in flight any more (for close). */
  #drained: (() => void) | undefined;

  constructor(options: SqliteLinkStoreOptions) {
    this.path = join(options.dataDir, SQLITE_FILE_NAME);
    const busyTimeoutMs = options.busyTimeoutMs ?? 1000;
    // This connection creates and migrates the file, then only reads; the writer thread has its
    // own connection for the group commits (sqlite-link-writer.ts).
    const db = openStoreDatabase(this.path, busyTimeoutMs, migrateLinks);
    this.#db = db;
    this.#selectById = db.prepare("SELECT * FROM links WHERE id = ?");
    this.#ping = db.prepare("SELECT 1");
    this.#writerData = { path: this.path, busyTimeoutMs };
    this.#onCommit = options.onCommit;
    this.#turns = options.turns ?? new TurnScheduler();
    // Started now, so the first create does not wait for the thread to boot; idle, it does not
    // keep the process alive.
    this.#startWriter().unref();
  }

  /**
   * Queues the create for the next group commit, which the writer thread runs once the current
   * one is done (or, when idle, once the event loop has taken in whatever else arrived meanwhile).
   * Resolves only after the group's transaction committed (synchronous=FULL: it is on disk), so
   * an acknowledged link survives a crash.
   */
  create(link: NewLink, newId: () => string): Promise<CreateResult> {
    if (this.#closing !== undefined)
      return Promise.reject(new StoreUnavailableError("sqlite: the link store is closed"));
    return new Promise((resolve, reject) => {
      this.#pending.push({ link, newId, attempts: 0, resolve, reject });
      this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#inFlight !== undefined || this.#pending.length === 0) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Sends the waiting creates (up to MAX_GROUP) to the writer as one group. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#inFlight !== undefined) return;
    const group = this.#pending.splice(0, MAX_GROUP);
    if (group.length === 0) {
      this.#drained?.();
      return;
    }
    const creates: WriterCreate[] = [];
    const sent: PendingCreate[] = [];
    for (const pending of group) {
      pending.attempts++;
      let id: string;
      try {
        id = pending.newId();
      } catch (error) {
        this.#answer(() => pending.reject(error)); // only this create's id source is broken
        continue;
      }
      creates.push({ link: pending.link, id });
      sent.push(pending);
    }
    if (sent.length === 0) {
      this.#scheduleFlush();
      this.#drainedIfIdle();
      return;
    }
    this.#inFlight = sent;
    const writer = this.#startWriter();
    writer.ref();
    writer.postMessage({ commit: creates } satisfies WriterRequest);
  }

  #startWriter(): Worker {
    if (this.#writer !== undefined) return this.#writer;
    const writer = startWorker(import.meta.url, "./sqlite-link-writer", {
      workerData: this.#writerData,
    });
    writer.on("message", (reply: WriterReply) => {
      if ("closed" in reply) return;
      this.#settle(reply);
    });
    // The thread died (it could not open the file, or crashed): the group it held is not known
    // to be on disk, so it fails as an outage; the next group starts a fresh thread.
    const lost = (error: unknown) => {
      if (this.#writer !== writer) return;
      this.#writer = undefined;
      const group = this.#inFlight;
      this.#inFlight = undefined;
      const reason = new StoreUnavailableError("sqlite: the writer thread stopped", {
        cause: error,
      });
      for (const pending of group ?? []) pending.reject(reason);
      this.#scheduleFlush();
      this.#drainedIfIdle();
    };
    writer.on("error", lost);
    writer.on("exit", (code) => lost(new Error(`writer thread exited with ${code}`)));
    this.#writer = writer;
    return writer;
  }

  #settle(reply: Exclude<WriterReply, { closed: true }>): void {
    const group = this.#inFlight ?? [];
    this.#inFlight = undefined;
    // Idle between groups: a worker with nothing to do must not keep the process alive.
    this.#writer?.unref();
    if ("failed" in reply) {
      const reason = asStoreError(fromWriterError(reply.failed));
      for (const pending of group) this.#answer(() => pending.reject(reason));
    } else {
      this.#onCommit?.(group.length);
      const retries: PendingCreate[] = [];
      group.forEach((pending, index) => {
        const outcome = reply.outcomes[index];
        if (outcome === undefined)
          this.#answer(() => pending.reject(new Error("create lost its outcome")));
        else if ("result" in outcome) this.#answer(() => pending.resolve(outcome.result));
        else if ("error" in outcome)
          this.#answer(() => pending.reject(fromWriterError(outcome.error)));
        else if (pending.attempts >= MAX_ID_ATTEMPTS)
          this.#answer(() =>
            pending.reject(new Error(`no free link id after ${MAX_ID_ATTEMPTS} attempts`)),
          );
        else retries.push(pending);
      });
      // A create whose id was taken goes first into the next group, with a fresh id.
      this.#pending.unshift(...retries);
    }
    this.#scheduleFlush();
    this.#drainedIfIdle();
  }

  /** Settles one create in its turn (see SqliteLinkStoreOptions.turns). */
  #answer(settle: () => void): void {
    void this.#turns.run(settle);
  }

  #drainedIfIdle(): void {
    if (this.#inFlight === undefined && this.#pending.length === 0) this.#drained?.();
  }

  async get(id: string): Promise<StoredLink | null> {
    const row = guardSqlite(() => this.#selectById.get(id));
    return row === undefined ? null : toStoredLink(row);
  }

  async ping(): Promise<void> {
    guardSqlite(() => this.#ping.get());
  }

  /**
   * Commits creates still queued (they were promised to callers), stops the writer thread, then
   * closes the file. Creates sent after close() are refused as unavailable.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#inFlight !== undefined || this.#pending.length > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        this.#scheduleFlush();
      });
    }
    const writer = this.#writer;
    this.#writer = undefined;
    if (writer !== undefined) {
      const exited = once(writer, "exit");
      writer.ref(); // an idle writer is unreferenced; its goodbye must keep the process up
      writer.postMessage({ close: true } satisfies WriterRequest);
      await exited;
    }
    this.#db.close();
  }
}

function fromWriterError({ message, code }: WriterError): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code, name: "SqliteError" });
}

export function migrateLinks(db: SqliteDatabase): void {
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

/**
 * Brings one component's tables (names, previews) in the shared links.sqlite3 up to date: its
 * version is kept in schema_versions (links keep theirs in user_version), and the migrations it
 * has not run yet run in one transaction. A file from a newer nglaunch stops the start.
 */
export function migrateComponent(
  db: SqliteDatabase,
  component: string,
  migrations: readonly string[],
): void {
  db.transaction(() => {
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_versions (
         component TEXT PRIMARY KEY,
         version   INTEGER NOT NULL
       ) STRICT`,
    );
    const row = db
      .prepare<[string], { version: number }>(
        "SELECT version FROM schema_versions WHERE component = ?",
      )
      .get(component);
    const version = row?.version ?? 0;
    if (version > migrations.length)
      throw new Error(
        `${SQLITE_FILE_NAME} has ${component} schema version ${version}; this nglaunch knows up to ${migrations.length}`,
      );
    for (const sql of migrations.slice(version)) db.exec(sql);
    db.prepare(
      `INSERT INTO schema_versions (component, version) VALUES (?, ?)
       ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
    ).run(component, migrations.length);
  }).immediate();
}

export function toStoredLink(row: LinkRow): StoredLink {
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

/** Lock contention, I/O errors and a full or read-only disk are outages (503), not bugs. */
export function isOutage(error: unknown): boolean {
  const code = sqliteErrorCode(error);
  return code !== undefined && /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY)/.test(code);
}

/** Runs a synchronous SQLite call; its outages become StoreUnavailableError (503). */
export function guardSqlite<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw asStoreError(error);
  }
}

export function asStoreError(error: unknown): unknown {
  return isOutage(error)
    ? new StoreUnavailableError(`sqlite: ${sqliteErrorCode(error)}`, { cause: error })
    : error;
}
