// A small fair scheduler for the CPU-heavy steps of small requests (parsing, validating,
// canonicalising a state, and answering once a create is stored). A burst of hundreds of POSTs
// arrives in one poll phase of the event loop; run back to back, their steps would hold the loop
// for hundreds of milliseconds, so reads wait and load shedding trips. Here each step waits its
// turn in a FIFO queue that is drained in slices of at most about SLICE_MS: between two slices the
// loop polls sockets and runs timers, so a GET is answered within about one slice whatever the
// backlog.
//
// A slice counts what each step sets off, not only the step: a step resolves a promise, and the
// code awaiting it (body validation and the route handler after a parse; serialising, compressing
// and writing the answer after a store) runs in the microtasks that follow. The scheduler runs
// the next step only after those microtasks are done (see #afterMicrotasks), so one slice cannot
// release hundreds of continuations that then run back to back outside it.

/** Longest a slice of queued steps runs before the loop gets a turn (ms). */
const SLICE_MS = 4;

export class TurnScheduler {
  readonly #queue: (() => void)[] = [];
  #head = 0;
  /** A slice is scheduled or running. */
  #active = false;
  #sliceStarted = 0;

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
      if (!this.#active) {
        this.#active = true;
        setImmediate(this.#startSlice);
      }
    });
  }

  /** Steps waiting for their turn. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  readonly #startSlice = (): void => {
    this.#sliceStarted = performance.now();
    this.#next();
  };

  /** Runs one step; the next one follows once its continuations ran, within the slice. */
  readonly #next = (): void => {
    if (this.waiting === 0) {
      this.#queue.length = 0;
      this.#head = 0;
      this.#active = false;
      return;
    }
    if (performance.now() - this.#sliceStarted >= SLICE_MS) {
      if (this.#head > 1024) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      setImmediate(this.#startSlice);
      return;
    }
    const step = this.#queue[this.#head] as () => void;
    this.#queue[this.#head++] = noop;
    step();
    this.#afterMicrotasks();
  };

  /**
   * Calls #next once the microtasks the step queued, and those they queue in turn, have run.
   * Node drains the whole microtask queue before it looks at process.nextTick callbacks again,
   * so a tick queued from the first microtask runs after the last one: still in this macrotask,
   * before the loop polls again.
   */
  #afterMicrotasks(): void {
    queueMicrotask(() => process.nextTick(this.#next));
  }
}

function noop(): void {}
