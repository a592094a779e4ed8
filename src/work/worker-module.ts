// Where a worker thread's module is: the compiled JavaScript next to the caller in dist/, or,
// under tsx or vitest (the caller is TypeScript), the TypeScript source loaded through tsx (a dev
// dependency). Shared by the offload pool and the SQLite store's writer thread.
import { Worker, type WorkerOptions } from "node:worker_threads";

/** `name`: the module's file name without extension, relative to `callerUrl` (import.meta.url). */
export function workerModule(
  callerUrl: string,
  name: string,
): { filename: URL; execArgv: string[] } {
  const typescript = callerUrl.endsWith(".ts");
  const filename = new URL(`${name}.${typescript ? "ts" : "js"}`, callerUrl);
  return { filename, execArgv: typescript ? ["--import", "tsx"] : [] };
}

/**
 * A worker thread running the module `name` (see workerModule). The thread's entry is a line that
 * imports the module rather than the module itself. For TypeScript sources, that line first
 * registers tsx's loader in the thread: on Node 20 `--import tsx` in a worker's execArgv does not
 * reach the worker's own imports. (Sources run only from the package root: tsx resolves from there.)
 */
export function startWorker(
  callerUrl: string,
  name: string,
  options: Omit<WorkerOptions, "eval" | "execArgv"> = {},
): Worker {
  const { filename, execArgv } = workerModule(callerUrl, name);
  const target = JSON.stringify(filename.href);
  const entry =
    execArgv.length === 0
      ? `import(${target});`
      : `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${target}); });`;
  return new Worker(entry, { ...options, eval: true });
}
