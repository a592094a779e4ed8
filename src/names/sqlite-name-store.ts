// The embedded name store: tables in the link store's SQLite file (<dataDir>/links.sqlite3), on a
// connection of its own, so one file (and one backup) holds links and names together.

import { join } from "node:path";
import { openStoreDatabase, type SqliteDatabase, type SqliteStatement } from "../links/sqlite.js";
import { guardSqlite, migrateComponent, SQLITE_FILE_NAME } from "../links/sqlite-link-store.js";
import { MAX_VERSIONS } from "./name.js";
import type {
  MoveRequest,
  MoveResult,
  NameRecord,
  NameStore,
  NameVersion,
  NewVersion,
} from "./name-store.js";

export interface SqliteNameStoreOptions {
  /** Directory of links.sqlite3; created when missing. */
  dataDir: string;
  /** How long a write waits for another connection's write lock before failing as unavailable. */
  busyTimeoutMs?: number;
}

/**
 * The names schema's migrations, in order. The link store counts its own migrations in PRAGMA
 * user_version; names count theirs in a row of `schema_versions`, so either can add migrations
 * without renumbering the other's. Append, never edit.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE names (
     name       TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     version    INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE name_versions (
     name       TEXT NOT NULL REFERENCES names (name),
     version    INTEGER NOT NULL,
     link_id    TEXT NOT NULL,
     created_at TEXT NOT NULL,
     note       TEXT,
     PRIMARY KEY (name, version)
   ) STRICT, WITHOUT ROWID`,
];
const SCHEMA_COMPONENT = "names";

interface NameRow {
  name: string;
  token_hash: string;
  created_at: string;
  version: number;
}

interface VersionRow {
  version: number;
  link_id: string;
  created_at: string;
  note: string | null;
}

export class SqliteNameStore implements NameStore {
  readonly kind = "sqlite";
  readonly #db: SqliteDatabase;
  readonly #selectName: SqliteStatement<[string], NameRow>;
  readonly #selectVersion: SqliteStatement<[string, number], VersionRow>;
  readonly #selectHistory: SqliteStatement<[string], VersionRow>;
  readonly #setToken: SqliteStatement<[string, string]>;
  readonly #ping: SqliteStatement<[]>;
  readonly #create: (name: string, tokenHash: string, first: NewVersion) => NameRecord | null;
  readonly #move: (name: string, request: MoveRequest) => MoveResult;

  constructor(options: SqliteNameStoreOptions) {
    // As for links: an acknowledged move is on disk before its answer.
    const db = openStoreDatabase(
      join(options.dataDir, SQLITE_FILE_NAME),
      options.busyTimeoutMs ?? 1000,
      (db) => migrateComponent(db, SCHEMA_COMPONENT, MIGRATIONS),
    );
    this.#db = db;

    const insertName = db.prepare<[NameRow]>(
      `INSERT INTO names (name, token_hash, created_at, version)
       VALUES (@name, @token_hash, @created_at, @version)
       ON CONFLICT (name) DO NOTHING`,
    );
    const insertVersion = db.prepare<[{ name: string } & VersionRow]>(
      `INSERT INTO name_versions (name, version, link_id, created_at, note)
       VALUES (@name, @version, @link_id, @created_at, @note)`,
    );
    const bumpVersion = db.prepare<[number, string]>("UPDATE names SET version = ? WHERE name = ?");
    this.#selectName = db.prepare("SELECT * FROM names WHERE name = ?");
    this.#selectVersion = db.prepare(
      "SELECT version, link_id, created_at, note FROM name_versions WHERE name = ? AND version = ?",
    );
    this.#selectHistory = db.prepare(
      "SELECT version, link_id, created_at, note FROM name_versions WHERE name = ? ORDER BY version",
    );
    this.#setToken = db.prepare("UPDATE names SET token_hash = ? WHERE name = ?");
    this.#ping = db.prepare("SELECT 1");

    // IMMEDIATE transactions take the write lock before reading, so the check (exists, token,
    // version) and the write see one state even when other processes share the file.
    this.#create = db.transaction((name: string, tokenHash: string, first: NewVersion) => {
      const createdAt = new Date().toISOString();
      const { changes } = insertName.run({
        name,
        token_hash: tokenHash,
        created_at: createdAt,
        version: 1,
      });
      if (changes === 0) return null;
      const row = { version: 1, link_id: first.linkId, created_at: createdAt, note: first.note };
      insertVersion.run({ name, ...row });
      return { name, tokenHash, createdAt, current: toVersion(row) };
    }).immediate;

    this.#move = db.transaction((name: string, request: MoveRequest): MoveResult => {
      const current = this.#selectName.get(name);
      if (current === undefined) return { outcome: "missing" };
      if (current.token_hash !== request.tokenHash) return { outcome: "token-changed" };
      if (request.ifVersion !== "any" && request.ifVersion !== current.version)
        return { outcome: "stale", currentVersion: current.version };
      if (current.version >= MAX_VERSIONS) return { outcome: "full" };
      const row = {
        version: current.version + 1,
        link_id: request.linkId,
        created_at: new Date().toISOString(),
        note: request.note,
      };
      insertVersion.run({ name, ...row });
      bumpVersion.run(row.version, name);
      return { outcome: "moved", version: toVersion(row) };
    }).immediate;
  }

  async create(name: string, tokenHash: string, first: NewVersion): Promise<NameRecord | null> {
    return guardSqlite(() => this.#create(name, tokenHash, first));
  }

  async get(name: string): Promise<NameRecord | null> {
    return guardSqlite(() => {
      // One read transaction, so the name row and its current version agree.
      const read = this.#db.transaction(() => {
        const row = this.#selectName.get(name);
        if (row === undefined) return null;
        const version = this.#selectVersion.get(name, row.version);
        if (version === undefined) throw new Error(`name ${name}: version ${row.version} missing`);
        return {
          name,
          tokenHash: row.token_hash,
          createdAt: row.created_at,
          current: toVersion(version),
        };
      });
      return read();
    });
  }

  async history(name: string): Promise<NameVersion[] | null> {
    return guardSqlite(() => {
      const rows = this.#selectHistory.all(name);
      return rows.length === 0 ? null : rows.map(toVersion);
    });
  }

  async version(name: string, version: number): Promise<NameVersion | null> {
    return guardSqlite(() => {
      const row = this.#selectVersion.get(name, version);
      return row === undefined ? null : toVersion(row);
    });
  }

  async move(name: string, request: MoveRequest): Promise<MoveResult> {
    return guardSqlite(() => this.#move(name, request));
  }

  async setTokenHash(name: string, tokenHash: string): Promise<boolean> {
    return guardSqlite(() => this.#setToken.run(tokenHash, name).changes === 1);
  }

  async ping(): Promise<void> {
    guardSqlite(() => this.#ping.get());
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

function toVersion(row: VersionRow): NameVersion {
  return {
    version: row.version,
    linkId: row.link_id,
    createdAt: row.created_at,
    note: row.note,
  };
}
