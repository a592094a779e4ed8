import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { loadCatalogue } from "../../src/domain/presets.js";
import {
  BuildError,
  type BuildRequest,
  buildStateFromInput,
} from "../../src/domain/state-builder.js";
import { validateState } from "../../src/domain/state-schema/index.js";

const catalogue = loadCatalogue(path.join(packageRoot, "presets"));
const prism = catalogue.datasets.get("e11-prism");
if (!prism) throw new Error("PRISM presets missing");

type Layer = Record<string, unknown>;
const build = (request: BuildRequest) => buildStateFromInput(catalogue, request);
const layersOf = (state: Record<string, unknown>) => state.layers as Layer[];
const layerNamed = (state: Record<string, unknown>, name: string) => {
  const layer = layersOf(state).find((l) => l.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer;
};

function buildError(request: unknown): BuildError {
  try {
    buildStateFromInput(catalogue, request);
  } catch (error) {
    if (error instanceof BuildError) return error;
    throw error;
  }
  throw new Error("expected a BuildError");
}

describe("every preset builds a state the schema accepts", () => {
  for (const view of Object.keys(prism.views)) {
    it(`view ${view}`, () => {
      const { state } = build({ dataset: "e11-prism", view });
      const result = validateState(state);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      expect(state.dimensions).toBeUndefined();
      expect(state.position).toBeUndefined();
    });
  }
  for (const layer of Object.keys(prism.layers)) {
    it(`layer ${layer}`, () => {
      const { state } = build({ dataset: "e11-prism", layers: [layer] });
      expect(validateState(state).valid).toBe(true);
      expect(layersOf(state)[0]?.source).toBe(
        `precomputed://s3://e11bio-prism/ls/images/precomputed/${layer}`,
      );
    });
  }
});

describe("segment IDs", () => {
  it("go to the view's segmentation layer as deduplicated decimal strings", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "overview",
      segments: ["18446744073709551615", 42, "42", "9007199254740993"],
    });
    expect(layerNamed(state, "dense_seg").segments).toEqual([
      "18446744073709551615",
      "42",
      "9007199254740993",
    ]);
    expect(layerNamed(state, "raw").segments).toBeUndefined();
  });

  it("hidden segments use Neuroglancer's !id form, and colours are attached", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "proofread",
      segments: ["1", "2"],
      hiddenSegments: ["2", "3"],
      segmentColors: { "1": "#FF0000" },
    });
    const layer = layerNamed(state, "proofed_cells");
    expect(layer.segments).toEqual(["1", "!2", "!3"]);
    expect(layer.segmentColors).toEqual({ "1": "#ff0000" });
  });

  it("per-layer segments go to the named layer", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "local-segmentation",
      layerSegments: { local_seg_full: ["7"], local_seg_spines: ["8"] },
    });
    expect(layerNamed(state, "local_seg_full").segments).toEqual(["7"]);
    expect(layerNamed(state, "local_seg_spines").segments).toEqual(["8"]);
  });

  it.each([
    ["18446744073709551616", "segments[0]"],
    ["-1", "segments[0]"],
    ["0x10", "segments[0]"],
    ["1e3", "segments[0]"],
    ["", "segments[0]"],
  ])("rejects %j with its index", (id, expectedPath) => {
    const error = buildError({ dataset: "e11-prism", view: "overview", segments: [id] });
    expect(error.issues[0]?.path).toBe(expectedPath);
  });

  it("rejects a JSON number above 2^53 instead of rounding it", () => {
    const error = buildError({ dataset: "e11-prism", view: "overview", segments: ["1", 2 ** 60] });
    expect(error.issues[0]).toMatchObject({ path: "segments[1]" });
    expect(error.issues[0]?.message).toMatch(/send segment IDs as strings/);
  });

  it("handles 100 000 IDs", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => String(10n ** 18n + BigInt(i)));
    const { state } = build({ dataset: "e11-prism", view: "overview", segments: ids });
    expect((layerNamed(state, "dense_seg").segments as string[]).length).toBe(100_000);
  });

  it("refuses segments for a view without a segmentation layer", () => {
    const error = buildError({ dataset: "e11-prism", view: "barcodes", segments: ["1"] });
    expect(error.issues[0]?.message).toMatch(/no segmentation layer/);
  });
});

describe("position, zoom, layout, title and overrides", () => {
  it("places a position given in nm with matching dimensions", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "overview",
      position: [1000, 2000, 300],
      zoom: 40,
      layout: "xy",
      title: "CA3 mossy fibre bouton",
    });
    expect(state.dimensions).toEqual({ x: [1e-9, "m"], y: [1e-9, "m"], z: [1e-9, "m"] });
    expect(state.position).toEqual([1000, 2000, 300]);
    expect(state.crossSectionScale).toBe(40);
    expect(state.layout).toBe("xy");
    expect(state.title).toBe("CA3 mossy fibre bouton");
  });

  it("takes a position in micrometres", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "overview",
      position: [1, 2, 3],
      positionUnit: "um",
    });
    expect(state.dimensions).toEqual({ x: [1e-6, "m"], y: [1e-6, "m"], z: [1e-6, "m"] });
  });

  it("applies visibility, opacity, shader controls and a channel choice", () => {
    const { state } = build({
      dataset: "e11-prism",
      view: "overview",
      layerOptions: {
        raw: { opacity: 0.3, channels: [4, 7, 9], shaderControls: { brightness: 2 } },
        dense_seg: { visible: false },
      },
    });
    const raw = layerNamed(state, "raw");
    expect(raw.opacity).toBe(0.3);
    expect(raw.shaderControls).toEqual({
      red: { channel: 4 },
      green: { channel: 7 },
      blue: { channel: 9 },
      brightness: 2,
    });
    expect(layerNamed(state, "dense_seg").visible).toBe(false);
  });

  it("keeps view-hidden layers hidden", () => {
    const { state } = build({ dataset: "e11-prism", view: "local-segmentation" });
    expect(layerNamed(state, "pre_mask_local_seg_spines").visible).toBe(false);
    expect(layerNamed(state, "raw").visible).toBeUndefined();
  });
});

describe("bad requests name what to fix", () => {
  it.each([
    [{ dataset: "nope", view: "overview" }, "dataset", true],
    [{ dataset: "e11-prism", view: "nope" }, "view", true],
    [{ dataset: "e11-prism", layers: ["raw", "nope"] }, "layers[1]", true],
    [{ dataset: "e11-prism" }, "view", false],
    [{ dataset: "e11-prism", view: "overview", layers: ["raw"] }, "view", false],
    [{ dataset: "e11-prism", view: "overview", layout: "sideways" }, "state.layout", false],
    [
      { dataset: "e11-prism", view: "overview", segmentColors: { "1": "red" } },
      "segmentColors.1",
      false,
    ],
    [{ dataset: "e11-prism", view: "overview", position: [1, 2] }, "position", false],
    [
      { dataset: "e11-prism", view: "overview", layerOptions: { nope: { visible: true } } },
      "layerOptions.nope",
      false,
    ],
    [
      { dataset: "e11-prism", view: "overview", layerOptions: { raw: { channels: [1, 2, 3, 4] } } },
      "layerOptions.raw.channels[3]",
      false,
    ],
    [{ dataset: "e11-prism", view: "overview", colour: "blue" }, "", false],
  ])("%j -> %s", (request, expectedPath, notFound) => {
    const error = buildError(request);
    expect(error.issues.map((i) => i.path)).toContain(expectedPath);
    expect(error.notFound).toBe(notFound);
  });
});

describe("names that are JavaScript built-ins are names like any other", () => {
  const BUILT_INS = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

  it.each(BUILT_INS)("view %s is an unknown view", (name) => {
    const error = buildError({ dataset: "e11-prism", view: name });
    expect(error.notFound).toBe(true);
    expect(error.issues).toEqual([
      { path: "view", message: expect.stringContaining(`unknown view "${name}"`) },
    ]);
  });

  it.each(BUILT_INS)("layer %s is an unknown layer preset", (name) => {
    const error = buildError({ dataset: "e11-prism", layers: [name] });
    expect(error.notFound).toBe(true);
    expect(error.issues[0]?.path).toBe("layers[0]");
  });

  it.each(BUILT_INS)("dataset %s is an unknown dataset", (name) => {
    expect(buildError({ dataset: name, view: "overview" }).issues[0]?.path).toBe("dataset");
  });

  it("layer options and layer segments for built-in names are unknown layers", () => {
    const options = JSON.parse('{"constructor": {"visible": false}, "toString": {}}');
    expect(
      buildError({ dataset: "e11-prism", view: "overview", layerOptions: options }).issues.map(
        (i) => i.path,
      ),
    ).toEqual(["layerOptions.constructor", "layerOptions.toString"]);
    const segments = JSON.parse('{"valueOf": ["1"]}');
    expect(
      buildError({ dataset: "e11-prism", view: "overview", layerSegments: segments }).issues[0]
        ?.path,
    ).toBe("layerSegments.valueOf");
  });

  it("segment colours keyed by a built-in name are a bad segment ID", () => {
    const colours = JSON.parse('{"constructor": "#ff0000"}');
    expect(
      buildError({ dataset: "e11-prism", view: "overview", segmentColors: colours }).issues[0]
        ?.path,
    ).toBe("segmentColors.constructor");
  });

  it('a shader control named "__proto__" neither breaks the build nor sets a prototype', () => {
    const shaderControls = JSON.parse('{"__proto__": {"polluted": true}}');
    const { state } = build({
      dataset: "e11-prism",
      view: "overview",
      layerOptions: { raw: { shaderControls } },
    });
    const controls = layerNamed(state, "raw").shaderControls as Record<string, unknown>;
    expect(Object.getPrototypeOf(controls)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
