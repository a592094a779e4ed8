// Segment ID lists as people paste or export them: free text, or one column of a CSV/TSV table.
// IDs stay strings throughout; an ID above 2^53 must never pass through a JavaScript number.

/** Splits a list of IDs the way people paste them: commas, whitespace, '+' (a URL-encoded space), ';'. */
export function splitIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.split(/[\s,+;]+/).filter(Boolean);
}

/** An ID read from a file, with its 1-based line number for messages. */
export interface ListedId {
  id: string;
  line: number;
}

export type IdListResult = { ok: true; ids: ListedId[] } | { ok: false; message: string };

/** A first line whose (chosen) cell does not start with a digit is a header, not an ID. */
const looksLikeHeader = (cell: string) => !/^\s*"?\s*\d/.test(cell);

/** Cells of one delimited line; double quotes protect delimiters, "" is a quote inside quotes. */
function splitCells(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (c === delimiter) {
      cells.push(cell.trim());
      cell = "";
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/**
 * Reads segment IDs from the text of a file. Without `column`, every token on every line is an ID
 * (separated as in `splitIds`). With `column` — a header name or a 1-based number — the text is a
 * CSV (or TSV, when the first line has a tab) and only that column is read. Either way a first
 * line that does not start with a digit is a header and is skipped. IDs are not validated here.
 */
export function readIdList(text: string, column?: string): IdListResult {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const first = lines[0] ?? "";
  const ids: ListedId[] = [];
  if (column === undefined) {
    const header = looksLikeHeader(first) && first.trim() !== "";
    if (header) {
      const names = splitCells(first, first.includes("\t") ? "\t" : ",").filter(Boolean);
      if (names.length > 1)
        return {
          ok: false,
          message: `the file has several columns (${names.join(", ")}); choose one with --column`,
        };
    }
    lines.forEach((line, i) => {
      if (i === 0 && header) return;
      for (const id of splitIds(line) ?? []) ids.push({ id, line: i + 1 });
    });
    return { ok: true, ids };
  }

  const delimiter = first.includes("\t") ? "\t" : ",";
  const headerCells = splitCells(first, delimiter);
  let index: number;
  let header: boolean;
  if (/^\d+$/.test(column)) {
    index = Number(column) - 1;
    if (index < 0) return { ok: false, message: "--column numbers start at 1" };
    header = looksLikeHeader(headerCells[index] ?? "");
  } else {
    index = headerCells.indexOf(column);
    if (index === -1)
      index = headerCells.findIndex((name) => name.toLowerCase() === column.toLowerCase());
    if (index === -1)
      return {
        ok: false,
        message: `no column "${column}" in the header line (${headerCells.join(", ")})`,
      };
    header = true;
  }
  lines.forEach((line, i) => {
    if ((i === 0 && header) || line.trim() === "") return;
    const cell = splitCells(line, delimiter)[index];
    if (cell) ids.push({ id: cell, line: i + 1 });
  });
  return { ok: true, ids };
}
