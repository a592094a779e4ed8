// `nglaunch url --annotations FILE`: a table becomes an annotation layer, bad rows are named by
// file, row and column, and the JSON it prints opens with exactly the rows given.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const BIG = "9007199254740993"; // 2^53 + 1

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-cli-annotations-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

type Layer = Record<string, unknown> & { name: string; annotations?: Record<string, unknown>[] };
const layers = (stdout: string) => (JSON.parse(stdout) as { layers: Layer[] }).layers;

describe("nglaunch url --annotations", () => {
  it("turns a CSV into a point layer linked to the view's segments", async () => {
    const csv = file(
      "synapses.csv",
      `x,y,z,segment_id,description,score\n1.5,2,3,${BIG},"first, with a comma",0.5\n4,5,6,42,,1\n`,
    );
    const result = await runCli([
      "url",
      "--view",
      "overview",
      "--segments",
      "42",
      "--annotations",
      csv,
      "--color-by",
      "score",
      "--json",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const layer = layers(result.stdout).find((l) => l.name === "synapses");
    expect(layer?.linkedSegmentationLayer).toEqual({ segments: "dense_seg" });
    expect(layer?.annotations).toEqual([
      {
        type: "point",
        id: "1",
        point: [1.5, 2, 3],
        segments: [BIG],
        description: "first, with a comma",
        props: [0.5],
      },
      { type: "point", id: "2", point: [4, 5, 6], segments: ["42"], props: [1] },
    ]);
    expect(result.stdout).toContain(`"${BIG}"`);
  });

  it("reads renamed columns, boxes in um, JSON records from stdin", async () => {
    const result = await runCli(
      [
        "url",
        "--view",
        "overview",
        "--annotations",
        "-",
        "--annotation-type",
        "box",
        "--annotation-name",
        "regions",
        "--unit",
        "um",
        "--columns",
        "x1=a,y1=b,z1=c,x2=d,y2=e,z2=f",
        "--json",
      ],
      { stdin: '[{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6}]' },
    );
    expect(result.stderr).toBe("");
    const layer = layers(result.stdout).find((l) => l.name === "regions");
    expect(layer?.source).toEqual({
      url: "local://annotations",
      transform: { outputDimensions: { x: [1e-6, "m"], y: [1e-6, "m"], z: [1e-6, "m"] } },
    });
    expect(layer?.annotations).toEqual([
      { type: "axis_aligned_bounding_box", id: "1", pointA: [1, 2, 3], pointB: [4, 5, 6] },
    ]);
  });

  it("names bad rows by file, row and column and prints nothing", async () => {
    const csv = file("bad.csv", "x,y,z\n1,2,3\n1,2,n/a\n1,2,3,4\n");
    const result = await runCli(["url", "--view", "overview", "--annotations", csv]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${csv}: row 3, column z: 'n/a' is not a number`);
    expect(result.stderr).toContain(
      `${csv}: row 4: has 4 cells but the header has 3 columns (x, y, z)`,
    );
    expect(result.stderr).toContain(`${csv}: 2 of 3 rows are bad`);
  });

  it("refuses annotation flags without --annotations, and a unit annotations cannot take", async () => {
    const stray = await runCli(["url", "--view", "overview", "--color-by", "score"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--color-by needs --annotations FILE");
    const csv = file("m.csv", "x,y,z\n1,2,3\n");
    const metres = await runCli(["url", "--view", "overview", "--annotations", csv, "--unit", "m"]);
    expect(metres.code).toBe(2);
    expect(metres.stderr).toContain("annotation coordinates are in nm or um; --unit m is neither");
    const columns = await runCli([
      "url",
      "--view",
      "overview",
      "--annotations",
      csv,
      "--columns",
      "q=1",
    ]);
    expect(columns.code).toBe(2);
    expect(columns.stderr).toContain("--columns expects ROLE=NAME pairs");
  });
});
