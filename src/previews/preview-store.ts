// The one interface of the durable preview store: rendered PNGs of short links, kept next to the
// links themselves (a table in the embedded SQLite file, or keys in the app's Redis), so a
// restart keeps them and replicas share them. A short link never changes, so neither does its
// preview at a given size: entries are written once and never invalidated.

/** Which preview: a short link's id and the image size in pixels. */
export interface PreviewKey {
  linkId: string;
  width: number;
  height: number;
}

export interface PreviewStore {
  /** "sqlite", "redis" or "redis-cluster", as for the link store. */
  readonly kind: string;
  /** The stored PNG, or null. Throws StoreUnavailableError when the backend cannot answer. */
  get(key: PreviewKey): Promise<Buffer | null>;
  /** Stores a PNG (a second put of the same key keeps either: both are the same picture). */
  put(key: PreviewKey, png: Buffer): Promise<void>;
  close(): Promise<void>;
}
