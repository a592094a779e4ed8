// `nglaunch shorten`: stores a state on a running nglaunch service (POST /api/links) and prints
// the short link. The state is validated here first, so an invalid one never leaves the machine.
import {
  type CliIo,
  configFrom,
  EXIT,
  formatIssues,
  httpBaseArgument,
  parseCommand,
} from "../io.js";
import { formatValidation, readAndValidate } from "./validate.js";

export const SHORTEN_HELP = `Usage: nglaunch shorten <state.json | URL | -> [--server URL] [--title TEXT] [--json]

Stores a Neuroglancer state on a running nglaunch service and prints its short link.
The input is read as by "nglaunch validate" and must be valid; nothing is sent otherwise.
Storing the same state twice gives the same link.

Options:
  --server URL   The nglaunch service (default: PUBLIC_URL, or http://localhost:8080)
  --title TEXT   Title shown in link previews and the page title
  --json         Print the service's whole answer (id, shortUrl, viewerUrl, jsonUrl,
                 embedUrl, longUrl, warnings) as JSON instead of the short link
  -h, --help     Show this help

Exit status: 0 stored, 1 invalid state or the service refused or could not be reached,
2 usage error or unreadable input.
`;

const REQUEST_TIMEOUT_MS = 30_000;

interface LinkAnswer {
  shortUrl: string;
  created?: boolean;
  warnings?: { path: string; message: string }[];
}

interface ErrorAnswer {
  error?: string;
  issues?: { path: string; message: string }[];
  longUrl?: string;
}

export async function shortenCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "shorten",
    help: SHORTEN_HELP,
    options: {
      server: { type: "string" },
      title: { type: "string" },
      json: { type: "boolean" },
    },
    input: "a state file, a URL or -",
  });
  if (args === null) return EXIT.ok;
  const { values, input } = args;
  const server =
    values.server === undefined
      ? configFrom(io).publicUrl
      : httpBaseArgument("--server", values.server);

  const label = input === "-" ? "stdin" : input;
  const { state, result } = await readAndValidate(input, io);
  if (!result.valid) {
    io.stderr.write(`${formatValidation(label, result)}nothing was sent to ${server}\n`);
    return EXIT.failed;
  }
  const body = JSON.stringify({
    state,
    ...(values.title === undefined ? {} : { title: values.title }),
  });

  let response: Response;
  let text: string;
  try {
    response = await io.fetch(`${server}/api/links`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    io.stderr.write(`error: cannot reach ${server}: ${err.cause?.code ?? err.message}\n`);
    return EXIT.failed;
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    io.stderr.write(
      `error: ${server} answered HTTP ${response.status} with something that is not JSON; is it an nglaunch service?\n`,
    );
    return EXIT.failed;
  }

  if (response.status === 200 || response.status === 201) {
    const link = answer as LinkAnswer;
    if (values.json) io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    else {
      io.stdout.write(`${link.shortUrl}\n`);
      if (response.status === 200) io.stderr.write("(this state was already stored)\n");
      if (link.warnings?.length) io.stderr.write(formatIssues("warning  ", link.warnings));
    }
    return EXIT.ok;
  }
  const failure = answer as ErrorAnswer;
  io.stderr.write(
    `error: ${server} answered HTTP ${response.status}: ${failure.error ?? "(no message)"}\n`,
  );
  if (failure.issues) io.stderr.write(formatIssues("error    ", failure.issues));
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter) io.stderr.write(`retry after ${retryAfter} s\n`);
  if (failure.longUrl)
    io.stderr.write(`this long URL opens the view without the link store:\n${failure.longUrl}\n`);
  return EXIT.failed;
}
