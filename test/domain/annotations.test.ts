import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { MAX_ANNOTATION_ITEMS } from "../../src/domain/annotations.js";
import { loadCatalogue } from "../../src/domain/presets.js";
import {
  BuildError,
  type BuildRequest,
  buildStateFromInput,
} from "../../src/domain/state-builder.js";
import { validateState } from "../../src/domain/state-schema/index.js";

const catalogue = loadCatalogue(path.join(packageRoot, "presets"));
type Layer = Record<string, unknown>;
type Annotations = NonNullable<BuildRequest["annotations"]>;

const build = (annotations: Annotations, extra: Partial<BuildRequest> = {}) =>
  buildStateFromInput(catalogue, { dataset: "e11-prism", view: "overview", annotations, ...extra });
const layerNamed = (state: Record<string, unknown>, name: string) => {
  const layer = (state.layers as Layer[]).find((l) => l.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer;
};
function issuesOf(annotations: unknown, extra: Record<string, unknown> = {}) {
  try {
    buildStateFromInput(catalogue, {
      dataset: "e11-prism",
      view: "overview",
      annotations,
      ...extra,
    });
  } catch (error) {
    if (error instanceof BuildError) return error.issues;
    throw error;
  }
  throw new Error("expected a BuildError");
}

describe("annotation layers", () => {
  it("builds point layers in nm and um that the validator accepts without a warning", () => {
    const { state, warnings } = build([
      { name: "synapses", color: "#FF8800", items: [{ point: [1000.5, 2000, 360] }] },
      { name: "somata", unit: "um", items: [{ point: [1.5, 2, 0.36], description: "cell A" }] },
    ]);
    expect(warnings).toEqual([]);
    expect(validateState(state)).toMatchObject({ valid: true, errors: [], warnings: [] });
    expect(layerNamed(state, "synapses")).toEqual({
      type: "annotation",
      name: "synapses",
      source: {
        url: "local://annotations",
        transform: { outputDimensions: { x: [1e-9, "m"], y: [1e-9, "m"], z: [1e-9, "m"] } },
      },
      annotationColor: "#ff8800",
      annotations: [{ type: "point", id: "1", point: [1000.5, 2000, 360] }],
    });
    const somata = layerNamed(state, "somata");
    expect((somata.source as { transform: unknown }).transform).toEqual({
      outputDimensions: { x: [1e-6, "m"], y: [1e-6, "m"], z: [1e-6, "m"] },
    });
    expect(somata.annotations).toEqual([
      { type: "point", id: "1", point: [1.5, 2, 0.36], description: "cell A" },
    ]);
  });

  it("builds lines, boxes and ellipsoids with Neuroglancer's type names", () => {
    const { state } = build([
      { name: "l", type: "line", items: [{ pointA: [0, 0, 0], pointB: [1, 1, 1] }] },
      { name: "b", type: "box", items: [{ pointA: [0, 0, 0], pointB: [1, 1, 1] }] },
      { name: "e", type: "ellipsoid", items: [{ center: [5, 5, 5], radii: [1, 2, 3] }] },
    ]);
    expect(validateState(state).errors).toEqual([]);
    expect(layerNamed(state, "l").annotations).toEqual([
      { type: "line", id: "1", pointA: [0, 0, 0], pointB: [1, 1, 1] },
    ]);
    expect((layerNamed(state, "b").annotations as Layer[])[0]?.type).toBe(
      "axis_aligned_bounding_box",
    );
    expect(layerNamed(state, "e").annotations).toEqual([
      { type: "ellipsoid", id: "1", center: [5, 5, 5], radii: [1, 2, 3] },
    ]);
  });

  it("turns props into typed annotation properties and colours or sizes by one", () => {
    const { state } = build([
      {
        name: "p",
        colorBy: "score",
        sizeBy: "count",
        items: [
          { point: [0, 0, 0], props: { score: 0.25, count: 1, big: 3e9, tint: "#FF0000" } },
          { point: [1, 1, 1], props: { score: 0.75, count: -4, big: 1, tint: "#00ff00" } },
        ],
      },
      {
        name: "q",
        items: [{ point: [0, 0, 0], props: { tint: "#ff000080" } }],
      },
    ]);
    expect(validateState(state).errors).toEqual([]);
    const p = layerNamed(state, "p");
    expect(p.annotationProperties).toEqual([
      { id: "score", type: "float32" },
      { id: "count", type: "int32" },
      { id: "big", type: "uint32" },
      { id: "tint", type: "rgb" },
    ]);
    expect((p.annotations as Layer[])[0]?.props).toEqual([0.25, 1, 3e9, "#FF0000"]);
    expect(p.shader).toBe(
      [
        '#uicontrol invlerp colorBy(property="score", range=[0.25, 0.75])',
        '#uicontrol invlerp sizeBy(property="count", range=[-4, 1])',
        "#uicontrol float smallest slider(min=0, max=40, default=3)",
        "#uicontrol float largest slider(min=0, max=40, default=15)",
        "void main() {",
        "  setColor(colormapJet(colorBy()));",
        "  setPointMarkerSize(mix(smallest, largest, sizeBy()));",
        "}",
        "",
      ].join("\n"),
    );
    const q = layerNamed(state, "q");
    expect(q.annotationProperties).toEqual([{ id: "tint", type: "rgba" }]);
    expect(q.shader).toBe("void main() {\n  setColor(prop_tint());\n}\n");
  });

  it("links segments to the view's segmentation layer and filters by it on request", () => {
    const { state } = build(
      [
        {
          name: "cells",
          filterBySegmentation: true,
          items: [
            { point: [0, 0, 0], segments: ["18446744073709551615", 42] },
            { point: [1, 1, 1], segments: ["9007199254740993"] },
          ],
        },
      ],
      { segments: ["9007199254740993"] },
    );
    expect(validateState(state)).toMatchObject({ errors: [], warnings: [] });
    const cells = layerNamed(state, "cells");
    expect(cells.linkedSegmentationLayer).toEqual({ segments: "dense_seg" });
    expect(cells.filterBySegmentation).toEqual(["segments"]);
    expect((cells.annotations as Layer[]).map((a) => a.segments)).toEqual([
      ["18446744073709551615", "42"],
      ["9007199254740993"],
    ]);
    expect(layerNamed(state, "dense_seg").segments).toEqual(["9007199254740993"]);
  });

  it("builds annotations over a list of layers and centres a view without position on them", () => {
    const { state } = buildStateFromInput(catalogue, {
      dataset: "e11-prism",
      layers: ["raw"],
      annotations: [
        { name: "a", items: [{ point: [1000, 2000, 300] }] },
        { name: "b", unit: "um", items: [{ point: [5, 4, 0.5] }] },
      ],
    });
    expect(validateState(state).errors).toEqual([]);
    expect((state.layers as Layer[]).map((l) => l.name)).toEqual(["raw", "a", "b"]);
    expect(state.dimensions).toEqual({ x: [1e-9, "m"], y: [1e-9, "m"], z: [1e-9, "m"] });
    expect(state.position).toEqual([3000, 3000, 400]);
    expect(state.crossSectionScale).toBe(4000 / 500);
  });

  it("reads a table, with its column names as property descriptions", () => {
    const { state, warnings } = build([
      {
        name: "t",
        table: "X_nm,Y_nm,Z_nm,segment_id,Synapse size,kind\n1,2,3,42,0.5,a\n",
        columns: { x: "X_nm", y: "Y_nm", z: "Z_nm" },
      },
    ]);
    const t = layerNamed(state, "t");
    expect(t.annotationProperties).toEqual([
      { id: "synapse_size", type: "float32", description: "Synapse size" },
    ]);
    expect(t.annotations).toEqual([
      { type: "point", id: "1", point: [1, 2, 3], segments: ["42"], props: [0.5] },
    ]);
    expect(warnings).toEqual([
      {
        path: "annotations[0].table",
        message: "column kind is not numeric; left out (Neuroglancer properties are numbers)",
      },
    ]);
  });

  it("refuses a table with bad rows, naming row and column, and builds nothing", () => {
    const rows = Array.from({ length: 15 }, (_, i) => `${i},1,1`);
    rows.push("1,1,n/a");
    expect(issuesOf([{ name: "t", table: `x,y,z\n${rows.join("\n")}\n` }])).toEqual([
      { path: "annotations[0].table", message: "row 17, column z: 'n/a' is not a number" },
      {
        path: "annotations[0].table",
        message: "1 of 16 rows are bad; fix them and send the table again",
      },
    ]);
  });

  it("says what is wrong with items, with JSON paths", () => {
    expect(
      issuesOf([
        {
          name: "raw",
          type: "line",
          items: [
            { point: [1, 2, 3], segments: ["-1"] },
            { pointA: [1, 2, 3], pointB: [1, 2, 3], props: { Score: 1 } },
          ],
        },
      ]),
    ).toEqual([
      {
        path: "annotations[0].name",
        message: 'the state already has a layer "raw"; choose another name',
      },
      {
        path: "annotations[0].items[1].props.Score",
        message:
          'property id "Score" is invalid; start with a lower-case letter, then letters, digits or _',
      },
      {
        path: "annotations[0].items[0].pointA",
        message: 'a line annotation needs "pointA" and "pointB"',
      },
      {
        path: "annotations[0].items[0].pointB",
        message: 'a line annotation needs "pointA" and "pointB"',
      },
      {
        path: "annotations[0].items[0].point",
        message: 'a line annotation takes "pointA" and "pointB", not "point"',
      },
      {
        path: "annotations[0].items[0].segments[0]",
        message:
          'segment ID "-1" is negative; send a decimal string between 0 and 18446744073709551615',
      },
    ]);
  });

  it("needs every property on every item, and one kind of value per property", () => {
    expect(
      issuesOf([
        {
          name: "p",
          items: [
            { point: [0, 0, 0], props: { a: 1, b: "#ffffff" } },
            { point: [0, 0, 0], props: { b: 2 } },
          ],
        },
      ]),
    ).toEqual([
      {
        path: "annotations[0].items",
        message: 'property "b" holds both numbers and colours; one property holds one kind',
      },
      {
        path: "annotations[0].items[1].props",
        message: 'has no value for property "a"; every annotation of a layer needs every property',
      },
    ]);
  });

  it("checks colorBy, sizeBy, links and filtering", () => {
    expect(
      issuesOf([
        {
          name: "e",
          type: "ellipsoid",
          colorBy: "nope",
          sizeBy: "r",
          linkedSegmentationLayer: "raw",
          items: [{ center: [0, 0, 0], radii: [1, 1, 1], props: { r: 1 } }],
        },
      ]),
    ).toEqual([
      {
        path: "annotations[0].colorBy",
        message: '"nope" is not a numeric property of this layer; numeric properties: r',
      },
      {
        path: "annotations[0].sizeBy",
        message: "ellipsoids have no size to set; use colorBy instead",
      },
      {
        path: "annotations[0].linkedSegmentationLayer",
        message: 'no segmentation layer "raw" in this state; segmentation layers: dense_seg',
      },
    ]);
    const noSegmentation = { layers: ["raw"], view: undefined };
    expect(
      issuesOf(
        [{ name: "f", filterBySegmentation: true, items: [{ point: [0, 0, 0] }] }],
        noSegmentation,
      ),
    ).toEqual([
      {
        path: "annotations[0].filterBySegmentation",
        message:
          "filtering needs a segmentation layer to link to; add one to the layers (or use a view that has one)",
      },
    ]);
    const { warnings } = buildStateFromInput(catalogue, {
      dataset: "e11-prism",
      layers: ["raw"],
      annotations: [{ name: "s", items: [{ point: [0, 0, 0], segments: ["1"] }] }],
    });
    expect(warnings.map((w) => w.message)).toEqual([
      "the annotations name segments but the state has no segmentation layer to link them to; clicking them selects nothing",
    ]);
  });

  it("takes items or a table, not both, and refuses unknown keys", () => {
    expect(issuesOf([{ name: "x", items: [], table: "x,y,z\n" }])).toEqual([
      {
        path: "annotations[0].items",
        message: 'give the annotations as "items" or as a "table", one of the two',
      },
    ]);
    expect(
      issuesOf([
        { name: "x", items: [{ point: [1, 2, 3], colour: "#fff" }, { point: [1, "2", 3] }, 7] },
      ]),
    ).toEqual([
      {
        path: "annotations[0].items[0].colour",
        message:
          'unknown key "colour"; an annotation takes "point", "pointA", "pointB", "center", "radii", "description", "segments", "props"',
      },
      { path: "annotations[0].items[1].point", message: "expected [x, y, z]: three numbers" },
      {
        path: "annotations[0].items[2]",
        message: 'expected an object such as {"point": [1, 2, 3]}',
      },
    ]);
  });

  it(`holds ${MAX_ANNOTATION_ITEMS} items and refuses more, saying the limit and what to do`, () => {
    const items = Array.from({ length: MAX_ANNOTATION_ITEMS }, (_, i) => ({
      point: [i, i, i] as [number, number, number],
    }));
    const { state } = build([{ name: "many", items }]);
    expect((layerNamed(state, "many").annotations as unknown[]).length).toBe(MAX_ANNOTATION_ITEMS);
    const [issue] = issuesOf([
      { name: "many", items },
      { name: "more", table: "x,y,z\n1,2,3\n" },
    ]);
    expect(issue).toEqual({
      path: "annotations",
      message: `50001 annotations; a link holds at most 50000. Split them over several links (one per layer or region), or serve them as a precomputed annotation source and add it as a layer`,
    });
  });
});
