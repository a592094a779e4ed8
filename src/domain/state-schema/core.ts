// The validator's core: the issue lists, the JSON-path helpers, the number rules, and the checks
// of scalars (booleans, strings, numbers, colours, enums) every concern module builds on. The
// concern modules (coordinates, sources, segments, ...) are functions of a StateValidator.
import { describeJsonType, UnsafeNumber } from "../uint64.js";

export interface StateIssue {
  path: string;
  message: string;
}

export type JsonObject = Record<string, unknown>;
export type Check = (v: StateValidator, value: unknown, path: string) => void;
export type FieldTable = Readonly<Record<string, Check>>;

/** Splits a space-separated list: long constant lists stay readable. */
export function words(text: string): string[] {
  return text.split(" ");
}

const HEX_COLOR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTIONAL_COLOR = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\([^()]*\)$/i;
export const RRGGBB = /^#[0-9a-f]{6}$/i;
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

export function isCssColor(text: string): boolean {
  const t = text.trim();
  return HEX_COLOR.test(t) || FUNCTIONAL_COLOR.test(t) || CSS_COLOR_NAMES.has(t.toLowerCase());
}

export function isObject(value: unknown): value is JsonObject {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof UnsafeNumber)
  );
}

const SIMPLE_KEY = /^[^.[\]\s"]+$/;

export function child(path: string, key: string): string {
  if (!SIMPLE_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

export function at(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** The last step of a path, to name the offending field in a message. */
export function label(path: string): string {
  const dot = path.lastIndexOf(".");
  return path === "" ? "the state" : path.slice(dot + 1);
}

export function list(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

export interface NumberRule {
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
export const DECIMAL_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export const FINITE: NumberRule = { expected: "a finite number", numericString: true };
export const POSITIVE: NumberRule = {
  expected: "a number greater than 0",
  min: 0,
  minExclusive: true,
  numericString: true,
};
export const NON_NEGATIVE: NumberRule = {
  expected: "a number of at least 0",
  min: 0,
  numericString: true,
};
export const ALPHA: NumberRule = { expected: "a number between 0 and 1", min: 0, max: 1 };
export const POSITIVE_INTEGER: NumberRule = {
  expected: "a whole number of at least 1",
  min: 1,
  integer: true,
  numericString: true,
};
export const NON_NEGATIVE_INTEGER: NumberRule = {
  expected: "a whole number of at least 0",
  min: 0,
  integer: true,
};
export const UINT32: NumberRule = {
  expected: "a whole number between 0 and 4294967295",
  min: 0,
  max: 4294967295,
  integer: true,
  numericString: true,
};
export const LIMIT: NumberRule = { expected: "a number of at least 0", min: 0 };

/** The layer being validated, for checks that depend on its other keys. */
export interface LayerContext {
  localDimensionNames: string[] | undefined;
  /** Rank of its local annotations, and whether it comes from an explicit source transform. */
  annotationRank: { rank: number; explicit: boolean } | undefined;
  annotationPropertyCount: number;
  annotationRelationships: number;
  plainUrlSource: boolean;
}

/** Collects the issues of one state, and the context checks of one part need from another. */
export class StateValidator {
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
}

export const noCheck: Check = () => {};

export const bool: Check = (v, x, p) => v.boolean(x, p);
export const str: Check = (v, x, p) => v.string(x, p);
export const finite: Check = (v, x, p) => v.number(x, p, FINITE);
export const positive: Check = (v, x, p) => v.number(x, p, POSITIVE);
export const alpha: Check = (v, x, p) => v.number(x, p, ALPHA);
export const color: Check = (v, x, p) => v.color(x, p);
export const quaternion: Check = (v, x, p) => v.quaternion(x, p);
export const freeform: Check = (v, x, p) => v.freeform(x, p);
export const limit: Check = (v, x, p) => v.number(x, p, LIMIT);
export const legacy =
  (instead: string, then: Check = freeform): Check =>
  (v, x, p) => {
    v.legacy(p, instead);
    then(v, x, p);
  };
export const oneOf =
  (allowed: readonly string[]): Check =>
  (v, x, p) =>
    v.enumString(x, p, allowed);
export const stringArray: Check = (v, x, p) => v.stringArray(x, p);
