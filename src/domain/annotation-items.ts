// Annotation items (a point, two corners, or a centre and radii, with a description, linked
// segment IDs and property values) and how a table's rows become them. Shared by the API, the CLI
// and the gallery, so no Node, DOM or zod imports here. Every bad cell is reported with its row
// and column; a table with any bad row yields problems, never a shorter list of items.
import { readSegmentTokens } from "./segment-list.js";
import { formatTableProblem, quoteCell, type Table, type TableProblem } from "./table.js";
import { isUint64Decimal, parseSegmentId } from "./uint64.js";

export const ANNOTATION_TYPES = ["point", "line", "box", "ellipsoid"] as const;
export type AnnotationType = (typeof ANNOTATION_TYPES)[number];

export const COORDINATE_UNITS = ["nm", "um"] as const;
export type CoordinateUnit = (typeof COORDINATE_UNITS)[number];

export type Vec3 = [number, number, number];

/** One annotation as a user gives it; which geometry keys apply depends on the layer's type. */
export interface AnnotationItem {
  point?: Vec3;
  pointA?: Vec3;
  pointB?: Vec3;
  center?: Vec3;
  radii?: Vec3;
  description?: string;
  /** uint64 decimal strings (JSON numbers that are safe integers are accepted by the API). */
  segments?: unknown[];
  /** Property id -> a finite number, or a colour "#rrggbb" / "#rrggbbaa". */
  props?: Record<string, number | string>;
}

/** The geometry keys of each type, in Neuroglancer's order. */
export const GEOMETRY_KEYS: Readonly<Record<AnnotationType, readonly (keyof AnnotationItem)[]>> = {
  point: ["point"],
  line: ["pointA", "pointB"],
  box: ["pointA", "pointB"],
  ellipsoid: ["center", "radii"],
};

/** Which table column holds what; every name can be changed (CLI flags, API `columns`). */
export interface ColumnNames {
  x: string;
  y: string;
  z: string;
  x1: string;
  y1: string;
  z1: string;
  x2: string;
  y2: string;
  z2: string;
  rx: string;
  ry: string;
  rz: string;
  segmentId: string;
  description: string;
  color: string;
}

export const DEFAULT_COLUMNS: Readonly<ColumnNames> = {
  x: "x",
  y: "y",
  z: "z",
  x1: "x1",
  y1: "y1",
  z1: "z1",
  x2: "x2",
  y2: "y2",
  z2: "z2",
  rx: "rx",
  ry: "ry",
  rz: "rz",
  segmentId: "segment_id",
  description: "description",
  color: "color",
};

/** The coordinate columns each type reads: [geometry key, [x, y, z] column roles]. */
const COORDINATE_COLUMNS: Readonly<
  Record<AnnotationType, readonly [keyof AnnotationItem, readonly (keyof ColumnNames)[]][]>
> = {
  point: [["point", ["x", "y", "z"]]],
  line: [
    ["pointA", ["x1", "y1", "z1"]],
    ["pointB", ["x2", "y2", "z2"]],
  ],
  box: [
    ["pointA", ["x1", "y1", "z1"]],
    ["pointB", ["x2", "y2", "z2"]],
  ],
  ellipsoid: [
    ["center", ["x", "y", "z"]],
    ["radii", ["rx", "ry", "rz"]],
  ],
};

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
export const COLOUR = /^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
/** Neuroglancer's rule for annotation property ids (parseAnnotationPropertyId). */
export const PROPERTY_ID = /^[a-z][a-zA-Z0-9_]*$/;

export type NumberCell = { ok: true; value: number } | { ok: false; message: string };

/** A decimal number as text: NaN, infinities, empty cells and overflow are errors. */
export function parseNumberCell(cell: string): NumberCell {
  const text = cell.trim();
  if (text === "") return { ok: false, message: "is empty; every row needs a number here" };
  if (NOT_FINITE.test(text))
    return { ok: false, message: `${quoteCell(text)} is not a finite number` };
  if (!NUMBER.test(text)) return { ok: false, message: `${quoteCell(text)} is not a number` };
  const value = Number(text);
  if (!Number.isFinite(value))
    return { ok: false, message: `${quoteCell(text)} is too large for a number` };
  return { ok: true, value };
}

/**
 * A property id for a column name: lower-case first letter, other characters letters, digits or
 * "_" ("Synapse size (um)" -> "synapse_size_um"); undefined when nothing usable is left.
 */
export function propertyIdFor(column: string): string | undefined {
  let id = column
    .trim()
    .replace(/[^a-zA-Z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (id === "") return undefined;
  id = id.charAt(0).toLowerCase() + id.slice(1);
  if (!/^[a-z]/.test(id)) id = `p_${id}`;
  return id;
}

export interface ItemsFromTableOptions {
  type: AnnotationType;
  columns?: Partial<ColumnNames>;
}

export interface ItemsFromTable {
  items: AnnotationItem[];
  /** Row number of each item, for messages about items later on. */
  rowNumbers: number[];
  /** Property id -> the column it came from (for the property's description). */
  propertyColumns: Map<string, string>;
  /** Bad rows and cells; when not empty, `items` must not be used. */
  problems: TableProblem[];
  /** Columns left out (not numeric, or unnamed): said out loud, never silent. */
  notices: string[];
  /** Rows read, good and bad (what a preview shows). */
  rowCount: number;
}

/** Finds a column by exact name, else case-insensitively. */
function findColumn(columns: readonly string[], name: string): number {
  const exact = columns.indexOf(name);
  if (exact !== -1) return exact;
  const lower = name.toLowerCase();
  return columns.findIndex((c) => c.toLowerCase() === lower);
}

/** How many of a column's non-empty cells read as numbers (to tell numeric columns from text). */
function numericShare(table: Table, column: number): { numbers: number; filled: number } {
  let numbers = 0;
  let filled = 0;
  for (const { cells } of table.rows) {
    const cell = (cells[column] ?? "").trim();
    if (cell === "") continue;
    filled++;
    if (NUMBER.test(cell) || NOT_FINITE.test(cell)) numbers++;
  }
  return { numbers, filled };
}

/**
 * Turns a parsed table into annotation items of one type. Coordinates, segment IDs, description
 * and colour come from their columns (DEFAULT_COLUMNS unless renamed); every other column that
 * is mostly numbers becomes a numeric property, and its cells that are not numbers are errors.
 */
export function itemsFromTable(table: Table, options: ItemsFromTableOptions): ItemsFromTable {
  const names: ColumnNames = { ...DEFAULT_COLUMNS, ...options.columns };
  const result: ItemsFromTable = {
    items: [],
    rowNumbers: [],
    propertyColumns: new Map(),
    problems: [...table.problems],
    notices: [],
    rowCount: table.rows.length + new Set(table.problems.map((p) => p.row)).size,
  };
  const { columns } = table;
  if (columns.length === 0) return result;

  const used = new Set<number>();
  const need = (role: keyof ColumnNames): number => {
    const index = findColumn(columns, names[role]);
    if (index === -1)
      result.problems.push({
        message: `no column "${names[role]}" (columns: ${columns.join(", ")}); name it with the ${role} column option`,
      });
    else used.add(index);
    return index;
  };
  const geometry = COORDINATE_COLUMNS[options.type].map(
    ([key, roles]) => [key, roles.map(need)] as const,
  );
  const optional = (role: keyof ColumnNames, explicit: boolean): number => {
    const index = findColumn(columns, names[role]);
    if (index === -1 && explicit)
      result.problems.push({
        message: `no column "${names[role]}" (columns: ${columns.join(", ")})`,
      });
    if (index !== -1) used.add(index);
    return index;
  };
  const segmentColumn = optional("segmentId", options.columns?.segmentId !== undefined);
  const descriptionColumn = optional("description", options.columns?.description !== undefined);
  const colorColumn = optional("color", options.columns?.color !== undefined);
  if (result.problems.some((p) => p.row === undefined)) return result;

  const properties: { index: number; id: string }[] = [];
  const ids = new Map<string, string>();
  columns.forEach((name, index) => {
    if (used.has(index)) return;
    if (name.trim() === "") {
      result.notices.push(
        `column ${index + 1} has no name (a pandas index? write the CSV with index=False); left out`,
      );
      return;
    }
    const { numbers, filled } = numericShare(table, index);
    if (filled > 0 && numbers * 2 <= filled) {
      result.notices.push(
        `column ${name} is not numeric; left out (Neuroglancer properties are numbers)`,
      );
      return;
    }
    const id = propertyIdFor(name);
    if (id === undefined) {
      result.notices.push(`column ${JSON.stringify(name)} has no usable property name; left out`);
      return;
    }
    const other = ids.get(id);
    if (other !== undefined) {
      result.problems.push({
        message: `columns ${other} and ${name} both become property "${id}"; rename one`,
      });
      return;
    }
    ids.set(id, name);
    properties.push({ index, id });
  });
  if (colorColumn !== -1) {
    const id = propertyIdFor(columns[colorColumn] ?? "") ?? "color";
    if (ids.has(id)) result.problems.push({ message: `two columns become property "${id}"` });
    else ids.set(id, columns[colorColumn] ?? id);
  }
  for (const [id, column] of ids) result.propertyColumns.set(id, column);
  const colorId = colorColumn === -1 ? undefined : propertyIdFor(columns[colorColumn] ?? "");

  for (const { row, cells } of table.rows) {
    const bad = (column: number, message: string) =>
      result.problems.push({ row, column: columns[column], message });
    const before = result.problems.length;
    const item: AnnotationItem = {};
    for (const [key, indices] of geometry) {
      const vector: number[] = [];
      for (const index of indices) {
        const parsed = parseNumberCell(cells[index] ?? "");
        if (parsed.ok) vector.push(parsed.value);
        else bad(index, parsed.message);
      }
      if (key === "radii" && vector.some((v) => v < 0))
        bad(indices[vector.findIndex((v) => v < 0)] ?? 0, "radii cannot be negative");
      (item as Record<string, unknown>)[key] = vector;
    }
    if (segmentColumn !== -1) {
      const segments: string[] = [];
      // One ID per cell is the common case; several follow the segment-ID list grammar.
      const cell = (cells[segmentColumn] ?? "").trim();
      const tokens =
        cell === ""
          ? []
          : isUint64Decimal(cell)
            ? [cell]
            : readSegmentTokens(cell).tokens.map((token) => token.text);
      for (const token of tokens) {
        const parsed = parseSegmentId(token);
        if (parsed.ok) segments.push(parsed.id);
        else bad(segmentColumn, parsed.message);
      }
      if (segments.length > 0) item.segments = [...new Set(segments)];
    }
    if (descriptionColumn !== -1) {
      const description = cells[descriptionColumn] ?? "";
      if (description !== "") item.description = description;
    }
    if (properties.length > 0 || colorId !== undefined) {
      const props: Record<string, number | string> = {};
      for (const { index, id } of properties) {
        const parsed = parseNumberCell(cells[index] ?? "");
        if (parsed.ok) props[id] = parsed.value;
        else bad(index, parsed.message);
      }
      if (colorId !== undefined) {
        const colour = (cells[colorColumn] ?? "").trim();
        if (COLOUR.test(colour)) props[colorId] = colour.toLowerCase();
        else
          bad(
            colorColumn,
            colour === ""
              ? "is empty; every row needs a colour such as #ff8800"
              : `${quoteCell(colour)} is not a colour; write #rrggbb or #rrggbbaa`,
          );
      }
      item.props = props;
    }
    if (result.problems.length === before) {
      result.items.push(item);
      result.rowNumbers.push(row);
    }
  }
  // Row order, whatever found the problem (the splitter or the cell checks).
  result.problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return result;
}

/** The problems of a table as lines, at most `limit`, then how many more there are. */
export function describeTableProblems(problems: readonly TableProblem[], limit = 20): string[] {
  const lines = problems.slice(0, limit).map(formatTableProblem);
  if (problems.length > limit)
    lines.push(`and ${problems.length - limit} more problems (only the first ${limit} are listed)`);
  return lines;
}

/** How many distinct rows have problems (a row with three bad cells counts once). */
export function countBadRows(problems: readonly TableProblem[]): number {
  return new Set(problems.filter((p) => p.row !== undefined).map((p) => p.row)).size;
}
