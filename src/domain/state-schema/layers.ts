// Layers: the array (or legacy {name: layer}) form, names and types, the keys every layer has,
// and the field table of each layer type.

import { ANNOTATION_LAYER_FIELDS, annotationRank } from "./annotations.js";
import { coordinateSpace, position, velocity } from "./coordinates.js";
import {
  alpha,
  at,
  bool,
  child,
  color,
  FINITE,
  type FieldTable,
  finite,
  isObject,
  type JsonObject,
  list,
  noCheck,
  oneOf,
  positive,
  type StateValidator,
  str,
  stringArray,
  words,
} from "./core.js";
import { panelLocation } from "./layouts-and-panels.js";
import { SEGMENTATION_LAYER_FIELDS } from "./segments.js";
import { SHADED_LAYER_FIELDS } from "./shaders.js";
import { dataSourceUrl, sources } from "./sources.js";
import { legacyTool, toolBindings } from "./tools.js";

const LAYER_TYPES = words("image segmentation annotation mesh new auto pointAnnotation");

export function layers(v: StateValidator, value: unknown, path: string): void {
  if (Array.isArray(value)) {
    const seen = new Map<string, string>();
    for (let i = 0; i < value.length; i++) layerSpec(v, value[i], at(path, i), seen);
  } else if (isObject(value)) {
    v.warn(
      path,
      'legacy form {name: layer}; Neuroglancer still reads it, but writes "layers" as an array of layers with "name"',
    );
    for (const name of Object.keys(value)) {
      const spec = value[name];
      const p = child(path, name);
      if (typeof spec === "string") dataSourceUrl(v, spec, p);
      else layerSpec(v, spec, p);
    }
  } else v.typeError(path, "an array of layers", value);
}

/** One layer; `seenNames` (name to path) only in the array form, where names are values. */
function layerSpec(
  v: StateValidator,
  value: unknown,
  path: string,
  seenNames?: Map<string, string>,
): void {
  const spec = v.object(
    value,
    path,
    'a layer object such as {"name": "em", "type": "image", "source": "..."}',
  );
  if (spec === undefined) return;
  if (seenNames !== undefined) layerName(v, spec.name, child(path, "name"), seenNames);
  const type = layerType(v, spec.type, child(path, "type"));
  const localDimensions = spec.localDimensions;
  v.layer = {
    localDimensionNames: isObject(localDimensions) ? Object.keys(localDimensions) : undefined,
    annotationRank: annotationRank(v, spec),
    annotationPropertyCount: Array.isArray(spec.annotationProperties)
      ? spec.annotationProperties.length
      : 0,
    annotationRelationships: Array.isArray(spec.annotationRelationships)
      ? spec.annotationRelationships.length
      : 1,
    plainUrlSource: typeof spec.source === "string",
  };
  const table = LAYER_FIELDS[type];
  if (table !== undefined) v.fields(spec, path, table, ` for a layer of type "${type}"`);
  else untypedLayerFields(v, spec, path, type);
  v.layer = undefined;
}

function layerName(
  v: StateValidator,
  name: unknown,
  path: string,
  seenNames: Map<string, string>,
): void {
  if (name === undefined) {
    v.error(path, 'every layer needs a "name"; send a unique, non-empty string');
    return;
  }
  if (!v.string(name, path)) return;
  if (name === "") {
    v.error(path, "layer name is empty; send a unique, non-empty string");
    return;
  }
  const earlier = seenNames.get(name);
  // The client renames the later layer, so links, layouts and selectedLayer point elsewhere.
  if (earlier !== undefined)
    v.error(
      path,
      `layer name ${JSON.stringify(name)} is already used by ${earlier}; Neuroglancer would silently rename this layer, so give each layer a unique name`,
    );
  else seenNames.set(name, path.slice(0, -".name".length));
}

function layerType(v: StateValidator, value: unknown, path: string): string {
  if (value === undefined) return "auto";
  if (typeof value === "string" && (LAYER_TYPES as readonly string[]).includes(value)) {
    if (value === "pointAnnotation")
      v.warn(
        path,
        'legacy layer type "pointAnnotation"; Neuroglancer reads it as "annotation", so send that',
      );
    return value;
  }
  // The client turns an unknown type into an empty "new" layer, dropping everything else.
  v.typeError(path, `one of ${list(LAYER_TYPES)}`, value);
  return "invalid";
}

/** Layers of type auto/new: type-specific keys are dropped when the client picks the type. */
function untypedLayerFields(v: StateValidator, spec: JsonObject, path: string, type: string): void {
  for (const key of Object.keys(spec)) {
    const value = spec[key];
    if (value === undefined) continue;
    const p = child(path, key);
    const common = Object.hasOwn(COMMON_LAYER_FIELDS, key) ? COMMON_LAYER_FIELDS[key] : undefined;
    if (common !== undefined) {
      common(v, value, p);
      continue;
    }
    if (type === "invalid") {
      v.freeform(value, p);
      continue;
    }
    const owners = TYPED_LAYERS.filter((t) => Object.hasOwn(LAYER_FIELDS[t] ?? {}, key));
    if (owners.length === 0) v.unknownKey(value, p, key, " for a layer");
    else {
      v.warn(
        p,
        `${JSON.stringify(key)} applies to ${owners.join("/")} layers, but this layer's type is "${type}"; Neuroglancer picks the type from the data and drops this key, so set "type"`,
      );
      v.freeform(value, p);
    }
  }
}

export function legacyLayerTransform(v: StateValidator, value: unknown, path: string): void {
  if (isObject(value) && (value.outputDimensions !== undefined || value.matrix !== undefined)) {
    // Read as the legacy {rotation, translation, scale} form, so these keys do nothing here.
    v.error(
      path,
      'a layer-level "transform" is read in the legacy {rotation, translation, scale} form, so "outputDimensions" and "matrix" are ignored here; move it into the source: {"url": ..., "transform": {...}}',
    );
    return;
  }
  v.legacy(path, 'but send a "transform" inside the source object instead');
  if (!v.currentLayer().plainUrlSource)
    v.warn(
      path,
      'a layer-level "transform" only applies to a source given as a plain URL string; Neuroglancer ignores it here',
    );
  if (Array.isArray(value)) {
    if (value.length === 16) v.numberArray(value, path, FINITE, 16);
    else {
      const rows = v.array(value, path, "16 numbers, or 4 rows of 4 numbers");
      if (rows !== undefined && rows.length !== 4)
        v.error(
          path,
          `transform must be 16 numbers or 4 rows of 4 numbers; got ${rows.length} entries`,
        );
      else if (rows !== undefined)
        for (let i = 0; i < rows.length; i++) v.numberArray(rows[i], at(path, i), FINITE, 4);
    }
  } else {
    const transform = v.object(
      value,
      path,
      "an array of 16 numbers or {rotation, translation, scale}",
    );
    if (transform !== undefined)
      v.fields(transform, path, LEGACY_TRANSFORM_FIELDS, " in a legacy transform");
  }
}

const LEGACY_TRANSFORM_FIELDS: FieldTable = {
  rotation: (v, x, p) => v.numberArray(x, p, FINITE, 4),
  translation: (v, x, p) => v.numberArray(x, p, FINITE, 3),
  scale: (v, x, p) => v.numberArray(x, p, FINITE, 3),
};

const COMMON_LAYER_FIELDS: FieldTable = {
  name: noCheck,
  type: noCheck,
  // verifyBoolean: anything else makes the client throw and drop the layer.
  visible: bool,
  archived: bool,
  source: (v, x, p) => sources(v, x, p),
  transform: (v, x, p) => legacyLayerTransform(v, x, p),
  tab: str,
  panels: (v, x, p) =>
    v.eachItem(x, p, "an array of panel locations", (v2, item, itemPath) =>
      panelLocation(v2, item, itemPath, { tab: str, tabs: stringArray }),
    ),
  pick: bool,
  tool: (v, x, p) => legacyTool(v, x, p),
  toolBindings: (v, x, p) => toolBindings(v, x, p),
  localDimensions: (v, x, p) => coordinateSpace(v, x, p),
  localPosition: (v, x, p) =>
    position(v, x, p, v.currentLayer().localDimensionNames, '"localDimensions"'),
  localVelocity: (v, x, p) =>
    velocity(v, x, p, v.currentLayer().localDimensionNames, '"localDimensions"'),
};

const IMAGE_LAYER_FIELDS: FieldTable = {
  ...COMMON_LAYER_FIELDS,
  ...SHADED_LAYER_FIELDS,
  opacity: alpha,
  blend: oneOf(["default", "additive"]),
  crossSectionRenderScale: positive,
  channelDimensions: (v, x, p) => coordinateSpace(v, x, p),
  volumeRendering: (v, x, p) => {
    if (typeof x !== "boolean") v.enumString(x, p, ["off", "on", "max", "min"]);
  },
  volumeRenderingGain: finite,
  volumeRenderingDepthSamples: positive,
  annotationColor: color,
};

const MESH_LAYER_FIELDS: FieldTable = { ...COMMON_LAYER_FIELDS, ...SHADED_LAYER_FIELDS };

const ANNOTATION_FIELDS: FieldTable = { ...COMMON_LAYER_FIELDS, ...ANNOTATION_LAYER_FIELDS };

const LAYER_FIELDS: Readonly<Record<string, FieldTable>> = {
  image: IMAGE_LAYER_FIELDS,
  segmentation: { ...COMMON_LAYER_FIELDS, ...SEGMENTATION_LAYER_FIELDS },
  annotation: ANNOTATION_FIELDS,
  pointAnnotation: ANNOTATION_FIELDS,
  mesh: MESH_LAYER_FIELDS,
};
const TYPED_LAYERS = ["image", "segmentation", "annotation", "mesh"];
