// The embedded preview store: a table in the link store's SQLite file (<dataDir>/links.sqlite3),
// on a connection of its own, so the previews of the links live and are backed up with them.
import { join } from "node:path";
import { openStoreDatabase, type SqliteDatabase, type SqliteStatement } from "../links/sqlite.js";
import { guardSqlite, migrateComponent, SQLITE_FILE_NAME } from "../links/sqlite-link-store.js";
import type { PreviewKey, PreviewStore } from "./preview-store.js";

export interface SqlitePreviewStoreOptions {
  /** Directory of links.sqlite3; created when missing. */
  dataDir: string;
  /** How long a write waits for another connection's write lock before failing. */
  busyTimeoutMs?: number;
}

/**
 * The previews schema's migrations, counted in a row of `schema_versions` (as the names'
 * are), so links, names and previews each add migrations without renumbering the others'.
 * Append, never edit.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE previews (
     link_id    TEXT NOT NULL,
     width      INTEGER NOT NULL,
     height     INTEGER NOT NULL,
     png        BLOB NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (link_id, width, height)
   ) STRICT, WITHOUT ROWID`,
];
const SCHEMA_COMPONENT = "previews";

export class SqlitePreviewStore implements PreviewStore {
  readonly kind = "sqlite";
  readonly #db: SqliteDatabase;
  readonly #select: SqliteStatement<[string, number, number], { png: Uint8Array }>;
  readonly #insert: SqliteStatement<[string, number, number, Uint8Array, string]>;

  constructor(options: SqlitePreviewStoreOptions) {
    this.#db = openStoreDatabase(
      join(options.dataDir, SQLITE_FILE_NAME),
      options.busyTimeoutMs ?? 1000,
      (db) => migrateComponent(db, SCHEMA_COMPONENT, MIGRATIONS),
    );
    this.#select = this.#db.prepare(
      "SELECT png FROM previews WHERE link_id = ? AND width = ? AND height = ?",
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO previews (link_id, width, height, png, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (link_id, width, height) DO NOTHING`,
    );
  }

  async get({ linkId, width, height }: PreviewKey): Promise<Buffer | null> {
    const row = guardSqlite(() => this.#select.get(linkId, width, height));
    // node:sqlite answers a Uint8Array, better-sqlite3 a Buffer: one type for callers.
    return row === undefined
      ? null
      : Buffer.from(row.png.buffer, row.png.byteOffset, row.png.byteLength);
  }

  async put({ linkId, width, height }: PreviewKey, png: Buffer): Promise<void> {
    guardSqlite(() => this.#insert.run(linkId, width, height, png, new Date().toISOString()));
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
