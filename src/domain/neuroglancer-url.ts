// Neuroglancer URLs: writes the "#!" fragment exactly as the client does, and reads pasted URLs as
// leniently as the client does, without letting JSON numbers above 2^53 be rounded on the way.
import {
  assertNestingWithin,
  formatJsonPath,
  JsonNestingError,
  MAX_JSON_DEPTH,
  type PathStep,
} from "./json-nesting.js";
import { UnsafeNumber } from "./uint64.js";

export type ParsedNeuroglancerUrl =
  | { ok: true; kind: "inline"; state: unknown }
  | { ok: true; kind: "remote"; stateUrl: string }
  | { ok: false; message: string };

/**
 * The client's own encoding (ui/url_hash_binding.js) is encodeURI, then %-escapes of !'()*;, too.
 * So the ASCII bytes that stay as they are: encodeURI's unescaped set without those seven.
 * Every other byte of the UTF-8 text becomes %XX (upper-case hex), as encodeURI writes it.
 */
const KEPT_BYTES = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~/?:@&=+$#")
  KEPT_BYTES[c.charCodeAt(0)] = 1;
/** Character codes of the hex digits; not a Buffer: the gallery's bundle loads this module. */
const HEX_DIGITS = Uint8Array.from("0123456789ABCDEF", (c) => c.charCodeAt(0));

/** The client treats "#!scheme://..." as the address of a JSON state to fetch. */
const REMOTE_STATE = /^#![a-z][a-z\d+,\-.]*:\/\//;

/** The part after "#!": JSON, bigints as strings, percent-encoded the way the client writes it. */
export function encodeStateFragment(state: unknown): string {
  return encodeJsonFragment(stringifyState(state));
}

/** JSON of a state; bigints (which JSON.parse never makes) are written as strings, as the client does. */
function stringifyState(state: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(state);
  } catch (error) {
    // Only a BigInt makes plain JSON.stringify throw; the replacer is slow, so only then.
    if (!(error instanceof TypeError)) throw error;
    json = JSON.stringify(state, (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    );
  }
  if (json === undefined) throw new TypeError("the state cannot be written as JSON");
  return json;
}

/** The fragment for state JSON that is already serialised (e.g. a stored link's bytes). */
export function encodeJsonFragment(json: string): string {
  // encodeURI refuses a lone surrogate (URIError); so does this, where a UTF-8 encoder would
  // silently write U+FFFD. JSON.stringify never leaves one, so this is for foreign text only.
  if (!(json as string & { isWellFormed(): boolean }).isWellFormed()) encodeURI(json);
  // One pass over the UTF-8 bytes into a buffer, instead of encodeURI and then a replaceAll per
  // extra character (each a copy of the whole URL): 8.3 -> 3.8 us for the links bench's 2 KB
  // state, 38 -> 8 ms for a 2 MB one (micro-benchmark, Node 24). The test compares the two on
  // every character. Node only (Buffer): the gallery bundles this module but never calls this.
  const bytes = Buffer.from(json, "utf8");
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte < 128 && KEPT_BYTES[byte] === 1) {
      out[length++] = byte;
    } else {
      out[length++] = 37; // "%"
      out[length++] = HEX_DIGITS[byte >> 4] as number;
      out[length++] = HEX_DIGITS[byte & 15] as number;
    }
  }
  return out.toString("latin1", 0, length);
}

/** `${viewerBase}/#!...`; any fragment and trailing slashes on the base are dropped first. */
export function stateUrl(viewerBase: string, state: unknown): string {
  return stateJsonUrl(viewerBase, stringifyState(state));
}

/** stateUrl for state JSON that is already serialised. */
export function stateJsonUrl(viewerBase: string, json: string): string {
  const hash = viewerBase.indexOf("#");
  const base = (hash === -1 ? viewerBase : viewerBase.slice(0, hash)).replace(/\/+$/, "");
  const separator = base.includes("?") ? "" : "/";
  return `${base}${separator}#!${encodeJsonFragment(json)}`;
}

/**
 * Reads a full Neuroglancer URL: `#!{...}` (percent-encoded or not), the merge form `#!+{...}`
 * (read as inline), or `#!https://.../state.json` (a state stored elsewhere).
 */
export function parseNeuroglancerUrl(url: string): ParsedNeuroglancerUrl {
  const trimmed = url.trim();
  const hash = trimmed.indexOf("#");
  // The client shows an empty viewer for these; a caller asking to read a state wants to know.
  if (hash === -1)
    return fail('the URL has no "#!" fragment; a Neuroglancer URL looks like https://host/#!{...}');
  const fragment = trimmed.slice(hash);
  if (fragment === "#" || fragment === "#!") return fail('the URL carries no state after "#!"');
  if (REMOTE_STATE.test(fragment)) return { ok: true, kind: "remote", stateUrl: fragment.slice(2) };
  if (!fragment.startsWith("#!"))
    return fail('the URL fragment must start with "#!", as in https://host/#!{...}');
  const encoded = fragment.slice(fragment.startsWith("#!+") ? 3 : 2);
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return fail(
      'the state after "#!" is not valid percent-encoding; a literal % must be sent as %25',
    );
  }
  let state: unknown;
  try {
    state = parseUrlStateText(text);
  } catch (error) {
    if (error instanceof JsonNestingError)
      return fail(
        `the state after "#!" has ${error.message}; no Neuroglancer state nests that deep`,
      );
    return fail(`the state after "#!" is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof state !== "object" || state === null || Array.isArray(state))
    return fail('the state after "#!" must be a JSON object');
  return { ok: true, kind: "inline", state };
}

function fail(message: string): ParsedNeuroglancerUrl {
  return { ok: false, message };
}

/**
 * Strict JSON first; then the client's URL-safe dialect (util/json.js urlSafeParse): strings may
 * be single-quoted and "_" or "&" may stand for ",". Valid JSON never differs between the two.
 */
function parseUrlStateText(text: string): unknown {
  try {
    return parseJsonLosslessly(text);
  } catch (strictError) {
    if (strictError instanceof JsonNestingError) throw strictError;
    const converted = urlSafeToJson(text);
    if (converted === text) throw strictError;
    try {
      return parseJsonLosslessly(converted);
    } catch {
      throw strictError;
    }
  }
}

function urlSafeToJson(text: string): string {
  let out = "";
  let plainStart = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '"' && c !== "'") {
      i++;
      continue;
    }
    const end = closingQuote(text, i);
    // An unterminated quote is ordinary text to the client too.
    if (end === -1) {
      i++;
      continue;
    }
    out += text.slice(plainStart, i).replace(/[&_,]/g, ",");
    const literal = text.slice(i, end + 1);
    out += c === '"' ? literal : singleToDoubleQuoted(literal);
    i = end + 1;
    plainStart = i;
  }
  return out + text.slice(plainStart).replace(/[&_,]/g, ",");
}

function closingQuote(text: string, open: number): number {
  const quote = text[open];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === quote) return i;
  }
  return -1;
}

function singleToDoubleQuoted(literal: string): string {
  let out = '"';
  const inner = literal.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === "\\") {
      const next = inner[i + 1] ?? "";
      out += next === "'" ? "'" : `\\${next}`;
      i++;
    } else out += c === '"' ? '\\"' : c;
  }
  return `${out}"`;
}

/**
 * JSON.parse that keeps integer literals a double cannot hold exactly (beyond +-(2^53-1)) as
 * `UnsafeNumber` markers, so validators can refuse them instead of using rounded values. Only
 * text that has such a literal outside strings pays for the hand-written parser.
 *
 * Nesting is bounded here, once for every state read from text: deeper than MAX_JSON_DEPTH
 * throws JsonNestingError (valid JSON, so not a SyntaxError). JSON.parse itself is iterative in
 * V8 and safe on any depth; the walk after it costs a few percent of the parse.
 */
export function parseJsonLosslessly(text: string): unknown {
  // A number literal (unlike a digit run inside a string, such as a segment ID sent properly)
  // follows the start, ':', ',' or '['; most bodies skip the scan on this cheap test.
  if (!/(?:^|[:,[])\s*-?\d{16}/.test(text) || !hasUnsafeIntegerLiteral(text)) {
    const value: unknown = JSON.parse(text);
    assertNestingWithin(value);
    return value;
  }
  return new LosslessParser(text).parseDocument();
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Scans outside strings for integer literals of 16+ digits that are not safe integers. */
function hasUnsafeIntegerLiteral(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = endOfString(text, i);
    } else if (isDigit(c) || c === 45) {
      const start = i;
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const next = text.charCodeAt(i);
      const integer = next !== 46 && next !== 101 && next !== 69;
      if (integer && i - start >= 16 && !Number.isSafeInteger(Number(text.slice(start, i))))
        return true;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
    } else i++;
  }
  return false;
}

function isNumberChar(c: number): boolean {
  return isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45;
}

/** Index just past the closing quote of the string opening at `open` (or the text's end). */
function endOfString(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** Recursive descent, bounded: it refuses to open a container deeper than MAX_JSON_DEPTH. */
class LosslessParser {
  private pos = 0;
  /** Keys and indices down to the value being parsed: its depth, and its path for the error. */
  private readonly path: PathStep[] = [];

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private value(): unknown {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if ((c === "{" || c === "[") && this.path.length >= MAX_JSON_DEPTH)
      throw new JsonNestingError(formatJsonPath(this.path));
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(
      c === undefined ? "unexpected end of JSON input" : `unexpected ${JSON.stringify(c)}`,
    );
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail("expected a property name in double quotes");
      const key = this.string();
      this.skipWhitespace();
      this.expect(":");
      this.path.push(key);
      // defineProperty: a "__proto__" key must become an own property, as with JSON.parse.
      Object.defineProperty(result, key, {
        value: this.value(),
        writable: true,
        enumerable: true,
        configurable: true,
      });
      this.path.pop();
      this.skipWhitespace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("}");
      return result;
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return result;
    }
    for (;;) {
      this.path.push(result.length);
      result.push(this.value());
      this.path.pop();
      this.skipWhitespace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("]");
      return result;
    }
  }

  private string(): string {
    const start = this.pos;
    const end = endOfString(this.text, start);
    this.pos = end;
    // The native parser decodes escapes and rejects raw control characters.
    return JSON.parse(this.text.slice(start, end)) as string;
  }

  private number(): number | UnsafeNumber {
    NUMBER_TOKEN.lastIndex = this.pos;
    const match = NUMBER_TOKEN.exec(this.text);
    if (match === null) return this.fail("invalid number");
    const raw = match[0];
    this.pos += raw.length;
    const value = Number(raw);
    const integer = match[1] === undefined && match[2] === undefined;
    return integer && !Number.isSafeInteger(value) ? new UnsafeNumber(raw) : value;
  }

  private skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected ${JSON.stringify(c)}`);
    this.pos++;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
];
