// Annotation layers from what users give (items, or a CSV/TSV/JSON table): the request schema and
// the Neuroglancer layers built from it. Coordinates stay in the user's physical unit and the
// layer's source transform says which (nm or um), so the viewer places them right whatever the
// data's voxel size, and the numbers in a link are exactly the numbers given. Pure: no I/O.
import { z } from "zod";
import {
  ANNOTATION_TYPES,
  type AnnotationItem,
  type AnnotationType,
  COLOUR,
  COORDINATE_UNITS,
  type CoordinateUnit,
  countBadRows,
  DEFAULT_COLUMNS,
  describeTableProblems,
  GEOMETRY_KEYS,
  itemsFromTable,
  PROPERTY_ID,
  type Vec3,
} from "./annotation-items.js";
import type { StateIssue } from "./state-schema/index.js";
import { parseTable } from "./table.js";
import { parseSegmentId } from "./uint64.js";

/**
 * Items per state, over all annotation layers. At 50,000 points with a segment ID, a description
 * and two properties each the state is about 7 MB (bench/annotations.ts), under the default
 * MAX_STATE_BYTES of 8 MiB, and Neuroglancer opens it in a few seconds.
 */
export const MAX_ANNOTATION_ITEMS = 50_000;
const MAX_ANNOTATION_LAYERS = 20;
/** Issues listed per annotation layer; a table with 50,000 bad rows must not answer 50,000 lines. */
const MAX_ISSUES_PER_LAYER = 20;

const vec3 = z.array(z.number()).length(3).describe("x, y, z in the layer's unit (nm by default)");
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour "#rrggbb"');

/**
 * One annotation, for the OpenAPI document and for types. Requests are not parsed with it:
 * 50,000 items through zod took about 2 s on the shared test machine, so `checkItem` below does
 * the same checks by hand (same rules, JSON paths in every message) in a fraction of that.
 */
export const annotationItemSchema = z
  .strictObject({
    point: vec3.optional().describe("type point: the position"),
    pointA: vec3.optional().describe("types line and box: the first end or corner"),
    pointB: vec3.optional().describe("types line and box: the second end or corner"),
    center: vec3.optional().describe("type ellipsoid: the centre"),
    radii: vec3.optional().describe("type ellipsoid: the radii along x, y, z (>= 0)"),
    description: z.string().optional(),
    segments: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe("Segment IDs this annotation belongs to: uint64 decimal strings"),
    props: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .optional()
      .describe('Property values by property id: numbers, or colours "#rrggbb" / "#rrggbbaa"'),
  })
  .describe("One annotation");

const itemJsonSchema = (() => {
  const { $schema: _, ...schema } = z.toJSONSchema(annotationItemSchema, {
    target: "openapi-3.0",
    io: "input",
  }) as Record<string, unknown>;
  return schema;
})();

/** The items array: typed in the OpenAPI document, checked by `checkItem`. */
const itemsSchema = z.array(z.unknown()).meta({ items: itemJsonSchema as never });

const columnName = z.string().min(1).max(200);
export const annotationColumnsSchema = z
  .strictObject(
    Object.fromEntries(
      Object.entries(DEFAULT_COLUMNS).map(([role, name]) => [
        role,
        columnName.optional().describe(`default "${name}"`),
      ]),
    ) as Record<keyof typeof DEFAULT_COLUMNS, z.ZodOptional<typeof columnName>>,
  )
  .describe("Column names of `table`, when they differ from the defaults");

export const annotationLayerSchema = z
  .strictObject({
    name: z.string().min(1).max(200).describe("Layer name (unique in the state)"),
    type: z.enum(ANNOTATION_TYPES).default("point"),
    color: colour.optional().describe("Colour of the layer's annotations"),
    unit: z
      .enum(COORDINATE_UNITS)
      .default("nm")
      .describe("Unit of every coordinate and radius of this layer"),
    items: itemsSchema.optional().describe("The annotations, as objects"),
    table: z
      .string()
      .optional()
      .describe(
        "Or the annotations as a CSV, TSV or JSON-records table: columns x,y,z (point, ellipsoid), x1,y1,z1,x2,y2,z2 (line, box), rx,ry,rz (ellipsoid), optional segment_id, description, color, and numeric columns that become properties",
      ),
    columns: annotationColumnsSchema.optional(),
    linkedSegmentationLayer: z
      .string()
      .min(1)
      .optional()
      .describe("Segmentation layer the segment IDs refer to (default: the view's)"),
    filterBySegmentation: z
      .boolean()
      .default(false)
      .describe("Show only the annotations of selected segments"),
    colorBy: z.string().optional().describe("Numeric property that colours the annotations"),
    sizeBy: z.string().optional().describe("Numeric property that sizes points and line widths"),
    visible: z.boolean().optional(),
  })
  .refine((layer) => (layer.items === undefined) !== (layer.table === undefined), {
    message: 'give the annotations as "items" or as a "table", one of the two',
    path: ["items"],
  })
  .refine((layer) => layer.columns === undefined || layer.table !== undefined, {
    message: '"columns" names the columns of a "table"',
    path: ["columns"],
  });

export const annotationLayersSchema = z
  .array(annotationLayerSchema)
  .max(MAX_ANNOTATION_LAYERS)
  .describe("Annotation layers: points, lines, boxes or ellipsoids in nm or um");

export type AnnotationLayerInput = z.output<typeof annotationLayerSchema>;

/** What the rest of the state offers annotation layers. */
export interface AnnotationContext {
  /** Names already taken by the state's other layers. */
  layerNames: ReadonlySet<string>;
  /** Names of the state's segmentation layers. */
  segmentationLayers: ReadonlySet<string>;
  /** The segmentation layer segment IDs go to by default (the view's), if any. */
  defaultSegmentLayer: string | undefined;
}

const NEUROGLANCER_TYPE: Readonly<Record<AnnotationType, string>> = {
  point: "point",
  line: "line",
  box: "axis_aligned_bounding_box",
  ellipsoid: "ellipsoid",
};
const UNIT_SCALE: Readonly<Record<CoordinateUnit, number>> = { nm: 1e-9, um: 1e-6 };
const NM_PER_UNIT: Readonly<Record<CoordinateUnit, number>> = { nm: 1, um: 1000 };

interface PropertySpec {
  id: string;
  type: "rgb" | "rgba" | "float32" | "int32" | "uint32";
  description?: string;
  min: number;
  max: number;
}

/** Collects issues of one layer, listing at most MAX_ISSUES_PER_LAYER and counting the rest. */
class LayerIssues {
  count = 0;
  constructor(
    private readonly issues: StateIssue[],
    private readonly path: string,
  ) {}
  add(path: string, message: string): void {
    if (++this.count <= MAX_ISSUES_PER_LAYER) this.issues.push({ path, message });
  }
  get any(): boolean {
    return this.count > 0;
  }
  finish(): void {
    if (this.count > MAX_ISSUES_PER_LAYER)
      this.issues.push({
        path: this.path,
        message: `${this.count - MAX_ISSUES_PER_LAYER} more problems in this layer (only the first ${MAX_ISSUES_PER_LAYER} are listed)`,
      });
  }
}

/** Items of a layer given as a table; problems become issues at `<path>.table`. */
function tableItems(
  layer: AnnotationLayerInput,
  table: string,
  path: string,
  issues: StateIssue[],
  warnings: StateIssue[],
): { items: AnnotationItem[]; descriptions: Map<string, string> } | undefined {
  const parsed = itemsFromTable(parseTable(table), { type: layer.type, columns: layer.columns });
  for (const notice of parsed.notices) warnings.push({ path: `${path}.table`, message: notice });
  if (parsed.problems.length > 0) {
    const bad = countBadRows(parsed.problems);
    const summary =
      bad > 0 ? `${bad} of ${parsed.rowCount} rows are bad; fix them and send the table again` : "";
    for (const line of describeTableProblems(parsed.problems, MAX_ISSUES_PER_LAYER))
      issues.push({ path: `${path}.table`, message: line });
    if (summary) issues.push({ path: `${path}.table`, message: summary });
    return undefined;
  }
  const descriptions = new Map<string, string>();
  for (const [id, column] of parsed.propertyColumns)
    if (column !== id) descriptions.set(id, column);
  return { items: parsed.items, descriptions };
}

function propertyType(values: { integers: boolean; min: number; max: number }) {
  if (!values.integers) return "float32" as const;
  if (values.min >= -(2 ** 31) && values.max < 2 ** 31) return "int32" as const;
  if (values.min >= 0 && values.max < 2 ** 32) return "uint32" as const;
  return "float32" as const;
}

/** Property specs from the items' `props`, checking every item has every property. */
function collectProperties(
  items: readonly AnnotationItem[],
  path: string,
  problems: LayerIssues,
): PropertySpec[] {
  interface Seen {
    numbers: number;
    colours: number;
    wide: boolean;
    integers: boolean;
    min: number;
    max: number;
  }
  const seen = new Map<string, Seen>();
  items.forEach((item, i) => {
    const props = item.props;
    if (props === undefined) return;
    for (const [id, value] of Object.entries(props)) {
      const at = `${path}.items[${i}].props.${id}`;
      let entry = seen.get(id);
      if (entry === undefined) {
        if (!PROPERTY_ID.test(id)) {
          problems.add(
            at,
            `property id ${JSON.stringify(id)} is invalid; start with a lower-case letter, then letters, digits or _`,
          );
          continue;
        }
        entry = {
          numbers: 0,
          colours: 0,
          wide: false,
          integers: true,
          min: Infinity,
          max: -Infinity,
        };
        seen.set(id, entry);
      }
      if (typeof value === "number") {
        entry.numbers++;
        if (!Number.isInteger(value)) entry.integers = false;
        if (value < entry.min) entry.min = value;
        if (value > entry.max) entry.max = value;
      } else if (COLOUR.test(value)) {
        entry.colours++;
        if (value.length === 9) entry.wide = true;
      } else problems.add(at, `${JSON.stringify(value)} is not a number or a colour "#rrggbb"`);
    }
  });
  const specs: PropertySpec[] = [];
  for (const [id, entry] of seen) {
    if (entry.numbers > 0 && entry.colours > 0) {
      problems.add(
        `${path}.items`,
        `property "${id}" holds both numbers and colours; one property holds one kind`,
      );
      continue;
    }
    const type =
      entry.colours > 0 ? (entry.wide ? ("rgba" as const) : ("rgb" as const)) : propertyType(entry);
    specs.push({ id, type, min: entry.min, max: entry.max });
  }
  if (specs.length > 0)
    items.forEach((item, i) => {
      for (const spec of specs)
        if (item.props === undefined || !Object.hasOwn(item.props, spec.id))
          problems.add(
            `${path}.items[${i}].props`,
            `has no value for property "${spec.id}"; every annotation of a layer needs every property`,
          );
    });
  return specs;
}

const jsonNumber = (value: number) => JSON.stringify(value);

/** The invlerp range of a numeric property: its values' extent (never empty). */
function rangeOf(spec: PropertySpec): string {
  const { min, max } = spec;
  return `[${jsonNumber(min)}, ${jsonNumber(max > min ? max : min + 1)}]`;
}

/** A shader colouring by a colour property or a numeric one, and sizing by a numeric one. */
function shaderFor(
  type: AnnotationType,
  colourProperty: PropertySpec | undefined,
  colorBy: PropertySpec | undefined,
  sizeBy: PropertySpec | undefined,
): string | undefined {
  const controls: string[] = [];
  const body: string[] = [];
  if (colorBy !== undefined) {
    controls.push(
      `#uicontrol invlerp colorBy(property="${colorBy.id}", range=${rangeOf(colorBy)})`,
    );
    body.push("  setColor(colormapJet(colorBy()));");
  } else if (colourProperty !== undefined) body.push(`  setColor(prop_${colourProperty.id}());`);
  else body.push("  setColor(defaultColor());");
  if (sizeBy !== undefined) {
    const [smallest, largest] = type === "point" ? [3, 15] : [1, 8];
    controls.push(
      `#uicontrol invlerp sizeBy(property="${sizeBy.id}", range=${rangeOf(sizeBy)})`,
      `#uicontrol float smallest slider(min=0, max=40, default=${smallest})`,
      `#uicontrol float largest slider(min=0, max=40, default=${largest})`,
    );
    const setter =
      type === "point"
        ? "setPointMarkerSize"
        : type === "line"
          ? "setLineWidth"
          : "setBoundingBoxBorderWidth";
    body.push(`  ${setter}(mix(smallest, largest, sizeBy()));`);
  }
  if (controls.length === 0 && colourProperty === undefined) return undefined;
  return `${controls.join("\n")}${controls.length > 0 ? "\n" : ""}void main() {\n${body.join("\n")}\n}\n`;
}

function numericProperty(
  specs: readonly PropertySpec[],
  id: string | undefined,
  path: string,
  problems: LayerIssues,
): PropertySpec | undefined {
  if (id === undefined) return undefined;
  const spec = specs.find((s) => s.id === id);
  const numeric = specs.filter((s) => s.type !== "rgb" && s.type !== "rgba").map((s) => s.id);
  if (spec === undefined || spec.type === "rgb" || spec.type === "rgba")
    problems.add(
      path,
      `"${id}" is not a numeric property of this layer; numeric properties: ${numeric.join(", ") || "none"}`,
    );
  else return spec;
  return undefined;
}

const ITEM_KEYS = new Set([
  "point",
  "pointA",
  "pointB",
  "center",
  "radii",
  "description",
  "segments",
  "props",
]);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** What annotationItemSchema says, checked by hand; undefined (with problems) when wrong. */
function checkItem(
  value: unknown,
  path: string,
  problems: LayerIssues,
): AnnotationItem | undefined {
  if (!isPlainObject(value)) {
    problems.add(path, 'expected an object such as {"point": [1, 2, 3]}');
    return undefined;
  }
  const before = problems.count;
  for (const key of Object.keys(value)) {
    const field = value[key];
    const at = `${path}.${key}`;
    if (!ITEM_KEYS.has(key))
      problems.add(
        at,
        `unknown key "${key}"; an annotation takes ${[...ITEM_KEYS].map((k) => `"${k}"`).join(", ")}`,
      );
    else if (key === "description") {
      if (typeof field !== "string") problems.add(at, "expected a string");
    } else if (key === "segments") {
      if (!Array.isArray(field)) problems.add(at, 'expected an array of segment IDs, e.g. ["123"]');
    } else if (key === "props") {
      if (!isPlainObject(field))
        problems.add(at, 'expected an object of property values, e.g. {"score": 0.5}');
      else
        for (const [id, prop] of Object.entries(field))
          if (typeof prop !== "string" && !(typeof prop === "number" && Number.isFinite(prop)))
            problems.add(`${at}.${id}`, 'expected a number or a colour "#rrggbb"');
    } else if (
      !Array.isArray(field) ||
      field.length !== 3 ||
      !field.every((v) => typeof v === "number" && Number.isFinite(v))
    )
      problems.add(at, "expected [x, y, z]: three numbers");
  }
  return problems.count === before ? (value as AnnotationItem) : undefined;
}

/** Checks an item's geometry against the layer type and returns the Neuroglancer annotation. */
function annotationOf(
  item: AnnotationItem,
  index: number,
  type: AnnotationType,
  specs: readonly PropertySpec[],
  path: string,
  problems: LayerIssues,
): Record<string, unknown> {
  const keys = GEOMETRY_KEYS[type];
  const out: Record<string, unknown> = { type: NEUROGLANCER_TYPE[type], id: String(index + 1) };
  for (const key of keys) {
    const vector = item[key];
    if (vector === undefined)
      problems.add(
        `${path}.${key}`,
        `a ${type} annotation needs ${keys.map((k) => `"${k}"`).join(" and ")}`,
      );
    else if (key === "radii" && (vector as number[]).some((v) => v < 0))
      problems.add(`${path}.radii`, "radii cannot be negative");
    out[key] = vector;
  }
  for (const key of ["point", "pointA", "pointB", "center", "radii"] as const)
    if (item[key] !== undefined && !keys.includes(key))
      problems.add(
        `${path}.${key}`,
        `a ${type} annotation takes ${keys.map((k) => `"${k}"`).join(" and ")}, not "${key}"`,
      );
  if (item.segments !== undefined && item.segments.length > 0) {
    const ids: string[] = [];
    item.segments.forEach((value, i) => {
      const parsed = parseSegmentId(value);
      if (parsed.ok) ids.push(parsed.id);
      else problems.add(`${path}.segments[${i}]`, parsed.message);
    });
    out.segments = [...new Set(ids)];
  }
  if (item.description !== undefined && item.description !== "") out.description = item.description;
  if (specs.length > 0 && item.props !== undefined) {
    const props = item.props;
    out.props = specs.map((spec) => (Object.hasOwn(props, spec.id) ? props[spec.id] : 0));
  }
  return out;
}

export interface BuiltAnnotationLayers {
  layers: Record<string, unknown>[];
  warnings: StateIssue[];
  /** Bounding box of every annotation, in nm; undefined when there are none. */
  extentNm: { min: Vec3; max: Vec3 } | undefined;
}

/** Grows a box (in nm) by every position of an annotation (not its radii). */
function extend(extent: { min: Vec3; max: Vec3 }, item: AnnotationItem, nmPerUnit: number): void {
  for (const key of ["point", "pointA", "pointB", "center"] as const) {
    const vector = item[key];
    if (vector === undefined) continue;
    for (let axis = 0; axis < 3; axis++) {
      const value = (vector[axis] ?? 0) * nmPerUnit;
      if (value < (extent.min[axis] ?? value)) extent.min[axis] = value;
      if (value > (extent.max[axis] ?? value)) extent.max[axis] = value;
    }
  }
}

/** Screen pixels the default zoom fits the annotations into (panels are about this size). */
const FIT_PIXELS = 500;
/** The closest default zoom, in nm per pixel: a lone point shows with its surroundings. */
const MIN_FIT_NM_PER_PIXEL = 8;

/**
 * The view for a state whose request gave no position: centred on the annotations, zoomed to
 * fit them, in nm. Without it Neuroglancer would take its coordinate space from the first layer
 * to load — the local annotations, which have no bounds — and open at the origin, 1 nm a pixel.
 */
export function annotationView(extent: { min: Vec3; max: Vec3 }): Record<string, unknown> {
  const centre = extent.min.map((low, axis) => (low + (extent.max[axis] ?? low)) / 2);
  const span = Math.max(extent.max[0] - extent.min[0], extent.max[1] - extent.min[1]);
  return {
    dimensions: { x: [1e-9, "m"], y: [1e-9, "m"], z: [1e-9, "m"] },
    position: centre,
    crossSectionScale: Math.max(span / FIT_PIXELS, MIN_FIT_NM_PER_PIXEL),
  };
}

/**
 * Builds the annotation layers of a request (already parsed by annotationLayersSchema). Problems
 * go to `issues` with JSON paths under `annotations`; the caller refuses the request if any.
 */
export function buildAnnotationLayers(
  inputs: readonly AnnotationLayerInput[],
  context: AnnotationContext,
  issues: StateIssue[],
): BuiltAnnotationLayers {
  const warnings: StateIssue[] = [];
  const layers: Record<string, unknown>[] = [];
  const names = new Set(context.layerNames);
  const extent = {
    min: [Infinity, Infinity, Infinity] as Vec3,
    max: [-Infinity, -Infinity, -Infinity] as Vec3,
  };
  let total = 0;
  for (const input of inputs) total += input.items?.length ?? 0;
  if (total > MAX_ANNOTATION_ITEMS) {
    issues.push(tooMany(total));
    return { layers, warnings, extentNm: undefined };
  }
  inputs.forEach((input, i) => {
    const path = `annotations[${i}]`;
    if (names.has(input.name))
      issues.push({
        path: `${path}.name`,
        message: `the state already has a layer "${input.name}"; choose another name`,
      });
    names.add(input.name);

    const problems = new LayerIssues(issues, path);
    let items: AnnotationItem[] | undefined;
    if (input.items !== undefined) {
      const checked = input.items.map((value, j) =>
        checkItem(value, `${path}.items[${j}]`, problems),
      );
      if (problems.any) {
        problems.finish();
        return;
      }
      items = checked as AnnotationItem[];
    }
    let descriptions = new Map<string, string>();
    if (input.table !== undefined) {
      const read = tableItems(input, input.table, path, issues, warnings);
      if (read === undefined) return;
      items = read.items;
      descriptions = read.descriptions;
      total += items.length;
      if (total > MAX_ANNOTATION_ITEMS) {
        issues.push(tooMany(total));
        return;
      }
    }
    if (items === undefined) return;
    const specs = collectProperties(items, path, problems);
    for (const spec of specs) {
      const description = descriptions.get(spec.id);
      if (description !== undefined) spec.description = description;
    }
    const annotations = items.map((item, j) =>
      annotationOf(item, j, input.type, specs, `${path}.items[${j}]`, problems),
    );
    const colorBy = numericProperty(specs, input.colorBy, `${path}.colorBy`, problems);
    const sizeBy = numericProperty(specs, input.sizeBy, `${path}.sizeBy`, problems);
    if (sizeBy !== undefined && input.type === "ellipsoid")
      problems.add(`${path}.sizeBy`, "ellipsoids have no size to set; use colorBy instead");
    const colourProperty = specs.find((s) => s.type === "rgb" || s.type === "rgba");

    const hasSegments = annotations.some((a) => a.segments !== undefined);
    let linked = input.linkedSegmentationLayer;
    if (linked !== undefined && !context.segmentationLayers.has(linked))
      problems.add(
        `${path}.linkedSegmentationLayer`,
        `no segmentation layer "${linked}" in this state; segmentation layers: ${[...context.segmentationLayers].join(", ") || "none"}`,
      );
    linked ??= hasSegments || input.filterBySegmentation ? context.defaultSegmentLayer : undefined;
    if (linked === undefined && input.filterBySegmentation)
      problems.add(
        `${path}.filterBySegmentation`,
        "filtering needs a segmentation layer to link to; add one to the layers (or use a view that has one)",
      );
    else if (linked === undefined && hasSegments)
      warnings.push({
        path,
        message:
          "the annotations name segments but the state has no segmentation layer to link them to; clicking them selects nothing",
      });
    problems.finish();
    if (problems.any) return;

    const scale = UNIT_SCALE[input.unit];
    for (const item of items) extend(extent, item, NM_PER_UNIT[input.unit]);
    const layer: Record<string, unknown> = {
      type: "annotation",
      name: input.name,
      source: {
        url: "local://annotations",
        transform: {
          outputDimensions: { x: [scale, "m"], y: [scale, "m"], z: [scale, "m"] },
        },
      },
    };
    if (input.visible === false) layer.visible = false;
    if (input.color !== undefined) layer.annotationColor = input.color.toLowerCase();
    if (specs.length > 0)
      layer.annotationProperties = specs.map((spec) => {
        const out: Record<string, unknown> = { id: spec.id, type: spec.type };
        if (spec.description !== undefined) out.description = spec.description;
        return out;
      });
    layer.annotations = annotations;
    if (linked !== undefined) layer.linkedSegmentationLayer = { segments: linked };
    if (input.filterBySegmentation) layer.filterBySegmentation = ["segments"];
    const shader = shaderFor(input.type, colourProperty, colorBy, sizeBy);
    if (shader !== undefined) layer.shader = shader;
    layers.push(layer);
  });
  return { layers, warnings, extentNm: Number.isFinite(extent.min[0]) ? extent : undefined };
}

function tooMany(total: number): StateIssue {
  return {
    path: "annotations",
    message: `${total} annotations; a link holds at most ${MAX_ANNOTATION_ITEMS}. Split them over several links (one per layer or region), or serve them as a precomputed annotation source and add it as a layer`,
  };
}
