import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  encodeJsonFragment,
  encodeStateFragment,
  parseJsonLosslessly,
  parseNeuroglancerUrl,
  stateUrl,
} from "../../src/domain/neuroglancer-url.js";
import { validateState } from "../../src/domain/state-schema/index.js";
import { UnsafeNumber } from "../../src/domain/uint64.js";

const validStates = fileURLToPath(new URL("../fixtures/states/valid/", import.meta.url));

function inlineState(url: string): unknown {
  const parsed = parseNeuroglancerUrl(url);
  if (!parsed.ok || parsed.kind !== "inline") throw new Error(JSON.stringify(parsed));
  return parsed.state;
}

function failure(url: string): string {
  const parsed = parseNeuroglancerUrl(url);
  if (parsed.ok) throw new Error(`expected a failure for ${url}`);
  return parsed.message;
}

describe("encodeStateFragment", () => {
  it("writes JSON the way the client does: encodeURI, then !'()*;, escaped", () => {
    const fragment = encodeStateFragment({ title: "a!b'c(d)e*f;g,h" });
    expect(fragment).toBe("%7B%22title%22:%22a%21b%27c%28d%29e%2Af%3Bg%2Ch%22%7D");
  });

  it("keeps %, spaces, # and non-ASCII safe inside the URL", () => {
    const shader =
      "#uicontrol invlerp normalized\nvoid main() { emitGrayscale(normalized()); } // 50% é";
    const fragment = encodeStateFragment({ shader });
    expect(fragment).toContain("//%2050%25%20%C3%A9");
    expect(fragment).not.toMatch(/[\s"{}\\]/);
    expect(decodeURIComponent(fragment)).toBe(JSON.stringify({ shader }));
  });

  it("writes bigints and exact big numbers as strings of their digits", () => {
    expect(decodeURIComponent(encodeStateFragment({ segments: [18446744073709551615n] }))).toBe(
      '{"segments":["18446744073709551615"]}',
    );
    expect(
      decodeURIComponent(encodeStateFragment({ anchor: new UnsafeNumber("12345678901234567890") })),
    ).toBe('{"anchor":"12345678901234567890"}');
  });

  it("refuses a value JSON cannot hold", () => {
    expect(() => encodeStateFragment(undefined)).toThrow(TypeError);
  });
});

describe("encodeJsonFragment", () => {
  // The client's definition (ui/url_hash_binding.js), written out: the service's encoder is a
  // faster one-pass version that must give the same text for every character.
  const clientEncoding = (text: string) =>
    encodeURI(text).replace(/[!'()*;,]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

  it("matches the client's encoding for every BMP character and an astral one", () => {
    const characters: string[] = [];
    for (let code = 0; code <= 0xffff; code++)
      if (code < 0xd800 || code > 0xdfff) characters.push(String.fromCharCode(code));
    characters.push("\u{1F9E0}", "\u{10FFFF}");
    for (const c of characters) expect(encodeJsonFragment(`a${c}b`)).toBe(clientEncoding(`a${c}b`));
    const all = characters.join("");
    expect(encodeJsonFragment(all)).toBe(clientEncoding(all));
  });

  it("refuses a lone surrogate as encodeURI does", () => {
    expect(() => encodeJsonFragment('{"title":"\ud800"}')).toThrow(URIError);
    expect(() => encodeJsonFragment('"\udc00x"')).toThrow(URIError);
  });
});

describe("stateUrl", () => {
  it.each([
    "https://ngl.example.org",
    "https://ngl.example.org/",
    "https://ngl.example.org//",
    "https://ngl.example.org/#!{}",
  ])("puts one slash between %s and #!", (base) => {
    expect(stateUrl(base, {})).toBe("https://ngl.example.org/#!%7B%7D");
  });

  it("keeps a path and appends directly after a query", () => {
    expect(stateUrl("https://h.org/viewer/", {})).toBe("https://h.org/viewer/#!%7B%7D");
    expect(stateUrl("https://h.org/?embed=1", {})).toBe("https://h.org/?embed=1#!%7B%7D");
  });

  it("round-trips every valid fixture through parseNeuroglancerUrl", () => {
    for (const file of readdirSync(validStates)) {
      const state = JSON.parse(readFileSync(join(validStates, file), "utf8"));
      expect(inlineState(stateUrl("https://ngl.example.org", state)), file).toEqual(state);
    }
  });

  it("round-trips uint64 IDs and tricky strings exactly", () => {
    const state = {
      layers: [
        { name: "a_b, 'c' \"d\" %25 #!", type: "segmentation", segments: ["18446744073709551615"] },
      ],
    };
    expect(inlineState(stateUrl("https://h.org", state))).toEqual(state);
  });
});

describe("parseNeuroglancerUrl", () => {
  it("reads a percent-encoded state", () => {
    expect(inlineState("https://h.org/#!%7B%22layout%22:%22xy%22%7D")).toEqual({ layout: "xy" });
  });

  it("reads a state pasted without percent-encoding", () => {
    expect(inlineState('https://h.org/#!{"layout":"xy","title":"a b"}')).toEqual({
      layout: "xy",
      title: "a b",
    });
  });

  it("reads the merge form #!+ as inline", () => {
    expect(inlineState('https://h.org/#!+{"layout":"3d"}')).toEqual({ layout: "3d" });
  });

  it("ignores surrounding whitespace", () => {
    expect(inlineState('  https://h.org/#!{"layout":"3d"}\n')).toEqual({ layout: "3d" });
  });

  it.each([
    [
      "https://h.org/#!https://storage.example.org/states/1.json",
      "https://storage.example.org/states/1.json",
    ],
    ["https://h.org/#!gs://bucket/state.json", "gs://bucket/state.json"],
    ["https://h.org/#!s3+https://host/bucket/state.json", "s3+https://host/bucket/state.json"],
  ])("reports the remote form %s", (url, remote) => {
    expect(parseNeuroglancerUrl(url)).toEqual({ ok: true, kind: "remote", stateUrl: remote });
  });

  it("reads the client's URL-safe dialect: single quotes, and _ or & for commas", () => {
    expect(
      inlineState(
        "https://h.org/#!{'layers':[{'name':'dense_seg'_'type':'segmentation'}]&'layout':'xy'}",
      ),
    ).toEqual({ layers: [{ name: "dense_seg", type: "segmentation" }], layout: "xy" });
  });

  it("converts quotes inside single-quoted strings the way the client does", () => {
    expect(inlineState(`https://h.org/#!{'title':'it\\'s "quoted" a_b'}`)).toEqual({
      title: `it's "quoted" a_b`,
    });
  });

  it("keeps JSON numbers above 2^53 exact, so the validator can refuse them", () => {
    const state = inlineState(
      'https://h.org/#!{"layers":[{"type":"segmentation","name":"s","segments":["1",18446744073709551615]}]}',
    );
    const result = validateState(state);
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.path).toBe("layers[0].segments[1]");
    expect(result.errors[0]?.message).toContain("18446744073709551615");
    expect(result.errors[0]?.message).toContain("send segment IDs as strings");
  });

  it("keeps exact numbers in the URL-safe dialect too", () => {
    const state = inlineState("https://h.org/#!{'segments':[18446744073709551615_'1']}") as {
      segments: unknown[];
    };
    expect(state.segments[0]).toEqual(new UnsafeNumber("18446744073709551615"));
  });

  it.each([
    ["https://h.org/", 'no "#!" fragment'],
    ["https://h.org/#", "no state"],
    ["https://h.org/#!", "no state"],
    ["https://h.org/#section", 'must start with "#!"'],
    ["https://h.org/#!%7B%E0%A4%A", "percent-encoding"],
    ['https://h.org/#!{"a":', "not valid JSON"],
    ["https://h.org/#!{'a':}", "not valid JSON"],
    ["https://h.org/#![1,2]", "must be a JSON object"],
    ['https://h.org/#!"text"', "must be a JSON object"],
  ])("rejects %s", (url, message) => {
    expect(failure(url)).toContain(message);
  });
});

describe("parseJsonLosslessly", () => {
  it("parses like JSON.parse when every number fits a double", () => {
    const text =
      '{"a":[1,-2.5,1e300,9007199254740991,-9007199254740991,"12345678901234567890"],"b":null}';
    expect(parseJsonLosslessly(text)).toEqual(JSON.parse(text));
  });

  it.each([
    "9007199254740992",
    "18446744073709551615",
    "-9007199254740993",
    "123456789012345678901234567890",
  ])("keeps the integer %s as its digits", (digits) => {
    expect(parseJsonLosslessly(`{"x":[${digits}]}`)).toEqual({ x: [new UnsafeNumber(digits)] });
  });

  it("leaves floats and exponents as numbers, however many digits", () => {
    expect(
      parseJsonLosslessly(
        "[12345678901234567890.5, 12345678901234567890e2, 1, 18446744073709551615]",
      ),
    ).toEqual([
      Number("12345678901234567890.5"),
      Number("12345678901234567890e2"),
      1,
      new UnsafeNumber("18446744073709551615"),
    ]);
  });

  it("does not mistake digits inside strings, escaped quotes included, for numbers", () => {
    const text = '{"a\\"b":"x\\\\","c":"12345678901234567890\\"","d":12345678901234567890}';
    expect(parseJsonLosslessly(text)).toEqual({
      'a"b': "x\\",
      c: '12345678901234567890"',
      d: new UnsafeNumber("12345678901234567890"),
    });
  });

  it("parses whitespace, nesting, escapes and literals in the exact parser", () => {
    const text =
      ' { "a" : [ true , false , null , { } , [ ] , "\\u00e9\\n" ] , "n" : 12345678901234567890 } ';
    expect(parseJsonLosslessly(text)).toEqual({
      a: [true, false, null, {}, [], "é\n"],
      n: new UnsafeNumber("12345678901234567890"),
    });
  });

  it("makes __proto__ an own key, as JSON.parse does", () => {
    const parsed = parseJsonLosslessly('{"__proto__":{"x":1},"n":12345678901234567890}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
  });

  it.each([
    '{"a":12345678901234567890,}',
    "[12345678901234567890",
    "[12345678901234567890] x",
    "[12345678901234567890, 01]",
    '[12345678901234567890, "a\nb"]',
    "[12345678901234567890, tru]",
  ])("throws a SyntaxError for %j", (text) => {
    expect(() => parseJsonLosslessly(text)).toThrow(SyntaxError);
  });
});
