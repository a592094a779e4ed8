// What the gallery's "Paste a table of points" box shows as the user types: how many rows were
// read and which are bad, from the same table parser and row checks the service runs.
import { countBadRows, describeTableProblems, itemsFromTable } from "../domain/annotation-items.js";
import { parseTable } from "../domain/table.js";

export interface TablePreview {
  /** Rows read (good and bad); 0 for an empty box. */
  rows: number;
  /** Rows that became points. */
  good: number;
  /** Rows with at least one problem. */
  bad: number;
  /** Problems, "row 17, column z: 'n/a' is not a number", at most `limit` and a count. */
  problems: string[];
  /** Columns left out, said out loud. */
  notices: string[];
  /** Numeric columns that become properties (can colour or size the points). */
  properties: string[];
}

export function previewPointTable(text: string, limit = 10): TablePreview {
  if (text.trim() === "")
    return { rows: 0, good: 0, bad: 0, problems: [], notices: [], properties: [] };
  const read = itemsFromTable(parseTable(text), { type: "point" });
  const problems = describeTableProblems(read.problems, limit);
  const bad = countBadRows(read.problems);
  return {
    rows: read.rowCount,
    // With any problem the service refuses the whole table: no row is used.
    good: read.problems.length > 0 ? read.rowCount - bad : read.items.length,
    bad,
    problems,
    notices: read.notices,
    properties: [...read.propertyColumns.keys()],
  };
}

/** One line for under the box: "3 rows read, 1 bad; properties: score." */
export function summarisePreview(preview: TablePreview): string {
  if (preview.rows === 0 && preview.problems.length === 0) return "";
  const parts = [`${preview.rows} row${preview.rows === 1 ? "" : "s"} read`];
  if (preview.bad > 0) parts.push(`${preview.bad} bad (listed below; fix them to make the link)`);
  else if (preview.problems.length > 0) parts.push("the table cannot be used (see below)");
  else parts.push(`${preview.good} point${preview.good === 1 ? "" : "s"}`);
  if (preview.properties.length > 0) parts.push(`properties: ${preview.properties.join(", ")}`);
  return `${parts.join("; ")}.`;
}
