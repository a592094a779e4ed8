// Validates Neuroglancer viewer states against what the client (node_modules/neuroglancer/lib)
// reads: everything it accepts passes (unknown keys are warnings), and everything it would choke
// on or silently turn into something else is an error with a path and what to send instead.
//
// Where the client silently falls back to a default, this module reports an ERROR when the stored
// state would not do what it says (a bad colour turns black, "false" as a string reads as true,
// an out-of-range alpha or a wrong-rank position is replaced, one bad annotation drops them all),
// and a WARNING when nothing the user asked for is lost (unknown keys, legacy forms, numbers sent
// as strings that the client reads exactly, references to layers that may be renamed later).
import {
  describeBadSegmentIdNumber,
  describeBadSegmentIdString,
  describeJsonType,
  hashUint64Decimal,
  isUint64Decimal,
  UnsafeNumber,
} from "./uint64.js";

export interface StateIssue {
  path: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: StateIssue[];
  warnings: StateIssue[];
}

export function validateState(state: unknown): ValidationResult {
  const validator = new StateValidator();
  validator.root(state);
  const { errors, warnings } = validator;
  return { valid: errors.length === 0, errors, warnings };
}

type JsonObject = Record<string, unknown>;
type Check = (v: StateValidator, value: unknown, path: string) => void;
type FieldTable = Readonly<Record<string, Check>>;

/** Errors reported per ID list before the rest are summarised, so a bad paste stays readable. */
const MAX_ERRORS_PER_LIST = 20;

/** Splits a space-separated list: long constant lists stay readable. */
function words(text: string): string[] {
  return text.split(" ");
}

const LAYER_TYPES = words("image segmentation annotation mesh new auto pointAnnotation");

const LAYOUT_NAMES = words("xy xz yz 3d xy-3d xz-3d yz-3d 4panel 4panel-alt");

const DIMENSION_NAME = /^[a-zA-Z][a-zA-Z_0-9]*['^]?$/;
const DIMENSION_NAME_RULE =
  "a dimension name starts with a letter, continues with letters, digits or _, and may end in ' (local) or ^ (channel)";

/** util/si_units.js: SI prefixes, plus "u" for micro (the micro sign is U+00B5). */
const SUPPORTED_UNITS = new Set([
  "",
  ...["", ...words("Y Z E P T G M k h da d c m u \u00b5 n p f a z y")].flatMap((prefix) =>
    words("m s Hz rad/s").map((unit) => `${prefix}${unit}`),
  ),
]);

/** Data sources addressed as "<scheme>://...". */
const SOURCE_SCHEMES = new Set(
  words(
    "precomputed zarr zarr2 zarr3 n5 nifti deepzoom obj vtk boss brainmaps dvid graphene nggraph python render local",
  ),
);
/** Key-value stores a pipeline URL ("<kvstore-url>|<format>:") starts with. */
const BASE_KVSTORES = new Set(
  words("http https gs gs+ngauth+http gs+ngauth+https s3 s3+http s3+https middleauth+https"),
);
const KVSTORE_ADAPTERS = new Set(words("gzip zip ocdbt icechunk byte-range"));
/** Formats that end a pipeline URL. */
const PIPELINE_FORMATS = new Set(
  words("neuroglancer-precomputed zarr zarr2 zarr3 n5 nifti deepzoom obj vtk"),
);
const LOCAL_ANNOTATIONS = "local://annotations";
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const URL_EXAMPLE =
  '"precomputed://s3://bucket/path" or "s3://bucket/path/|neuroglancer-precomputed:"';

/** Layer `tool` values the client can restore (registerLegacyTool); others make it throw. */
const LEGACY_TOOLS = words(
  "annotatePoint annotateLine annotateBoundingBox annotateSphere annotatePolyline annotateMergeLine",
);

const ANNOTATION_GEOMETRY: Readonly<Record<string, readonly string[]>> = {
  point: ["point"],
  line: ["pointA", "pointB"],
  axis_aligned_bounding_box: ["pointA", "pointB"],
  ellipsoid: ["center", "radii"],
  polyline: ["points"],
};
const ANNOTATION_COMMON_KEYS = words("type id description segments props");
const ANNOTATION_PROPERTY_TYPES = words("rgb rgba float32 uint32 int32 uint16 int16 uint8 int8");

const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTIONAL_COLOR = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\([^()]*\)$/i;
const RRGGBB = /^#[0-9a-f]{6}$/i;
/** CSS named colours: the client parses colours through a canvas, so these are accepted. */
const CSS_COLOR_NAMES = new Set(
  words(
    "aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue " +
      "blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk " +
      "crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki " +
      "darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen " +
      "darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue " +
      "dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite " +
      "gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki " +
      "lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan " +
      "lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen " +
      "lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen linen " +
      "magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen " +
      "mediumslateblue mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream " +
      "mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid " +
      "palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum " +
      "powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown " +
      "seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen " +
      "steelblue tan teal thistle tomato turquoise violet wheat white whitesmoke yellow " +
      "yellowgreen transparent",
  ),
);

function isCssColor(text: string): boolean {
  const t = text.trim();
  return HEX_COLOR.test(t) || FUNCTIONAL_COLOR.test(t) || CSS_COLOR_NAMES.has(t.toLowerCase());
}

function isObject(value: unknown): value is JsonObject {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof UnsafeNumber)
  );
}

const SIMPLE_KEY = /^[^.[\]\s"]+$/;

function child(path: string, key: string): string {
  if (!SIMPLE_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

function at(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** The last step of a path, to name the offending field in a message. */
function label(path: string): string {
  const dot = path.lastIndexOf(".");
  return path === "" ? "the state" : path.slice(dot + 1);
}

function list(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

interface NumberRule {
  /** Phrase for messages, e.g. "a number between 0 and 1". */
  expected: string;
  min?: number;
  /** When set, `min` itself is not allowed. */
  minExclusive?: boolean;
  max?: number;
  integer?: boolean;
  /**
   * The client reads this field with parseFloat/parseInt, so "8" works (a warning) while "8nm"
   * silently becomes 8 (an error).
   */
  numericString?: boolean;
}

/** A whole string that parseFloat reads completely, the same as Number does. */
const DECIMAL_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

const FINITE: NumberRule = { expected: "a finite number", numericString: true };
const POSITIVE: NumberRule = {
  expected: "a number greater than 0",
  min: 0,
  minExclusive: true,
  numericString: true,
};
const NON_NEGATIVE: NumberRule = {
  expected: "a number of at least 0",
  min: 0,
  numericString: true,
};
const ALPHA: NumberRule = { expected: "a number between 0 and 1", min: 0, max: 1 };
const POSITIVE_INTEGER: NumberRule = {
  expected: "a whole number of at least 1",
  min: 1,
  integer: true,
  numericString: true,
};
const NON_NEGATIVE_INTEGER: NumberRule = {
  expected: "a whole number of at least 0",
  min: 0,
  integer: true,
};
const UINT32: NumberRule = {
  expected: "a whole number between 0 and 4294967295",
  min: 0,
  max: 4294967295,
  integer: true,
  numericString: true,
};
const LIMIT: NumberRule = { expected: "a number of at least 0", min: 0 };

/** The layer being validated, for checks that depend on its other keys. */
interface LayerContext {
  localDimensionNames: string[] | undefined;
  /** Rank of its local annotations, and whether it comes from an explicit source transform. */
  annotationRank: { rank: number; explicit: boolean } | undefined;
  annotationPropertyCount: number;
  annotationRelationships: number;
  plainUrlSource: boolean;
}

/**
 * Finds repeated IDs in a list that `segmentIds` has validated, by open addressing on the digit
 * hash: no per-ID allocation, which a Set of strings would cost on lists 100 000 long.
 */
class SegmentIdTable {
  /** Index + 1 of the list entry in each slot; 0 marks an empty slot. */
  private readonly entries: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(private readonly ids: readonly unknown[]) {
    let capacity = 16;
    while (capacity < ids.length * 2) capacity *= 2;
    this.entries = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Records entry `index`, whose digits hash to `hash`; true when an equal ID came before. */
  addAndCheckSeen(index: number, hash: number): boolean {
    const { entries, hashes, mask } = this;
    // Spread nearby hashes (consecutive IDs) over the table.
    let slot = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & mask;
    for (;;) {
      const entry = entries[slot] as number;
      if (entry === 0) {
        entries[slot] = index + 1;
        hashes[slot] = hash;
        return false;
      }
      if (hashes[slot] === hash && this.digits(entry - 1) === this.digits(index)) return true;
      slot = (slot + 1) & mask;
    }
  }

  private digits(index: number): string {
    const id = this.ids[index];
    if (typeof id !== "string") return String(id);
    return id.charCodeAt(0) === 33 ? id.slice(1) : id;
  }
}

class StateValidator {
  readonly errors: StateIssue[] = [];
  readonly warnings: StateIssue[] = [];
  /** Names in the top-level `dimensions`, when it is given. */
  globalDimensionNames: string[] | undefined;
  layerNames = new Set<string>();
  layer: LayerContext | undefined;

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  typeError(path: string, expected: string, value: unknown): void {
    if (value instanceof UnsafeNumber) this.unsafeNumber(path, value);
    else this.error(path, `${label(path)} must be ${expected}; got ${describeJsonType(value)}`);
  }

  unsafeNumber(path: string, value: UnsafeNumber): void {
    this.error(
      path,
      `the number ${value.raw} has more digits than a double can hold, so Neuroglancer would read a rounded value; send a shorter number, or a string where the value is an ID`,
    );
  }

  root(value: unknown): void {
    const state = this.object(value, "", "a JSON object");
    if (state === undefined) return;
    const dimensions = state.dimensions;
    if (isObject(dimensions)) this.globalDimensionNames = Object.keys(dimensions);
    this.collectLayerNames(state.layers);
    this.fields(state, "", TOP_LEVEL_FIELDS, "");
  }

  /** Layer names first: selectedLayer, layouts and links may refer to them before `layers`. */
  private collectLayerNames(layers: unknown): void {
    if (Array.isArray(layers)) {
      for (const layer of layers)
        if (isObject(layer) && typeof layer.name === "string") this.layerNames.add(layer.name);
    } else if (isObject(layers)) {
      for (const name of Object.keys(layers)) this.layerNames.add(name);
    }
  }

  fields(obj: JsonObject, path: string, table: FieldTable, context: string): void {
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      // The client skips undefined members, as JSON.stringify does.
      if (value === undefined) continue;
      const check = Object.hasOwn(table, key) ? table[key] : undefined;
      if (check !== undefined) check(this, value, child(path, key));
      else this.unknownKey(value, child(path, key), key, context);
    }
  }

  unknownKey(value: unknown, path: string, key: string, context: string): void {
    this.warn(path, `unknown key ${JSON.stringify(key)}${context}; Neuroglancer ignores it`);
    this.freeform(value, path);
  }

  /** Values the client keeps without reading (or ignores): only unsafe numbers are errors there. */
  freeform(value: unknown, path: string): void {
    if (value instanceof UnsafeNumber) this.unsafeNumber(path, value);
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (typeof item === "object" && item !== null) this.freeform(item, at(path, i));
      }
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) this.freeform(value[key], child(path, key));
    }
  }

  legacy(path: string, instead: string): void {
    this.warn(
      path,
      `legacy key ${JSON.stringify(label(path))}; Neuroglancer still reads it, ${instead}`,
    );
  }

  // ---- scalars ----

  object(value: unknown, path: string, expected: string): JsonObject | undefined {
    if (isObject(value)) return value;
    this.typeError(path, expected, value);
    return undefined;
  }

  array(value: unknown, path: string, expected: string): unknown[] | undefined {
    if (Array.isArray(value)) return value;
    this.typeError(path, expected, value);
    return undefined;
  }

  boolean(value: unknown, path: string): void {
    if (typeof value !== "boolean") this.typeError(path, "true or false (a JSON boolean)", value);
  }

  string(value: unknown, path: string): value is string {
    if (typeof value === "string") return true;
    this.typeError(path, "a string", value);
    return false;
  }

  eachItem(value: unknown, path: string, expected: string, check: Check): void {
    const items = this.array(value, path, expected);
    if (items !== undefined)
      for (let i = 0; i < items.length; i++) check(this, items[i], at(path, i));
  }

  stringArray(value: unknown, path: string): string[] | undefined {
    const items = this.array(value, path, "an array of strings");
    if (items === undefined) return undefined;
    let ok = true;
    for (let i = 0; i < items.length; i++) ok = this.string(items[i], at(path, i)) && ok;
    return ok ? (items as string[]) : undefined;
  }

  number(value: unknown, path: string, rule: NumberRule): number | undefined {
    let n: number;
    if (typeof value === "number") n = value;
    else if (typeof value === "string" && rule.numericString) {
      if (!DECIMAL_NUMBER.test(value)) {
        const leading = Number.parseFloat(value);
        const note = Number.isNaN(leading)
          ? ""
          : ` (Neuroglancer would read only its leading number, ${leading})`;
        this.error(
          path,
          `${label(path)} must be ${rule.expected}; got ${describeJsonType(value)}${note}`,
        );
        return undefined;
      }
      n = Number(value);
      this.warn(
        path,
        `${label(path)} was sent as a string; Neuroglancer reads it, but send the number ${n}`,
      );
    } else {
      this.typeError(path, rule.expected, value);
      return undefined;
    }
    const tooLow =
      rule.min !== undefined && (rule.minExclusive === true ? n <= rule.min : n < rule.min);
    if (
      !Number.isFinite(n) ||
      tooLow ||
      (rule.max !== undefined && n > rule.max) ||
      (rule.integer === true && !Number.isInteger(n))
    ) {
      this.error(path, `${label(path)} must be ${rule.expected}; got ${n}`);
      return undefined;
    }
    return n;
  }

  numberArray(
    value: unknown,
    path: string,
    rule: NumberRule,
    length?: number,
  ): number[] | undefined {
    const expected = length === undefined ? `an array of numbers` : `an array of ${length} numbers`;
    const items = this.array(value, path, expected);
    if (items === undefined) return undefined;
    if (length !== undefined && items.length !== length) {
      this.error(path, `${label(path)} must be ${expected}; got an array of ${items.length}`);
      return undefined;
    }
    const result: number[] = [];
    let ok = true;
    for (let i = 0; i < items.length; i++) {
      const n = this.number(items[i], at(path, i), rule);
      if (n === undefined) ok = false;
      else result.push(n);
    }
    return ok ? result : undefined;
  }

  enumString(
    value: unknown,
    path: string,
    allowed: readonly string[],
    caseInsensitive = true,
  ): void {
    const matches =
      typeof value === "string" &&
      (caseInsensitive
        ? allowed.includes(value.toLowerCase()) && /^[a-zA-Z]/.test(value)
        : allowed.includes(value));
    if (!matches) this.typeError(path, `one of ${list(allowed)}`, value);
  }

  color(value: unknown, path: string): void {
    // Anything the canvas cannot parse silently becomes black.
    if (typeof value !== "string" || !isCssColor(value))
      this.typeError(path, 'a colour such as "#ff8800"', value);
  }

  quaternion(value: unknown, path: string): void {
    // The client silently resets a bad orientation to the identity.
    const q = this.numberArray(value, path, FINITE, 4);
    if (q?.every((x) => x === 0))
      this.error(path, `${label(path)} must not be all zeros; send [0, 0, 0, 1] for no rotation`);
  }

  // ---- coordinate spaces ----

  coordinateSpace(value: unknown, path: string, numericalNames = false): string[] | undefined {
    const space = this.object(value, path, 'an object such as {"x": [8, "nm"], "y": [8, "nm"]}');
    if (space === undefined) return undefined;
    const names = Object.keys(space);
    for (const name of names) {
      const p = child(path, name);
      // inputDimensions may use source dimension indices ("0", "1", ...) as names.
      const numerical = numericalNames && Number.isInteger(Number(name)) && Number(name) >= 0;
      if (!numerical && !DIMENSION_NAME.test(name))
        this.error(p, `dimension name ${JSON.stringify(name)} is invalid; ${DIMENSION_NAME_RULE}`);
      const dimension = space[name];
      if (Array.isArray(dimension)) this.scaleAndUnit(dimension, p);
      else if (isObject(dimension)) this.coordinateArray(dimension, p);
      else
        this.typeError(
          p,
          '[scale, unit] such as [8, "nm"], or {"coordinates": [...], "labels": [...]}',
          dimension,
        );
    }
    return names;
  }

  private scaleAndUnit(dimension: unknown[], path: string): void {
    if (dimension.length !== 2) {
      this.error(
        path,
        `${label(path)} must be [scale, unit] such as [8, "nm"]; got an array of ${dimension.length}`,
      );
      return;
    }
    this.number(dimension[0], at(path, 0), POSITIVE);
    const unit = dimension[1];
    const unitPath = at(path, 1);
    if (!this.string(unit, unitPath) || SUPPORTED_UNITS.has(unit)) return;
    const hint = unit.startsWith("\u03bc")
      ? ` (that is a Greek mu; write "u" or "\u00b5" (U+00B5))`
      : "";
    this.error(
      unitPath,
      `unit ${JSON.stringify(unit)} is not supported${hint}; send "" or an SI prefix with m, s, Hz or rad/s, e.g. "nm", "um", "ms"`,
    );
  }

  private coordinateArray(dimension: JsonObject, path: string): void {
    this.fields(dimension, path, COORDINATE_ARRAY_FIELDS, " in a coordinate array");
    const { coordinates, labels } = dimension;
    if (coordinates === undefined)
      this.error(child(path, "coordinates"), 'a coordinate array needs "coordinates"');
    if (labels === undefined)
      this.error(child(path, "labels"), 'a coordinate array needs "labels"');
    if (Array.isArray(coordinates) && Array.isArray(labels) && coordinates.length !== labels.length)
      this.error(
        path,
        `"coordinates" has ${coordinates.length} entries but "labels" has ${labels.length}; send one label per coordinate`,
      );
  }

  /** Checks that `names` (e.g. of relativeDisplayScales) are among `dimensions`. */
  knownDimension(name: string, path: string, what: string, severity: "error" | "warning"): void {
    const names = this.globalDimensionNames;
    if (names === undefined || names.includes(name)) return;
    const message = `${what} ${JSON.stringify(name)} is not in "dimensions" (${list(names)})`;
    if (severity === "error") this.error(path, message);
    else this.warn(path, `${message}; Neuroglancer ignores it`);
  }

  position(value: unknown, path: string, names: string[] | undefined, what: string): void {
    // A position of the wrong rank is silently replaced by the centre of the data.
    const position = this.numberArray(value, path, FINITE);
    if (position !== undefined && names !== undefined && position.length !== names.length)
      this.error(
        path,
        `${label(path)} has ${position.length} coordinates but ${what} has ${names.length} (${list(names)}); send one coordinate per dimension`,
      );
  }

  velocity(value: unknown, path: string, names: string[] | undefined, what: string): void {
    const velocity = this.object(value, path, 'an object such as {"z": {"velocity": 10}}');
    if (velocity === undefined) return;
    for (const name of Object.keys(velocity)) {
      const p = child(path, name);
      // The client throws on a name that is not a dimension at the time the state is read.
      if (names === undefined)
        this.error(
          p,
          `${label(path)} needs ${what} to be given in the state; add it or drop this entry`,
        );
      else if (!names.includes(name))
        this.error(p, `${JSON.stringify(name)} is not a dimension of ${what} (${list(names)})`);
      const entry = this.object(
        velocity[name],
        p,
        'an object such as {"velocity": 10, "paused": false}',
      );
      if (entry !== undefined) this.fields(entry, p, VELOCITY_FIELDS, " in a velocity");
    }
  }

  transform(value: unknown, path: string): number | undefined {
    const transform = this.object(
      value,
      path,
      'an object such as {"outputDimensions": {...}, "matrix": [...]}',
    );
    if (transform === undefined) return undefined;
    this.fields(
      transform,
      path,
      { outputDimensions: noCheck, inputDimensions: noCheck, sourceRank: noCheck, matrix: noCheck },
      " in a transform",
    );
    const outputPath = child(path, "outputDimensions");
    if (transform.outputDimensions === undefined) {
      // Without it the transform has rank 0, which fits no data source.
      this.error(
        outputPath,
        'a transform needs "outputDimensions", e.g. {"x": [8, "nm"], "y": [8, "nm"], "z": [8, "nm"]}',
      );
      return undefined;
    }
    const output = this.coordinateSpace(transform.outputDimensions, outputPath);
    if (output === undefined) return undefined;
    const rank = output.length;
    if (transform.sourceRank !== undefined) {
      const sourceRank = this.number(
        transform.sourceRank,
        child(path, "sourceRank"),
        NON_NEGATIVE_INTEGER,
      );
      if (sourceRank !== undefined && sourceRank > rank)
        this.error(
          child(path, "sourceRank"),
          `sourceRank must be at most the rank of outputDimensions (${rank}); got ${sourceRank}`,
        );
    }
    if (transform.inputDimensions !== undefined) {
      const input = this.coordinateSpace(
        transform.inputDimensions,
        child(path, "inputDimensions"),
        true,
      );
      if (input !== undefined && input.length !== rank)
        this.error(
          child(path, "inputDimensions"),
          `inputDimensions has ${input.length} dimensions but outputDimensions has ${rank}; send the same number`,
        );
    }
    if (transform.matrix !== undefined) this.matrix(transform.matrix, child(path, "matrix"), rank);
    return rank;
  }

  private matrix(value: unknown, path: string, rank: number): void {
    const shape = `${rank} rows of ${rank + 1} numbers (one row per output dimension; the last column is the translation)`;
    const rows = this.array(value, path, `an array of ${shape}`);
    if (rows === undefined) return;
    if (rows.length !== rank) {
      this.error(path, `matrix must have ${shape}; got ${rows.length} rows`);
      return;
    }
    for (let i = 0; i < rank; i++) {
      const row = rows[i];
      const rowPath = at(path, i);
      if (!Array.isArray(row) || row.length !== rank + 1)
        this.error(
          rowPath,
          `each matrix row must have ${rank + 1} numbers (outputDimensions has rank ${rank}); got ${Array.isArray(row) ? `an array of ${row.length}` : describeJsonType(row)}`,
        );
      else this.numberArray(row, rowPath, FINITE);
    }
  }

  // ---- segment IDs ----

  /**
   * One pass over an ID list: strings must be canonical decimal uint64 ("!123" too when
   * `allowHidden`), safe-integer numbers are accepted with one warning per list, and duplicates
   * are counted when `reportDuplicates`. No allocation per valid string ID.
   */
  segmentIds(value: unknown, path: string, allowHidden: boolean, reportDuplicates: boolean): void {
    const ids = this.array(
      value,
      path,
      'an array of segment IDs as decimal strings, e.g. ["123", "456"]',
    );
    if (ids === undefined) return;
    const seen = reportDuplicates ? new SegmentIdTable(ids) : undefined;
    let numbers = 0;
    let firstNumber = -1;
    let duplicates = 0;
    let firstDuplicate = -1;
    let errors = 0;
    for (let i = 0; i < ids.length; i++) {
      const item = ids[i];
      let hash: number;
      if (typeof item === "string") {
        const hidden = allowHidden && item.charCodeAt(0) === 33;
        hash = hashUint64Decimal(item, hidden ? 1 : 0);
        if (hash < 0) {
          if (++errors <= MAX_ERRORS_PER_LIST) {
            const message = hidden
              ? `hidden segment ${JSON.stringify(item)}: ${describeBadSegmentIdString(item.slice(1))}`
              : describeBadSegmentIdString(item);
            this.error(at(path, i), message);
          }
          continue;
        }
      } else if (typeof item === "number" && Number.isSafeInteger(item) && item >= 0) {
        if (numbers++ === 0) firstNumber = i;
        hash = hashUint64Decimal(String(item));
      } else {
        if (++errors <= MAX_ERRORS_PER_LIST) {
          const message =
            typeof item === "number" || item instanceof UnsafeNumber
              ? describeBadSegmentIdNumber(item)
              : `segment ID must be a decimal string such as "123"; got ${describeJsonType(item)}`;
          this.error(at(path, i), message);
        }
        continue;
      }
      if (seen?.addAndCheckSeen(i, hash) === true && duplicates++ === 0) firstDuplicate = i;
    }
    if (errors > MAX_ERRORS_PER_LIST)
      this.error(
        path,
        `${errors - MAX_ERRORS_PER_LIST} more invalid segment IDs in this list (only the first ${MAX_ERRORS_PER_LIST} are listed)`,
      );
    if (numbers > 0)
      this.warn(
        at(path, firstNumber),
        `${numbers} segment ID${numbers === 1 ? " was" : "s were"} sent as JSON numbers; they are exact here, but send segment IDs as strings so IDs above 2^53 survive`,
      );
    if (duplicates > 0)
      this.warn(
        at(path, firstDuplicate),
        `${duplicates} duplicate segment ID${duplicates === 1 ? "" : "s"} in this list (the first is here); Neuroglancer keeps one of each`,
      );
  }

  segmentId(value: unknown, path: string): void {
    if (typeof value === "string") {
      if (!isUint64Decimal(value)) this.error(path, describeBadSegmentIdString(value));
    } else if (typeof value === "number" || value instanceof UnsafeNumber) {
      if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0)
        this.warn(path, "segment ID was sent as a JSON number; send segment IDs as strings");
      else this.error(path, describeBadSegmentIdNumber(value));
    } else this.typeError(path, 'a segment ID as a decimal string, e.g. "123"', value);
  }

  // ---- data sources ----

  sources(value: unknown, path: string): void {
    if (typeof value === "string") this.dataSourceUrl(value, path);
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (typeof item === "string") this.dataSourceUrl(item, at(path, i));
        else if (isObject(item)) this.sourceObject(item, at(path, i));
        else this.typeError(at(path, i), 'a URL string or {"url": ...}', item);
      }
    } else if (isObject(value)) this.sourceObject(value, path);
    else
      this.typeError(
        path,
        `a URL string such as ${URL_EXAMPLE}, an object {"url": ...}, or an array of those`,
        value,
      );
  }

  private sourceObject(source: JsonObject, path: string): void {
    this.fields(source, path, SOURCE_FIELDS, " in a data source");
    if (source.url === undefined)
      this.error(child(path, "url"), `a data source object needs "url", e.g. ${URL_EXAMPLE}`);
  }

  dataSourceUrl(value: unknown, path: string): void {
    if (!this.string(value, path)) return;
    const url = value.trim().replace(/\|+$/, "");
    if (url === "") {
      this.error(path, `data source URL is empty; send e.g. ${URL_EXAMPLE}`);
      return;
    }
    const parts = url.split("|");
    const base = parts[0] ?? "";
    const scheme = URL_SCHEME.exec(base)?.[1];
    if (scheme === undefined) {
      this.error(
        path,
        `data source URL ${JSON.stringify(value)} has no scheme; send e.g. ${URL_EXAMPLE}`,
      );
      return;
    }
    if (BASE_KVSTORES.has(scheme)) this.pipeline(parts, path);
    else if (SOURCE_SCHEMES.has(scheme) || scheme.startsWith("brainmaps-")) {
      if (!base.startsWith(`${scheme}://`))
        this.error(path, `"${scheme}:" data source URLs must start with "${scheme}://"`);
      else if (parts.length > 1)
        this.error(
          path,
          `a "${scheme}://" URL cannot be followed by "|" parts; write the pipeline form "<kvstore-url>|...|<format>:" instead`,
        );
    } else
      this.warn(
        path,
        `unknown data source scheme "${scheme}:"; this Neuroglancer version reads ${list([...BASE_KVSTORES])} key-value stores and ${list([...SOURCE_SCHEMES])} sources`,
      );
  }

  private pipeline(parts: string[], path: string): void {
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i] ?? "";
      const scheme = URL_SCHEME.exec(part)?.[1];
      if (scheme === undefined)
        this.error(
          path,
          `pipeline part ${JSON.stringify(part)} must look like "<format>:", e.g. "neuroglancer-precomputed:"`,
        );
      else if (scheme === "precomputed")
        // The client's precomputed format is named "neuroglancer-precomputed"; "precomputed" is
        // only the legacy "precomputed://" prefix, so "|precomputed:" fails to load.
        this.error(
          path,
          '"|precomputed:" is not a Neuroglancer format; write "|neuroglancer-precomputed:", or the legacy form "precomputed://<kvstore-url>"',
        );
      else if (PIPELINE_FORMATS.has(scheme)) {
        if (i !== parts.length - 1)
          this.error(path, `the format "${scheme}:" must be the last part of the URL`);
      } else if (!KVSTORE_ADAPTERS.has(scheme))
        this.warn(
          path,
          `unknown pipeline part "${scheme}:"; this Neuroglancer version knows formats ${list([...PIPELINE_FORMATS])} and adapters ${list([...KVSTORE_ADAPTERS])}`,
        );
    }
  }

  // ---- layers ----

  layers(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      const seen = new Map<string, string>();
      for (let i = 0; i < value.length; i++) this.layerSpec(value[i], at(path, i), seen);
    } else if (isObject(value)) {
      this.warn(
        path,
        'legacy form {name: layer}; Neuroglancer still reads it, but writes "layers" as an array of layers with "name"',
      );
      for (const name of Object.keys(value)) {
        const spec = value[name];
        const p = child(path, name);
        if (typeof spec === "string") this.dataSourceUrl(spec, p);
        else this.layerSpec(spec, p);
      }
    } else this.typeError(path, "an array of layers", value);
  }

  /** One layer; `seenNames` (name to path) only in the array form, where names are values. */
  private layerSpec(value: unknown, path: string, seenNames?: Map<string, string>): void {
    const spec = this.object(
      value,
      path,
      'a layer object such as {"name": "em", "type": "image", "source": "..."}',
    );
    if (spec === undefined) return;
    if (seenNames !== undefined) this.layerName(spec.name, child(path, "name"), seenNames);
    const type = this.layerType(spec.type, child(path, "type"));
    const localDimensions = spec.localDimensions;
    this.layer = {
      localDimensionNames: isObject(localDimensions) ? Object.keys(localDimensions) : undefined,
      annotationRank: this.annotationRank(spec),
      annotationPropertyCount: Array.isArray(spec.annotationProperties)
        ? spec.annotationProperties.length
        : 0,
      annotationRelationships: Array.isArray(spec.annotationRelationships)
        ? spec.annotationRelationships.length
        : 1,
      plainUrlSource: typeof spec.source === "string",
    };
    const table = LAYER_FIELDS[type];
    if (table !== undefined) this.fields(spec, path, table, ` for a layer of type "${type}"`);
    else this.untypedLayerFields(spec, path, type);
    this.layer = undefined;
  }

  private layerName(name: unknown, path: string, seenNames: Map<string, string>): void {
    if (name === undefined) {
      this.error(path, 'every layer needs a "name"; send a unique, non-empty string');
      return;
    }
    if (!this.string(name, path)) return;
    if (name === "") {
      this.error(path, "layer name is empty; send a unique, non-empty string");
      return;
    }
    const earlier = seenNames.get(name);
    // The client renames the later layer, so links, layouts and selectedLayer point elsewhere.
    if (earlier !== undefined)
      this.error(
        path,
        `layer name ${JSON.stringify(name)} is already used by ${earlier}; Neuroglancer would silently rename this layer, so give each layer a unique name`,
      );
    else seenNames.set(name, path.slice(0, -".name".length));
  }

  private layerType(value: unknown, path: string): string {
    if (value === undefined) return "auto";
    if (typeof value === "string" && (LAYER_TYPES as readonly string[]).includes(value)) {
      if (value === "pointAnnotation")
        this.warn(
          path,
          'legacy layer type "pointAnnotation"; Neuroglancer reads it as "annotation", so send that',
        );
      return value;
    }
    // The client turns an unknown type into an empty "new" layer, dropping everything else.
    this.typeError(path, `one of ${list(LAYER_TYPES)}`, value);
    return "invalid";
  }

  /** Layers of type auto/new: type-specific keys are dropped when the client picks the type. */
  private untypedLayerFields(spec: JsonObject, path: string, type: string): void {
    for (const key of Object.keys(spec)) {
      const value = spec[key];
      if (value === undefined) continue;
      const p = child(path, key);
      const common = Object.hasOwn(COMMON_LAYER_FIELDS, key) ? COMMON_LAYER_FIELDS[key] : undefined;
      if (common !== undefined) {
        common(this, value, p);
        continue;
      }
      if (type === "invalid") {
        this.freeform(value, p);
        continue;
      }
      const owners = TYPED_LAYERS.filter((t) => Object.hasOwn(LAYER_FIELDS[t] ?? {}, key));
      if (owners.length === 0) this.unknownKey(value, p, key, " for a layer");
      else {
        this.warn(
          p,
          `${JSON.stringify(key)} applies to ${owners.join("/")} layers, but this layer's type is "${type}"; Neuroglancer picks the type from the data and drops this key, so set "type"`,
        );
        this.freeform(value, p);
      }
    }
  }

  /**
   * The rank the local annotations of this layer will have, when the state alone decides it: the
   * rank of an explicit source transform, else that of "dimensions" (the client's default).
   */
  private annotationRank(spec: JsonObject): LayerContext["annotationRank"] {
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
    const names = this.globalDimensionNames;
    return names === undefined ? undefined : { rank: names.length, explicit: false };
  }

  currentLayer(): LayerContext {
    if (this.layer === undefined) throw new Error("layer field checked outside a layer");
    return this.layer;
  }

  layerReference(value: unknown, path: string, what: string): void {
    if (this.string(value, path) && !this.layerNames.has(value))
      this.warn(
        path,
        `${what} ${JSON.stringify(value)} is not a layer in this state; Neuroglancer ignores the reference`,
      );
  }

  legacyLayerTransform(value: unknown, path: string): void {
    if (isObject(value) && (value.outputDimensions !== undefined || value.matrix !== undefined)) {
      // Read as the legacy {rotation, translation, scale} form, so these keys do nothing here.
      this.error(
        path,
        'a layer-level "transform" is read in the legacy {rotation, translation, scale} form, so "outputDimensions" and "matrix" are ignored here; move it into the source: {"url": ..., "transform": {...}}',
      );
      return;
    }
    this.legacy(path, 'but send a "transform" inside the source object instead');
    if (!this.currentLayer().plainUrlSource)
      this.warn(
        path,
        'a layer-level "transform" only applies to a source given as a plain URL string; Neuroglancer ignores it here',
      );
    if (Array.isArray(value)) {
      if (value.length === 16) this.numberArray(value, path, FINITE, 16);
      else {
        const rows = this.array(value, path, "16 numbers, or 4 rows of 4 numbers");
        if (rows !== undefined && rows.length !== 4)
          this.error(
            path,
            `transform must be 16 numbers or 4 rows of 4 numbers; got ${rows.length} entries`,
          );
        else if (rows !== undefined)
          for (let i = 0; i < rows.length; i++) this.numberArray(rows[i], at(path, i), FINITE, 4);
      }
    } else {
      const transform = this.object(
        value,
        path,
        "an array of 16 numbers or {rotation, translation, scale}",
      );
      if (transform !== undefined)
        this.fields(transform, path, LEGACY_TRANSFORM_FIELDS, " in a legacy transform");
    }
  }

  legacyTool(value: unknown, path: string): void {
    const tool = isObject(value) ? value.type : value;
    const toolPath = isObject(value) ? child(path, "type") : path;
    // An unknown tool type makes the client throw and drop the layer.
    if (typeof tool !== "string" || !LEGACY_TOOLS.includes(tool))
      this.typeError(
        toolPath,
        `one of ${list(LEGACY_TOOLS)} (or bind other tools with "toolBindings")`,
        tool,
      );
    if (isObject(value))
      for (const key of Object.keys(value))
        if (key !== "type") this.freeform(value[key], child(path, key));
  }

  toolBindings(value: unknown, path: string): void {
    const bindings = this.object(value, path, 'an object such as {"A": "annotatePoint"}');
    if (bindings === undefined) return;
    for (const key of Object.keys(bindings)) {
      const p = child(path, key);
      if (!/^[A-Z]$/.test(key))
        this.error(
          p,
          `tool key ${JSON.stringify(key)} is invalid; tool keys are single capital letters "A" to "Z"`,
        );
      const tool = bindings[key];
      if (typeof tool === "string") continue;
      const obj = this.object(tool, p, 'a tool name or {"type": ...}');
      if (obj === undefined) continue;
      if (typeof obj.type !== "string")
        this.typeError(child(p, "type"), "a string naming the tool", obj.type);
      this.freeform(obj, p);
    }
  }

  // ---- image, mesh and annotation shading ----

  shaderControls(value: unknown, path: string): void {
    // The client silently drops a value its control cannot parse, so shapes are checked here.
    const controls = this.object(value, path, "an object keyed by #uicontrol name");
    if (controls === undefined) return;
    for (const name of Object.keys(controls)) {
      const control = controls[name];
      const p = child(path, name);
      if (typeof control === "number" || typeof control === "boolean") continue;
      if (typeof control === "string") {
        if (!isCssColor(control) && !DECIMAL_NUMBER.test(control))
          this.typeError(
            p,
            'a number (slider), true/false (checkbox), a colour such as "#ff8800" (color), or an object (invlerp, transferFunction)',
            control,
          );
      } else if (isObject(control))
        this.fields(control, p, SHADER_CONTROL_FIELDS, " in a shader control");
      else this.typeError(p, "a number, true/false, a colour string, or an object", control);
    }
  }

  interval(value: unknown, path: string, increasing: boolean): void {
    const bounds = this.array(value, path, "[lower, upper]");
    if (bounds === undefined) return;
    if (bounds.length !== 2) {
      this.error(path, `${label(path)} must be [lower, upper]; got an array of ${bounds.length}`);
      return;
    }
    const numbers = bounds.map((bound, i) => this.dataValue(bound, at(path, i)));
    const [lower, upper] = numbers;
    if (increasing && lower !== undefined && upper !== undefined && lower > upper)
      this.error(
        path,
        `${label(path)} must be increasing ([lower, upper]); Neuroglancer discards [${lower}, ${upper}]`,
      );
  }

  /** A data value: a number, or a decimal string (how uint64 values travel). */
  private dataValue(value: unknown, path: string): number | bigint | undefined {
    if (typeof value === "number") return value;
    if (typeof value === "string") {
      if (isUint64Decimal(value)) return BigInt(value);
      if (DECIMAL_NUMBER.test(value)) return Number(value);
    }
    this.typeError(path, "a number, or a decimal string for uint64 data", value);
    return undefined;
  }

  channel(value: unknown, path: string): void {
    if (Array.isArray(value)) this.numberArray(value, path, NON_NEGATIVE_INTEGER);
    else this.number(value, path, NON_NEGATIVE_INTEGER);
  }

  controlPoints(value: unknown, path: string): void {
    const points = this.array(value, path, 'an array of [value, "#rrggbb", opacity]');
    if (points === undefined) return;
    for (let i = 0; i < points.length; i++) {
      const point = points[i];
      const p = at(path, i);
      if (!Array.isArray(point) || point.length !== 3) {
        this.typeError(p, '[value, "#rrggbb", opacity], e.g. [0, "#000000", 0]', point);
        continue;
      }
      this.dataValue(point[0], at(p, 0));
      if (typeof point[1] !== "string" || !RRGGBB.test(point[1]))
        this.typeError(at(p, 1), 'a colour written "#rrggbb"', point[1]);
      this.number(point[2], at(p, 2), ALPHA);
    }
  }

  // ---- segmentation ----

  equivalences(value: unknown, path: string): void {
    this.eachItem(
      value,
      path,
      'an array of ID groups, e.g. [["1", "2"], ["3", "4"]]',
      (v, group, p) => v.segmentIds(group, p, false, false),
    );
  }

  segmentColors(value: unknown, path: string): void {
    const colors = this.object(value, path, 'an object such as {"123": "#ff0000"}');
    if (colors === undefined) return;
    for (const id of Object.keys(colors)) {
      const p = child(path, id);
      if (!isUint64Decimal(id))
        this.error(p, `segmentColors key: ${describeBadSegmentIdString(id)}`);
      this.color(colors[id], p);
    }
  }

  // ---- annotations ----

  annotations(value: unknown, path: string): void {
    // The client restores local annotations inside a try/catch: one bad entry loses them all.
    const annotations = this.array(
      value,
      path,
      'an array of annotations such as {"type": "point", "id": "1", "point": [1, 2, 3]}',
    );
    if (annotations === undefined) return;
    const layer = this.currentLayer();
    const ids = new Map<string, number>();
    let rank = layer.annotationRank?.rank;
    for (let i = 0; i < annotations.length; i++) {
      const p = at(path, i);
      const annotation = this.object(
        annotations[i],
        p,
        'an annotation object such as {"type": "point", "id": "1", "point": [1, 2, 3]}',
      );
      if (annotation === undefined) continue;
      const type = typeof annotation.type === "string" ? annotation.type.toLowerCase() : undefined;
      const geometry = type === undefined ? undefined : ANNOTATION_GEOMETRY[type];
      if (geometry === undefined)
        this.typeError(
          child(p, "type"),
          `one of ${list(Object.keys(ANNOTATION_GEOMETRY))}`,
          annotation.type,
        );
      const id = annotation.id;
      const idPath = child(p, "id");
      if (id === undefined) this.error(idPath, 'every annotation needs an "id" string');
      else if (this.string(id, idPath)) {
        const earlier = ids.get(id);
        if (earlier === undefined) ids.set(id, i);
        else
          this.error(
            idPath,
            `annotation id ${JSON.stringify(id)} is already used by ${at(path, earlier)}; Neuroglancer keeps only the last one`,
          );
      }
      for (const key of Object.keys(annotation)) {
        const keyPath = child(p, key);
        const field = annotation[key];
        if (key === "description") this.string(field, keyPath);
        else if (key === "segments")
          this.annotationSegments(field, keyPath, layer.annotationRelationships);
        else if (key === "props")
          this.annotationProps(field, keyPath, layer.annotationPropertyCount);
        else if (ANNOTATION_COMMON_KEYS.includes(key)) continue;
        // With an unknown type there is no telling which keys belong; the type is the error.
        else if (geometry === undefined) this.freeform(field, keyPath);
        else if (!geometry.includes(key))
          this.unknownKey(field, keyPath, key, ` for a ${type} annotation`);
      }
      if (geometry === undefined) continue;
      for (const key of geometry) {
        const keyPath = child(p, key);
        const field = annotation[key];
        if (field === undefined) {
          this.error(keyPath, `a ${type} annotation needs ${list(geometry)}`);
          continue;
        }
        const vectors =
          key === "points" ? (this.array(field, keyPath, "an array of points") ?? []) : [field];
        for (let j = 0; j < vectors.length; j++) {
          const vectorPath = key === "points" ? at(keyPath, j) : keyPath;
          const rule = key === "radii" ? NON_NEGATIVE : FINITE;
          const coordinates = this.numberArray(vectors[j], vectorPath, rule);
          if (coordinates === undefined) continue;
          rank ??= coordinates.length;
          if (coordinates.length !== rank)
            this.annotationRankMismatch(vectorPath, coordinates.length, rank);
        }
      }
    }
  }

  private annotationRankMismatch(path: string, length: number, rank: number): void {
    const known = this.currentLayer().annotationRank;
    const message = `has ${length} coordinates but ${known === undefined ? "earlier annotations have" : "this annotation layer has rank"} ${rank}; one bad annotation makes Neuroglancer drop all of them`;
    if (known === undefined || known.explicit) this.error(path, `${label(path)} ${message}`);
    // Derived from "dimensions", which data sources may extend: likely wrong, but not certain.
    else this.warn(path, `${label(path)} ${message}`);
  }

  private annotationSegments(value: unknown, path: string, relationships: number): void {
    const lists = this.array(value, path, 'an array of segment IDs, e.g. ["123"]');
    if (lists === undefined || lists.length === 0) return;
    if (relationships === 1 && !Array.isArray(lists[0])) {
      this.segmentIds(lists, path, false, false);
      return;
    }
    if (lists.length !== relationships)
      this.error(
        path,
        `segments must have one ID list per annotation relationship (${relationships}); got ${lists.length}`,
      );
    for (let i = 0; i < lists.length; i++) this.segmentIds(lists[i], at(path, i), false, false);
  }

  private annotationProps(value: unknown, path: string, count: number): void {
    const props = this.array(value, path, "an array with one value per annotation property");
    if (props === undefined) return;
    if (props.length !== count)
      this.error(
        path,
        `props must have one value per entry of "annotationProperties" (${count}); got ${props.length}`,
      );
    for (let i = 0; i < props.length; i++) {
      const prop = props[i];
      if (typeof prop === "string" || typeof prop === "number") continue;
      this.typeError(at(path, i), "a number or a colour string", prop);
    }
  }

  annotationProperties(value: unknown, path: string): void {
    const specs = this.array(value, path, 'an array such as [{"id": "score", "type": "float32"}]');
    if (specs === undefined) return;
    const ids = new Set<string>();
    for (let i = 0; i < specs.length; i++) {
      const p = at(path, i);
      const spec = this.object(specs[i], p, 'an object such as {"id": "score", "type": "float32"}');
      if (spec === undefined) continue;
      this.fields(spec, p, ANNOTATION_PROPERTY_FIELDS, " in an annotation property");
      const id = spec.id;
      if (id === undefined) this.error(child(p, "id"), 'an annotation property needs an "id"');
      else if (typeof id === "string") {
        if (ids.has(id))
          this.error(child(p, "id"), `annotation property id ${JSON.stringify(id)} is used twice`);
        ids.add(id);
      }
      if (spec.type === undefined)
        this.error(
          child(p, "type"),
          `an annotation property needs a "type": one of ${list(ANNOTATION_PROPERTY_TYPES)}`,
        );
    }
  }

  // ---- layouts ----

  layout(value: unknown, path: string, root: boolean): void {
    if (typeof value === "string") {
      // The client throws on a string inside a row/column; at the root it falls back to a default.
      if (!root)
        this.error(
          path,
          'a nested layout must be an object such as {"type": "viewer", "layers": [...]}',
        );
      else if (!LAYOUT_NAMES.includes(value))
        this.typeError(path, `one of ${list(LAYOUT_NAMES)}, or a layout object`, value);
      return;
    }
    const layout = this.object(value, path, `one of ${list(LAYOUT_NAMES)}, or a layout object`);
    if (layout === undefined) return;
    const type = layout.type;
    if (type === "row" || type === "column") {
      this.fields(layout, path, STACK_LAYOUT_FIELDS, ` in a "${type}" layout`);
      const children = layout.children;
      if (children === undefined)
        this.error(child(path, "children"), `a "${type}" layout needs "children"`);
      else if (root && Array.isArray(children) && children.length === 0)
        this.error(child(path, "children"), `a "${type}" layout needs at least one child`);
    } else if (type === "viewer")
      this.fields(layout, path, VIEWER_LAYOUT_FIELDS, ' in a "viewer" layout');
    else if (type === undefined)
      this.error(
        child(path, "type"),
        `a layout object needs "type": "row", "column", "viewer", or one of ${list(LAYOUT_NAMES)}`,
      );
    else this.dataPanelLayout(layout, path);
  }

  /** A layout of panels: a layout name, or {type, orthographicProjection, crossSections}. */
  dataPanelLayout(value: unknown, path: string): void {
    // An unknown name silently falls back to a default layout.
    if (typeof value === "string") {
      if (!LAYOUT_NAMES.includes(value))
        this.typeError(path, `one of ${list(LAYOUT_NAMES)}`, value);
      return;
    }
    const layout = this.object(
      value,
      path,
      `one of ${list(LAYOUT_NAMES)}, or {"type": ..., "crossSections": ...}`,
    );
    if (layout === undefined) return;
    this.fields(layout, path, DATA_PANEL_LAYOUT_FIELDS, " in a layout");
    if (layout.type === undefined)
      this.error(child(path, "type"), `a layout object needs "type": one of ${list(LAYOUT_NAMES)}`);
  }

  viewerLayers(value: unknown, path: string): void {
    const names = this.stringArray(value, path);
    if (names === undefined) return;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      // The client throws on a name it cannot find, and the whole layout fails.
      if (!this.layerNames.has(name))
        this.error(
          at(path, i),
          `layer ${JSON.stringify(name)} is not in "layers"; a viewer can only show layers of this state`,
        );
    }
  }

  linked(value: unknown, path: string, check?: Check): void {
    const linked = this.object(value, path, 'an object such as {"link": "unlinked", "value": ...}');
    if (linked === undefined) return;
    this.fields(
      linked,
      path,
      {
        link: (v, x, p) => v.enumString(x, p, ["linked", "relative", "unlinked"]),
        value: check ?? ((v, x, p) => v.freeform(x, p)),
      },
      " in a linked value",
    );
  }

  // ---- panels ----

  panelLocation(value: unknown, path: string, extra: FieldTable): void {
    const location = this.object(
      value,
      path,
      'an object such as {"side": "right", "visible": true}',
    );
    if (location !== undefined)
      this.fields(location, path, { ...PANEL_LOCATION_FIELDS, ...extra }, "");
  }
}

const noCheck: Check = () => {};

const bool: Check = (v, x, p) => v.boolean(x, p);
const str: Check = (v, x, p) => v.string(x, p);
const finite: Check = (v, x, p) => v.number(x, p, FINITE);
const positive: Check = (v, x, p) => v.number(x, p, POSITIVE);
const alpha: Check = (v, x, p) => v.number(x, p, ALPHA);
const color: Check = (v, x, p) => v.color(x, p);
const quaternion: Check = (v, x, p) => v.quaternion(x, p);
const shaderControls: Check = (v, x, p) => v.shaderControls(x, p);
const freeform: Check = (v, x, p) => v.freeform(x, p);
const limit: Check = (v, x, p) => v.number(x, p, LIMIT);
const depth: Check = (v, x, p) => {
  // The client reads 0 or a non-number as "use the default".
  if (typeof x !== "number")
    v.typeError(p, "a non-zero number (negative values are relative to the scale)", x);
  else if (x === 0) v.warn(p, `${label(p)} of 0 means "use the default"; leave it out instead`);
};
const panel =
  (extra: FieldTable = {}): Check =>
  (v, x, p) =>
    v.panelLocation(x, p, extra);
const legacy =
  (instead: string, then: Check = freeform): Check =>
  (v, x, p) => {
    v.legacy(p, instead);
    then(v, x, p);
  };
const oneOf =
  (allowed: readonly string[]): Check =>
  (v, x, p) =>
    v.enumString(x, p, allowed);
const stringArray: Check = (v, x, p) => v.stringArray(x, p);

const PANEL_LOCATION_FIELDS: FieldTable = {
  side: (v, x, p) => v.enumString(x, p, ["left", "right", "top", "bottom"], false),
  row: finite,
  col: finite,
  flex: finite,
  size: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  visible: bool,
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

const SOURCE_FIELDS: FieldTable = {
  url: (v, x, p) => v.dataSourceUrl(x, p),
  transform: (v, x, p) => v.transform(x, p),
  subsources: (v, x, p) => {
    const subsources = v.object(x, p, 'an object such as {"default": true, "mesh": false}');
    if (subsources === undefined) return;
    for (const name of Object.keys(subsources)) {
      const subsource = subsources[name];
      if (typeof subsource === "boolean") continue;
      const sp = child(p, name);
      const obj = v.object(subsource, sp, 'true, false, or {"enabled": true}');
      if (obj !== undefined) v.fields(obj, sp, { enabled: bool }, " in a subsource");
    }
  },
  enableDefaultSubsources: bool,
  state: (v, x, p) => {
    if (v.object(x, p, "an object") !== undefined) v.freeform(x, p);
  },
};

const LEGACY_TRANSFORM_FIELDS: FieldTable = {
  rotation: (v, x, p) => v.numberArray(x, p, FINITE, 4),
  translation: (v, x, p) => v.numberArray(x, p, FINITE, 3),
  scale: (v, x, p) => v.numberArray(x, p, FINITE, 3),
};

const SHADER_CONTROL_FIELDS: FieldTable = {
  range: (v, x, p) => v.interval(x, p, false),
  window: (v, x, p) => v.interval(x, p, true),
  channel: (v, x, p) => v.channel(x, p),
  property: str,
  controlPoints: (v, x, p) => v.controlPoints(x, p),
  defaultColor: color,
};

const SKELETON_RENDERING_FIELDS: FieldTable = {
  shader: str,
  shaderControls,
  mode2d: oneOf(["lines", "lines_and_points"]),
  mode3d: oneOf(["lines", "lines_and_points"]),
  lineWidth2d: positive,
  lineWidth3d: positive,
};

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

const COMMON_LAYER_FIELDS: FieldTable = {
  name: noCheck,
  type: noCheck,
  // verifyBoolean: anything else makes the client throw and drop the layer.
  visible: bool,
  archived: bool,
  source: (v, x, p) => v.sources(x, p),
  transform: (v, x, p) => v.legacyLayerTransform(x, p),
  tab: str,
  panels: (v, x, p) =>
    v.eachItem(x, p, "an array of panel locations", (v2, item, itemPath) =>
      v2.panelLocation(item, itemPath, { tab: str, tabs: stringArray }),
    ),
  pick: bool,
  tool: (v, x, p) => v.legacyTool(x, p),
  toolBindings: (v, x, p) => v.toolBindings(x, p),
  localDimensions: (v, x, p) => v.coordinateSpace(x, p),
  localPosition: (v, x, p) =>
    v.position(x, p, v.currentLayer().localDimensionNames, '"localDimensions"'),
  localVelocity: (v, x, p) =>
    v.velocity(x, p, v.currentLayer().localDimensionNames, '"localDimensions"'),
};

const SHADED_LAYER_FIELDS: FieldTable = {
  shader: str,
  shaderControls,
  codeVisible: bool,
};

const IMAGE_LAYER_FIELDS: FieldTable = {
  ...COMMON_LAYER_FIELDS,
  ...SHADED_LAYER_FIELDS,
  opacity: alpha,
  blend: oneOf(["default", "additive"]),
  crossSectionRenderScale: positive,
  channelDimensions: (v, x, p) => v.coordinateSpace(x, p),
  volumeRendering: (v, x, p) => {
    if (typeof x !== "boolean") v.enumString(x, p, ["off", "on", "max", "min"]);
  },
  volumeRenderingGain: finite,
  volumeRenderingDepthSamples: positive,
  annotationColor: color,
};

const SEGMENTATION_LAYER_FIELDS: FieldTable = {
  ...COMMON_LAYER_FIELDS,
  segments: (v, x, p) => v.segmentIds(x, p, true, true),
  equivalences: (v, x, p) => v.equivalences(x, p),
  hideSegmentZero: bool,
  segmentQuery: str,
  colorSeed: (v, x, p) => {
    // The client applies `>>> 0`, so anything else silently becomes another seed.
    v.number(x, p, UINT32);
  },
  segmentDefaultColor: color,
  segmentColors: (v, x, p) => v.segmentColors(x, p),
  // Invalid alphas silently fall back to defaults: a stored state would not look as it says.
  selectedAlpha: alpha,
  notSelectedAlpha: alpha,
  objectAlpha: alpha,
  saturation: alpha,
  hoverHighlight: bool,
  baseSegmentColoring: bool,
  ignoreNullVisibleSet: bool,
  meshSilhouetteRendering: (v, x, p) => v.number(x, p, NON_NEGATIVE),
  meshRenderScale: positive,
  crossSectionRenderScale: positive,
  skeletonRendering: (v, x, p) => {
    const options = v.object(x, p, 'an object such as {"mode2d": "lines_and_points"}');
    if (options !== undefined)
      v.fields(options, p, SKELETON_RENDERING_FIELDS, " in skeletonRendering");
  },
  skeletonShader: legacy('but send "skeletonRendering": {"shader": ...} instead', str),
  codeVisible: bool,
  anchorSegment: (v, x, p) => v.segmentId(x, p),
  linkedSegmentationGroup: (v, x, p) => v.layerReference(x, p, "linked segmentation group layer"),
  linkedSegmentationColorGroup: (v, x, p) => {
    if (x !== false) v.layerReference(x, p, "linked colour group layer");
  },
  mesh: legacy("but add the mesh as another source instead", (v, x, p) => {
    if (x !== null) v.dataSourceUrl(x, p);
  }),
  skeletons: legacy("but add the skeletons as another source instead", (v, x, p) => {
    if (x !== null) v.dataSourceUrl(x, p);
  }),
  annotationColor: color,
};

const ANNOTATION_LAYER_FIELDS: FieldTable = {
  ...COMMON_LAYER_FIELDS,
  ...SHADED_LAYER_FIELDS,
  annotations: (v, x, p) => v.annotations(x, p),
  annotationProperties: (v, x, p) => v.annotationProperties(x, p),
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

const MESH_LAYER_FIELDS: FieldTable = { ...COMMON_LAYER_FIELDS, ...SHADED_LAYER_FIELDS };

const LAYER_FIELDS: Readonly<Record<string, FieldTable>> = {
  image: IMAGE_LAYER_FIELDS,
  segmentation: SEGMENTATION_LAYER_FIELDS,
  annotation: ANNOTATION_LAYER_FIELDS,
  pointAnnotation: ANNOTATION_LAYER_FIELDS,
  mesh: MESH_LAYER_FIELDS,
};
const TYPED_LAYERS = ["image", "segmentation", "annotation", "mesh"];

const CROSS_SECTION_FIELDS: FieldTable = {
  width: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  height: (v, x, p) => v.number(x, p, POSITIVE_INTEGER),
  position: (v, x, p) => v.linked(x, p),
  orientation: (v, x, p) => v.linked(x, p, quaternion),
  scale: (v, x, p) => v.linked(x, p, positive),
  zoom: legacy('but send "scale" instead'),
};

const DATA_PANEL_LAYOUT_FIELDS: FieldTable = {
  type: (v, x, p) => v.dataPanelLayout(x, p),
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
      v2.layout(item, itemPath, false),
    ),
  flex: positive,
};

const VIEWER_LAYOUT_FIELDS: FieldTable = {
  type: noCheck,
  layers: (v, x, p) => v.viewerLayers(x, p),
  layout: (v, x, p) => v.dataPanelLayout(x, p),
  toolBindings: (v, x, p) => v.toolBindings(x, p),
  flex: positive,
  position: (v, x, p) => v.linked(x, p),
  velocity: (v, x, p) => v.linked(x, p),
  crossSectionOrientation: (v, x, p) => v.linked(x, p, quaternion),
  crossSectionScale: (v, x, p) => v.linked(x, p, positive),
  crossSectionDepth: (v, x, p) => v.linked(x, p, depth),
  projectionOrientation: (v, x, p) => v.linked(x, p, quaternion),
  projectionScale: (v, x, p) => v.linked(x, p, positive),
  projectionDepth: (v, x, p) => v.linked(x, p, depth),
  dimensionRenderScales: (v, x, p) => v.linked(x, p),
  displayDimensions: (v, x, p) => v.linked(x, p),
  crossSectionZoom: legacy('but send "crossSectionScale" instead'),
  perspectiveZoom: legacy('but send "projectionScale" instead'),
  perspectiveOrientation: legacy('but send "projectionOrientation" instead'),
};

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
          const position = v2.object(x2, p2, 'an object such as {"voxelCoordinates": [1, 2, 3]}');
          if (position !== undefined)
            v2.fields(
              position,
              p2,
              {
                voxelCoordinates: (v3, x3, p3) =>
                  v3.position(x3, p3, v3.globalDimensionNames, '"dimensions"'),
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
  dimensions: (v, x, p) => v.coordinateSpace(x, p),
  relativeDisplayScales: (v, x, p) => {
    const scales = v.object(x, p, 'an object such as {"z": 2}');
    if (scales === undefined) return;
    for (const name of Object.keys(scales)) {
      const sp = child(p, name);
      v.knownDimension(name, sp, "dimension", "warning");
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
      else v.knownDimension(name, np, "display dimension", "error");
    }
  },
  position: (v, x, p) => v.position(x, p, v.globalDimensionNames, '"dimensions"'),
  velocity: (v, x, p) => v.velocity(x, p, v.globalDimensionNames, '"dimensions"'),
  crossSectionOrientation: quaternion,
  crossSectionScale: positive,
  crossSectionDepth: depth,
  projectionOrientation: quaternion,
  projectionScale: positive,
  projectionDepth: depth,
  layers: (v, x, p) => v.layers(x, p),
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
  layout: (v, x, p) => v.layout(x, p, true),
  statistics: panel(),
  helpPanel: panel(),
  settingsPanel: panel(),
  layerListPanel: panel(),
  selection: (v, x, p) => {
    if (x === null) return;
    v.panelLocation(x, p, {
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
  toolBindings: (v, x, p) => v.toolBindings(x, p),
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
