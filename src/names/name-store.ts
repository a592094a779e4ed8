// The one interface every name store implements (embedded SQLite, Redis, Redis Cluster). A name
// is a movable pointer to short links: an append-only history of versions 1, 2, 3... each naming
// one link; the last is the current one. Edit tokens are stored only as hashes.

export interface NameVersion {
  /** 1 for the version the name was created with, then one more per move; never a gap. */
  version: number;
  /** The short link this version opens. */
  linkId: string;
  /** ISO 8601 UTC time the version was made. */
  createdAt: string;
  note: string | null;
}

export interface NameRecord {
  name: string;
  /** Hex SHA-256 of the edit token (see name.ts). */
  tokenHash: string;
  /** When the name was created (= version 1's time). */
  createdAt: string;
  current: NameVersion;
}

/** What a version is made from; the store adds the number and the time. */
export interface NewVersion {
  linkId: string;
  note: string | null;
}

export interface MoveRequest extends NewVersion {
  /**
   * The token hash the caller checked the edit token against: the move happens only if it is
   * still the name's, so a token replaced meanwhile (reset-token) cannot move the name.
   */
  tokenHash: string;
  /** Move only if this is still the current version (If-Match); "any" appends regardless. */
  ifVersion: number | "any";
}

export type MoveResult =
  | { outcome: "moved"; version: NameVersion }
  | { outcome: "missing" }
  /** The token was replaced after the caller checked it. */
  | { outcome: "token-changed" }
  | { outcome: "stale"; currentVersion: number }
  /** The history holds MAX_VERSIONS versions already. */
  | { outcome: "full" };

export interface NameStore {
  /** "redis", "redis-cluster" or "sqlite", as for the link store. */
  readonly kind: string;
  /** Creates the name at version 1, or returns null when the name is taken (first come first served). */
  create(name: string, tokenHash: string, first: NewVersion): Promise<NameRecord | null>;
  /** The name with its current version, or null. */
  get(name: string): Promise<NameRecord | null>;
  /** Every version, oldest first, or null when there is no such name. */
  history(name: string): Promise<NameVersion[] | null>;
  /** One version, or null when the name or the version does not exist. */
  version(name: string, version: number): Promise<NameVersion | null>;
  /**
   * Appends a version, atomically: concurrent moves each get their own number, none is lost,
   * and the numbers have no gaps. Checks the token hash and ifVersion in the same atomic step.
   */
  move(name: string, request: MoveRequest): Promise<MoveResult>;
  /** Replaces the edit token's hash (the operator's reset); false when there is no such name. */
  setTokenHash(name: string, tokenHash: string): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
