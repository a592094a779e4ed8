// A small fair scheduler for the CPU-heavy steps of small requests (parsing, validating,
// canonicalising a state). A burst of hundreds of POSTs arrives in one poll phase of the event
// loop; run back to back, their steps would hold the loop for hundreds of milliseconds, so reads
// wait and load shedding trips. Here each step waits its turn in a FIFO queue that is drained in
// setImmediate callbacks of at most SLICE_MS each: between two slices the loop polls sockets and
// runs timers, so a GET is answered within about one slice whatever the backlog.

/** Longest a slice of queued steps runs before the loop gets a turn (ms). */
const SLICE_MS = 4;

export class TurnScheduler {
  readonly #queue: (() => void)[] = [];
  #head = 0;
  #scheduled = false;

  /** Runs `step` in a later turn of the event loop, after the steps queued before it. */
  run<T>(step: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        try {
          resolve(step());
        } catch (error) {
          reject(error);
        }
      });
      this.#schedule();
    });
  }

  /** Steps waiting for their turn. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  #schedule(): void {
    if (this.#scheduled || this.waiting === 0) return;
    this.#scheduled = true;
    setImmediate(this.#drain);
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const started = performance.now();
    do {
      const step = this.#queue[this.#head] as () => void;
      this.#queue[this.#head++] = noop;
      step();
    } while (this.waiting > 0 && performance.now() - started < SLICE_MS);
    if (this.waiting === 0) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    this.#schedule();
  };
}

function noop(): void {}
