import { describe, expect, it } from "vitest";
// The one segment-ID list grammar (src/domain/segment-list.ts) of the API, CLI and gallery.
// test/gallery/segment-list-agreement.test.ts runs a table of inputs through the server and the
// browser bundle and checks they agree.
import {
  nameToken,
  parseSegmentIds,
  readSegmentTokens,
  segmentIdProblem,
  UINT64_MAX_DECIMAL as UINT64_MAX,
} from "../../src/domain/segment-list.js";

const texts = (input: string) => readSegmentTokens(input).tokens.map((t) => t.text);

describe("reading the segment IDs field", () => {
  it("accepts commas, spaces, new lines, semicolons and '+', in any mix", () => {
    expect(texts("1,2 3\n4;5\t6\r\n7,\n, ;8  +9+10")).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      "9",
      "10",
    ]);
    expect(texts("")).toEqual([]);
    expect(texts(" \n , ; ")).toEqual([]);
  });

  it("ignores brackets and quotes around IDs, as in a pasted JSON or Python list", () => {
    expect(texts('["720575940", "12"]')).toEqual(["720575940", "12"]);
    expect(texts("[1, 2, 3]")).toEqual(["1", "2", "3"]);
  });

  it("skips a header line and reads a single column below it", () => {
    const read = readSegmentTokens("segment_id\n101\n102\n\n103\n");
    expect(read.tokens.map((t) => t.text)).toEqual(["101", "102", "103"]);
    expect(read.header).toBe("segment_id");
    expect(read.column).toBeNull();
  });

  it("reads only the first column of a CSV, TSV or semicolon table with a header, and says so", () => {
    for (const [csv, sep] of [
      ["segment_id,size,type\n101,5.5,pyramidal\n102,7,basket", ","],
      ["segment_id\tsize\n101\t5.5\n102\t7", "\t"],
      ["root_id;volume\n101;5,5\n102;7,0", ";"],
    ] as const) {
      const read = readSegmentTokens(csv);
      expect(
        read.tokens.map((t) => t.text),
        JSON.stringify(sep),
      ).toEqual(["101", "102"]);
      expect(read.column).toMatchObject({ number: 1, name: read.header?.split(sep)[0] });
      expect(read.tokens.map((t) => t.line)).toEqual([2, 3]);
    }
  });

  it("reads quoted CSV cells, even with the delimiter inside", () => {
    expect(texts('"id","name"\n"101","a, b"\n"1,2",x')).toEqual(["101", "1,2"]);
  });

  it("reads another column when asked, by header name (any case) or 1-based number", () => {
    const csv = 'cell_type,segment_id,volume\npyramidal,101,12.5\n"basket, large",102,3\n';
    for (const column of ["segment_id", "SEGMENT_ID", "2"]) {
      const read = readSegmentTokens(csv, { column });
      expect(read.tokens.map((t) => t.text)).toEqual(["101", "102"]);
      expect(read.column).toEqual({ number: 2, name: "segment_id", of: 3 });
    }
    expect(readSegmentTokens("1\t2\n3\t4", { column: "2" }).tokens.map((t) => t.text)).toEqual([
      "2",
      "4",
    ]);
    expect(readSegmentTokens(csv, { column: "cell" }).problem).toBe(
      'no column "cell" in the header (cell_type, segment_id, volume)',
    );
    expect(readSegmentTokens(csv, { column: "0" }).problem).toBe("column numbers start at 1");
    expect(readSegmentTokens(csv, { column: "4" }).problem).toMatch(/has 3 columns/);
    expect(readSegmentTokens("1,2\n3,4", { column: "id" }).problem).toMatch(/not a header/);
  });

  it("does not take an ID-like first line, or a single line, for a header", () => {
    expect(readSegmentTokens("12a, 13\n14").header).toBeNull();
    expect(readSegmentTokens("-5\n6").header).toBeNull();
    expect(readSegmentTokens("segment_id").header).toBeNull();
    expect(texts("1,2,3\n4,5,6")).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("numbers items from 1 and records lines and offsets for selecting a token", () => {
    const input = "seg\n 10 , 2x\n30";
    const [a, b, c] = readSegmentTokens(input).tokens;
    expect([a?.item, b?.item, c?.item]).toEqual([1, 2, 3]);
    expect([a?.line, b?.line, c?.line]).toEqual([2, 2, 3]);
    expect(input.slice(b?.start, b?.end)).toBe("2x");
    const quoted = '["7"]';
    const [q] = readSegmentTokens(quoted).tokens;
    expect(quoted.slice(q?.start, q?.end)).toBe("7");
  });
});

describe("checking a segment ID", () => {
  it("accepts canonical decimal uint64 values, as strings, up to 2^64-1", () => {
    for (const id of ["0", "1", "720575940621039145", "9007199254740993", UINT64_MAX])
      expect(segmentIdProblem(id), id).toBeNull();
  });

  it("compares against 2^64-1 by length then digits, never through a number", () => {
    expect(segmentIdProblem("18446744073709551616")).toMatch(/too large/);
    expect(segmentIdProblem("99999999999999999999")).toMatch(/too large/);
    expect(segmentIdProblem("100000000000000000000")).toMatch(/too large/);
    expect(segmentIdProblem("9999999999999999999")).toBeNull();
  });

  it("says what is wrong with other tokens", () => {
    expect(segmentIdProblem("12a")).toBe("is not a segment ID: use decimal digits only");
    expect(segmentIdProblem("1.5")).toBe("is not a segment ID: use decimal digits only");
    expect(segmentIdProblem("1e9")).toBe("is not a segment ID: use decimal digits only");
    expect(segmentIdProblem("007")).toBe("is not a segment ID: remove the leading zeros (7)");
    expect(segmentIdProblem("00")).toBe("is not a segment ID: write zero as 0");
    expect(segmentIdProblem("-5")).toMatch(/never negative/);
    expect(segmentIdProblem("0x1F")).toMatch(/hexadecimal/);
  });
});

describe("parsing the field for the form", () => {
  it("names the offending token and its position", () => {
    const { errors, ids } = parseSegmentIds("101, 102, 12a, 103");
    expect(ids).toEqual(["101", "102", "103"]);
    expect(errors.map((e) => e.message)).toEqual([
      '"12a" (item 3) is not a segment ID: use decimal digits only',
    ]);
  });

  it("adds the line when the list spans several lines", () => {
    const { errors } = parseSegmentIds("segment_id,size\n101,1\n1O2,2");
    expect(errors.map((e) => e.message)).toEqual([
      '"1O2" (item 2, line 3) is not a segment ID: use decimal digits only',
    ]);
  });

  it("sends each ID once and keeps the token of each sent ID", () => {
    const parsed = parseSegmentIds("5 6 5 7 6");
    expect(parsed.ids).toEqual(["5", "6", "7"]);
    expect(parsed.duplicates).toBe(2);
    expect(parsed.sent.map((t) => t.item)).toEqual([1, 2, 4]);
  });

  it("shortens very long tokens in messages", () => {
    const long = "9".repeat(60);
    const [error] = parseSegmentIds(long).errors;
    expect(error?.message).toBe(
      `"${"9".repeat(39)}…" (item 1) is too large: segment IDs go up to ${UINT64_MAX}`,
    );
    expect(nameToken({ text: "x", item: 2, line: 5, start: 0, end: 1 }, true)).toBe(
      '"x" (item 2, line 5)',
    );
  });
});
