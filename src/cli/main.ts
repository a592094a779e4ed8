// The nglaunch command line: links, validation, short links and preset checks from a terminal,
// on the same pure modules as the service. `run` is the in-process entry tests call.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../config.js";
import { namesCommand } from "./commands/names.js";
import { presetsCommand } from "./commands/presets.js";
import { shortenCommand } from "./commands/shorten.js";
import { urlCommand } from "./commands/url.js";
import { validateCommand } from "./commands/validate.js";
import { type CliIo, type Command, EXIT, UsageError } from "./io.js";

export const MAIN_HELP = `Usage: nglaunch <command> [options]

Neuroglancer links for the datasets in the presets, from a terminal or a script.

Commands:
  url              Print the viewer URL (or --json the state) of a preset view with segments
  validate         Check a state file or Neuroglancer URL; errors and warnings with paths
  shorten          Store a state on a running nglaunch service and print its short link
  presets list     Datasets, views and layer presets
  presets verify   Will each layer draw? CORS, info, one chunk and contrast per layer preset
  names reset-token  Replace a name's lost edit token (operator, on the service's store)
  names show       A name's versions

Run "nglaunch <command> --help" for a command's options.

Options:
  -h, --help       Show this help
  --version        Print the version

Settings come from the same environment variables as the service: PUBLIC_URL (viewer and
server default), PRESETS_DIR, SOURCE_ROOTS.

Exit status: 0 success, 1 a check failed (invalid state, preset mismatch, request refused),
2 usage error.
`;

const COMMANDS: Readonly<Record<string, Command>> = {
  url: urlCommand,
  validate: validateCommand,
  shorten: shortenCommand,
  presets: presetsCommand,
  names: namesCommand,
};

function version(): string {
  const json = readFileSync(path.join(packageRoot, "package.json"), "utf8");
  return (JSON.parse(json) as { version: string }).version;
}

/** Runs one command line (without "node nglaunch") and returns the exit code; never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(MAIN_HELP);
    return EXIT.usage;
  }
  if (name === "-h" || name === "--help") {
    io.stdout.write(MAIN_HELP);
    return EXIT.ok;
  }
  if (name === "--version") {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (name === "help") return run(rest.length > 0 ? [...rest, "--help"] : ["--help"], io);
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`nglaunch: unknown command "${name}"\n\n${MAIN_HELP}`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const sub = rest[0];
      const full =
        (name === "presets" && (sub === "list" || sub === "verify")) ||
        (name === "names" && (sub === "reset-token" || sub === "show"))
          ? `${name} ${sub}`
          : name;
      io.stderr.write(
        `nglaunch ${full}: ${error.message}\nRun "nglaunch ${full} --help" for usage.\n`,
      );
      return EXIT.usage;
    }
    io.stderr.write(`nglaunch ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  }
}

/** The process entry: real streams, fetch and environment. Used by bin/nglaunch.js. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // `nglaunch url ... | head -c 100` closes the pipe early; that is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  return run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: globalThis.fetch,
    env: process.env,
    stdin: process.stdin,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main();
}
