// Segment-ID lists as people type, paste or export them: one grammar for the API (/v/ links'
// ?segments= and ?hidden=), the CLI (--segments, --segments-file) and the gallery's link builder
// (bundled into the browser, so no Node APIs here). IDs stay strings: uint64 does not fit a double.
//
// The rules (README, "Segment ID lists"):
// - Free text: IDs separated by whitespace (new lines too), commas, semicolons or '+' (how a space
//   travels in a query string). Brackets and quotes around an ID are dropped: a pasted JSON or
//   Python list works.
// - Header: when the text has more than one non-empty line and the first of them starts with a
//   letter or "_" (after an optional quote), that line is a header and is skipped. One line alone
//   is never a header (a typo such as "l23" is reported, not dropped); a first line starting with
//   a digit, "-" or "[" is data.
// - Table: when the header names several columns (split at tabs, else commas, else semicolons),
//   or a column is asked for (CLI --column, a header name or a 1-based number), each line is a
//   row and only one column is read, one ID per cell; double quotes protect delimiters. Without
//   a choice the first column is read, and the result says which column was read so that every
//   caller shows it. Decided rather than refusing several columns: the gallery has no column
//   picker, a spreadsheet whose first column holds the IDs is the common paste, and a wrong
//   column shows itself (the column's name is printed, and non-ID cells are reported).
// - Every ID is a canonical decimal uint64 (uint64.ts); an ID given twice is kept once.
import { isUint64Decimal, UINT64_MAX_DECIMAL } from "./uint64.js";

export { UINT64_MAX_DECIMAL };

/**
 * One ID as typed, with where it was: its 1-based position among the IDs read (`item`), its
 * 1-based line, and its offsets in the text (for selecting it in a textarea).
 */
export interface Token {
  text: string;
  item: number;
  line: number;
  start: number;
  end: number;
}

/** The column read from a table: 1-based, with its header name (null without a header). */
export interface ColumnRead {
  number: number;
  name: string | null;
  /** How many columns the header (or, without one, the first line) has. */
  of: number;
}

/** What `readSegmentTokens` read. */
export interface TokenList {
  tokens: Token[];
  /** The skipped header line, trimmed; null when there was none. */
  header: string | null;
  /** The one column read from a table; null for free text. */
  column: ColumnRead | null;
  /** Whether the IDs came from more than one line (messages then name lines). */
  multiLine: boolean;
  /** Why the asked-for column cannot be read (e.g. no such header name); null when it can. */
  problem: string | null;
}

/** Options of a list: `column`, a header name or 1-based number, reads that column of a table. */
export interface ListOptions {
  column?: string | undefined;
}

/** Between IDs in free text. */
const FREE_TOKEN = /[^\s,;+]+/g;
/** Brackets and quotes around an ID, as in a pasted JSON or Python list. */
const WRAPPING = /^[[("']+|[\])"']+$/g;
/** A header line starts with a letter or an underscore (after an optional BOM, quote, spaces). */
const HEADER_START = /^\uFEFF?\s*["']?\s*[A-Za-z_]/;
const DELIMITERS = ["\t", ",", ";"];

interface Line {
  text: string;
  start: number;
  number: number;
}

interface Cell {
  text: string;
  start: number;
  end: number;
}

/** Splits pasted text into ID tokens by the rules above. IDs are not checked here. */
export function readSegmentTokens(text: string, options: ListOptions = {}): TokenList {
  const lines = splitLines(text);
  const filled = lines.filter((line) => line.text.trim() !== "");
  const first = filled[0];
  const header = filled.length > 1 && first && HEADER_START.test(first.text) ? first : null;
  const tokens: Token[] = [];
  const add = (cell: Cell, line: Line) => {
    const trimmed = cell.text.trim();
    const inner = trimmed.replace(WRAPPING, "");
    if (inner === "") return;
    const offset = cell.start + (cell.text.length - cell.text.trimStart().length);
    const start = line.start + offset + trimmed.indexOf(inner);
    tokens.push({
      text: inner,
      item: tokens.length + 1,
      line: line.number,
      start,
      end: start + inner.length,
    });
  };
  const result = (column: ColumnRead | null, problem: string | null = null): TokenList => ({
    tokens,
    header: header ? header.text.trim() : null,
    column,
    multiLine: new Set(tokens.map((token) => token.line)).size > 1,
    problem,
  });

  const shape = (header ?? first)?.text ?? "";
  const delimiter = DELIMITERS.find((d) => shape.includes(d)) ?? DELIMITERS[0] ?? "\t";
  const names = header
    ? splitCells(header.text, delimiter).map((cell) => cleanName(cell.text))
    : [];
  if (options.column === undefined && names.length < 2) {
    for (const line of lines) {
      if (line === header) continue;
      for (const match of line.text.matchAll(FREE_TOKEN)) {
        const start = match.index ?? 0;
        add({ text: match[0], start, end: start + match[0].length }, line);
      }
    }
    return result(null);
  }
  const chosen = chooseColumn(options.column, names, splitCells(shape, delimiter).length);
  if (typeof chosen === "string") return result(null, chosen);
  for (const line of lines) {
    if (line === header) continue;
    const cell = splitCells(line.text, delimiter)[chosen];
    if (cell) add(cell, line);
  }
  const count = header ? names.length : splitCells(shape, delimiter).length;
  return result({ number: chosen + 1, name: names[chosen] ?? null, of: count });
}

/** The 0-based index of the asked-for column, or why there is none. */
function chooseColumn(column: string | undefined, names: string[], count: number): number | string {
  if (column === undefined) return 0;
  if (/^[0-9]+$/.test(column)) {
    const index = Number(column) - 1;
    if (index < 0) return "column numbers start at 1";
    if (index >= count)
      return `there is no column ${column}: the table has ${count} column${count === 1 ? "" : "s"}`;
    return index;
  }
  if (names.length === 0)
    return `no column "${column}": the first line is not a header (give the column's number)`;
  let index = names.indexOf(column);
  if (index === -1) index = names.findIndex((name) => name.toLowerCase() === column.toLowerCase());
  if (index === -1) return `no column "${column}" in the header (${names.join(", ")})`;
  return index;
}

/** A header cell as a name: without a BOM, surrounding spaces or quotes. */
function cleanName(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .trim()
    .replace(/^"(.*)"$/, "$1")
    .trim();
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let number = 1;
  for (const match of text.matchAll(/\r\n|\r|\n/g)) {
    const end = match.index ?? 0;
    lines.push({ text: text.slice(start, end), start, number });
    start = end + match[0].length;
    number++;
  }
  lines.push({ text: text.slice(start), start, number });
  return lines;
}

/**
 * The cells of one delimited line with their offsets in it. A cell whose first non-blank
 * character is a double quote runs to the closing quote (`""` inside is a quote), so it may
 * contain the delimiter; its text is then what lies between the quotes.
 */
function splitCells(line: string, delimiter: string): Cell[] {
  const cells: Cell[] = [];
  let at = 0;
  for (;;) {
    const open = /^\s*"/.exec(line.slice(at));
    if (open) {
      const start = at + open[0].length;
      let text = "";
      let i = start;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else text += line[i++];
      }
      cells.push({ text, start, end: i });
      const next = line.indexOf(delimiter, i);
      if (next === -1) return cells;
      at = next + 1;
      continue;
    }
    const next = line.indexOf(delimiter, at);
    const end = next === -1 ? line.length : next;
    cells.push({ text: line.slice(at, end), start: at, end });
    if (next === -1) return cells;
    at = next + 1;
  }
}

/**
 * Why `text` is not a segment ID, as the end of a sentence that names it; null when it is one
 * (a canonical decimal uint64, checked by uint64.ts as the JSON API checks IDs).
 */
export function segmentIdProblem(text: string): string | null {
  if (isUint64Decimal(text)) return null;
  if (/^[0-9]+$/.test(text)) {
    if (text.length > 1 && text.startsWith("0") && /[1-9]/.test(text))
      return `is not a segment ID: remove the leading zeros (${text.replace(/^0+/, "")})`;
    if (/^0+$/.test(text)) return "is not a segment ID: write zero as 0";
    return `is too large: segment IDs go up to ${UINT64_MAX_DECIMAL}`;
  }
  if (/^-[0-9]+$/.test(text)) return "is not a segment ID: segment IDs are never negative";
  if (/^0x[0-9a-f]+$/i.test(text))
    return "is not a segment ID: write it in decimal, not hexadecimal";
  return "is not a segment ID: use decimal digits only";
}

/**
 * How a message names a token: `"12a" (item 3)`, or `"12a" (item 3, line 4)` for a list on
 * several lines. Long tokens are shortened.
 */
export function nameToken(token: Token, withLine = false): string {
  const shown = token.text.length > 40 ? `${token.text.slice(0, 39)}…` : token.text;
  const where = withLine ? `item ${token.item}, line ${token.line}` : `item ${token.item}`;
  return `${JSON.stringify(shown)} (${where})`;
}

/** A problem with the list, ready to show; `token` is the offending ID, if it is one ID. */
export interface ListError {
  token?: Token;
  message: string;
}

/** A list read and checked: everything the API, the CLI and the form need. */
export interface SegmentIdList extends Omit<TokenList, "tokens" | "problem"> {
  /** Valid IDs, first occurrences only, in order: what to send. */
  ids: string[];
  /** The token of each sent ID (same order), to map server issues back. */
  sent: Token[];
  errors: ListError[];
  /** IDs left out because they were already in the list. */
  duplicates: number;
}

/** Reads and checks a list of segment IDs. */
export function parseSegmentIds(text: string, options: ListOptions = {}): SegmentIdList {
  const { tokens, problem, ...shape } = readSegmentTokens(text, options);
  const ids: string[] = [];
  const sent: Token[] = [];
  const errors: ListError[] = problem === null ? [] : [{ message: problem }];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const token of tokens) {
    const why = segmentIdProblem(token.text);
    if (why !== null) {
      errors.push({ token, message: `${nameToken(token, shape.multiLine)} ${why}` });
    } else if (seen.has(token.text)) {
      duplicates++;
    } else {
      seen.add(token.text);
      ids.push(token.text);
      sent.push(token);
    }
  }
  return { ids, sent, errors, duplicates, ...shape };
}

/** "column 2 (segment_id) of 3": how messages name the column a list was read from. */
export function describeColumn(column: ColumnRead): string {
  const name = column.name === null ? "" : ` (${column.name})`;
  return `column ${column.number}${name} of ${column.of}`;
}
