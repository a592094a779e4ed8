// Segment IDs as people paste them into the link builder: free text, or a column of a CSV or
// spreadsheet. Pure (no DOM), so tests import it. IDs stay strings: uint64 does not fit a double.

export const UINT64_MAX = "18446744073709551615";
const CANONICAL_ID = /^(0|[1-9][0-9]{0,19})$/;
/** An ID in free text: what lies between whitespace (new lines included), commas, semicolons. */
const FREE_TOKEN = /[^\s,;]+/g;
/** Brackets and quotes around an ID, as in a pasted JSON or Python list. */
const WRAPPING = /^[[("']+|[\])"']+$/g;
/** A header cell starts with a letter or an underscore (after an optional quote). */
const HEADER_START = /^\uFEFF?\s*["']?\s*[A-Za-z_]/;

/**
 * One ID as typed, with where it was: its 1-based position among the IDs read (`item`), its
 * 1-based line, and its offsets in the text (for selecting it in the textarea).
 */
export interface Token {
  text: string;
  item: number;
  line: number;
  start: number;
  end: number;
}

/** What `readSegmentTokens` read. */
export interface TokenList {
  tokens: Token[];
  /** The skipped header line, trimmed; null when there was none. */
  header: string | null;
  /** Whether only the first column of each line was read. */
  firstColumnOnly: boolean;
  /** Whether the IDs came from more than one line. */
  multiLine: boolean;
}

/**
 * Splits pasted text into ID tokens. Free text: IDs separated by commas, spaces, semicolons or
 * new lines. A table: when there are several lines and the first starts with a letter or "_"
 * (a header such as `segment_id`), that line is skipped; when the header names several columns
 * (separated by tabs, commas or semicolons), only the first column of each line is read.
 */
export function readSegmentTokens(text: string): TokenList {
  const lines = splitLines(text);
  const filled = lines.filter((line) => line.text.trim() !== "");
  const first = filled[0];
  const header = filled.length > 1 && first && HEADER_START.test(first.text) ? first : null;
  const delimiter = header ? ["\t", ",", ";"].find((d) => header.text.includes(d)) : undefined;
  const tokens: Token[] = [];
  const add = (raw: string, start: number, line: number) => {
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    const inner = trimmed.replace(WRAPPING, "");
    if (inner === "") return;
    const offset = start + lead + trimmed.indexOf(inner);
    tokens.push({
      text: inner,
      item: tokens.length + 1,
      line,
      start: offset,
      end: offset + inner.length,
    });
  };
  for (const line of lines) {
    if (line === header) continue;
    if (delimiter !== undefined) {
      const cell = firstCell(line.text, delimiter);
      add(cell, line.start, line.number);
      continue;
    }
    for (const match of line.text.matchAll(FREE_TOKEN))
      add(match[0], line.start + (match.index ?? 0), line.number);
  }
  return {
    tokens,
    header: header ? header.text.trim() : null,
    firstColumnOnly: delimiter !== undefined,
    multiLine: new Set(tokens.map((token) => token.line)).size > 1,
  };
}

function splitLines(text: string): { text: string; start: number; number: number }[] {
  const lines = [];
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
 * The first cell of a delimited line, with the text before the delimiter; a double-quoted cell
 * may contain the delimiter. Returned raw (quotes and spaces are trimmed by the caller).
 */
function firstCell(line: string, delimiter: string): string {
  const quote = /^\s*"/.exec(line);
  if (quote) {
    const close = line.indexOf('"', quote[0].length);
    if (close !== -1) return line.slice(0, close + 1);
  }
  const end = line.indexOf(delimiter);
  return end === -1 ? line : line.slice(0, end);
}

/**
 * Why `text` is not a segment ID, as the end of a sentence that names it; null when it is one
 * (`^(0|[1-9][0-9]{0,19})$` and at most 18446744073709551615, compared as strings).
 */
export function segmentIdProblem(text: string): string | null {
  if (CANONICAL_ID.test(text) && (text.length < 20 || text <= UINT64_MAX)) return null;
  if (/^[0-9]+$/.test(text)) {
    if (text.length > 1 && text.startsWith("0") && /[1-9]/.test(text))
      return `is not a segment ID: remove the leading zeros (${text.replace(/^0+/, "")})`;
    if (/^0+$/.test(text)) return "is not a segment ID: write zero as 0";
    return `is too large: segment IDs go up to ${UINT64_MAX}`;
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

/** A problem with one token, ready to show. */
export interface TokenError {
  token: Token;
  message: string;
}

/** Everything the form needs from the segment IDs field. */
export interface SegmentIdList {
  /** Valid IDs, first occurrences only, in order: what to send. */
  ids: string[];
  /** The token of each sent ID (same order), to map server issues back. */
  sent: Token[];
  errors: TokenError[];
  /** IDs left out because they were already in the list. */
  duplicates: number;
  header: string | null;
  firstColumnOnly: boolean;
  multiLine: boolean;
}

/** Reads and checks the segment IDs field. */
export function parseSegmentIds(text: string): SegmentIdList {
  const { tokens, header, firstColumnOnly, multiLine } = readSegmentTokens(text);
  const ids: string[] = [];
  const sent: Token[] = [];
  const errors: TokenError[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const token of tokens) {
    const problem = segmentIdProblem(token.text);
    if (problem !== null) {
      errors.push({ token, message: `${nameToken(token, multiLine)} ${problem}` });
    } else if (seen.has(token.text)) {
      duplicates++;
    } else {
      seen.add(token.text);
      ids.push(token.text);
      sent.push(token);
    }
  }
  return { ids, sent, errors, duplicates, header, firstColumnOnly, multiLine };
}
