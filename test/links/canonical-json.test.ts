import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, contentDigest } from "../../src/links/canonical-json.js";

const noMeta = { title: null, dataset: null, view: null };

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    const value = JSON.parse('{ "b": 1, "a": { "z": [ {"y": 2, "x": 1} ], "c": "s" } }');
    expect(canonicalJson(value)).toBe('{"a":{"c":"s","z":[{"x":1,"y":2}]},"b":1}');
  });

  it("is independent of key order and whitespace", () => {
    const one = JSON.parse('{"position":[1,2,3],"layout":"4panel","crossSectionScale":2}');
    const two = JSON.parse(
      '{\n  "crossSectionScale": 2,\n  "layout": "4panel",\n  "position": [1, 2, 3]\n}',
    );
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it("keeps array order", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
  });

  it("keeps the key order of a top-level layers object (legacy layer order)", () => {
    const state = JSON.parse(
      '{"layers":{"seg":{"type":"segmentation","source":"s"},"img":{"type":"image","source":"i"}},"layout":"xy"}',
    );
    expect(canonicalJson(state)).toBe(
      '{"layers":{"seg":{"source":"s","type":"segmentation"},"img":{"source":"i","type":"image"}},"layout":"xy"}',
    );
    const reordered = JSON.parse(
      '{"layers":{"img":{"type":"image","source":"i"},"seg":{"source":"s","type":"segmentation"}}}',
    );
    expect(canonicalJson(reordered)).toBe(
      '{"layers":{"img":{"source":"i","type":"image"},"seg":{"source":"s","type":"segmentation"}}}',
    );
  });

  it("sorts a nested layers object and keeps a layers array as is", () => {
    expect(canonicalJson({ nested: { layers: { b: 1, a: 2 } } })).toBe(
      '{"nested":{"layers":{"a":2,"b":1}}}',
    );
    expect(canonicalJson({ layers: [{ name: "b" }, { name: "a" }] })).toBe(
      '{"layers":[{"name":"b"},{"name":"a"}]}',
    );
  });

  it("matches JSON.stringify on scalars, escapes and edge cases", () => {
    const samples: unknown[] = [
      'quote " backslash \\ newline \n tab \t nul \u0000 é 𝄞 \u2028',
      0,
      -0,
      1e21,
      1.5e-7,
      123456789012345,
      true,
      false,
      null,
      [],
      {},
      [undefined, () => 1, Number.NaN, Number.POSITIVE_INFINITY],
      { kept: 1, dropped: undefined },
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(JSON.stringify(sample));
  });

  it("rejects values JSON cannot represent", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it("round-trips: parsing the output gives an equal value", () => {
    const value = {
      layers: [{ segments: ["1", "22"], type: "segmentation" }],
      position: [1.5, 2, 3],
    };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  // Its speed is measured by `npm run bench`, not asserted here: timing bounds in tests flake.
  it("serialises a 100 000-segment state", () => {
    const segments = Array.from({ length: 100_000 }, (_, i) =>
      String(720575940000000000n + BigInt(i)),
    );
    const state = {
      dimensions: { x: [8e-9, "m"], y: [8e-9, "m"], z: [4e-8, "m"] },
      layers: [
        { type: "segmentation", source: "precomputed://gs://bucket/seg", segments, name: "seg" },
      ],
      layout: "4panel",
    };
    const { stateJson, digest } = contentDigest(state, noMeta);
    expect(stateJson.length).toBeGreaterThan(2_000_000);
    expect(JSON.parse(stateJson).layers[0].segments).toEqual(segments);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("contentDigest", () => {
  const state = { layout: "xy", layers: [{ type: "image", source: "s", name: "img" }] };

  it("returns the canonical state and the SHA-256 of the canonical {dataset, state, title, view}", () => {
    const meta = { title: "A title", dataset: "prism", view: "overview" };
    const { stateJson, digest } = contentDigest(state, meta);
    expect(stateJson).toBe(canonicalJson(state));
    const expected = createHash("sha256")
      .update(canonicalJson({ title: meta.title, view: meta.view, dataset: meta.dataset, state }))
      .digest("hex");
    expect(digest).toBe(expected);
  });

  it("is equal for equal content posted with other key order or whitespace", () => {
    const again = JSON.parse(
      JSON.stringify({ layers: state.layers, layout: state.layout }, null, 2),
    );
    expect(contentDigest(again, noMeta)).toEqual(contentDigest(state, noMeta));
  });

  it("differs when the state, title, dataset or view differ", () => {
    const base = contentDigest(state, noMeta).digest;
    const variants = [
      contentDigest({ ...state, layout: "yz" }, noMeta),
      contentDigest(state, { ...noMeta, title: "t" }),
      contentDigest(state, { ...noMeta, title: "" }),
      contentDigest(state, { ...noMeta, dataset: "prism" }),
      contentDigest(state, { ...noMeta, view: "overview" }),
    ].map((result) => result.digest);
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("tells legacy layer orders apart", () => {
    const ab = contentDigest({ layers: { a: { type: "image" }, b: { type: "image" } } }, noMeta);
    const ba = contentDigest({ layers: { b: { type: "image" }, a: { type: "image" } } }, noMeta);
    expect(ab.digest).not.toBe(ba.digest);
  });
});
