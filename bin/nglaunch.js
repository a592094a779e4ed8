#!/usr/bin/env node
// Launches the compiled command line (dist/src/cli/main.js), compiling the server code first
// when it is missing, as in a fresh clone. Build output goes to stderr to keep stdout clean.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  const build = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));
  process.stderr.write("nglaunch: compiling (first run)...\n");
  const result = spawnSync(process.execPath, [build, "--server-only"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: ["ignore", 2, 2],
  });
  if (result.status !== 0 || !existsSync(entry)) {
    process.stderr.write(`nglaunch: could not compile ${fileURLToPath(entry)}\n`);
    process.exit(1);
  }
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
