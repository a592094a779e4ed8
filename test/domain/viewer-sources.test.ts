// Which layer sources the bundled viewer lacks (src/domain/viewer-sources.ts). The scheme lists
// themselves are checked against a running viewer in test/browser/unsupported-sources.test.ts.
import { describe, expect, it } from "vitest";
import {
  describeUndrawable,
  missingScheme,
  undrawableLayers,
  undrawableWarnings,
} from "../../src/domain/viewer-sources.js";

describe("missingScheme", () => {
  it.each([
    // Drawable: the modules this viewer has.
    ["precomputed://https://host/raw", null],
    ["precomputed://s3://e11bio-prism/raw", null],
    ["zarr://gs://bucket/a.zarr", null],
    ["zarr2://https://host/a.zarr", null],
    ["ZARR3://s3+https://host/a.zarr", null],
    ["local://annotations", null],
    ["gs://bucket/path|zarr3:", null],
    ["s3://bucket/path/|neuroglancer-precomputed:", null],
    ["https://host/path|zarr:|", null],
    // A bare store: Neuroglancer detects the format by reading it, so it may well draw.
    ["https://host/data/", null],
    // No scheme at all: Neuroglancer rejects it itself, whatever modules it has.
    ["/relative/path", null],
    // What the stock client has and this one does not.
    ["n5://https://host/em.n5/s0", "n5"],
    ["graphene://https://pcg.example/segmentation/table/x", "graphene"],
    ["brainmaps://project:dataset:volume", "brainmaps"],
    ["dvid://https://dvid.example/uuid/seg", "dvid"],
    ["nifti://https://host/brain.nii.gz", "nifti"],
    ["deepzoom://https://host/image.dzi", "deepzoom"],
    ["boss://https://api.bossdb.io/coll/exp/chan", "boss"],
    ["vtk://https://host/mesh.vtk", "vtk"],
    ["obj://https://host/mesh.obj", "obj"],
    ["https://host/vol.zip|zip:|zarr3:", "zip"],
    ["gs://bucket/img.nii.gz|gzip:|nifti:", "gzip"],
    ["gs://bucket/path|ocdbt:|neuroglancer-precomputed:", "ocdbt"],
    ["gs://bucket/path.n5|n5:", "n5"],
    ["middleauth+https://host/path|zarr:", "middleauth+https"],
    ["  n5://https://host/em.n5/s0 ", "n5"],
  ])("%s -> %s", (url, expected) => {
    expect(missingScheme(url)).toBe(expected);
  });
});

describe("undrawableLayers", () => {
  it("names each layer once, by its first missing scheme, in layer order", () => {
    const state = {
      layers: [
        { type: "image", name: "raw", source: "precomputed://s3://b/raw" },
        { type: "image", name: "em", source: ["precomputed://s3://b/x", "n5://https://h/em"] },
        { type: "segmentation", name: "seg", source: { url: "graphene://https://h/t" } },
        { type: "image", source: [{ url: "dvid://https://h/u/g" }, "nifti://https://h/a.nii"] },
        { type: "annotation", name: "notes", source: "local://annotations" },
        { type: "annotation", name: "no source" },
      ],
    };
    expect(undrawableLayers(state)).toEqual([
      { name: "em", index: 1, path: "layers[1].source", scheme: "n5", url: "n5://https://h/em" },
      {
        name: "seg",
        index: 2,
        path: "layers[2].source",
        scheme: "graphene",
        url: "graphene://https://h/t",
      },
      {
        name: "layer 4",
        index: 3,
        path: "layers[3].source",
        scheme: "dvid",
        url: "dvid://https://h/u/g",
      },
    ]);
  });

  it("reads the old form of layers, an object keyed by layer name", () => {
    const state = {
      layers: {
        raw: { type: "image", source: "precomputed://s3://b/raw" },
        em: { type: "image", source: "boss://https://api/c/e/ch" },
        "my seg": { type: "segmentation", source: "n5://https://h/seg" },
      },
    };
    expect(undrawableLayers(state)).toEqual([
      {
        name: "em",
        index: 1,
        path: "layers.em.source",
        scheme: "boss",
        url: "boss://https://api/c/e/ch",
      },
      {
        name: "my seg",
        index: 2,
        path: 'layers["my seg"].source',
        scheme: "n5",
        url: "n5://https://h/seg",
      },
    ]);
  });

  it.each([
    null,
    "text",
    [],
    {},
    { layers: null },
    { layers: 3 },
    { layers: [null, 1, "x", { source: 5 }, { source: { url: 7 } }, { source: null }] },
    // Not own properties: a prototype must not make a layer list appear.
    Object.create({ layers: [{ source: "n5://https://h/x" }] }),
  ])("finds none in %j without throwing", (state) => {
    expect(undrawableLayers(state)).toEqual([]);
  });
});

describe("describeUndrawable", () => {
  it("says which layers, and what they need, in one sentence", () => {
    const one = undrawableLayers({ layers: [{ name: "em", source: "n5://https://h/em" }] });
    expect(describeUndrawable(one)).toBe(
      'This viewer cannot draw 1 layer: "em" (n5). Its source type is not built into ' +
        "nglaunch's viewer; open the view in another Neuroglancer to see it.",
    );
    const two = undrawableLayers({
      layers: [
        { name: "em", source: "n5://https://h/em" },
        { name: "seg", source: "graphene://https://h/t" },
      ],
    });
    expect(describeUndrawable(two)).toContain('cannot draw 2 layers: "em" (n5), "seg" (graphene).');
    expect(describeUndrawable(two)).toContain("Their source types are not built");
  });
});

describe("undrawableWarnings", () => {
  it("gives each undrawable layer a warning at its source's JSON path", () => {
    const state = {
      layers: [
        { name: "raw", source: "precomputed://s3://b/raw" },
        { name: "em", source: "n5://https://h/em" },
      ],
    };
    const warnings = undrawableWarnings(state);
    expect(warnings.map((w) => w.path)).toEqual(["layers[1].source"]);
    expect(warnings[0]?.message).toMatch(/^layer "em" needs the n5 source type, which nglaunch's/);
    expect(warnings[0]?.message).toContain(
      "jsonUrl opens the whole view in any other Neuroglancer",
    );
    expect(undrawableWarnings({ layers: [state.layers[0]] })).toEqual([]);
  });
});
