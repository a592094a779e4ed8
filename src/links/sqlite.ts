// The SQLite connection the embedded stores use, from Node's own `node:sqlite` where this Node has
// it without a flag (22.13+, the supported 24 LTS), else from the better-sqlite3 addon (Node 20).
// Why two: better-sqlite3 12 aborts Node 24 processes when the garbage collector finalizes one of
// its statements (WiseLibs/better-sqlite3#1515: "Assertion failed: (env) != nullptr"), and the
// release that fixes it (13) crashes on Node 20. Node's built-in module needs no native build and
// behaves the same; both are driven through the small better-sqlite3-shaped surface below.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";

export interface RunResult {
  changes: number;
}

export interface SqliteStatement<Params extends unknown[] = unknown[], Row = unknown> {
  run(...params: Params): RunResult;
  get(...params: Params): Row | undefined;
  all(...params: Params): Row[];
}

/** A function run in a transaction; `.immediate` takes the write lock when it begins. */
export interface Transaction<Args extends unknown[], Result> {
  (...args: Args): Result;
  immediate(...args: Args): Result;
}

export interface SqliteDatabase {
  /** Which implementation is in use: "node:sqlite" or "better-sqlite3". */
  readonly driver: string;
  prepare<Params extends unknown[] = unknown[], Row = unknown>(
    sql: string,
  ): SqliteStatement<Params, Row>;
  exec(sql: string): void;
  /** Runs `PRAGMA <source>`; with `simple`, answers the first column of the first row. */
  pragma(source: string, options?: { simple: boolean }): unknown;
  /** Wraps `fn` in BEGIN/COMMIT (a SAVEPOINT when nested); any throw rolls it back. */
  transaction<Args extends unknown[], Result>(
    fn: (...args: Args) => Result,
  ): Transaction<Args, Result>;
  /** Closes the connection; closing a closed one does nothing. */
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
}

/** Node's module, when this Node has it without a flag; null on Node 20. */
function nodeSqlite(): typeof import("node:sqlite") | null {
  try {
    return (process.getBuiltinModule?.("node:sqlite") as typeof import("node:sqlite")) ?? null;
  } catch {
    return null;
  }
}

export function openSqlite(path: string, options: OpenOptions = {}): SqliteDatabase {
  const builtin = nodeSqlite();
  return builtin === null
    ? openBetterSqlite(path, options)
    : openNodeSqlite(builtin, path, options);
}

/** The name of the driver openSqlite picks on this Node. */
export function sqliteDriver(): string {
  return nodeSqlite() === null ? "better-sqlite3" : "node:sqlite";
}

// Primary result codes, and the extended ones callers tell apart (https://sqlite.org/rescode.html).
const PRIMARY_CODES = new Map<number, string>([
  [1, "SQLITE_ERROR"],
  [5, "SQLITE_BUSY"],
  [6, "SQLITE_LOCKED"],
  [8, "SQLITE_READONLY"],
  [10, "SQLITE_IOERR"],
  [11, "SQLITE_CORRUPT"],
  [13, "SQLITE_FULL"],
  [14, "SQLITE_CANTOPEN"],
  [19, "SQLITE_CONSTRAINT"],
  [26, "SQLITE_NOTADB"],
]);
const EXTENDED_CODES = new Map<number, string>([
  [1555, "SQLITE_CONSTRAINT_PRIMARYKEY"],
  [2067, "SQLITE_CONSTRAINT_UNIQUE"],
  [787, "SQLITE_CONSTRAINT_FOREIGNKEY"],
  [1299, "SQLITE_CONSTRAINT_NOTNULL"],
]);

/**
 * The SQLite result code name of an error from either driver ("SQLITE_BUSY",
 * "SQLITE_CONSTRAINT_PRIMARYKEY", ...), or undefined for errors that are not SQLite's.
 */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, errcode } = error as Error & { code?: unknown; errcode?: unknown };
  if (typeof errcode === "number") {
    // node:sqlite: ERR_SQLITE_ERROR with the extended result code as a number.
    const primary = PRIMARY_CODES.get(errcode & 0xff) ?? `SQLITE_${errcode & 0xff}`;
    return EXTENDED_CODES.get(errcode) ?? primary;
  }
  // better-sqlite3: SqliteError, whose code is already the name.
  return error.name === "SqliteError" && typeof code === "string" ? code : undefined;
}

function openNodeSqlite(
  sqlite: typeof import("node:sqlite"),
  path: string,
  options: OpenOptions,
): SqliteDatabase {
  const db = new sqlite.DatabaseSync(path, { readOnly: options.readonly ?? false });
  let depth = 0;
  const pragma = (source: string, opts?: { simple: boolean }) => {
    const statement = db.prepare(`PRAGMA ${source}`);
    if (!opts?.simple) return statement.all();
    const row = statement.get();
    return row === undefined ? undefined : Object.values(row)[0];
  };
  return {
    driver: "node:sqlite",
    prepare: <Params extends unknown[], Row>(sql: string) =>
      db.prepare(sql) as unknown as SqliteStatement<Params, Row>,
    exec: (sql) => db.exec(sql),
    pragma,
    transaction<Args extends unknown[], Result>(fn: (...args: Args) => Result) {
      const run = (begin: string, args: Args): Result => {
        const savepoint = depth > 0 ? `nglaunch_${depth}` : null;
        db.exec(savepoint === null ? begin : `SAVEPOINT ${savepoint}`);
        depth++;
        try {
          const result = fn(...args);
          depth--;
          db.exec(savepoint === null ? "COMMIT" : `RELEASE ${savepoint}`);
          return result;
        } catch (error) {
          depth--;
          if (savepoint === null) {
            if (db.isTransaction) db.exec("ROLLBACK");
          } else {
            db.exec(`ROLLBACK TO ${savepoint}`);
            db.exec(`RELEASE ${savepoint}`);
          }
          throw error;
        }
      };
      const deferred = (...args: Args) => run("BEGIN", args);
      return Object.assign(deferred, {
        immediate: (...args: Args) => run("BEGIN IMMEDIATE", args),
      });
    },
    // Idempotent, as better-sqlite3's is: a store may be closed by a shutdown and a test alike.
    close: () => {
      if (db.isOpen) db.close();
    },
  };
}

function openBetterSqlite(path: string, options: OpenOptions): SqliteDatabase {
  // Loaded only on a Node without node:sqlite; an optional dependency elsewhere.
  let Database: typeof import("better-sqlite3");
  try {
    Database = createRequire(import.meta.url)("better-sqlite3");
  } catch (error) {
    throw new Error(
      `the embedded link store needs Node 22.13 or newer (node:sqlite), or on ${process.version} ` +
        "the better-sqlite3 package built for it (npm install); or set REDIS_URL to use Redis",
      { cause: error },
    );
  }
  const db = new Database(path, { readonly: options.readonly ?? false });
  return {
    driver: "better-sqlite3",
    prepare: <Params extends unknown[], Row>(sql: string) =>
      db.prepare(sql) as unknown as SqliteStatement<Params, Row>,
    exec: (sql) => void db.exec(sql),
    pragma: (source, opts) => db.pragma(source, opts),
    transaction: <Args extends unknown[], Result>(fn: (...args: Args) => Result) =>
      db.transaction(fn) as unknown as Transaction<Args, Result>,
    close: () => void db.close(),
  };
}

/**
 * Opens (creating its folder) a store file with the settings every embedded store needs, then runs
 * its migrations; closes it again when any of that fails. WAL lets readers go on while one writer
 * commits. synchronous=FULL fsyncs the WAL on every commit: with NORMAL a committed transaction
 * can vanish on power loss although the caller was already answered.
 */
export function openStoreDatabase(
  path: string,
  busyTimeoutMs: number,
  migrate: (db: SqliteDatabase) => void,
): SqliteDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const db = openSqlite(path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
