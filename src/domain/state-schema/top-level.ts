// The state object itself: its top-level keys, and the legacy "navigation" form.
import {
  coordinateSpace,
  DIMENSION_NAME,
  DIMENSION_NAME_RULE,
  depth,
  knownDimension,
  position,
  velocity,
} from "./coordinates.js";
import {
  ALPHA,
  at,
  bool,
  child,
  color,
  FINITE,
  type FieldTable,
  isObject,
  legacy,
  limit,
  POSITIVE,
  positive,
  quaternion,
  type StateValidator,
  str,
} from "./core.js";
import { layers } from "./layers.js";
import { layout, panel, panelLocation } from "./layouts-and-panels.js";
import { toolBindings } from "./tools.js";

export function root(v: StateValidator, value: unknown): void {
  const state = v.object(value, "", "a JSON object");
  if (state === undefined) return;
  const dimensions = state.dimensions;
  if (isObject(dimensions)) v.globalDimensionNames = Object.keys(dimensions);
  collectLayerNames(v, state.layers);
  v.fields(state, "", TOP_LEVEL_FIELDS, "");
}

/** Layer names first: selectedLayer, layouts and links may refer to them before `layers`. */
function collectLayerNames(v: StateValidator, layers: unknown): void {
  if (Array.isArray(layers)) {
    for (const layer of layers)
      if (isObject(layer) && typeof layer.name === "string") v.layerNames.add(layer.name);
  } else if (isObject(layers)) {
    for (const name of Object.keys(layers)) v.layerNames.add(name);
  }
}

const NAVIGATION_FIELDS: FieldTable = {
  pose: (v, x, p) => {
    const pose = v.object(
      x,
      p,
      'an object such as {"position": {...}, "orientation": [0, 0, 0, 1]}',
    );
    if (pose === undefined) return;
    v.fields(
      pose,
      p,
      {
        position: (v2, x2, p2) => {
          const positionObject = v2.object(
            x2,
            p2,
            'an object such as {"voxelCoordinates": [1, 2, 3]}',
          );
          if (positionObject !== undefined)
            v2.fields(
              positionObject,
              p2,
              {
                voxelCoordinates: (v3, x3, p3) =>
                  position(v3, x3, p3, v3.globalDimensionNames, '"dimensions"'),
                voxelSize: (v3, x3, p3) => {
                  v3.numberArray(x3, p3, POSITIVE, 3);
                },
              },
              " in navigation.pose.position",
            );
        },
        orientation: quaternion,
      },
      " in navigation.pose",
    );
  },
  zoomFactor: positive,
};

const TOP_LEVEL_FIELDS: FieldTable = {
  title: str,
  dimensions: (v, x, p) => coordinateSpace(v, x, p),
  relativeDisplayScales: (v, x, p) => {
    const scales = v.object(x, p, 'an object such as {"z": 2}');
    if (scales === undefined) return;
    for (const name of Object.keys(scales)) {
      const sp = child(p, name);
      knownDimension(v, name, sp, "dimension", "warning");
      v.number(scales[name], sp, POSITIVE);
    }
  },
  displayDimensions: (v, x, p) => {
    const names = v.stringArray(x, p);
    if (names === undefined) return;
    if (names.length > 3)
      v.error(p, `displayDimensions must name at most 3 dimensions; got ${names.length}`);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const np = at(p, i);
      if (!DIMENSION_NAME.test(name))
        v.error(np, `dimension name ${JSON.stringify(name)} is invalid; ${DIMENSION_NAME_RULE}`);
      else if (names.indexOf(name) !== i)
        v.error(np, `dimension ${JSON.stringify(name)} is listed twice`);
      // The client skips names it does not know, and shows defaults when none is left.
      else knownDimension(v, name, np, "display dimension", "error");
    }
  },
  position: (v, x, p) => position(v, x, p, v.globalDimensionNames, '"dimensions"'),
  velocity: (v, x, p) => velocity(v, x, p, v.globalDimensionNames, '"dimensions"'),
  crossSectionOrientation: quaternion,
  crossSectionScale: positive,
  crossSectionDepth: depth,
  projectionOrientation: quaternion,
  projectionScale: positive,
  projectionDepth: depth,
  layers: (v, x, p) => layers(v, x, p),
  showAxisLines: bool,
  wireFrame: bool,
  enableAdaptiveDownsampling: bool,
  showScaleBar: bool,
  showDefaultAnnotations: bool,
  showSlices: bool,
  hideCrossSectionBackground3D: bool,
  prefetch: bool,
  gpuMemoryLimit: limit,
  systemMemoryLimit: limit,
  concurrentDownloads: limit,
  selectedLayer: panel({
    layer: (v, x, p) => v.layerReference(x, p, "selected layer"),
  }),
  crossSectionBackgroundColor: color,
  projectionBackgroundColor: color,
  layout: (v, x, p) => layout(v, x, p, true),
  statistics: panel(),
  helpPanel: panel(),
  settingsPanel: panel(),
  layerListPanel: panel(),
  selection: (v, x, p) => {
    if (x === null) return;
    panelLocation(v, x, p, {
      position: (v2, x2, p2) => {
        const names = v2.globalDimensionNames;
        v2.numberArray(x2, p2, FINITE, names?.length);
      },
      layers: (v2, x2, p2) => {
        if (v2.object(x2, p2, "an object keyed by layer name") !== undefined) v2.freeform(x2, p2);
      },
    });
  },
  partialViewport: (v, x, p) => v.numberArray(x, p, ALPHA, 4),
  selectedStateServer: str,
  toolBindings: (v, x, p) => toolBindings(v, x, p),
  toolPalettes: (v, x, p) => {
    const palettes = v.object(x, p, "an object of named tool palettes");
    if (palettes === undefined) return;
    for (const name of Object.keys(palettes)) {
      if (v.object(palettes[name], child(p, name), "a tool palette object") !== undefined)
        v.freeform(palettes[name], child(p, name));
    }
  },
  navigation: legacy(
    'but send "position", "dimensions" and "crossSectionScale" instead',
    (v, x, p) => {
      const navigation = v.object(x, p, 'an object such as {"pose": {...}, "zoomFactor": 8}');
      if (navigation !== undefined) v.fields(navigation, p, NAVIGATION_FIELDS, " in navigation");
    },
  ),
  perspectiveOrientation: legacy('but send "projectionOrientation" instead', quaternion),
  perspectiveZoom: legacy('but send "projectionScale" instead', positive),
  perspectiveViewBackgroundColor: legacy('but send "projectionBackgroundColor" instead', color),
};
