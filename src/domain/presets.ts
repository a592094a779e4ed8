// Loads the preset catalogue: every presets/*.json file, validated with zod and
// cross-checked, so a malformed file stops start-up with the file, JSON path and problem.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { ownValue } from "./own-property.js";
import {
  type DatasetPreset,
  datasetPresetSchema,
  type LayerPreset,
  type ViewPreset,
} from "./preset-schema.js";

export interface Dataset extends DatasetPreset {
  /** The file the dataset came from, for messages. */
  file: string;
}

export interface Catalogue {
  datasets: ReadonlyMap<string, Dataset>;
}

export class PresetError extends Error {
  override readonly name = "PresetError";
}

/** "layers.raw.expects.dataType.value" style path from a zod issue path. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** An issue's message; for a bad record key ("Invalid key in record"), what the key got wrong. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== "invalid_key") return issue.message;
  return issue.issues.map((inner) => inner.message).join("; ") || issue.message;
}

function describeZodIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map((issue) => `${file}: ${formatPath(issue.path) || "(root)"}: ${issueMessage(issue)}`)
    .join("\n");
}

/** Cross-references zod cannot express: views name existing layers, segment layers segment. */
function crossCheck(dataset: DatasetPreset): string[] {
  const problems: string[] = [];
  for (const [viewId, view] of Object.entries(dataset.views)) {
    const presetIds = viewLayerPresets(view);
    presetIds.forEach((presetId, i) => {
      if (!ownValue(dataset.layers, presetId))
        problems.push(`views.${viewId}.layers[${i}]: unknown layer preset "${presetId}"`);
    });
    if (view.segmentLayer !== undefined) {
      if (!presetIds.includes(view.segmentLayer))
        problems.push(
          `views.${viewId}.segmentLayer: "${view.segmentLayer}" is not one of the view's layers`,
        );
      else if (ownValue(dataset.layers, view.segmentLayer)?.type !== "segmentation")
        problems.push(
          `views.${viewId}.segmentLayer: "${view.segmentLayer}" is not a segmentation layer`,
        );
    }
    if (view.selectedLayer !== undefined && !presetIds.includes(view.selectedLayer))
      problems.push(
        `views.${viewId}.selectedLayer: "${view.selectedLayer}" is not one of the view's layers`,
      );
  }
  for (const [layerId, layer] of Object.entries(dataset.layers)) {
    if (layer.expects.layerType.value !== layer.type)
      problems.push(`layers.${layerId}.expects.layerType.value: differs from type "${layer.type}"`);
    const shader = typeof layer.defaults.shader === "string" ? layer.defaults.shader : "";
    layer.channelControls.forEach((control, i) => {
      if (!new RegExp(`#uicontrol\\s+invlerp\\s+${control}\\b`).test(shader))
        problems.push(
          `layers.${layerId}.channelControls[${i}]: the shader declares no invlerp control "${control}"`,
        );
    });
  }
  return problems;
}

/** The view or layer preset a view link names (own properties only: "constructor" is no view). */
export function presetOf(
  dataset: DatasetPreset,
  target: { view: string } | { layer: string },
): ViewPreset | LayerPreset | undefined {
  return "view" in target
    ? ownValue(dataset.views, target.view)
    : ownValue(dataset.layers, target.layer);
}

/** The preset ids of a view's layers, in order. */
export function viewLayerPresets(view: ViewPreset): string[] {
  return view.layers.map((entry) => (typeof entry === "string" ? entry : entry.preset));
}

/** Parses one preset file's text; throws PresetError naming the file and JSON path. */
export function parseDatasetFile(file: string, text: string): Dataset {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new PresetError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = datasetPresetSchema.safeParse(raw);
  if (!parsed.success) throw new PresetError(describeZodIssues(file, parsed.error));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0)
    throw new PresetError(problems.map((problem) => `${file}: ${problem}`).join("\n"));
  return { ...parsed.data, file };
}

/**
 * Loads every *.json file in `dir`. `sourceRoots` overrides a dataset's data root
 * (SOURCE_ROOTS), for mirrors and test fixtures.
 */
export function loadCatalogue(dir: string, sourceRoots: Record<string, string> = {}): Catalogue {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .sort();
  } catch (error) {
    throw new PresetError(`presets directory ${dir}: ${(error as Error).message}`);
  }
  if (files.length === 0) throw new PresetError(`presets directory ${dir} holds no *.json files`);
  const datasets = new Map<string, Dataset>();
  for (const name of files) {
    const file = path.join(dir, name);
    const dataset = parseDatasetFile(file, readFileSync(file, "utf8"));
    const other = datasets.get(dataset.id);
    if (other)
      throw new PresetError(`${file}: dataset id "${dataset.id}" is also used by ${other.file}`);
    datasets.set(dataset.id, dataset);
  }
  for (const [datasetId, root] of Object.entries(sourceRoots)) {
    const dataset = datasets.get(datasetId);
    if (!dataset)
      throw new PresetError(
        `SOURCE_ROOTS names dataset "${datasetId}", which no preset file defines`,
      );
    dataset.dataRoot = root.endsWith("/") ? root : `${root}/`;
  }
  return { datasets };
}

/** The Neuroglancer source URL of a layer preset, in the legacy `format://url` form
 *  that every Neuroglancer version understands (links must outlive viewer upgrades). */
export function layerSource(dataset: DatasetPreset, layer: LayerPreset): string {
  return `${layer.format}://${dataset.dataRoot}${layer.path.replace(/^\/+|\/+$/g, "")}`;
}
