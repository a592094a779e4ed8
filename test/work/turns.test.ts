// The fair scheduler (src/work/turns.ts): FIFO order, errors to the caller, and a step's
// continuations run before the next step, so a slice accounts for what each step sets off.
import { describe, expect, it } from "vitest";
import { TurnScheduler } from "../../src/work/turns.js";

describe("TurnScheduler", () => {
  it("runs steps in the order they were queued and hands back their results", async () => {
    const turns = new TurnScheduler();
    const order: number[] = [];
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        turns.run(() => {
          order.push(n);
          return n * 10;
        }),
      ),
    );
    expect(order).toEqual([1, 2, 3, 4]);
    expect(results).toEqual([10, 20, 30, 40]);
    expect(turns.waiting).toBe(0);
  });

  it("rejects only the step that threw", async () => {
    const turns = new TurnScheduler();
    const outcomes = await Promise.allSettled([
      turns.run(() => 1),
      turns.run(() => {
        throw new Error("bad step");
      }),
      turns.run(() => 3),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("runs what awaits a step (several awaits deep) before the next step", async () => {
    const turns = new TurnScheduler();
    const events: string[] = [];
    const answer = async (n: number) => {
      const value = await turns.run(() => {
        events.push(`step ${n}`);
        return n;
      });
      await Promise.resolve();
      await null;
      events.push(`answered ${value}`);
    };
    await Promise.all([answer(1), answer(2), answer(3)]);
    expect(events).toEqual([
      "step 1",
      "answered 1",
      "step 2",
      "answered 2",
      "step 3",
      "answered 3",
    ]);
  });

  it("lets timers run while a long backlog drains", async () => {
    const turns = new TurnScheduler();
    let timerFiredAfter = -1;
    let done = 0;
    setTimeout(() => {
      timerFiredAfter = done;
    }, 0);
    // Each step busy for 1 ms: 200 of them cannot fit in one slice.
    const busy = () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
      done++;
    };
    await Promise.all(Array.from({ length: 200 }, () => turns.run(busy)));
    expect(timerFiredAfter).toBeGreaterThanOrEqual(0);
    expect(timerFiredAfter).toBeLessThan(200);
  });
});
