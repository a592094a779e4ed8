// Runs one nglaunch command line in-process and captures what it wrote, with an explicit
// environment (never process.env) so the developer's PUBLIC_URL or PRESETS_DIR cannot leak in.
import { Readable } from "node:stream";
import type { CliIo } from "../../src/cli/io.js";
import { run } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  fetch?: typeof fetch;
}

export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch: options.fetch ?? globalThis.fetch,
    env: options.env ?? {},
    stdin: Readable.from([options.stdin ?? ""]),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
