// Tables as people export them (CSV and TSV from pandas or a spreadsheet, JSON records or
// pandas' orient="split"), read into rows of text cells. One parser for the API, the CLI and the
// gallery: no Node or DOM imports. Cells stay text, so nothing (an ID above 2^53, a coordinate
// with many digits) goes through a JavaScript number here; callers convert and report.
import { parseJsonLosslessly } from "./neuroglancer-url.js";
import { UnsafeNumber } from "./uint64.js";

export type TableFormat = "csv" | "tsv" | "json";

export interface TableRow {
  /**
   * Where the row is, for messages: the line it starts on in CSV/TSV (the header is row 1, as a
   * spreadsheet numbers them), the 1-based record number in JSON.
   */
  row: number;
  cells: string[];
}

export interface TableProblem {
  row?: number;
  column?: string;
  message: string;
}

export interface Table {
  format: TableFormat;
  columns: string[];
  /** Rows whose cell count matches the header; the others are problems, never dropped silently. */
  rows: TableRow[];
  problems: TableProblem[];
}

/** "row 17, column z: ..." — the form every table message takes. */
export function formatTableProblem(problem: TableProblem): string {
  const where = [
    problem.row === undefined ? undefined : `row ${problem.row}`,
    problem.column === undefined ? undefined : `column ${problem.column}`,
  ].filter(Boolean);
  return where.length > 0 ? `${where.join(", ")}: ${problem.message}` : problem.message;
}

/** A cell as messages quote it: short, on one line. */
export function quoteCell(cell: string): string {
  const flat = cell.replace(/[\r\n\t]+/g, " ");
  return `'${flat.length > 40 ? `${flat.slice(0, 37)}...` : flat}'`;
}

/** JSON when the text opens with [ or {; TSV when the header line has a tab; else CSV. */
export function detectTableFormat(text: string): TableFormat {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("[") || start.startsWith("{")) return "json";
  const firstLine = start.split(/\r?\n/, 1)[0] ?? "";
  return firstLine.includes("\t") ? "tsv" : "csv";
}

/** Reads a table; `format` defaults to what `detectTableFormat` finds. */
export function parseTable(text: string, format: TableFormat = detectTableFormat(text)): Table {
  const body = text.replace(/^\uFEFF/, "");
  return format === "json" ? parseJsonTable(body) : parseDelimited(body, format);
}

/**
 * RFC 4180 records: quotes protect delimiters and line breaks, "" is a quote inside quotes.
 * Blank lines are skipped (as pandas does); a row with another cell count than the header is a
 * problem that names it. Unquoted cells are sliced out whole rather than built a character at a
 * time: 50,000 rows take tens of milliseconds, not a second.
 */
function parseDelimited(text: string, format: "csv" | "tsv"): Table {
  const delimiter = format === "tsv" ? 9 : 44;
  const table: Table = { format, columns: [], rows: [], problems: [] };
  let header: string[] | undefined;
  const length = text.length;
  let i = 0;
  let line = 1;
  while (i < length) {
    const rowStart = line;
    const cells: string[] = [];
    let blank = true;
    // One row: cells until an unquoted line break or the end of the text.
    for (;;) {
      let c = text.charCodeAt(i);
      // Leading spaces before a quote belong to no cell.
      let j = i;
      while (c === 32 && j < length) c = text.charCodeAt(++j);
      if (c === 34) {
        let cell = "";
        let from = j + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote === -1) {
            cell += text.slice(from);
            line += countLineBreaks(text, from, length);
            table.problems.push({
              row: rowStart,
              message: 'a quoted cell is never closed (a missing ")',
            });
            i = length;
            break;
          }
          cell += text.slice(from, quote);
          line += countLineBreaks(text, from, quote);
          if (text.charCodeAt(quote + 1) === 34) {
            cell += '"';
            from = quote + 2;
          } else {
            i = quote + 1;
            break;
          }
        }
        // Anything between the closing quote and the delimiter is kept, so a malformed cell
        // ("a"b) shows in messages instead of vanishing.
        let end = i;
        while (end < length) {
          const d = text.charCodeAt(end);
          if (d === delimiter || d === 10 || d === 13) break;
          end++;
        }
        cell += text.slice(i, end).trim();
        i = end;
        cells.push(cell);
        blank = false;
      } else {
        let end = i;
        while (end < length) {
          const d = text.charCodeAt(end);
          if (d === delimiter || d === 10 || d === 13) break;
          end++;
        }
        const cell = text.slice(i, end).trim();
        if (cell !== "") blank = false;
        cells.push(cell);
        i = end;
      }
      const next = text.charCodeAt(i);
      if (next === delimiter) {
        blank = false;
        i++;
        continue;
      }
      // A line break (\n, \r\n or \r) or the end ends the row.
      if (next === 13 && text.charCodeAt(i + 1) === 10) i += 2;
      else if (i < length) i++;
      line++;
      break;
    }
    if (blank) continue;
    if (header === undefined) header = cells;
    else if (cells.length === header.length) table.rows.push({ row: rowStart, cells });
    else
      table.problems.push({
        row: rowStart,
        message: `has ${cells.length} ${cells.length === 1 ? "cell" : "cells"} but the header has ${header.length} columns (${header.join(", ")})`,
      });
  }
  table.columns = header ?? [];
  if (header === undefined) table.problems.push({ message: "the table is empty" });
  return table;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = text.indexOf("\n", from); k !== -1 && k < to; k = text.indexOf("\n", k + 1)) count++;
  return count;
}

type JsonCell = { ok: true; text: string } | { ok: false; message: string };

function jsonCell(value: unknown): JsonCell {
  if (value === null || value === undefined) return { ok: true, text: "" };
  if (typeof value === "string") return { ok: true, text: value };
  // A literal a double cannot hold (an ID above 2^53) arrives as its exact digits.
  if (value instanceof UnsafeNumber) return { ok: true, text: value.raw };
  if (typeof value === "number" || typeof value === "boolean")
    return { ok: true, text: String(value) };
  return { ok: false, message: "holds a nested value; flatten the table first" };
}

/** Records ([{"x": 1, ...}, ...], pandas orient="records") or {"columns": [...], "data": [[...]]}. */
function parseJsonTable(text: string): Table {
  const table: Table = { format: "json", columns: [], rows: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = parseJsonLosslessly(text);
  } catch (error) {
    table.problems.push({ message: `not valid JSON: ${(error as Error).message}` });
    return table;
  }
  if (Array.isArray(parsed)) return recordsTable(parsed, table);
  if (parsed !== null && typeof parsed === "object") {
    const { columns, data } = parsed as { columns?: unknown; data?: unknown };
    if (Array.isArray(columns) && Array.isArray(data)) return splitTable(columns, data, table);
  }
  table.problems.push({
    message:
      'expected an array of records ([{"x": 1, "y": 2, "z": 3}, ...]) or {"columns": [...], "data": [[...], ...]}',
  });
  return table;
}

function recordsTable(records: unknown[], table: Table): Table {
  const index = new Map<string, number>();
  const rows: Map<number, string>[] = [];
  records.forEach((record, i) => {
    const row = new Map<number, string>();
    rows.push(row);
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      table.problems.push({ row: i + 1, message: "is not an object of column: value" });
      return;
    }
    for (const [name, value] of Object.entries(record)) {
      let column = index.get(name);
      if (column === undefined) {
        column = index.size;
        index.set(name, column);
      }
      const cell = jsonCell(value);
      if (cell.ok) row.set(column, cell.text);
      else table.problems.push({ row: i + 1, column: name, message: cell.message });
    }
  });
  table.columns = [...index.keys()];
  const bad = new Set(table.problems.map((p) => p.row));
  rows.forEach((row, i) => {
    if (bad.has(i + 1)) return;
    // A key missing from a record is an empty cell: callers report it where a value is needed.
    table.rows.push({ row: i + 1, cells: table.columns.map((_, c) => row.get(c) ?? "") });
  });
  if (records.length === 0) table.problems.push({ message: "the table is empty" });
  return table;
}

function splitTable(columns: unknown[], data: unknown[], table: Table): Table {
  table.columns = columns.map((name) => (typeof name === "string" ? name : String(name)));
  data.forEach((entry, i) => {
    const row = i + 1;
    if (!Array.isArray(entry)) {
      table.problems.push({ row, message: "is not an array of cells" });
      return;
    }
    if (entry.length !== columns.length) {
      table.problems.push({
        row,
        message: `has ${entry.length} cells but there are ${columns.length} columns`,
      });
      return;
    }
    const cells: string[] = [];
    for (let c = 0; c < entry.length; c++) {
      const cell = jsonCell(entry[c]);
      if (!cell.ok) {
        table.problems.push({ row, column: table.columns[c], message: cell.message });
        return;
      }
      cells.push(cell.text);
    }
    table.rows.push({ row, cells });
  });
  return table;
}
