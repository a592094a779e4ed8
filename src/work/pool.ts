// `app.turns` (the fair scheduler for small requests' CPU steps, turns.ts) and `app.offload`
// (large bodies' work in a pool of worker threads, offload.ts). The pool is a piscina pool: a
// well-kept library that queues tasks, restarts crashed workers and shuts down cleanly, which
// hand-written worker management would have to redo. It starts on the first large body, so
// processes that never see one (tests, the CLI) pay nothing for it.
import { availableParallelism } from "node:os";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Piscina } from "piscina";
import type { BodyIssue, OffloadResult, OffloadRoute } from "./offload.js";
import type { OffloadWorkerData } from "./offload-worker.js";
import { TurnScheduler } from "./turns.js";
import { workerModule } from "./worker-module.js";

function offloadWorker(): { filename: string; execArgv: string[] } {
  const { filename, execArgv } = workerModule(import.meta.url, "./offload-worker");
  return { filename: filename.href, execArgv };
}

declare module "fastify" {
  interface FastifyInstance {
    turns: TurnScheduler;
    /** Runs a large body's work in a worker thread. */
    offload(route: OffloadRoute, body: string): Promise<OffloadResult>;
  }
}

/** Workers are kept this long without work, so a series of large bodies finds one warm. */
const IDLE_MS = 60_000;

/** Marks issues as the body validator's, so the error handler words them as usual. */
const ZOD_VALIDATION_ERROR = Symbol.for("ZodFastifySchemaValidationError");
export function bodyValidationError(issues: BodyIssue[]): Error {
  return Object.assign(new Error("body does not match the schema"), {
    statusCode: 400,
    validationContext: "body",
    validation: issues.map((issue) => ({ ...issue, [ZOD_VALIDATION_ERROR]: true })),
  });
}

export default fp(
  async function work(app: FastifyInstance) {
    app.decorate("turns", new TurnScheduler());
    let pool: Piscina | undefined;
    const workerData: OffloadWorkerData = {
      publicUrl: app.config.publicUrl,
      presetsDir: app.config.presetsDir,
      sourceRoots: app.config.sourceRoots,
    };
    app.decorate("offload", (route: OffloadRoute, body: string) => {
      // One thread less than the cores, so the main thread keeps one to answer everyone else.
      pool ??= new Piscina({
        ...offloadWorker(),
        workerData,
        minThreads: 0,
        maxThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
        idleTimeout: IDLE_MS,
      });
      return pool.run({ route, body }) as Promise<OffloadResult>;
    });
    app.addHook("onClose", async () => {
      await pool?.destroy();
    });
  },
  { name: "work", dependencies: ["config"] },
);
