// `nglaunch validate`: checks a state file or URL with the service's own validator and prints
// every error and warning with its JSON path; exit 1 when the state is invalid.
import { type ValidationResult, validateState } from "../../domain/state-schema/index.js";
import { type CliIo, EXIT, formatIssues, parseCommand } from "../io.js";
import { InvalidInputError, readStateArgument } from "../state-input.js";

export const VALIDATE_HELP = `Usage: nglaunch validate <state.json | URL | -> [--json]

Checks a Neuroglancer state the way the service does before storing it, and lists
every error and warning with its JSON path (e.g. layers[1].segments[3]).

The input may be a JSON file, "-" for stdin, a Neuroglancer URL (https://host/#!{...}
or https://host/#!https://.../state.json, which is fetched), a URL serving state JSON
(https://host/api/links/<id>), or an nglaunch short link, named link or /v/ link (its
state is fetched as JSON). Files and stdin may also hold such a URL.
Segment IDs written as bare JSON numbers above 2^53 are errors: they cannot be read
without rounding, so they must be strings.

Options:
  --json      Print {"valid", "errors", "warnings"} as JSON instead of text
  -h, --help  Show this help

Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error or unreadable input.
`;

/** Reads and validates the state an argument names; unparseable input counts as invalid. */
export async function readAndValidate(
  argument: string,
  io: CliIo,
): Promise<{ state: unknown; result: ValidationResult }> {
  try {
    const state = await readStateArgument(argument, io);
    return { state, result: validateState(state) };
  } catch (error) {
    if (error instanceof InvalidInputError)
      return { state: undefined, result: { valid: false, errors: error.issues, warnings: [] } };
    throw error;
  }
}

export function formatValidation(label: string, result: ValidationResult): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const summary = result.valid
    ? `${label}: valid${result.warnings.length ? ` (${count(result.warnings.length, "warning")})` : ""}`
    : `${label}: invalid: ${count(result.errors.length, "error")}, ${count(result.warnings.length, "warning")}`;
  return `${summary}\n${formatIssues("error    ", result.errors)}${formatIssues("warning  ", result.warnings)}`;
}

export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "validate",
    help: VALIDATE_HELP,
    options: { json: { type: "boolean" } },
    input: "a state file, a URL or -",
  });
  if (args === null) return EXIT.ok;
  const { values, input } = args;
  const { result } = await readAndValidate(input, io);
  io.stdout.write(
    values.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : formatValidation(input === "-" ? "stdin" : input, result),
  );
  return result.valid ? EXIT.ok : EXIT.failed;
}
