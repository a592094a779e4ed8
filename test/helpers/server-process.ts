// The service as a real process, as `npm start` and the Docker image run it: the built
// dist/src/server.js (not tsx), with only the environment variables a test means to set (never
// the developer's process.env: a PUBLIC_URL or REDIS_URL there must not change a test), and its
// data in a fresh directory under os.tmpdir().
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../../src/config.js";

export const SERVER_ENTRY = path.join(packageRoot, "dist", "src", "server.js");
const SERVER_STAMP = path.join(packageRoot, "dist", ".server-stamp");
const SOURCES = path.join(packageRoot, "src");

/**
 * The built entry, or an error saying how to build it. `npm test` builds before vitest; a
 * direct `npx vitest run` after editing src/ would otherwise test the old build without a word.
 */
function builtServer(): string {
  const build = 'run "node scripts/build.mjs --server-only" (npm test does)';
  if (!existsSync(SERVER_ENTRY) || !existsSync(SERVER_STAMP))
    throw new Error(`${SERVER_ENTRY} is not built: ${build}`);
  const builtAt = statSync(SERVER_STAMP).mtimeMs;
  const changed = readdirSync(SOURCES, { recursive: true, withFileTypes: true }).find(
    (entry) =>
      entry.isFile() &&
      !entry.parentPath.startsWith(path.join(SOURCES, "browser")) &&
      statSync(path.join(entry.parentPath, entry.name)).mtimeMs > builtAt,
  );
  if (changed)
    throw new Error(
      `dist/src is older than src/${changed.name}: ${build}, then run the test again`,
    );
  return SERVER_ENTRY;
}

/** A data directory of its own, under os.tmpdir(); `remove` deletes it. */
export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-process-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the built server with exactly `env`; stdout is ignored, stderr piped for messages. */
export function spawnServer(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [builtServer()], {
    cwd: packageRoot,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Runs the built server to its exit (start-up failures), with exactly `env`. */
export function runServerSync(env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [builtServer()], {
    cwd: packageRoot,
    env,
    encoding: "utf8",
    // Start-up failures exit at once; the bound only stops a server that would not exit, and
    // loading the app on a busy machine can take well over 20 s.
    timeout: 90_000,
  });
}
