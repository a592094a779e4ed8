// What a command may touch: output streams, fetch, the environment and stdin, all passed in so
// tests run commands in-process. Exit codes and usage errors are shared by every command.
import { readFile } from "node:fs/promises";
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

type Options = NonNullable<ParseArgsConfig["options"]>;

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/** How a command is called; see `parseCommand`. */
export interface CommandSpec<T extends Options> {
  /** As users type it, for messages: "url", "presets list". */
  name: string;
  /** Printed to stdout for -h/--help. */
  help: string;
  /** The command's flags; -h/--help is added. */
  options: T;
  /**
   * What the one positional argument is, e.g. "a state file, a URL or -", when the command
   * takes one (then it is required); without it, positional arguments are refused.
   */
  input?: string;
}

type Values<T extends Options> = ReturnType<
  typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
>["values"];

export interface ParsedCommand<T extends Options> {
  values: Values<T>;
  /** The positional argument, when the spec has `input`. */
  input: string;
}

/**
 * The opening every command shares: strict parseArgs (an unknown flag names the closest known
 * one), -h/--help, and the positional argument rule. Returns null when help was printed: the
 * command then returns EXIT.ok. Problems are UsageErrors (exit 2).
 */
export function parseCommand<T extends Options>(
  argv: string[],
  io: CliIo,
  spec: CommandSpec<T>,
): ParsedCommand<T> | null {
  const options = { ...spec.options, ...HELP_OPTION };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeArgsError(error as Error & { code?: string }, options));
  }
  if (parsed.values.help === true) {
    io.stdout.write(spec.help);
    return null;
  }
  const values = parsed.values as Values<T>;
  const { positionals } = parsed;
  const shown = positionals.map((p) => JSON.stringify(p)).join(" ");
  if (spec.input === undefined) {
    if (positionals.length > 0)
      throw new UsageError(`${spec.name} takes no arguments besides options, got ${shown}`);
    return { values, input: "" };
  }
  const [input, ...extra] = positionals;
  if (input === undefined) throw new UsageError(`${spec.name} needs ${spec.input}`);
  if (extra.length > 0)
    throw new UsageError(`${spec.name} takes one argument (${spec.input}), got ${shown}`);
  return { values, input };
}

/** parseArgs' message, rewritten where it is unhelpful: an unknown flag gets a suggestion. */
function describeArgsError(error: Error & { code?: string }, options: Options): string {
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (error.code !== "ERR_PARSE_ARGS_UNKNOWN_OPTION" || !unknown?.[1]) return error.message;
  const flag = unknown[1];
  const known = Object.keys(options).map((name) => `--${name}`);
  const close = closestFlag(flag.replace(/=.*/, ""), known);
  return `unknown option ${flag}${close ? `; did you mean ${close}?` : ""}`;
}

/** The known flag nearest to a mistyped one (edit distance at most 2, or a unique prefix). */
export function closestFlag(typed: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((flag) => typed.length > 3 && flag.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of known) {
    const distance = editDistance(typed, flag);
    if (distance < bestDistance) {
      best = flag;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * A file's text as UTF-8. A file that cannot be read is a usage error saying why in words
 * ("no such file: x.csv"), prefixed with `what` (e.g. the flag) when given.
 */
export async function readTextFile(file: string, what?: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const prefix = what === undefined ? "" : `${what}: `;
    throw new UsageError(prefix + describeFileError(file, error as NodeJS.ErrnoException));
  }
}

function describeFileError(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return `no such file: ${file}`;
    case "EISDIR":
      return `${file} is a directory, not a file`;
    case "EACCES":
    case "EPERM":
      return `no permission to read ${file}`;
    default:
      return `cannot read ${file}: ${error.message}`;
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
