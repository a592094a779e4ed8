// Layouts (a layout name, or row/column/viewer objects) and the side panels' locations.
import { depth } from "./coordinates.js";
import {
  at,
  bool,
  type Check,
  child,
  type FieldTable,
  finite,
  legacy,
  list,
  noCheck,
  POSITIVE_INTEGER,
  positive,
  quaternion,
  type StateValidator,
  words,
} from "./core.js";
import { toolBindings } from "./tools.js";

const LAYOUT_NAMES = words("xy xz yz 3d xy-3d xz-3d yz-3d 4panel 4panel-alt");

export function layout(v: StateValidator, value: unknown, path: string, root: boolean): void {
  if (typeof value === "string") {
    // The client throws on a string inside a row/column; at the root it falls back to a default.
    if (!root)
      v.error(
        path,
        'a nested layout must be an object such as {"type": "viewer", "layers": [...]}',
      );
    else if (!LAYOUT_NAMES.includes(value))
      v.typeError(path, `one of ${list(LAYOUT_NAMES)}, or a layout object`, value);
    return;
  }
  const layout = v.object(value, path, `one of ${list(LAYOUT_NAMES)}, or a layout object`);
  if (layout === undefined) return;
  const type = layout.type;
  if (type === "row" || type === "column") {
    v.fields(layout, path, STACK_LAYOUT_FIELDS, ` in a "${type}" layout`);
    const children = layout.children;
    if (children === undefined)
      v.error(child(path, "children"), `a "${type}" layout needs "children"`);
    else if (root && Array.isArray(children) && children.length === 0)
      v.error(child(path, "children"), `a "${type}" layout needs at least one child`);
  } else if (type === "viewer")
    v.fields(layout, path, VIEWER_LAYOUT_FIELDS, ' in a "viewer" layout');
  else if (type === undefined)
    v.error(
      child(path, "type"),
      `a layout object needs "type": "row", "column", "viewer", or one of ${list(LAYOUT_NAMES)}`,
    );
  else dataPanelLayout(v, layout, path);
}

/** A layout of panels: a layout name, or {type, orthographicProjection, crossSections}. */
export function dataPanelLayout(v: StateValidator, value: unknown, path: string): void {
  // An unknown name silently falls back to a default layout.
  if (typeof value === "string") {
    if (!LAYOUT_NAMES.includes(value)) v.typeError(path, `one of ${list(LAYOUT_NAMES)}`, value);
    return;
  }
  const layout = v.object(
    value,
    path,
    `one of ${list(LAYOUT_NAMES)}, or {"type": ..., "crossSections": ...}`,
  );
  if (layout === undefined) return;
  v.fields(layout, path, DATA_PANEL_LAYOUT_FIELDS, " in a layout");
  if (layout.type === undefined)
    v.error(child(path, "type"), `a layout object needs "type": one of ${list(LAYOUT_NAMES)}`);
}

export function viewerLayers(v: StateValidator, value: unknown, path: string): void {
  const names = v.stringArray(value, path);
  if (names === undefined) return;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // The client throws on a name it cannot find, and the whole layout fails.
    if (!v.layerNames.has(name))
      v.error(
        at(path, i),
        `layer ${JSON.stringify(name)} is not in "layers"; a viewer can only show layers of this state`,
      );
  }
}

export function linked(v: StateValidator, value: unknown, path: string, check?: Check): void {
  const linked = v.object(value, path, 'an object such as {"link": "unlinked", "value": ...}');
  if (linked === undefined) return;
  v.fields(
    linked,
    path,
    {
      link: (v, x, p) => v.enumString(x, p, ["linked", "relative", "unlinked"]),
      value: check ?? ((v, x, p) => v.freeform(x, p)),
    },
    " in a linked value",
  );
}

export function panelLocation(
  v: StateValidator,
  value: unknown,
  path: string,
  extra: FieldTable,
): void {
  const location = v.object(value, path, 'an object such as {"side": "right", "visible": true}');
  if (location !== undefined) v.fields(location, path, { ...PANEL_LOCATION_FIELDS, ...extra }, "");
}

export const panel =
  (extra: FieldTable = {}): Check =>
  (v, x, p) =>
    panelLocation(v, x, p, extra);

const PANEL_LOCATION_FIELDS: FieldTable = {
  side: (v, x, p) => v.enumString(x, p, ["left", "right", "top", "bottom"], false),
  row: finite,
  col: finite,
  flex: finite,
  size: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  visible: bool,
};

const CROSS_SECTION_FIELDS: FieldTable = {
  width: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  height: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  position: (v, x, p) => linked(v, x, p),
  orientation: (v, x, p) => linked(v, x, p, quaternion),
  scale: (v, x, p) => linked(v, x, p, positive),
  zoom: legacy('but send "scale" instead'),
};

const DATA_PANEL_LAYOUT_FIELDS: FieldTable = {
  type: (v, x, p) => dataPanelLayout(v, x, p),
  orthographicProjection: bool,
  crossSections: (v, x, p) => {
    const sections = v.object(x, p, "an object of named cross sections");
    if (sections === undefined) return;
    for (const name of Object.keys(sections)) {
      const sp = child(p, name);
      const section = v.object(
        sections[name],
        sp,
        'an object such as {"width": 500, "height": 500}',
      );
      if (section !== undefined) v.fields(section, sp, CROSS_SECTION_FIELDS, " in a cross section");
    }
  },
  flex: positive,
};

const STACK_LAYOUT_FIELDS: FieldTable = {
  type: noCheck,
  children: (v, x, p) =>
    v.eachItem(x, p, "an array of layouts", (v2, item, itemPath) =>
      layout(v2, item, itemPath, false),
    ),
  flex: positive,
};

const VIEWER_LAYOUT_FIELDS: FieldTable = {
  type: noCheck,
  layers: (v, x, p) => viewerLayers(v, x, p),
  layout: (v, x, p) => dataPanelLayout(v, x, p),
  toolBindings: (v, x, p) => toolBindings(v, x, p),
  flex: positive,
  position: (v, x, p) => linked(v, x, p),
  velocity: (v, x, p) => linked(v, x, p),
  crossSectionOrientation: (v, x, p) => linked(v, x, p, quaternion),
  crossSectionScale: (v, x, p) => linked(v, x, p, positive),
  crossSectionDepth: (v, x, p) => linked(v, x, p, depth),
  projectionOrientation: (v, x, p) => linked(v, x, p, quaternion),
  projectionScale: (v, x, p) => linked(v, x, p, positive),
  projectionDepth: (v, x, p) => linked(v, x, p, depth),
  dimensionRenderScales: (v, x, p) => linked(v, x, p),
  displayDimensions: (v, x, p) => linked(v, x, p),
  crossSectionZoom: legacy('but send "crossSectionScale" instead'),
  perspectiveZoom: legacy('but send "projectionScale" instead'),
  perspectiveOrientation: legacy('but send "projectionOrientation" instead'),
};
