// Annotation layers: local annotations, annotation properties and relationships, and the rank
// local annotations have.

import {
  at,
  bool,
  child,
  color,
  FINITE,
  type FieldTable,
  isObject,
  type JsonObject,
  type LayerContext,
  label,
  legacy,
  list,
  NON_NEGATIVE,
  POSITIVE,
  positive,
  type StateValidator,
  str,
  stringArray,
  words,
} from "./core.js";
import { segmentIds } from "./segments.js";
import { SHADED_LAYER_FIELDS } from "./shaders.js";
import { LOCAL_ANNOTATIONS } from "./sources.js";

const ANNOTATION_GEOMETRY: Readonly<Record<string, readonly string[]>> = {
  point: ["point"],
  line: ["pointA", "pointB"],
  axis_aligned_bounding_box: ["pointA", "pointB"],
  ellipsoid: ["center", "radii"],
  polyline: ["points"],
};
const ANNOTATION_COMMON_KEYS = words("type id description segments props");
const ANNOTATION_PROPERTY_TYPES = words("rgb rgba float32 uint32 int32 uint16 int16 uint8 int8");

/**
 * The rank the local annotations of this layer will have, when the state alone decides it: the
 * rank of an explicit source transform, else that of "dimensions" (the client's default).
 */
export function annotationRank(
  v: StateValidator,
  spec: JsonObject,
): LayerContext["annotationRank"] {
  const { source } = spec;
  const local = (Array.isArray(source) ? source : [source]).find(
    (s) => s === LOCAL_ANNOTATIONS || (isObject(s) && s.url === LOCAL_ANNOTATIONS),
  );
  // An annotation layer without "source" gets local annotations too (legacy form).
  if (local === undefined && source !== undefined) return undefined;
  if (isObject(local) && local.transform !== undefined) {
    const { transform } = local;
    if (!isObject(transform) || transform.sourceRank !== undefined) return undefined;
    const output = transform.outputDimensions;
    return isObject(output) ? { rank: Object.keys(output).length, explicit: true } : undefined;
  }
  // Legacy voxelSize or layer-level transform: a rank-3 space the client builds itself.
  if (spec.voxelSize !== undefined || spec.transform !== undefined) return undefined;
  const names = v.globalDimensionNames;
  return names === undefined ? undefined : { rank: names.length, explicit: false };
}

export function annotations(v: StateValidator, value: unknown, path: string): void {
  // The client restores local annotations inside a try/catch: one bad entry loses them all.
  const annotations = v.array(
    value,
    path,
    'an array of annotations such as {"type": "point", "id": "1", "point": [1, 2, 3]}',
  );
  if (annotations === undefined) return;
  const layer = v.currentLayer();
  const ids = new Map<string, number>();
  let rank = layer.annotationRank?.rank;
  for (let i = 0; i < annotations.length; i++) {
    const p = at(path, i);
    const annotation = v.object(
      annotations[i],
      p,
      'an annotation object such as {"type": "point", "id": "1", "point": [1, 2, 3]}',
    );
    if (annotation === undefined) continue;
    const type = typeof annotation.type === "string" ? annotation.type.toLowerCase() : undefined;
    const geometry = type === undefined ? undefined : ANNOTATION_GEOMETRY[type];
    if (geometry === undefined)
      v.typeError(
        child(p, "type"),
        `one of ${list(Object.keys(ANNOTATION_GEOMETRY))}`,
        annotation.type,
      );
    const id = annotation.id;
    const idPath = child(p, "id");
    if (id === undefined) v.error(idPath, 'every annotation needs an "id" string');
    else if (v.string(id, idPath)) {
      const earlier = ids.get(id);
      if (earlier === undefined) ids.set(id, i);
      else
        v.error(
          idPath,
          `annotation id ${JSON.stringify(id)} is already used by ${at(path, earlier)}; Neuroglancer keeps only the last one`,
        );
    }
    for (const key of Object.keys(annotation)) {
      const keyPath = child(p, key);
      const field = annotation[key];
      if (key === "description") v.string(field, keyPath);
      else if (key === "segments")
        annotationSegments(v, field, keyPath, layer.annotationRelationships);
      else if (key === "props") annotationProps(v, field, keyPath, layer.annotationPropertyCount);
      else if (ANNOTATION_COMMON_KEYS.includes(key)) continue;
      // With an unknown type there is no telling which keys belong; the type is the error.
      else if (geometry === undefined) v.freeform(field, keyPath);
      else if (!geometry.includes(key))
        v.unknownKey(field, keyPath, key, ` for a ${type} annotation`);
    }
    if (geometry === undefined) continue;
    for (const key of geometry) {
      const keyPath = child(p, key);
      const field = annotation[key];
      if (field === undefined) {
        v.error(keyPath, `a ${type} annotation needs ${list(geometry)}`);
        continue;
      }
      const vectors =
        key === "points" ? (v.array(field, keyPath, "an array of points") ?? []) : [field];
      for (let j = 0; j < vectors.length; j++) {
        const vectorPath = key === "points" ? at(keyPath, j) : keyPath;
        const rule = key === "radii" ? NON_NEGATIVE : FINITE;
        const coordinates = v.numberArray(vectors[j], vectorPath, rule);
        if (coordinates === undefined) continue;
        rank ??= coordinates.length;
        if (coordinates.length !== rank)
          annotationRankMismatch(v, vectorPath, coordinates.length, rank);
      }
    }
  }
}

function annotationRankMismatch(
  v: StateValidator,
  path: string,
  length: number,
  rank: number,
): void {
  const known = v.currentLayer().annotationRank;
  const message = `has ${length} coordinates but ${known === undefined ? "earlier annotations have" : "this annotation layer has rank"} ${rank}; one bad annotation makes Neuroglancer drop all of them`;
  if (known === undefined || known.explicit) v.error(path, `${label(path)} ${message}`);
  // Derived from "dimensions", which data sources may extend: likely wrong, but not certain.
  else v.warn(path, `${label(path)} ${message}`);
}

function annotationSegments(
  v: StateValidator,
  value: unknown,
  path: string,
  relationships: number,
): void {
  const lists = v.array(value, path, 'an array of segment IDs, e.g. ["123"]');
  if (lists === undefined || lists.length === 0) return;
  if (relationships === 1 && !Array.isArray(lists[0])) {
    segmentIds(v, lists, path, false, false);
    return;
  }
  if (lists.length !== relationships)
    v.error(
      path,
      `segments must have one ID list per annotation relationship (${relationships}); got ${lists.length}`,
    );
  for (let i = 0; i < lists.length; i++) segmentIds(v, lists[i], at(path, i), false, false);
}

function annotationProps(v: StateValidator, value: unknown, path: string, count: number): void {
  const props = v.array(value, path, "an array with one value per annotation property");
  if (props === undefined) return;
  if (props.length !== count)
    v.error(
      path,
      `props must have one value per entry of "annotationProperties" (${count}); got ${props.length}`,
    );
  for (let i = 0; i < props.length; i++) {
    const prop = props[i];
    if (typeof prop === "string" || typeof prop === "number") continue;
    v.typeError(at(path, i), "a number or a colour string", prop);
  }
}

export function annotationProperties(v: StateValidator, value: unknown, path: string): void {
  const specs = v.array(value, path, 'an array such as [{"id": "score", "type": "float32"}]');
  if (specs === undefined) return;
  const ids = new Set<string>();
  for (let i = 0; i < specs.length; i++) {
    const p = at(path, i);
    const spec = v.object(specs[i], p, 'an object such as {"id": "score", "type": "float32"}');
    if (spec === undefined) continue;
    v.fields(spec, p, ANNOTATION_PROPERTY_FIELDS, " in an annotation property");
    const id = spec.id;
    if (id === undefined) v.error(child(p, "id"), 'an annotation property needs an "id"');
    else if (typeof id === "string") {
      if (ids.has(id))
        v.error(child(p, "id"), `annotation property id ${JSON.stringify(id)} is used twice`);
      ids.add(id);
    }
    if (spec.type === undefined)
      v.error(
        child(p, "type"),
        `an annotation property needs a "type": one of ${list(ANNOTATION_PROPERTY_TYPES)}`,
      );
  }
}

const ANNOTATION_PROPERTY_FIELDS: FieldTable = {
  id: (v, x, p) => {
    if (v.string(x, p) && !/^[a-z][a-zA-Z0-9_]*$/.test(x))
      v.error(
        p,
        `annotation property id ${JSON.stringify(x)} is invalid; it must start with a lower-case letter and continue with letters, digits or _`,
      );
  },
  type: (v, x, p) => v.enumString(x, p, ANNOTATION_PROPERTY_TYPES, false),
  description: str,
  default: (v, x, p) => {
    if (typeof x !== "number" && typeof x !== "string")
      v.typeError(p, "a number or a colour string", x);
  },
  enum_values: (v, x, p) => v.numberArray(x, p, FINITE),
  enum_labels: stringArray,
};

/** Keys of an annotation layer beyond those every layer has (layers.ts). */
export const ANNOTATION_LAYER_FIELDS: FieldTable = {
  ...SHADED_LAYER_FIELDS,
  annotations: (v, x, p) => annotations(v, x, p),
  annotationProperties: (v, x, p) => annotationProperties(v, x, p),
  annotationRelationships: stringArray,
  annotationColor: color,
  linkedSegmentationLayer: (v, x, p) => {
    if (typeof x === "string") v.layerReference(x, p, "linked segmentation layer");
    else {
      const links = v.object(x, p, 'a layer name, or an object such as {"segments": "cells"}');
      if (links !== undefined)
        for (const key of Object.keys(links))
          v.layerReference(links[key], child(p, key), "linked segmentation layer");
    }
  },
  filterBySegmentation: (v, x, p) => {
    if (typeof x !== "boolean") v.stringArray(x, p);
  },
  ignoreNullSegmentFilter: bool,
  crossSectionAnnotationSpacing: positive,
  projectionAnnotationSpacing: positive,
  points: legacy('but send "annotations" of type "point" instead', (v, x, p) =>
    v.eachItem(x, p, "an array of [x, y, z] points", (v2, point, pointPath) =>
      v2.numberArray(point, pointPath, FINITE, 3),
    ),
  ),
  voxelSize: legacy('but send a source "transform" with "outputDimensions" instead', (v, x, p) =>
    v.numberArray(x, p, POSITIVE, 3),
  ),
};
