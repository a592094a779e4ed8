import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { layerSource, loadCatalogue, PresetError } from "../../src/domain/presets.js";

const presetsDir = path.join(packageRoot, "presets");
const prism = JSON.parse(readFileSync(path.join(presetsDir, "e11-prism.json"), "utf8"));
const PRISM_LAYERS = [
  "raw",
  "enhanced",
  "markers_all",
  "combined_affs",
  "dense_seg",
  "local_seg_full",
  "local_seg_spines",
  "pre_mask_dense_seg",
  "post_mask_dense_seg",
  "pre_mask_local_seg_spines",
  "post_mask_local_seg_spines",
  "proofed_cells",
  "segments_relabeled",
];

const tmpDirs: string[] = [];
afterEach(() => {
  for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (name -> JSON value or raw text) into a fresh presets directory. */
function presetsWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-presets-"));
  tmpDirs.push(dir);
  for (const [name, content] of Object.entries(files))
    writeFileSync(
      path.join(dir, name),
      typeof content === "string" ? content : JSON.stringify(content),
    );
  return dir;
}

describe("the PRISM catalogue", () => {
  const catalogue = loadCatalogue(presetsDir);
  const dataset = catalogue.datasets.get("e11-prism");

  it("has one layer preset per precomputed folder, id = folder name", () => {
    expect(dataset).toBeDefined();
    expect(Object.keys(dataset?.layers ?? {}).sort()).toEqual([...PRISM_LAYERS].sort());
    for (const [id, layer] of Object.entries(dataset?.layers ?? {})) expect(layer.path).toBe(id);
  });

  it("has the named views, each with a layout and a description", () => {
    expect(Object.keys(dataset?.views ?? {}).sort()).toEqual(
      ["barcodes", "evaluation", "local-segmentation", "overview", "proofread", "synapses"].sort(),
    );
    expect(dataset?.views.overview?.segmentLayer).toBe("dense_seg");
  });

  it("marks every expectation as documented or assumed", () => {
    for (const layer of Object.values(dataset?.layers ?? {}))
      for (const expectation of Object.values(layer.expects))
        expect(["documented", "assumed"]).toContain(expectation.basis);
  });

  it("carries the licence and attribution", () => {
    expect(dataset?.license.name).toBe("CC BY-SA 4.0");
    expect(dataset?.license.attribution).toMatch(/PRISM/);
  });

  it("builds sources from the data root, which SOURCE_ROOTS overrides", () => {
    const raw = dataset?.layers.raw;
    if (!dataset || !raw) throw new Error("missing raw");
    expect(layerSource(dataset, raw)).toBe(
      "precomputed://s3://e11bio-prism/ls/images/precomputed/raw",
    );
    const mirrored = loadCatalogue(presetsDir, { "e11-prism": "http://127.0.0.1:9/fixtures" });
    const m = mirrored.datasets.get("e11-prism");
    if (!m) throw new Error("missing dataset");
    expect(layerSource(m, raw)).toBe("precomputed://http://127.0.0.1:9/fixtures/raw");
  });
});

describe("a malformed preset directory stops start-up with file, path and problem", () => {
  it("names a bad data type with its JSON path", () => {
    const broken = structuredClone(prism);
    broken.layers.raw.expects.dataType.value = "uint12";
    const dir = presetsWith({ "prism.json": broken });
    expect(() => loadCatalogue(dir)).toThrow(PresetError);
    expect(() => loadCatalogue(dir)).toThrow(
      /prism\.json: layers\.raw\.expects\.dataType\.value: /,
    );
  });

  it("names a view that uses an unknown layer", () => {
    const broken = structuredClone(prism);
    broken.views.overview.layers.push("nonexistent");
    const dir = presetsWith({ "prism.json": broken });
    expect(() => loadCatalogue(dir)).toThrow(
      /views\.overview\.layers\[2\]: unknown layer preset "nonexistent"/,
    );
  });

  it('refuses a view named "layer" and a layer name with a dot: their links would collide', () => {
    const view = structuredClone(prism);
    view.views.layer = view.views.overview;
    expect(() => loadCatalogue(presetsWith({ "prism.json": view }))).toThrow(
      /views\.layer: a view cannot be called "layer"/,
    );
    // /v/<dataset>/<view>/preview.png is a view's preview; a layer "preview.png" would match it.
    const layer = structuredClone(prism);
    layer.layers["preview.png"] = layer.layers.raw;
    expect(() => loadCatalogue(presetsWith({ "prism.json": layer }))).toThrow(
      /layers\.preview\.png: expected lower-case letters/,
    );
  });

  it("rejects a segment layer that is not a segmentation", () => {
    const broken = structuredClone(prism);
    broken.views.overview.segmentLayer = "raw";
    const dir = presetsWith({ "prism.json": broken });
    expect(() => loadCatalogue(dir)).toThrow(
      /views\.overview\.segmentLayer: "raw" is not a segmentation layer/,
    );
  });

  it("reports invalid JSON with the file name", () => {
    const dir = presetsWith({ "bad.json": "{ not json" });
    expect(() => loadCatalogue(dir)).toThrow(/bad\.json: not valid JSON/);
  });

  it("rejects unknown keys (typos) and duplicate dataset ids", () => {
    const typo = structuredClone(prism);
    typo.layers.raw.titel = "oops";
    expect(() => loadCatalogue(presetsWith({ "a.json": typo }))).toThrow(
      /layers\.raw: Unrecognized key/,
    );
    expect(() => loadCatalogue(presetsWith({ "a.json": prism, "b.json": prism }))).toThrow(
      /dataset id "e11-prism" is also used by/,
    );
  });

  it("rejects an empty or missing directory and an unknown SOURCE_ROOTS dataset", () => {
    expect(() => loadCatalogue(presetsWith({}))).toThrow(/holds no \*\.json files/);
    expect(() => loadCatalogue("/nonexistent/presets")).toThrow(/presets directory/);
    expect(() => loadCatalogue(presetsDir, { nope: "http://x/" })).toThrow(
      /SOURCE_ROOTS names dataset "nope"/,
    );
  });
});
