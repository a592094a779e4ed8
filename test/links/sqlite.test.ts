// The SQLite connection wrapper: the same behaviour from node:sqlite (Node 22.13+) and
// better-sqlite3 (Node 20); each CI run checks the driver its Node picks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite, sqliteDriver, sqliteErrorCode } from "../../src/links/sqlite.js";

const dir = mkdtempSync(join(tmpdir(), "nglaunch-sqlite-driver-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`openSqlite (${sqliteDriver()})`, () => {
  it("uses Node's own module where this Node has it, else better-sqlite3", () => {
    const hasBuiltin = process.getBuiltinModule?.("node:sqlite") !== undefined;
    expect(sqliteDriver()).toBe(hasBuiltin ? "node:sqlite" : "better-sqlite3");
    const db = openSqlite(":memory:");
    expect(db.driver).toBe(sqliteDriver());
    db.close();
  });

  it("names constraint errors and rolls back a transaction that throws", () => {
    const db = openSqlite(join(dir, "a.sqlite3"));
    db.exec("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT UNIQUE)");
    const insert = db.prepare<[{ id: string; v: string }]>("INSERT INTO t VALUES (@id, @v)");
    const count = () => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    insert.run({ id: "a", v: "1" });
    const codeOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return sqliteErrorCode(error);
      }
      return "no error";
    };
    expect(codeOf(() => insert.run({ id: "a", v: "2" }))).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(codeOf(() => insert.run({ id: "b", v: "1" }))).toBe("SQLITE_CONSTRAINT_UNIQUE");
    expect(sqliteErrorCode(new Error("not sqlite"))).toBeUndefined();

    const both = db.transaction((id: string) => {
      insert.run({ id, v: id });
      insert.run({ id, v: `${id}!` });
    });
    expect(codeOf(() => both.immediate("c"))).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(count()).toBe(1);

    // A nested transaction is a savepoint: its failure undoes only its own work.
    const outer = db.transaction(() => {
      insert.run({ id: "d", v: "d" });
      expect(codeOf(() => both("e"))).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
      return count();
    });
    expect(outer.immediate()).toBe(2);
    expect(count()).toBe(2);
    db.close();
    db.close();
  });

  it("reads pragmas and reports a lock held elsewhere as SQLITE_BUSY", () => {
    const path = join(dir, "b.sqlite3");
    const db = openSqlite(path);
    db.pragma("journal_mode = WAL");
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.pragma("busy_timeout = 10");
    const other = openSqlite(path);
    other.exec("BEGIN IMMEDIATE");
    let code: string | undefined;
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      code = sqliteErrorCode(error);
    }
    expect(code).toBe("SQLITE_BUSY");
    other.exec("ROLLBACK");
    other.close();
    db.close();
  });
});
