import { describe, expect, it } from "vitest";
import {
  countBadRows,
  describeTableProblems,
  itemsFromTable,
  parseNumberCell,
  propertyIdFor,
} from "../../src/domain/annotation-items.js";
import { detectTableFormat, formatTableProblem, parseTable } from "../../src/domain/table.js";

const items = (text: string, type: "point" | "line" | "box" | "ellipsoid" = "point") =>
  itemsFromTable(parseTable(text), { type });

describe("parseTable", () => {
  it("reads CSV with quotes, escaped quotes, quoted line breaks, CRLF, a BOM and blank lines", () => {
    const table = parseTable(
      '\uFEFFx,y,z,description\r\n1,2,3,"a, b"\r\n\r\n4,5,6,"say ""hi""\nthere"\r\n7,8,9,plain\n',
    );
    expect(table.format).toBe("csv");
    expect(table.problems).toEqual([]);
    expect(table.columns).toEqual(["x", "y", "z", "description"]);
    expect(table.rows).toEqual([
      { row: 2, cells: ["1", "2", "3", "a, b"] },
      { row: 4, cells: ["4", "5", "6", 'say "hi"\nthere'] },
      { row: 6, cells: ["7", "8", "9", "plain"] },
    ]);
  });

  it("reads TSV when the header has a tab", () => {
    const text = "x\ty\tz\n1\t2\t3\n";
    expect(detectTableFormat(text)).toBe("tsv");
    expect(parseTable(text).rows).toEqual([{ row: 2, cells: ["1", "2", "3"] }]);
  });

  it("names rows with the wrong number of cells and keeps the others", () => {
    const table = parseTable("x,y,z\n1,2,3\n1,2\n1,2,3,4\n5,6,7\n");
    expect(table.rows.map((r) => r.row)).toEqual([2, 5]);
    expect(table.problems.map(formatTableProblem)).toEqual([
      "row 3: has 2 cells but the header has 3 columns (x, y, z)",
      "row 4: has 4 cells but the header has 3 columns (x, y, z)",
    ]);
  });

  it("reports an unclosed quote and an empty table", () => {
    expect(parseTable('x,y\n"1,2\n').problems.map(formatTableProblem)).toContain(
      'row 2: a quoted cell is never closed (a missing ")',
    );
    expect(parseTable("").problems.map(formatTableProblem)).toEqual(["the table is empty"]);
  });

  it("reads JSON records and pandas' split form, IDs above 2^53 exact even as JSON numbers", () => {
    const records = parseTable(
      '[{"x": 1.5, "y": 2, "z": 3, "segment_id": 18446744073709551615}, {"x": 4, "y": 5, "z": 6, "segment_id": "9007199254740993"}]',
    );
    expect(records.format).toBe("json");
    expect(records.columns).toEqual(["x", "y", "z", "segment_id"]);
    expect(records.rows).toEqual([
      { row: 1, cells: ["1.5", "2", "3", "18446744073709551615"] },
      { row: 2, cells: ["4", "5", "6", "9007199254740993"] },
    ]);
    const split = parseTable('{"columns": ["x", "y", "z"], "data": [[1, 2, 3], [4, 5]]}');
    expect(split.rows).toEqual([{ row: 1, cells: ["1", "2", "3"] }]);
    expect(split.problems.map(formatTableProblem)).toEqual([
      "row 2: has 2 cells but there are 3 columns",
    ]);
  });

  it("refuses JSON that is not a table, and nested cells", () => {
    expect(parseTable('{"x": 1}').problems[0]?.message).toMatch(/array of records/);
    expect(parseTable("[1, 2").problems[0]?.message).toMatch(/not valid JSON/);
    expect(parseTable('[{"x": [1]}]').problems.map(formatTableProblem)).toEqual([
      "row 1, column x: holds a nested value; flatten the table first",
    ]);
  });

  it("keeps a __proto__ column as a column", () => {
    const table = parseTable('[{"__proto__": 1, "x": 2}]');
    expect(table.columns).toEqual(["__proto__", "x"]);
    expect(table.rows[0]?.cells).toEqual(["1", "2"]);
  });
});

describe("numbers and property names", () => {
  it("accepts decimal and exponent notation, refuses NaN, infinities, blanks and words", () => {
    expect(parseNumberCell(" -1.5e3 ")).toEqual({ ok: true, value: -1500 });
    expect(parseNumberCell(".5")).toEqual({ ok: true, value: 0.5 });
    for (const [cell, message] of [
      ["NaN", "'NaN' is not a finite number"],
      ["-inf", "'-inf' is not a finite number"],
      ["Infinity", "'Infinity' is not a finite number"],
      ["1e999", "'1e999' is too large for a number"],
      ["n/a", "'n/a' is not a number"],
      ["0x10", "'0x10' is not a number"],
      ["1,5", "'1,5' is not a number"],
      ["", "is empty; every row needs a number here"],
    ])
      expect(parseNumberCell(cell ?? "")).toEqual({ ok: false, message });
  });

  it("turns column names into Neuroglancer property ids", () => {
    expect(propertyIdFor("Synapse size (um)")).toBe("synapse_size_um");
    expect(propertyIdFor("score")).toBe("score");
    expect(propertyIdFor("2nd")).toBe("p_2nd");
    expect(propertyIdFor("__proto__")).toBe("proto");
    expect(propertyIdFor("***")).toBeUndefined();
  });
});

describe("itemsFromTable", () => {
  it("reads points with segments, descriptions, colours and numeric properties", () => {
    const result = items(
      "x,y,z,segment_id,description,Score,color,count\n" +
        "1.25,2,3,18446744073709551615,first,0.5,#FF0000,3\n" +
        "4,5,6,,,1.5,#00ff0080,4\n" +
        '7,8,9,"42;43",third,2,#0000ff,5\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.rowNumbers).toEqual([2, 3, 4]);
    expect(result.items).toEqual([
      {
        point: [1.25, 2, 3],
        segments: ["18446744073709551615"],
        description: "first",
        props: { score: 0.5, count: 3, color: "#ff0000" },
      },
      { point: [4, 5, 6], props: { score: 1.5, count: 4, color: "#00ff0080" } },
      {
        point: [7, 8, 9],
        segments: ["42", "43"],
        description: "third",
        props: { score: 2, count: 5, color: "#0000ff" },
      },
    ]);
    expect([...result.propertyColumns]).toEqual([
      ["score", "Score"],
      ["count", "count"],
      ["color", "color"],
    ]);
  });

  it("names every bad cell with its row and column, and returns no items for a bad table", () => {
    const result = items(
      "x,y,z,segment_id,score\n" +
        "1,2,3,1,0.5\n" +
        "1,2,n/a,2,0.5\n" +
        "NaN,2,3,-5,inf\n" +
        "1,2\n" +
        "1,2,3,12a,0.5\n",
    );
    expect(result.items.length).toBeLessThan(result.rowCount);
    expect(result.rowCount).toBe(5);
    expect(countBadRows(result.problems)).toBe(4);
    expect(describeTableProblems(result.problems)).toEqual([
      "row 3, column z: 'n/a' is not a number",
      "row 4, column x: 'NaN' is not a finite number",
      'row 4, column segment_id: segment ID "-5" is negative; send a decimal string between 0 and 18446744073709551615',
      "row 4, column score: 'inf' is not a finite number",
      "row 5: has 2 cells but the header has 5 columns (x, y, z, segment_id, score)",
      'row 6, column segment_id: segment ID "12a" is not a decimal number; send a decimal string between 0 and 18446744073709551615',
    ]);
  });

  it("reads lines, boxes and ellipsoids from their default columns", () => {
    expect(items("x1,y1,z1,x2,y2,z2\n1,2,3,4,5,6\n", "line").items).toEqual([
      { pointA: [1, 2, 3], pointB: [4, 5, 6] },
    ]);
    expect(items("x1,y1,z1,x2,y2,z2\n1,2,3,4,5,6\n", "box").items).toHaveLength(1);
    expect(items("x,y,z,rx,ry,rz\n1,2,3,4,5,6\n", "ellipsoid").items).toEqual([
      { center: [1, 2, 3], radii: [4, 5, 6] },
    ]);
    expect(
      describeTableProblems(items("x,y,z,rx,ry,rz\n1,2,3,4,-5,6\n", "ellipsoid").problems),
    ).toEqual(["row 2, column ry: radii cannot be negative"]);
  });

  it("says which columns are missing, and takes other names", () => {
    expect(describeTableProblems(items("a,b,c\n1,2,3\n").problems)).toEqual([
      'no column "x" (columns: a, b, c); name it with the x column option',
      'no column "y" (columns: a, b, c); name it with the y column option',
      'no column "z" (columns: a, b, c); name it with the z column option',
    ]);
    const renamed = itemsFromTable(parseTable("a,b,c,cell\n1,2,3,7\n"), {
      type: "point",
      columns: { x: "a", y: "b", z: "c", segmentId: "cell" },
    });
    expect(renamed.items).toEqual([{ point: [1, 2, 3], segments: ["7"] }]);
    expect(
      itemsFromTable(parseTable("x,y,z\n1,2,3\n"), {
        type: "point",
        columns: { segmentId: "cell" },
      }).problems.map(formatTableProblem),
    ).toEqual(['no column "cell" (columns: x, y, z)']);
  });

  it("matches column names case-insensitively", () => {
    expect(items("X,Y,Z,Segment_ID\n1,2,3,4\n").items).toEqual([
      { point: [1, 2, 3], segments: ["4"] },
    ]);
  });

  it("leaves out text columns and a pandas index column, and says so", () => {
    const result = items(",x,y,z,cell_type\n0,1,2,3,pyramidal\n1,4,5,6,basket\n");
    expect(result.problems).toEqual([]);
    expect(result.items).toEqual([{ point: [1, 2, 3] }, { point: [4, 5, 6] }]);
    expect(result.notices).toEqual([
      "column 1 has no name (a pandas index? write the CSV with index=False); left out",
      "column cell_type is not numeric; left out (Neuroglancer properties are numbers)",
    ]);
  });

  it("reports a bad cell in a mostly numeric property column instead of dropping the column", () => {
    const result = items("x,y,z,score\n1,2,3,0.5\n1,2,3,0.7\n1,2,3,high\n");
    expect(describeTableProblems(result.problems)).toEqual([
      "row 4, column score: 'high' is not a number",
    ]);
  });

  it("refuses bad colours and two columns that become one property", () => {
    expect(describeTableProblems(items("x,y,z,color\n1,2,3,red\n").problems)).toEqual([
      "row 2, column color: 'red' is not a colour; write #rrggbb or #rrggbbaa",
    ]);
    expect(describeTableProblems(items("x,y,z,a b,a-b\n1,2,3,4,5\n").problems)).toEqual([
      'columns a b and a-b both become property "a_b"; rename one',
    ]);
  });

  it("lists at most 20 problems and counts the rest", () => {
    const rows = Array.from({ length: 30 }, () => "1,2,x").join("\n");
    const lines = describeTableProblems(items(`x,y,z\n${rows}\n`).problems);
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe("and 10 more problems (only the first 20 are listed)");
  });
});
