// A LinkStore decorator that reports every backend operation (name, outcome, duration) to a
// callback, so metrics see the store itself rather than cache hits.
import type { CreateResult, LinkStore, NewLink, StoredLink } from "./link-store.js";

export type StoreOperation = "create" | "get" | "ping";
export type StoreObserver = (operation: StoreOperation, ok: boolean, seconds: number) => void;

export class InstrumentedLinkStore implements LinkStore {
  readonly kind: string;

  constructor(
    private readonly inner: LinkStore,
    private readonly observe: StoreObserver,
  ) {
    this.kind = inner.kind;
  }

  async #timed<T>(operation: StoreOperation, run: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await run();
      this.observe(operation, true, seconds());
      return result;
    } catch (error) {
      this.observe(operation, false, seconds());
      throw error;
    }
  }

  create(link: NewLink, newId: () => string): Promise<CreateResult> {
    return this.#timed("create", () => this.inner.create(link, newId));
  }

  get(id: string): Promise<StoredLink | null> {
    return this.#timed("get", () => this.inner.get(id));
  }

  ping(): Promise<void> {
    return this.#timed("ping", () => this.inner.ping());
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
