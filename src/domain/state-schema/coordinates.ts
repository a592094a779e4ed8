// Coordinate spaces ("dimensions", localDimensions, transforms' output/input dimensions), positions
// and velocities in them, source transforms, and the projection/cross-section depth.

import { describeJsonType } from "../uint64.js";
import {
  at,
  bool,
  type Check,
  child,
  FINITE,
  type FieldTable,
  finite,
  isObject,
  type JsonObject,
  label,
  list,
  NON_NEGATIVE_INTEGER,
  noCheck,
  oneOf,
  POSITIVE,
  type StateValidator,
  stringArray,
  words,
} from "./core.js";

export const DIMENSION_NAME = /^[a-zA-Z][a-zA-Z_0-9]*['^]?$/;
export const DIMENSION_NAME_RULE =
  "a dimension name starts with a letter, continues with letters, digits or _, and may end in ' (local) or ^ (channel)";

/** util/si_units.js: SI prefixes, plus "u" for micro (the micro sign is U+00B5). */
const SUPPORTED_UNITS = new Set([
  "",
  ...["", ...words("Y Z E P T G M k h da d c m u \u00b5 n p f a z y")].flatMap((prefix) =>
    words("m s Hz rad/s").map((unit) => `${prefix}${unit}`),
  ),
]);

export function coordinateSpace(
  v: StateValidator,
  value: unknown,
  path: string,
  numericalNames = false,
): string[] | undefined {
  const space = v.object(value, path, 'an object such as {"x": [8, "nm"], "y": [8, "nm"]}');
  if (space === undefined) return undefined;
  const names = Object.keys(space);
  for (const name of names) {
    const p = child(path, name);
    // inputDimensions may use source dimension indices ("0", "1", ...) as names.
    const numerical = numericalNames && Number.isInteger(Number(name)) && Number(name) >= 0;
    if (!numerical && !DIMENSION_NAME.test(name))
      v.error(p, `dimension name ${JSON.stringify(name)} is invalid; ${DIMENSION_NAME_RULE}`);
    const dimension = space[name];
    if (Array.isArray(dimension)) scaleAndUnit(v, dimension, p);
    else if (isObject(dimension)) coordinateArray(v, dimension, p);
    else
      v.typeError(
        p,
        '[scale, unit] such as [8, "nm"], or {"coordinates": [...], "labels": [...]}',
        dimension,
      );
  }
  return names;
}

function scaleAndUnit(v: StateValidator, dimension: unknown[], path: string): void {
  if (dimension.length !== 2) {
    v.error(
      path,
      `${label(path)} must be [scale, unit] such as [8, "nm"]; got an array of ${dimension.length}`,
    );
    return;
  }
  v.number(dimension[0], at(path, 0), POSITIVE);
  const unit = dimension[1];
  const unitPath = at(path, 1);
  if (!v.string(unit, unitPath) || SUPPORTED_UNITS.has(unit)) return;
  const hint = unit.startsWith("\u03bc")
    ? ` (that is a Greek mu; write "u" or "\u00b5" (U+00B5))`
    : "";
  v.error(
    unitPath,
    `unit ${JSON.stringify(unit)} is not supported${hint}; send "" or an SI prefix with m, s, Hz or rad/s, e.g. "nm", "um", "ms"`,
  );
}

function coordinateArray(v: StateValidator, dimension: JsonObject, path: string): void {
  v.fields(dimension, path, COORDINATE_ARRAY_FIELDS, " in a coordinate array");
  const { coordinates, labels } = dimension;
  if (coordinates === undefined)
    v.error(child(path, "coordinates"), 'a coordinate array needs "coordinates"');
  if (labels === undefined) v.error(child(path, "labels"), 'a coordinate array needs "labels"');
  if (Array.isArray(coordinates) && Array.isArray(labels) && coordinates.length !== labels.length)
    v.error(
      path,
      `"coordinates" has ${coordinates.length} entries but "labels" has ${labels.length}; send one label per coordinate`,
    );
}

/** Checks that `names` (e.g. of relativeDisplayScales) are among `dimensions`. */
export function knownDimension(
  v: StateValidator,
  name: string,
  path: string,
  what: string,
  severity: "error" | "warning",
): void {
  const names = v.globalDimensionNames;
  if (names === undefined || names.includes(name)) return;
  const message = `${what} ${JSON.stringify(name)} is not in "dimensions" (${list(names)})`;
  if (severity === "error") v.error(path, message);
  else v.warn(path, `${message}; Neuroglancer ignores it`);
}

export function position(
  v: StateValidator,
  value: unknown,
  path: string,
  names: string[] | undefined,
  what: string,
): void {
  // A position of the wrong rank is silently replaced by the centre of the data.
  const position = v.numberArray(value, path, FINITE);
  if (position !== undefined && names !== undefined && position.length !== names.length)
    v.error(
      path,
      `${label(path)} has ${position.length} coordinates but ${what} has ${names.length} (${list(names)}); send one coordinate per dimension`,
    );
}

export function velocity(
  v: StateValidator,
  value: unknown,
  path: string,
  names: string[] | undefined,
  what: string,
): void {
  const velocity = v.object(value, path, 'an object such as {"z": {"velocity": 10}}');
  if (velocity === undefined) return;
  for (const name of Object.keys(velocity)) {
    const p = child(path, name);
    // The client throws on a name that is not a dimension at the time the state is read.
    if (names === undefined)
      v.error(
        p,
        `${label(path)} needs ${what} to be given in the state; add it or drop this entry`,
      );
    else if (!names.includes(name))
      v.error(p, `${JSON.stringify(name)} is not a dimension of ${what} (${list(names)})`);
    const entry = v.object(
      velocity[name],
      p,
      'an object such as {"velocity": 10, "paused": false}',
    );
    if (entry !== undefined) v.fields(entry, p, VELOCITY_FIELDS, " in a velocity");
  }
}

export function transform(v: StateValidator, value: unknown, path: string): number | undefined {
  const transform = v.object(
    value,
    path,
    'an object such as {"outputDimensions": {...}, "matrix": [...]}',
  );
  if (transform === undefined) return undefined;
  v.fields(
    transform,
    path,
    { outputDimensions: noCheck, inputDimensions: noCheck, sourceRank: noCheck, matrix: noCheck },
    " in a transform",
  );
  const outputPath = child(path, "outputDimensions");
  if (transform.outputDimensions === undefined) {
    // Without it the transform has rank 0, which fits no data source.
    v.error(
      outputPath,
      'a transform needs "outputDimensions", e.g. {"x": [8, "nm"], "y": [8, "nm"], "z": [8, "nm"]}',
    );
    return undefined;
  }
  const output = coordinateSpace(v, transform.outputDimensions, outputPath);
  if (output === undefined) return undefined;
  const rank = output.length;
  if (transform.sourceRank !== undefined) {
    const sourceRank = v.number(
      transform.sourceRank,
      child(path, "sourceRank"),
      NON_NEGATIVE_INTEGER,
    );
    if (sourceRank !== undefined && sourceRank > rank)
      v.error(
        child(path, "sourceRank"),
        `sourceRank must be at most the rank of outputDimensions (${rank}); got ${sourceRank}`,
      );
  }
  if (transform.inputDimensions !== undefined) {
    const input = coordinateSpace(
      v,
      transform.inputDimensions,
      child(path, "inputDimensions"),
      true,
    );
    if (input !== undefined && input.length !== rank)
      v.error(
        child(path, "inputDimensions"),
        `inputDimensions has ${input.length} dimensions but outputDimensions has ${rank}; send the same number`,
      );
  }
  if (transform.matrix !== undefined) matrix(v, transform.matrix, child(path, "matrix"), rank);
  return rank;
}

function matrix(v: StateValidator, value: unknown, path: string, rank: number): void {
  const shape = `${rank} rows of ${rank + 1} numbers (one row per output dimension; the last column is the translation)`;
  const rows = v.array(value, path, `an array of ${shape}`);
  if (rows === undefined) return;
  if (rows.length !== rank) {
    v.error(path, `matrix must have ${shape}; got ${rows.length} rows`);
    return;
  }
  for (let i = 0; i < rank; i++) {
    const row = rows[i];
    const rowPath = at(path, i);
    if (!Array.isArray(row) || row.length !== rank + 1)
      v.error(
        rowPath,
        `each matrix row must have ${rank + 1} numbers (outputDimensions has rank ${rank}); got ${Array.isArray(row) ? `an array of ${row.length}` : describeJsonType(row)}`,
      );
    else v.numberArray(row, rowPath, FINITE);
  }
}

export const depth: Check = (v, x, p) => {
  // The client reads 0 or a non-number as "use the default".
  if (typeof x !== "number")
    v.typeError(p, "a non-zero number (negative values are relative to the scale)", x);
  else if (x === 0) v.warn(p, `${label(p)} of 0 means "use the default"; leave it out instead`);
};

const COORDINATE_ARRAY_FIELDS: FieldTable = {
  coordinates: (v, x, p) =>
    v.eachItem(x, p, "an array of integers", (v2, item, itemPath) => {
      if (!Number.isInteger(item)) v2.typeError(itemPath, "an integer", item);
    }),
  labels: stringArray,
};

const VELOCITY_FIELDS: FieldTable = {
  velocity: finite,
  atBoundary: oneOf(["stop", "loop", "reverse"]),
  paused: bool,
};
