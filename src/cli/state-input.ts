// Reads the Neuroglancer state a command was pointed at: a JSON file, a Neuroglancer URL (inline
// #!{...} or #!https://.../state.json), a URL serving state JSON (short links, named links and
// /v/ links answer JSON clients their state) or redirecting to a state, or "-" for stdin.
// Numbers above 2^53 are kept as markers, so validation can refuse them instead of rounding.
import { parseJsonLosslessly, parseNeuroglancerUrl } from "../domain/neuroglancer-url.js";
import type { StateIssue } from "../domain/state-schema/index.js";
import { type CliIo, readStdin, readTextFile, UsageError } from "./io.js";

/** Input that was read but is not a state at all (not JSON, a broken URL): reported as invalid. */
export class InvalidInputError extends Error {
  override readonly name = "InvalidInputError";
  constructor(readonly issues: StateIssue[]) {
    super(issues.map((i) => i.message).join("; "));
  }
}

const FETCH_TIMEOUT_MS = 30_000;
const HTTP_URL = /^https?:\/\//i;

function parseJson(text: string, label: string): unknown {
  try {
    return parseJsonLosslessly(text);
  } catch (error) {
    throw new InvalidInputError([
      { path: "", message: `${label} is not valid JSON: ${(error as Error).message}` },
    ]);
  }
}

/** Redirects followed by hand: a redirect's target may keep its state in the fragment. */
const MAX_REDIRECTS = 5;

/**
 * What an nglaunch /v/ link answers a JSON client: {url, state}, the state built from the
 * presets. No Neuroglancer state has exactly these two keys, so the shape alone tells it apart.
 */
function viewLinkState(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value).sort();
  const { url, state } = value as { url?: unknown; state?: unknown };
  const isAnswer =
    keys.length === 2 &&
    keys[0] === "state" &&
    keys[1] === "url" &&
    typeof url === "string" &&
    typeof state === "object" &&
    state !== null;
  return isAnswer ? state : value;
}

/**
 * GETs state JSON. Redirects are followed here rather than by fetch, which would drop the
 * "#!..." fragment of a target like PUBLIC_URL/#!{...}. Network and HTTP errors are usage errors.
 */
async function fetchState(url: string, io: CliIo, redirects = 0): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await io.fetch(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    const err = error as Error & { cause?: { code?: string } };
    throw new UsageError(`cannot fetch ${url}: ${err.cause?.code ?? err.message}`);
  }
  const location = response.headers.get("location");
  if (response.status >= 300 && response.status < 400 && location) {
    if (redirects >= MAX_REDIRECTS) throw new UsageError(`cannot fetch ${url}: too many redirects`);
    return stateFromUrl(new URL(location, url).href, io, redirects + 1);
  }
  if (!response.ok) throw new UsageError(`cannot fetch ${url}: HTTP ${response.status}`);
  return viewLinkState(parseJson(text, url));
}

async function stateFromUrl(url: string, io: CliIo, redirects = 0): Promise<unknown> {
  // A URL without a fragment is taken to serve the state JSON itself (e.g. /api/links/<id>).
  if (!url.includes("#")) return fetchState(url, io, redirects);
  const parsed = parseNeuroglancerUrl(url);
  if (!parsed.ok) throw new InvalidInputError([{ path: "", message: parsed.message }]);
  return parsed.kind === "remote" ? fetchState(parsed.stateUrl, io, redirects) : parsed.state;
}

/** Text that is either state JSON or a URL (files and stdin may hold either). */
function stateFromText(text: string, label: string, io: CliIo): Promise<unknown> | unknown {
  const trimmed = text.trim();
  if (HTTP_URL.test(trimmed) && !/\s/.test(trimmed)) return stateFromUrl(trimmed, io);
  return parseJson(text, label);
}

/** The state named by a command-line argument: a file path, an http(s) URL, or "-" for stdin. */
export async function readStateArgument(argument: string, io: CliIo): Promise<unknown> {
  if (argument === "-") return stateFromText(await readStdin(io), "stdin", io);
  if (HTTP_URL.test(argument)) return stateFromUrl(argument, io);
  return stateFromText(await readTextFile(argument), argument, io);
}
