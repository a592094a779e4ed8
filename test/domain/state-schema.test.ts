import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseJsonLosslessly } from "../../src/domain/neuroglancer-url.js";
import { type StateIssue, validateState } from "../../src/domain/state-schema/index.js";

const fixtures = fileURLToPath(new URL("../fixtures/states/", import.meta.url));

function fixtureFiles(folder: string): string[] {
  return readdirSync(join(fixtures, folder)).sort();
}

/** Invalid fixtures: .json, or .txt for JSON numbers a plain JSON.parse would round. */
function readInvalid(file: string): { state: unknown; expectPath: string; expectMessage: string } {
  const text = readFileSync(join(fixtures, "invalid", file), "utf8");
  const fixture = (file.endsWith(".txt") ? parseJsonLosslessly(text) : JSON.parse(text)) as {
    state: unknown;
    expectPath: string;
    expectMessage: string;
  };
  return fixture;
}

function issueAt(issues: StateIssue[], path: string): StateIssue | undefined {
  return issues.find((issue) => issue.path === path);
}

const seg = (extra: Record<string, unknown>) => ({
  layers: [{ type: "segmentation", name: "seg", source: "precomputed://gs://b/seg", ...extra }],
});
const image = (extra: Record<string, unknown>) => ({
  layers: [{ type: "image", name: "img", source: "precomputed://gs://b/img", ...extra }],
});

describe("valid fixtures", () => {
  for (const file of fixtureFiles("valid")) {
    it(file, () => {
      const state = JSON.parse(readFileSync(join(fixtures, "valid", file), "utf8"));
      const result = validateState(state);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
    });
  }
});

describe("invalid fixtures", () => {
  for (const file of fixtureFiles("invalid")) {
    it(file, () => {
      const { state, expectPath, expectMessage } = readInvalid(file);
      const result = validateState(state);
      expect(result.valid).toBe(false);
      const issue = issueAt(result.errors, expectPath);
      expect(issue, JSON.stringify(result.errors, null, 2)).toBeDefined();
      expect(issue?.message).toContain(expectMessage);
    });
  }
});

describe("warnings", () => {
  it("accepts unknown keys with a warning naming the path", () => {
    const result = validateState({ layers: [], someFutureKey: 1 });
    expect(result.valid).toBe(true);
    expect(result.warnings[0]?.path).toBe("someFutureKey");
    expect(result.warnings[0]?.message).toContain("Neuroglancer ignores it");
  });

  it("gives a clean state neither errors nor warnings", () => {
    for (const file of [
      "empty.json",
      "prism-multi-layer.json",
      "segmentation-hidden-and-max-id.json",
    ]) {
      const state = JSON.parse(readFileSync(join(fixtures, "valid", file), "utf8"));
      expect(validateState(state).warnings, file).toEqual([]);
    }
  });

  it("warns once per list about segment IDs sent as safe JSON numbers", () => {
    const result = validateState(seg({ segments: ["1", 2, 3, Number.MAX_SAFE_INTEGER] }));
    expect(result.valid).toBe(true);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ path: "layers[0].segments[1]" });
    expect(result.warnings[0]?.message).toContain("send segment IDs as strings");
  });

  it("counts duplicates, the hidden form included", () => {
    const result = validateState(seg({ segments: ["5", "6", "!5", 6, "7"] }));
    expect(result.valid).toBe(true);
    const duplicate = result.warnings.find((w) => w.message.includes("duplicate"));
    expect(duplicate?.path).toBe("layers[0].segments[2]");
    expect(duplicate?.message).toContain("2 duplicate segment IDs");
  });

  it("finds duplicates among 100 000 IDs", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => String(648518346349538235n + BigInt(i)));
    ids.push(ids[4321] as string);
    const result = validateState(seg({ segments: ids }));
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(["layers[0].segments[100000]"]);
  });

  it("reads numeric strings where the client parses numbers, with a warning", () => {
    const result = validateState({ dimensions: { x: ["8", "nm"] }, crossSectionScale: "2" });
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(["dimensions.x[0]", "crossSectionScale"]);
  });

  it("warns about type-specific keys on a layer whose type Neuroglancer picks itself", () => {
    const result = validateState({
      layers: [{ name: "x", source: "precomputed://gs://b/x", segments: ["1"] }],
    });
    expect(result.valid).toBe(true);
    expect(result.warnings[0]?.path).toBe("layers[0].segments");
    expect(result.warnings[0]?.message).toContain('set "type"');
  });

  it("warns about references to layers that are not in the state", () => {
    const result = validateState({
      layers: [{ type: "annotation", name: "a", linkedSegmentationLayer: "ghost" }],
      selectedLayer: { layer: "phantom", visible: true },
    });
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path).sort()).toEqual([
      "layers[0].linkedSegmentationLayer",
      "selectedLayer.layer",
    ]);
  });

  it("warns about legacy keys but accepts them", () => {
    const result = validateState({ perspectiveZoom: 100, layers: { a: "precomputed://gs://b/a" } });
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path).sort()).toEqual(["layers", "perspectiveZoom"]);
  });

  it("reports unknown data source schemes as warnings", () => {
    const result = validateState(image({ source: "myformat://gs://b/x" }));
    expect(result.valid).toBe(true);
    expect(result.warnings[0]?.path).toBe("layers[0].source");
  });

  it("warns when annotations disagree with the rank of dimensions", () => {
    const result = validateState({
      dimensions: { x: [1, "nm"], y: [1, "nm"], z: [1, "nm"] },
      layers: [
        { type: "annotation", name: "a", annotations: [{ type: "point", id: "1", point: [1, 2] }] },
      ],
    });
    expect(result.valid).toBe(true);
    expect(result.warnings[0]?.path).toBe("layers[0].annotations[0].point");
  });
});

describe("errors", () => {
  it.each([null, [], "state", 5, true])("rejects a state that is not an object: %j", (state) => {
    const result = validateState(state);
    expect(result.valid).toBe(false);
    expect(result.errors[0]?.path).toBe("");
  });

  it("lists the first 20 bad IDs of a list and summarises the rest", () => {
    const result = validateState(
      seg({ segments: Array.from({ length: 50 }, (_, i) => `-${i + 1}`) }),
    );
    expect(result.errors).toHaveLength(21);
    expect(result.errors[20]).toMatchObject({ path: "layers[0].segments" });
    expect(result.errors[20]?.message).toContain("30 more invalid segment IDs");
  });

  it("says what to send instead for every bad segment ID", () => {
    const result = validateState(
      seg({ segments: ["", " 1", "1.5", "+1", "18446744073709551616", {}] }),
    );
    expect(result.errors).toHaveLength(6);
    for (const error of result.errors)
      expect(error.message).toMatch(/send a decimal string|such as "123"/);
  });

  it("does not mistake an ID of 20 digits below 2^64 for an overflow", () => {
    expect(
      validateState(seg({ segments: ["10000000000000000000", "18446744073709551615"] })).valid,
    ).toBe(true);
    expect(validateState(seg({ segments: ["99999999999999999999"] })).valid).toBe(false);
  });

  it("accepts the colours the client's canvas accepts and rejects the rest", () => {
    for (const color of [
      "#abc",
      "#aabbcc",
      "#AABBCCDD",
      "red",
      "Transparent",
      "rgb(1, 2, 3)",
      "hsl(120 50% 50%)",
    ])
      expect(validateState({ projectionBackgroundColor: color }).valid, color).toBe(true);
    for (const color of ["#abcd1", "blurple", "", "rgb(1, 2", "#ggg"])
      expect(validateState({ projectionBackgroundColor: color }).valid, color).toBe(false);
  });

  it("accepts every unit the client knows, and µ in both spellings", () => {
    for (const unit of ["", "m", "nm", "um", "\u00b5m", "km", "ms", "Hz", "MHz", "rad/s", "dam"])
      expect(validateState({ dimensions: { x: [1, unit] } }).valid, unit).toBe(true);
    for (const unit of ["nanometer", "NM", "px", "\u03bcm", "s2"])
      expect(validateState({ dimensions: { x: [1, unit] } }).valid, unit).toBe(false);
  });

  it("rejects a numeric transform of the wrong shape with the rank in the message", () => {
    const result = validateState(
      image({
        source: {
          url: "zarr://s3://b/a",
          transform: {
            outputDimensions: { x: [1, "nm"], y: [1, "nm"] },
            inputDimensions: { "0": [1, ""] },
            matrix: [
              [1, 0, 0],
              [0, 1, 0],
            ],
          },
        },
      }),
    );
    expect(result.errors.map((e) => e.path)).toEqual([
      "layers[0].source.transform.inputDimensions",
    ]);
  });

  it("rejects a velocity when the state gives no dimensions", () => {
    const result = validateState({ velocity: { z: { velocity: 1 } } });
    expect(result.errors[0]?.path).toBe("velocity.z");
  });

  it("rejects annotation props that do not match annotationProperties", () => {
    const result = validateState({
      layers: [
        {
          type: "annotation",
          name: "a",
          annotationProperties: [{ id: "score", type: "float32" }],
          annotations: [{ type: "point", id: "1", point: [1, 2, 3], props: [] }],
        },
      ],
    });
    expect(result.errors[0]?.path).toBe("layers[0].annotations[0].props");
  });

  it("rejects annotations whose points disagree with each other", () => {
    const result = validateState({
      layers: [
        {
          type: "annotation",
          name: "a",
          annotations: [
            { type: "point", id: "1", point: [1, 2, 3] },
            { type: "line", id: "2", pointA: [1, 2, 3], pointB: [1, 2] },
          ],
        },
      ],
    });
    expect(result.errors.map((e) => e.path)).toEqual(["layers[0].annotations[1].pointB"]);
  });

  it("treats undefined members as absent, as JSON.stringify does", () => {
    expect(
      validateState({
        title: undefined,
        layers: [{ name: "a", type: "image", opacity: undefined }],
      }).valid,
    ).toBe(true);
  });
});
