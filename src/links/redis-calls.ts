// Sends Redis commands with a bound on each, failing fast with StoreUnavailableError while Redis
// is slow or down. Shared by every Redis-backed store (links, names), so they fail alike.
import type { Cluster, Redis } from "ioredis";
import { StoreUnavailableError } from "./link-store.js";

/**
 * Client states in which a connection attempt is under way (ioredis Redis and Cluster). Not
 * "wait": a lazyConnect client only starts connecting when it is sent a command.
 */
const CONNECTING_STATES: ReadonlySet<string> = new Set(["connecting", "connect"]);

export class RedisCalls {
  readonly #client: Redis | Cluster;
  readonly #timeoutMs: number;
  #connectionAttempt: Promise<void> | undefined;

  constructor(client: Redis | Cluster, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Sends one command and bounds it by timeoutMs, on top of ioredis's own commandTimeout (which
   * a caller-made client may lack, and which Cluster redirections and CLUSTERDOWN retries can
   * stretch). The bound is per command, not per call: under a burst, commands queue behind each
   * other on the connection, and a healthy but busy Redis should not turn into 503s. While Redis
   * is down, commands fail at once (no offline queue); while it hangs, the first command of a
   * call fails after timeoutMs. Only while a connection attempt is under way (typically just
   * after startup) does a command wait for it, within the same bound. Any failure, including a
   * reply error such as OOM or CLUSTERDOWN, means the store cannot serve now:
   * StoreUnavailableError.
   */
  async call<T>(command: string, send: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(`redis ${command} timed out`)),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#connectionSettled().then(send), timeout]);
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreUnavailableError(`redis ${command} failed: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves once the connection attempt under way succeeds or fails (at once when none is):
   * without an offline queue, a command sent while connecting would fail although Redis is fine.
   * All waiters share one pair of listeners, so a burst of requests at startup adds no more.
   */
  #connectionSettled(): Promise<void> {
    if (!CONNECTING_STATES.has(this.#client.status)) return Promise.resolve();
    this.#connectionAttempt ??= new Promise<void>((resolve) => {
      const client = this.#client;
      const settle = () => {
        clearTimeout(timer);
        client.off("ready", settle);
        client.off("close", settle);
        this.#connectionAttempt = undefined;
        resolve();
      };
      const timer = setTimeout(settle, this.#timeoutMs);
      client.on("ready", settle);
      client.on("close", settle);
    });
    return this.#connectionAttempt;
  }
}
