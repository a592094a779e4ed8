// What a command may touch: output streams, fetch, the environment and stdin, all passed in so
// tests run commands in-process. Exit codes and usage errors are shared by every command.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Config, ConfigError, type Env, loadConfig } from "../config.js";
import { type Catalogue, loadCatalogue, PresetError } from "../domain/presets.js";

export interface Output {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  fetch: typeof fetch;
  /** Defaults to process.env; tests pass their own instead of mutating it. */
  env?: Env;
  /** Read for the "-" argument; defaults to process.stdin. */
  stdin?: AsyncIterable<string | Uint8Array>;
}

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** 0: done or valid. 1: the check failed (invalid, mismatch, refused). 2: could not run as asked. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A problem with how the command was called (flags, arguments, unreadable input): exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** parseArgs, strict, with its errors turned into UsageErrors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Options every command that reads the presets accepts. */
export const catalogueOptions = {
  "presets-dir": { type: "string" },
  "source-root": { type: "string", multiple: true },
} as const;

export const CATALOGUE_HELP = `  --presets-dir DIR          Preset files (default: PRESETS_DIR, or presets/)
  --source-root ID=URL       Read dataset ID from another data root (mirror, fixtures);
                             repeatable; adds to SOURCE_ROOTS`;

export function configFrom(io: CliIo): Readonly<Config> {
  try {
    return loadConfig(io.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The catalogue, from the environment's settings overridden by --presets-dir / --source-root. */
export function catalogueFrom(
  io: CliIo,
  values: { "presets-dir"?: string | undefined; "source-root"?: string[] | undefined },
): Catalogue {
  const config = configFrom(io);
  const sourceRoots = { ...config.sourceRoots };
  for (const pair of values["source-root"] ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1)
      throw new UsageError(`--source-root expects DATASET=URL, got "${pair}"`);
    sourceRoots[pair.slice(0, at)] = pair.slice(at + 1);
  }
  try {
    return loadCatalogue(values["presets-dir"] ?? config.presetsDir, sourceRoots);
  } catch (error) {
    if (error instanceof PresetError) throw new UsageError(error.message);
    throw error;
  }
}

/** Everything on stdin (or the stream the caller passed), as UTF-8. */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin ?? process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** An http(s) base URL from a flag, without trailing slashes. */
export function httpBaseArgument(flag: string, value: string): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : "";
  if (protocol !== "http:" && protocol !== "https:")
    throw new UsageError(`${flag} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, "");
}

/** `(path) message` lines, indented, for issue lists. */
export function formatIssues(
  label: string,
  issues: readonly { path: string; message: string }[],
): string {
  return issues.map((i) => `  ${label}${i.path || "(root)"}: ${i.message}\n`).join("");
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
