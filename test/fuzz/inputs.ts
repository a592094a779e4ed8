// Hostile inputs for the fuzz suite: JavaScript built-in names, bad percent-encodings, numbers at
// and past the uint64 and float edges, malformed and deeply nested JSON, odd content types and
// encodings. Raw number literals (beyond what a JS number holds) are kept as text.
import zlib from "node:zlib";
import fc from "fast-check";

/** Names a lookup on a plain object finds on Object.prototype. */
export const BUILTIN_NAMES = [
  "toString",
  "valueOf",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupSetter__",
  "prototype",
];

/** Percent-encodings decodeURIComponent throws on, and ones that decode to odd bytes. */
export const BAD_PERCENT = [
  "%",
  "%2",
  "%zz",
  "%%",
  "%E0%A4%A",
  "%C0%AF",
  "%ED%A0%80",
  "%FF",
  "%25",
  "%00",
  "%2F",
  "..%2F..%2F",
  "%2e%2e",
  "%u0041",
];

/** Number literals at the edges: uint64, int64, 2^53, floats that overflow or underflow. */
export const EDGE_NUMBERS = [
  "0",
  "-0",
  "-1",
  "1.5",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "18446744073709551615",
  "18446744073709551616",
  "-9223372036854775808",
  "123456789012345678901234567890123456789",
  "1e308",
  "1e309",
  "-1e400",
  "1e-400",
  "4.9e-324",
  "0.1e1",
  "1E+2",
];

/** Not numbers, but often taken for them. */
export const NUMBER_LIKE = [
  "0x10",
  "Infinity",
  "-Infinity",
  "NaN",
  "1_000",
  " 1",
  "1 ",
  "+1",
  "01",
  "1e",
  "",
];

/** A JSON number literal kept as text (so it can be larger than a JS number). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON text of a value whose leaves may be RawNumbers. Keys are written as JSON strings. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Arrays or objects nested `depth` levels, as JSON text (cheap to make at any depth). */
export function nestedJsonText(depth: number, kind: "array" | "object", leaf = "1"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;
}

export const nestingDepth = fc.oneof(
  fc.integer({ min: 1, max: 20 }),
  fc.integer({ min: 90, max: 110 }),
  fc.integer({ min: 2_000, max: 12_000 }),
);

/** A string for any place a name, id or value goes: built-ins first, then the odd and the random. */
export function textValue(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...BUILTIN_NAMES) },
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS, ...NUMBER_LIKE) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_PERCENT) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ minLength: 120, maxLength: 400 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...known).map((k) => `${k},${k};${k}+ 1 2`),
    },
  );
}

/** A JSON-ish value: leaves of every type, arrays and objects keyed by field and built-in names. */
export function jsonValue(
  keys: readonly string[],
  known: readonly string[],
): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: textValue(known) },
    { weight: 2, arbitrary: fc.constantFrom(...EDGE_NUMBERS).map((n) => new RawNumber(n)) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  );
  const key = fc.oneof(
    fc.constantFrom(...keys),
    fc.constantFrom(...BUILTIN_NAMES),
    fc.string({ maxLength: 6 }),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
    ),
  }));
  return value;
}

/** An object with some of a route's fields (plus odd ones), each with a hostile value. */
export function fieldObject(keys: readonly string[], known: readonly string[]) {
  const entry = fc.tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...keys) }, fc.constantFrom(...BUILTIN_NAMES)),
    jsonValue(keys, known),
  );
  return fc.array(entry, { maxLength: 6 }).map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries)
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  });
}

/** Text that is not valid JSON (or valid JSON that JSON parsers often mishandle). */
export function malformedJson(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    valid.chain((text) => fc.nat(Math.max(0, text.length - 1)).map((cut) => text.slice(0, cut))),
    valid.chain((text) =>
      fc
        .tuple(
          fc.nat(text.length),
          fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", "\u0000", "x"),
        )
        .map(([at, c]) => text.slice(0, at) + c + text.slice(at)),
    ),
    fc.constantFrom(
      "",
      " ",
      "{",
      "[",
      "}",
      "null",
      "true",
      "0",
      '"x"',
      "[]",
      "{}",
      "\uFEFF{}",
      "{'a':1}",
      '{"a":1,}',
      '{"a":NaN}',
      '{"a":Infinity}',
      '{"a":1}//x',
      '{"a":1}{"b":2}',
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"a":"\\ud800"}',
      '{"a":"\\u00"}',
      '{"a":1,"a":2}',
      "a=1&b=2",
    ),
    fc.string({ maxLength: 40 }),
    nestingDepth.chain((depth) =>
      fc.constantFrom(nestedJsonText(depth, "array"), nestedJsonText(depth, "object")),
    ),
    nestingDepth.map((depth) => "[".repeat(depth)),
  );
}

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/json;charset=utf-16",
  "APPLICATION/JSON",
  "application/json-patch+json",
  "application/vnd.api+json",
  "application/json, text/plain",
  'application/json; boundary="',
  "text/plain",
  "text/json",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=xyz",
  "application/octet-stream",
  "*/*",
  "",
  ";",
  "toString",
  "__proto__/constructor",
];

export const CONTENT_ENCODINGS = [
  "gzip",
  "deflate",
  "br",
  "identity",
  "bogus",
  "gzip, br",
  "GZIP",
  "x-gzip",
  "compress",
  "zstd",
  "",
  "toString",
];

export const ACCEPTS = [
  "text/html",
  "application/json",
  "*/*",
  "image/png",
  "text/html;q=0",
  "text/html, application/json;q=0.9",
  "garbage",
  "constructor",
];

/** A body compressed as its content-encoding says (or not, when `honest` is false). */
export function encodeBody(body: Buffer, encoding: string, honest: boolean): Buffer {
  if (!honest) return body;
  switch (encoding.toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return zlib.gzipSync(body);
    case "deflate":
      return zlib.deflateSync(body);
    case "br":
      return zlib.brotliCompressSync(body);
    default:
      return body;
  }
}
