import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findTooDeep, JsonNestingError, MAX_JSON_DEPTH } from "../../src/domain/json-nesting.js";
import { parseJsonLosslessly, parseNeuroglancerUrl } from "../../src/domain/neuroglancer-url.js";
import { validateState } from "../../src/domain/state-schema/index.js";
import { UnsafeNumber } from "../../src/domain/uint64.js";
import { canonicalJson } from "../../src/links/canonical-json.js";

/** `{"layers":[{"name":"a","deep":[[[...]]]}]}` with `levels` levels in all (the state is 1). */
function deepStateText(levels: number, open = "[", close = "]"): string {
  const inner = levels - 3; // state > layers > layer, then the deep arrays
  return `{"layers":[{"name":"a","type":"image","source":"precomputed://gs://b/i","deep":${open.repeat(inner)}${close.repeat(inner)}}]}`;
}

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null || value instanceof UnsafeNumber) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

/** The path of the first container at level MAX_JSON_DEPTH + 1 in deepStateText. */
const deepPath = `layers[0].deep${"[0]".repeat(MAX_JSON_DEPTH - 3)}`;

describe("the nesting bound", () => {
  it("accepts exactly MAX_JSON_DEPTH levels and refuses one more, naming the path", () => {
    expect(findTooDeep(JSON.parse(deepStateText(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(findTooDeep(JSON.parse(deepStateText(MAX_JSON_DEPTH + 1)))).toBe(deepPath);
  });

  it("reports the first too-deep container in document order", () => {
    const deep = (n: number): unknown => (n === 0 ? [] : [deep(n - 1)]);
    const state = { a: [1, deep(MAX_JSON_DEPTH)], b: deep(MAX_JSON_DEPTH) };
    expect(findTooDeep(state)).toBe(`a[1]${"[0]".repeat(MAX_JSON_DEPTH - 2)}`);
  });

  it("does not count unsafe-number markers as a level", () => {
    let value: unknown = new UnsafeNumber("18446744073709551616");
    for (let i = 0; i < MAX_JSON_DEPTH; i++) value = [value];
    expect(findTooDeep(value)).toBeUndefined();
  });

  it("shortens long keys in the path", () => {
    const key = "k".repeat(10_000);
    const path = findTooDeep({
      [key]: JSON.parse("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)),
    });
    expect(path?.length).toBeLessThan(400);
    expect(path?.startsWith(`${"k".repeat(63)}\u2026[0]`)).toBe(true);
  });

  it("is far above the nesting of every real state in the fixtures", () => {
    const dir = fileURLToPath(new URL("../fixtures/states/valid/", import.meta.url));
    let deepest = 0;
    for (const file of readdirSync(dir))
      deepest = Math.max(deepest, depthOf(JSON.parse(readFileSync(join(dir, file), "utf8"))));
    expect(deepest).toBeGreaterThan(3);
    expect(deepest * 5).toBeLessThan(MAX_JSON_DEPTH);
  });
});

describe.each([3_000, 10_000])("a state %i levels deep", (levels) => {
  const arrays = deepStateText(levels);
  const objects = deepStateText(levels, '{"a":', "");
  const objectsText = `${objects.slice(0, -3)}0${"}".repeat(levels - 3)}}]}`;

  it("is refused by the lossless parser's fast path with the path", () => {
    expect(() => parseJsonLosslessly(arrays)).toThrow(JsonNestingError);
    expect(() => parseJsonLosslessly(arrays)).toThrow(
      `nesting deeper than ${MAX_JSON_DEPTH} levels at path ${deepPath}`,
    );
    expect(() => parseJsonLosslessly(objectsText)).toThrow(
      `nesting deeper than ${MAX_JSON_DEPTH} levels at path layers[0].deep${".a".repeat(MAX_JSON_DEPTH - 3)}`,
    );
  });

  it("is refused by the hand-written parser (numbers above 2^53) without overflowing", () => {
    const text = arrays.replace('"name":"a"', '"name":"a","n":18446744073709551616');
    expect(() => parseJsonLosslessly(text)).toThrow(
      `nesting deeper than ${MAX_JSON_DEPTH} levels at path ${deepPath}`,
    );
  });

  it("is refused in a #! URL with a message that says so, not 'not valid JSON'", () => {
    for (const text of [arrays, arrays.replace("{", '{"n":18446744073709551616,')]) {
      const parsed = parseNeuroglancerUrl(`https://ngl.test/#!${encodeURIComponent(text)}`);
      expect(parsed).toEqual({
        ok: false,
        message: `the state after "#!" has nesting deeper than ${MAX_JSON_DEPTH} levels at path ${deepPath}; no Neuroglancer state nests that deep`,
      });
    }
  });

  it("is refused by the validator when it arrives already parsed", () => {
    const result = validateState(JSON.parse(arrays));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      {
        path: deepPath,
        message: `nesting deeper than ${MAX_JSON_DEPTH} levels; no Neuroglancer state nests that deep`,
      },
    ]);
  });

  it("is refused by canonical JSON instead of overflowing the stack", () => {
    expect(() => canonicalJson(JSON.parse(arrays))).toThrow(new JsonNestingError(deepPath));
  });
});

describe("states at the limit", () => {
  it("pass every step: parse, validate, canonical JSON", () => {
    const text = deepStateText(MAX_JSON_DEPTH);
    const state = parseJsonLosslessly(text);
    expect(validateState(state).errors).toEqual([]);
    expect(JSON.parse(canonicalJson(state))).toEqual(state);
    const lossless = parseJsonLosslessly(text.replace("{", '{"n":18446744073709551616,'));
    expect(findTooDeep(lossless)).toBeUndefined();
  });
});
