// Turns what a user wants (a dataset view or layer presets, segment IDs, colours, a
// position, overrides) into a validated Neuroglancer state. Pure: no I/O, no fastify.
import { z } from "zod";
import { annotationLayersSchema, annotationView, buildAnnotationLayers } from "./annotations.js";
import { withRecordedContrast } from "./contrast.js";
import { ownValue } from "./own-property.js";
import type { ViewPreset } from "./preset-schema.js";
import type { Catalogue, Dataset } from "./presets.js";
import { formatPath, layerSource } from "./presets.js";
import type { StateIssue } from "./state-schema/index.js";
import { validateState } from "./state-schema/index.js";
import { DecimalIdSet, hashUint64Decimal, parseSegmentId } from "./uint64.js";

/** A segment ID as a user may send it: a decimal string, or a JSON number that is a safe integer. */
const segmentIdInput = z
  .unknown()
  // The API contract documents the decimal-string form (generated clients send strings);
  // the builder reads the value itself (collectIds), so bad IDs get messages that say what to fix.
  .meta({ type: "string", pattern: "^[0-9]{1,20}$" })
  .describe(
    'A uint64 as a decimal string, e.g. "648518346349538235" (a JSON number that is a safe integer is also accepted)',
  );
const segmentList = z.array(segmentIdInput);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour "#rrggbb"');

export const layerOptionsSchema = z.strictObject({
  visible: z.boolean().optional(),
  opacity: z.number().min(0).max(1).optional(),
  shaderControls: z.record(z.string(), z.unknown()).optional(),
  /** Channel indices for the layer's channel controls, in order (e.g. [4, 7, 9] -> R, G, B). */
  channels: z.array(z.number().int().min(0)).min(1).optional(),
});

export const buildRequestSchema = z
  .strictObject({
    dataset: z.string().min(1).describe('Dataset id, e.g. "e11-prism".'),
    view: z.string().min(1).optional().describe('Named view, e.g. "overview".'),
    layers: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Layer preset ids, instead of a view."),
    segments: segmentList
      .optional()
      .describe("Segment IDs (decimal strings) for the view's segmentation layer."),
    layerSegments: z
      .record(z.string(), segmentList)
      .optional()
      .describe("Segment IDs per layer name."),
    hiddenSegments: segmentList
      .optional()
      .describe("IDs selected but hidden (Neuroglancer's !id form), on the segment layer."),
    segmentColors: z.record(z.string(), colour).optional().describe("Colour per segment ID."),
    position: z
      .array(z.number().finite())
      .length(3)
      .optional()
      .describe("x, y, z of the view centre, in positionUnit."),
    positionUnit: z.enum(["nm", "um", "m"]).default("nm"),
    zoom: z
      .number()
      .positive()
      .optional()
      .describe("Cross-section scale: positionUnit per screen pixel (larger = zoomed out)."),
    projectionZoom: z.number().positive().optional().describe("3D view scale."),
    layout: z.string().min(1).optional().describe("Neuroglancer layout, e.g. xy, 4panel, xy-3d."),
    title: z.string().max(300).optional(),
    layerOptions: z.record(z.string(), layerOptionsSchema).optional(),
    annotations: annotationLayersSchema.optional(),
  })
  .refine((r) => !(r.view && r.layers), {
    message: "give either view or layers, not both",
    path: ["view"],
  });

export type BuildRequest = z.input<typeof buildRequestSchema>;
export type ParsedBuildRequest = z.output<typeof buildRequestSchema>;

/** A request that cannot be built; `issues` carry JSON paths into the request. */
export class BuildError extends Error {
  override readonly name = "BuildError";
  constructor(
    readonly issues: StateIssue[],
    /** true when the named dataset/view/layer does not exist (HTTP 404 for path lookups). */
    readonly notFound = false,
  ) {
    super(issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; "));
  }
}

export interface BuiltState {
  state: Record<string, unknown>;
  warnings: StateIssue[];
  dataset: Dataset;
  view: string | null;
}

const UNIT_SCALE = { nm: 1e-9, um: 1e-6, m: 1 } as const;

/** Parses, validates and deduplicates IDs; errors name `path[index]`. */
function collectIds(values: readonly unknown[], path: string, issues: StateIssue[]): string[] {
  // Lists run to 100 000 IDs: the check, its hash and the set allocate nothing per valid ID.
  const seen = new DecimalIdSet(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const id =
      typeof value === "string"
        ? value
        : typeof value === "number" && Number.isSafeInteger(value) && value >= 0
          ? String(value)
          : undefined;
    const hash = id === undefined ? -1 : hashUint64Decimal(id);
    if (id !== undefined && hash >= 0) seen.add(id, hash);
    else {
      const parsed = parseSegmentId(value);
      if (!parsed.ok) issues.push({ path: `${path}[${i}]`, message: parsed.message });
    }
  }
  return seen.ids;
}

interface LayerChoice {
  preset: string;
  name: string;
  visible: boolean;
}

function chooseLayers(
  dataset: Dataset,
  request: ParsedBuildRequest,
): { choices: LayerChoice[]; view: ViewPreset | null } {
  if (request.view !== undefined) {
    const view = ownValue(dataset.views, request.view);
    if (!view) {
      const known = Object.keys(dataset.views).join(", ");
      throw new BuildError(
        [{ path: "view", message: `unknown view "${request.view}"; known views: ${known}` }],
        true,
      );
    }
    const choices = view.layers.map((entry) =>
      typeof entry === "string"
        ? { preset: entry, name: entry, visible: true }
        : { preset: entry.preset, name: entry.name ?? entry.preset, visible: entry.visible },
    );
    return { choices, view };
  }
  if (request.layers !== undefined) {
    const issues: StateIssue[] = [];
    const known = Object.keys(dataset.layers).join(", ");
    request.layers.forEach((preset, i) => {
      if (!ownValue(dataset.layers, preset))
        issues.push({
          path: `layers[${i}]`,
          message: `unknown layer preset "${preset}"; known: ${known}`,
        });
    });
    if (issues.length > 0) throw new BuildError(issues, true);
    const unique = [...new Set(request.layers)];
    return {
      choices: unique.map((preset) => ({ preset, name: preset, visible: true })),
      view: null,
    };
  }
  throw new BuildError([{ path: "view", message: "give a view (or a list of layers)" }]);
}

/** Builds the state for a request already parsed by buildRequestSchema. */
export function buildState(catalogue: Catalogue, request: ParsedBuildRequest): BuiltState {
  const dataset = catalogue.datasets.get(request.dataset);
  if (!dataset) {
    const known = [...catalogue.datasets.keys()].join(", ");
    throw new BuildError(
      [{ path: "dataset", message: `unknown dataset "${request.dataset}"; known: ${known}` }],
      true,
    );
  }
  const { choices, view } = chooseLayers(dataset, request);
  const issues: StateIssue[] = [];
  const names = new Set(choices.map((c) => c.name));

  const segmentLayer =
    view?.segmentLayer ??
    choices.find((c) => ownValue(dataset.layers, c.preset)?.type === "segmentation")?.name;
  const segmentsByLayer = new Map<string, { visible: string[]; hidden: string[] }>();
  const wantsDefaultLayer =
    request.segments !== undefined || request.hiddenSegments !== undefined || request.segmentColors;
  if (wantsDefaultLayer && segmentLayer === undefined) {
    issues.push({
      path: request.segments ? "segments" : "hiddenSegments",
      message: "this view has no segmentation layer; use layers with a segmentation preset",
    });
  } else if (segmentLayer !== undefined && (request.segments || request.hiddenSegments)) {
    segmentsByLayer.set(segmentLayer, {
      visible: collectIds(request.segments ?? [], "segments", issues),
      hidden: collectIds(request.hiddenSegments ?? [], "hiddenSegments", issues),
    });
  }
  for (const [layerName, ids] of Object.entries(request.layerSegments ?? {})) {
    const choice = choices.find((c) => c.name === layerName);
    if (!choice || ownValue(dataset.layers, choice.preset)?.type !== "segmentation") {
      issues.push({
        path: `layerSegments.${layerName}`,
        message: `no segmentation layer "${layerName}" in this view`,
      });
      continue;
    }
    const entry = segmentsByLayer.get(layerName) ?? { visible: [], hidden: [] };
    entry.visible = [
      ...new Set([...entry.visible, ...collectIds(ids, `layerSegments.${layerName}`, issues)]),
    ];
    segmentsByLayer.set(layerName, entry);
  }
  const segmentColors: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.segmentColors ?? {})) {
    const parsed = parseSegmentId(key);
    if (parsed.ok) segmentColors[parsed.id] = value.toLowerCase();
    else issues.push({ path: `segmentColors.${key}`, message: parsed.message });
  }
  for (const layerName of Object.keys(request.layerOptions ?? {})) {
    if (!names.has(layerName))
      issues.push({
        path: `layerOptions.${layerName}`,
        message: `no layer "${layerName}" in this view`,
      });
  }
  if (issues.length > 0) throw new BuildError(issues);

  const layers = choices.map((choice) => {
    // biome-ignore lint/style/noNonNullAssertion: chooseLayers and crossCheck guarantee the preset.
    const preset = ownValue(dataset.layers, choice.preset)!;
    const options = request.layerOptions && ownValue(request.layerOptions, choice.name);
    const layer: Record<string, unknown> = {
      type: preset.type,
      source: layerSource(dataset, preset),
      name: choice.name,
      ...structuredClone(preset.defaults),
    };
    if (!(options?.visible ?? choice.visible)) layer.visible = false;
    if (options?.opacity !== undefined) layer.opacity = options.opacity;
    if (options?.shaderControls || options?.channels) {
      // Spread, not Object.assign: a "__proto__" key stays a key instead of setting a prototype.
      const controls: Record<string, unknown> = {
        ...((layer.shaderControls as Record<string, unknown>) ?? {}),
        ...options.shaderControls,
      };
      options.channels?.forEach((channel, i) => {
        const control = preset.channelControls[i];
        if (control === undefined) {
          issues.push({
            path: `layerOptions.${choice.name}.channels[${i}]`,
            message: `layer "${choice.name}" has ${preset.channelControls.length} channel controls`,
          });
          return;
        }
        const current = ownValue(controls, control);
        const base = current && typeof current === "object" ? current : {};
        controls[control] = { ...base, channel };
      });
      layer.shaderControls = controls;
    }
    const contrasted = withRecordedContrast(preset, layer.shaderControls, options?.shaderControls);
    if (contrasted) layer.shaderControls = contrasted;
    const segments = segmentsByLayer.get(choice.name);
    if (segments) {
      const hidden = new Set(segments.hidden);
      const list =
        hidden.size === 0 ? segments.visible : segments.visible.filter((id) => !hidden.has(id));
      for (const id of hidden) list.push(`!${id}`);
      layer.segments = list;
    }
    if (choice.name === segmentLayer && Object.keys(segmentColors).length > 0)
      layer.segmentColors = segmentColors;
    return layer;
  });
  const annotated = buildAnnotationLayers(
    request.annotations ?? [],
    {
      layerNames: names,
      segmentationLayers: new Set(
        choices.filter((c) => dataset.layers[c.preset]?.type === "segmentation").map((c) => c.name),
      ),
      defaultSegmentLayer: segmentLayer,
    },
    issues,
  );
  layers.push(...annotated.layers);
  if (issues.length > 0) throw new BuildError(issues);

  const state: Record<string, unknown> = {};
  if (request.title !== undefined) state.title = request.title;
  if (request.position) {
    const scale = UNIT_SCALE[request.positionUnit];
    state.dimensions = { x: [scale, "m"], y: [scale, "m"], z: [scale, "m"] };
    state.position = request.position;
  } else if (annotated.extentNm) Object.assign(state, annotationView(annotated.extentNm));
  if (request.zoom !== undefined) state.crossSectionScale = request.zoom;
  if (request.projectionZoom !== undefined) state.projectionScale = request.projectionZoom;
  state.layers = layers;
  const selected = view?.selectedLayer;
  if (selected) state.selectedLayer = { layer: selected, visible: true };
  state.layout = request.layout ?? view?.layout ?? "4panel";

  const result = validateState(state);
  if (!result.valid)
    throw new BuildError(result.errors.map((e) => ({ ...e, path: `state.${e.path}` })));
  const warnings = [...annotated.warnings, ...result.warnings];
  return { state, warnings, dataset, view: request.view ?? null };
}

/** Parses an unknown request body and builds it; zod problems become BuildError issues. */
export function buildStateFromInput(catalogue: Catalogue, input: unknown): BuiltState {
  const parsed = buildRequestSchema.safeParse(input);
  if (!parsed.success)
    throw new BuildError(
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  return buildState(catalogue, parsed.data);
}
