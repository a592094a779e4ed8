// States as the real client and its forks write them: blank "+" layers, many annotations
// carrying the same extra key, and a fork's layer type.
import { describe, expect, it } from "vitest";
import { validateState } from "../../../src/domain/state-schema/index.js";

const IMAGE = "precomputed://gs://b/img";

describe("blank new layers (Neuroglancer's own form for a layer made with +)", () => {
  it('accepts {"type": "new", "source": ""} and an untyped layer with "" without any issue', () => {
    for (const layer of [
      { type: "new", name: "new layer", source: "" },
      { name: "new layer", source: "" },
      { type: "new", name: "new layer", source: { url: "" } },
      { type: "new", name: "new layer", source: [""] },
    ]) {
      const result = validateState({ layers: [layer] });
      expect(result, JSON.stringify(layer)).toEqual({ valid: true, errors: [], warnings: [] });
    }
  });

  it("accepts an empty source on a typed layer, with a warning that it shows no data", () => {
    const result = validateState({ layers: [{ type: "image", name: "em", source: "" }] });
    expect(result.valid).toBe(true);
    expect(result.warnings).toEqual([
      {
        path: "layers[0].source",
        message: expect.stringMatching(
          /^data source URL is empty, so Neuroglancer shows this layer without data/,
        ),
      },
    ]);
  });

  it("accepts empty entries in a source array, with a warning that the client drops them", () => {
    const result = validateState({
      layers: [{ type: "image", name: "em", source: [IMAGE, "", { url: "" }] }],
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.path)).toEqual([
      "layers[0].source[1]",
      "layers[0].source[2].url",
    ]);
    expect(result.warnings[0]?.message).toMatch(/empty data source; Neuroglancer drops it/);
  });

  it("still rejects a URL that is only blanks or has no scheme", () => {
    for (const source of [" ", "gs://b/img".replace("gs://", "")]) {
      const result = validateState({ layers: [{ type: "image", name: "em", source }] });
      expect(result.valid, source).toBe(false);
    }
  });
});

describe("repeated warnings", () => {
  const points = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      type: "point",
      id: String(i),
      point: [i, i, i],
      tagIds: [1],
    }));
  const layer = (name: string, n: number) => ({
    type: "annotation",
    name,
    source: "local://annotations",
    annotations: points(n),
  });

  it("collapse to one per layer and key, with a count and the first path", () => {
    const result = validateState({
      dimensions: { x: [1, "nm"], y: [1, "nm"], z: [1, "nm"] },
      layers: [layer("a", 1475), layer("b", 3)],
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        path: "layers[0].annotations[0].tagIds",
        message:
          'unknown key "tagIds" for a point annotation; Neuroglancer ignores it (1475 times, at layers[0].annotations[*].tagIds; the path given is the first)',
      },
      {
        path: "layers[1].annotations[0].tagIds",
        message:
          'unknown key "tagIds" for a point annotation; Neuroglancer ignores it (3 times, at layers[1].annotations[*].tagIds; the path given is the first)',
      },
    ]);
  });

  it("leave a warning that occurs once as it was", () => {
    const result = validateState({
      dimensions: { x: [1, "nm"], y: [1, "nm"], z: [1, "nm"] },
      layers: [layer("a", 1)],
    });
    expect(result.warnings).toEqual([
      {
        path: "layers[0].annotations[0].tagIds",
        message: 'unknown key "tagIds" for a point annotation; Neuroglancer ignores it',
      },
    ]);
  });

  it("keep different keys and different messages apart", () => {
    const result = validateState({
      layers: [
        {
          type: "image",
          name: "em",
          source: IMAGE,
          panels: [
            { side: "left", extra: 1 },
            { side: "right", extra: 2, other: 3 },
          ],
        },
      ],
    });
    expect(result.warnings.map((w) => w.path)).toEqual([
      "layers[0].panels[0].extra",
      "layers[0].panels[1].other",
    ]);
    expect(result.warnings[0]?.message).toMatch(/2 times, at layers\[0\]\.panels\[\*\]\.extra/);
  });
});

describe("segmentation_with_graph (the CAVE fork's layer type)", () => {
  it("is an error that says what it is and what to send instead", () => {
    const result = validateState({
      layers: [
        {
          type: "segmentation_with_graph",
          name: "seg",
          source: "graphene://https://minnie.microns-daf.com/segmentation/table/minnie3_v1",
        },
      ],
    });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      { path: "layers[0].type", message: expect.stringContaining("CAVE fork of Neuroglancer") },
    ]);
    const { message } = result.errors[0] as { message: string };
    expect(message).toContain('send "type": "segmentation"');
    expect(message).toContain('"graphene://" source');
  });

  it("passes once sent as the stock client's segmentation layer with a graphene source", () => {
    const result = validateState({
      layers: [
        {
          type: "segmentation",
          name: "seg",
          source: "graphene://https://minnie.microns-daf.com/segmentation/table/minnie3_v1",
        },
      ],
    });
    expect(result.errors).toEqual([]);
  });
});
