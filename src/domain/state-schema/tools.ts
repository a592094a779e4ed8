// Tool bindings (layer, viewer and global) and the legacy single layer "tool".
import { child, isObject, list, type StateValidator, words } from "./core.js";

/** Layer `tool` values the client can restore (registerLegacyTool); others make it throw. */
const LEGACY_TOOLS = words(
  "annotatePoint annotateLine annotateBoundingBox annotateSphere annotatePolyline annotateMergeLine",
);

export function legacyTool(v: StateValidator, value: unknown, path: string): void {
  const tool = isObject(value) ? value.type : value;
  const toolPath = isObject(value) ? child(path, "type") : path;
  // An unknown tool type makes the client throw and drop the layer.
  if (typeof tool !== "string" || !LEGACY_TOOLS.includes(tool))
    v.typeError(
      toolPath,
      `one of ${list(LEGACY_TOOLS)} (or bind other tools with "toolBindings")`,
      tool,
    );
  if (isObject(value))
    for (const key of Object.keys(value))
      if (key !== "type") v.freeform(value[key], child(path, key));
}

export function toolBindings(v: StateValidator, value: unknown, path: string): void {
  const bindings = v.object(value, path, 'an object such as {"A": "annotatePoint"}');
  if (bindings === undefined) return;
  for (const key of Object.keys(bindings)) {
    const p = child(path, key);
    if (!/^[A-Z]$/.test(key))
      v.error(
        p,
        `tool key ${JSON.stringify(key)} is invalid; tool keys are single capital letters "A" to "Z"`,
      );
    const tool = bindings[key];
    if (typeof tool === "string") continue;
    const obj = v.object(tool, p, 'a tool name or {"type": ...}');
    if (obj === undefined) continue;
    if (typeof obj.type !== "string")
      v.typeError(child(p, "type"), "a string naming the tool", obj.type);
    v.freeform(obj, p);
  }
}
