// The SQLite link store's writer thread (see sqlite-link-store.ts). It holds the store's only
// writing connection and commits each group of creates it is sent in one IMMEDIATE transaction:
// SQLite's work and the fsync of synchronous=FULL happen here, off the main thread's event loop,
// while the main thread keeps reading through its own connection (WAL lets readers go on during a
// write). A group is answered only once its transaction has committed, so the main thread
// acknowledges a create only when it is on disk.
import { parentPort, workerData } from "node:worker_threads";
import type { CreateResult, NewLink } from "./link-store.js";
import { openStoreDatabase, type SqliteStatement, sqliteErrorCode } from "./sqlite.js";
import { isOutage, type LinkRow, migrateLinks, toStoredLink } from "./sqlite-link-store.js";

export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}

/** One create of a group, with the id to try this time. */
export interface WriterCreate {
  link: NewLink;
  id: string;
}

/** An error as it crosses threads: SQLite's code survives, which structured cloning drops. */
export interface WriterError {
  message: string;
  code: string | undefined;
}

/** A create's outcome: stored (or found by digest), its id taken, or an error only it met. */
export type WriterOutcome = { result: CreateResult } | { idTaken: true } | { error: WriterError };

export type WriterRequest = { commit: WriterCreate[] } | { close: true };

export type WriterReply =
  /** The group committed; outcomes in the order of the creates. */
  | { outcomes: WriterOutcome[] }
  /** The transaction failed (and rolled back): no create of the group is stored. */
  | { failed: WriterError }
  | { closed: true };

export function writerError(error: unknown): WriterError {
  return {
    message: error instanceof Error ? error.message : String(error),
    code: sqliteErrorCode(error),
  };
}

function startWriter(): void {
  const port = parentPort;
  if (port === null) throw new Error("sqlite-link-writer runs in a worker thread");
  const { path, busyTimeoutMs } = workerData as WriterData;
  // The main thread has opened the file and migrated it already; this runs the same (now
  // empty) migration check and sets this connection's own pragmas (synchronous is per connection).
  const db = openStoreDatabase(path, busyTimeoutMs, migrateLinks);
  const insert: SqliteStatement<[LinkRow]> = db.prepare(
    `INSERT INTO links (id, digest, state_json, title, dataset, view, created_at, size_bytes)
     VALUES (@id, @digest, @state_json, @title, @dataset, @view, @created_at, @size_bytes)
     ON CONFLICT (digest) DO NOTHING`,
  );
  const selectByDigest: SqliteStatement<[string], LinkRow> = db.prepare(
    "SELECT * FROM links WHERE digest = ?",
  );

  /** Inserts one link and reads back what its digest now holds. */
  const insertOne = ({ link, id }: WriterCreate): WriterOutcome => {
    let changes: number;
    try {
      ({ changes } = insert.run({
        id,
        digest: link.digest,
        state_json: link.stateJson,
        title: link.title,
        dataset: link.dataset,
        view: link.view,
        created_at: new Date().toISOString(),
        size_bytes: Buffer.byteLength(link.stateJson, "utf8"),
      }));
    } catch (error) {
      // A clash on the id primary key aborts only this INSERT (SQLite keeps the transaction);
      // the main thread retries the create with a fresh id, so no link is ever overwritten.
      if (sqliteErrorCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY") return { idTaken: true };
      throw error;
    }
    const row = selectByDigest.get(link.digest);
    if (row === undefined) throw new Error(`link with digest ${link.digest} vanished`);
    return { result: { link: toStoredLink(row), created: changes === 1 } };
  };

  // A clash on `digest` is absorbed by ON CONFLICT. IMMEDIATE takes the write lock up front, so
  // inserts and read-backs see one database state even when other processes write to the same
  // file. An outage (lock timeout, I/O, full disk) throws out of the transaction, which rolls
  // back the whole group: no create in it is acknowledged.
  const commitGroup = db.transaction((group: readonly WriterCreate[]): WriterOutcome[] =>
    group.map((create) => {
      try {
        return insertOne(create);
      } catch (error) {
        if (isOutage(error)) throw error;
        return { error: writerError(error) };
      }
    }),
  ).immediate;

  port.on("message", (request: WriterRequest) => {
    if ("close" in request) {
      db.close();
      port.postMessage({ closed: true } satisfies WriterReply);
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      reply = { outcomes: commitGroup(request.commit) };
    } catch (error) {
      reply = { failed: writerError(error) };
    }
    port.postMessage(reply);
  });
}

startWriter();
