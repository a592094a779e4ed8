import { describe, expect, it } from "vitest";
import { previewPointTable, summarisePreview } from "../../src/browser/annotation-preview.js";

describe("the gallery's table preview", () => {
  it("counts good rows and properties", () => {
    const preview = previewPointTable("x,y,z,segment_id,score\n1,2,3,42,0.5\n4,5,6,43,1\n");
    expect(preview).toEqual({
      rows: 2,
      good: 2,
      bad: 0,
      problems: [],
      notices: [],
      properties: ["score"],
    });
    expect(summarisePreview(preview)).toBe("2 rows read; 2 points; properties: score.");
  });

  it("names bad rows by row and column, never dropping them quietly", () => {
    const preview = previewPointTable("x,y,z\n1,2,3\n1,2,n/a\nNaN,2,3\n1,2\n");
    expect(preview.rows).toBe(4);
    expect(preview.bad).toBe(3);
    expect(preview.good).toBe(1);
    expect(preview.problems).toEqual([
      "row 3, column z: 'n/a' is not a number",
      "row 4, column x: 'NaN' is not a finite number",
      "row 5: has 2 cells but the header has 3 columns (x, y, z)",
    ]);
    expect(summarisePreview(preview)).toBe(
      "4 rows read; 3 bad (listed below; fix them to make the link).",
    );
  });

  it("says what is missing in a table without the coordinate columns", () => {
    const preview = previewPointTable("a,b\n1,2\n");
    expect(preview.problems[0]).toBe(
      'no column "x" (columns: a, b); name it with the x column option',
    );
    expect(summarisePreview(preview)).toBe("1 row read; the table cannot be used (see below).");
    expect(summarisePreview(previewPointTable("  \n"))).toBe("");
  });
});
