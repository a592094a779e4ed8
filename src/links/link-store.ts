// The one interface every short-link store implements (Redis, embedded SQLite),
// plus the record shapes they exchange. Links are immutable snapshots.

/** What a caller asks to store. `digest` identifies the content (see canonical-json.ts). */
export interface NewLink {
  /** Canonical JSON of the validated Neuroglancer state: the exact bytes served later. */
  stateJson: string;
  /** Hex SHA-256 of the canonical form of {state, title, dataset, view}: equal content, equal digest. */
  digest: string;
  title: string | null;
  dataset: string | null;
  view: string | null;
}

export interface StoredLink extends NewLink {
  id: string;
  /** ISO 8601 UTC creation time. */
  createdAt: string;
  /** Byte length of stateJson (UTF-8). */
  sizeBytes: number;
}

export interface CreateResult {
  link: StoredLink;
  /** false when a link with the same digest already existed and was returned instead. */
  created: boolean;
}

export interface LinkStore {
  /** A short name for logs, metrics and /readyz ("redis", "redis-cluster", "sqlite"). */
  readonly kind: string;
  /**
   * Stores the link under a fresh id from `newId`, unless a link with the same digest
   * exists, in which case that one is returned. Atomic under concurrent calls: one digest
   * never gets two ids, and one id never holds two links.
   */
  create(link: NewLink, newId: () => string): Promise<CreateResult>;
  /** The link with this id, or null. */
  get(id: string): Promise<StoredLink | null>;
  /** Resolves when the backing store answers; rejects (quickly) when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by stores when the backend is unreachable or too slow; routes answer 503. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  /** A URL that opens the view without the store (state inline), when the caller has one. */
  longUrl?: string;
}
