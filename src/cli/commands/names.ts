// `nglaunch names reset-token | show`: the operator's side of named links. Works on the store
// the service is configured with (REDIS_URL, REDIS_CLUSTER_NODES or DATA_DIR), not over HTTP:
// replacing a lost edit token is the one thing no user can do through the API.
import { StoreUnavailableError } from "../../links/link-store.js";
import { createNameStore } from "../../names/create-name-store.js";
import { hashEditToken, nameProblem, newEditToken } from "../../names/name.js";
import type { NameStore } from "../../names/name-store.js";
import { type CliIo, configFrom, EXIT, formatTable, parseCommand, UsageError } from "../io.js";

export const NAMES_HELP = `Usage: nglaunch names <reset-token | show> NAME [options]

Commands:
  reset-token NAME   Give a name a new edit token (its owner lost theirs); the old one stops working
  show NAME          A name's current version and history

Both work on the store configured by REDIS_URL, REDIS_CLUSTER_NODES or DATA_DIR, as the
service does; run them where the service runs.

Run "nglaunch names <command> --help" for the options.
`;

export const RESET_TOKEN_HELP = `Usage: nglaunch names reset-token NAME [--json]

Replaces the edit token of NAME with a new one and prints it, once; the old token stops
working at once. Give the new token to the name's owner over a private channel.

Options:
  --json       Print {"name", "token"} as JSON
  -h, --help   Show this help

Exit status: 0 replaced, 1 no such name or the store is unavailable, 2 usage error.
`;

export const SHOW_HELP = `Usage: nglaunch names show NAME [--json]

Prints a name's versions, oldest first: version, link id, time and note.

Options:
  --json       Print the versions as JSON
  -h, --help   Show this help

Exit status: 0 shown, 1 no such name or the store is unavailable, 2 usage error.
`;

/** The CLI waits longer for Redis than a request does: it connects from scratch. */
const CLI_STORE_TIMEOUT_MS = 5000;

function checkedName(name: string): string {
  const problem = nameProblem(name);
  if (problem !== null) throw new UsageError(`"${name}" is not a name: ${problem}`);
  return name;
}

/** Opens the configured store, runs `use`, closes it; an unreachable store is exit 1. */
async function withStore(io: CliIo, use: (store: NameStore) => Promise<number>): Promise<number> {
  const config = configFrom(io);
  const store = createNameStore({
    redisUrl: config.redisUrl,
    redisClusterNodes: config.redisClusterNodes,
    dataDir: config.dataDir,
    timeoutMs: Math.max(config.storeTimeoutMs, CLI_STORE_TIMEOUT_MS),
    logger: { info() {}, warn() {} },
  });
  try {
    return await use(store);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    io.stderr.write(`error: the ${store.kind} name store is unavailable: ${error.message}\n`);
    return EXIT.failed;
  } finally {
    await store.close();
  }
}

async function resetTokenCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "names reset-token",
    help: RESET_TOKEN_HELP,
    options: { json: { type: "boolean" } },
    input: "a NAME",
  });
  if (args === null) return EXIT.ok;
  const { values } = args;
  const name = checkedName(args.input);
  return withStore(io, async (store) => {
    const token = newEditToken();
    if (!(await store.setTokenHash(name, hashEditToken(token)))) {
      io.stderr.write(`error: no name "${name}" in the ${store.kind} store\n`);
      return EXIT.failed;
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ name, token })}\n`);
    else {
      io.stdout.write(`${token}\n`);
      io.stderr.write(
        `the edit token of "${name}" is replaced; the old one no longer works and this one is not shown again\n`,
      );
    }
    return EXIT.ok;
  });
}

async function showCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "names show",
    help: SHOW_HELP,
    options: { json: { type: "boolean" } },
    input: "a NAME",
  });
  if (args === null) return EXIT.ok;
  const { values } = args;
  const name = checkedName(args.input);
  return withStore(io, async (store) => {
    const history = await store.history(name);
    if (history === null) {
      io.stderr.write(`error: no name "${name}" in the ${store.kind} store\n`);
      return EXIT.failed;
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ name, history }, null, 2)}\n`);
    else
      io.stdout.write(
        formatTable(
          ["VERSION", "LINK", "CREATED", "NOTE"],
          history.map((v) => [String(v.version), v.linkId, v.createdAt, v.note ?? ""]),
        ),
      );
    return EXIT.ok;
  });
}

export async function namesCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "reset-token") return resetTokenCommand(rest, io);
  if (sub === "show") return showCommand(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io[sub === undefined ? "stderr" : "stdout"].write(NAMES_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown names command "${sub}"; use reset-token or show`);
}
