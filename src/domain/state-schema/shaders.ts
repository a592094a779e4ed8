// Shaders and their #uicontrol values, shared by image, mesh and annotation layers.

import { isUint64Decimal } from "../uint64.js";
import {
  ALPHA,
  at,
  bool,
  child,
  color,
  DECIMAL_NUMBER,
  type FieldTable,
  isCssColor,
  isObject,
  label,
  NON_NEGATIVE_INTEGER,
  RRGGBB,
  type StateValidator,
  str,
} from "./core.js";

export function shaderControls(v: StateValidator, value: unknown, path: string): void {
  // The client silently drops a value its control cannot parse, so shapes are checked here.
  const controls = v.object(value, path, "an object keyed by #uicontrol name");
  if (controls === undefined) return;
  for (const name of Object.keys(controls)) {
    const control = controls[name];
    const p = child(path, name);
    if (typeof control === "number" || typeof control === "boolean") continue;
    if (typeof control === "string") {
      if (!isCssColor(control) && !DECIMAL_NUMBER.test(control))
        v.typeError(
          p,
          'a number (slider), true/false (checkbox), a colour such as "#ff8800" (color), or an object (invlerp, transferFunction)',
          control,
        );
    } else if (isObject(control))
      v.fields(control, p, SHADER_CONTROL_FIELDS, " in a shader control");
    else v.typeError(p, "a number, true/false, a colour string, or an object", control);
  }
}

export function interval(
  v: StateValidator,
  value: unknown,
  path: string,
  increasing: boolean,
): void {
  const bounds = v.array(value, path, "[lower, upper]");
  if (bounds === undefined) return;
  if (bounds.length !== 2) {
    v.error(path, `${label(path)} must be [lower, upper]; got an array of ${bounds.length}`);
    return;
  }
  const numbers = bounds.map((bound, i) => dataValue(v, bound, at(path, i)));
  const [lower, upper] = numbers;
  if (increasing && lower !== undefined && upper !== undefined && lower > upper)
    v.error(
      path,
      `${label(path)} must be increasing ([lower, upper]); Neuroglancer discards [${lower}, ${upper}]`,
    );
}

/** A data value: a number, or a decimal string (how uint64 values travel). */
function dataValue(v: StateValidator, value: unknown, path: string): number | bigint | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") {
    if (isUint64Decimal(value)) return BigInt(value);
    if (DECIMAL_NUMBER.test(value)) return Number(value);
  }
  v.typeError(path, "a number, or a decimal string for uint64 data", value);
  return undefined;
}

export function channel(v: StateValidator, value: unknown, path: string): void {
  if (Array.isArray(value)) v.numberArray(value, path, NON_NEGATIVE_INTEGER);
  else v.number(value, path, NON_NEGATIVE_INTEGER);
}

export function controlPoints(v: StateValidator, value: unknown, path: string): void {
  const points = v.array(value, path, 'an array of [value, "#rrggbb", opacity]');
  if (points === undefined) return;
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    const p = at(path, i);
    if (!Array.isArray(point) || point.length !== 3) {
      v.typeError(p, '[value, "#rrggbb", opacity], e.g. [0, "#000000", 0]', point);
      continue;
    }
    dataValue(v, point[0], at(p, 0));
    if (typeof point[1] !== "string" || !RRGGBB.test(point[1]))
      v.typeError(at(p, 1), 'a colour written "#rrggbb"', point[1]);
    v.number(point[2], at(p, 2), ALPHA);
  }
}

const SHADER_CONTROL_FIELDS: FieldTable = {
  range: (v, x, p) => interval(v, x, p, false),
  window: (v, x, p) => interval(v, x, p, true),
  channel: (v, x, p) => channel(v, x, p),
  property: str,
  controlPoints: (v, x, p) => controlPoints(v, x, p),
  defaultColor: color,
};

/** Keys of every layer drawn with a shader. */
export const SHADED_LAYER_FIELDS: FieldTable = {
  shader: str,
  shaderControls,
  codeVisible: bool,
};
