// `nglaunch url`: the URL and state it prints for views, segments (flags and files), position,
// layout, title and viewer base, and how it reports mistakes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { parseNeuroglancerUrl } from "../../src/domain/neuroglancer-url.js";
import { loadCatalogue } from "../../src/domain/presets.js";
import { buildStateFromInput } from "../../src/domain/state-builder.js";
import { runCli } from "./run-cli.js";

const BIG = "9007199254740993"; // 2^53 + 1: a double would read it as ...992
const MAX = "18446744073709551615"; // 2^64 - 1

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-cli-url-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

type Layer = { name: string; source: string; segments?: string[] };
type State = {
  layers: Layer[];
  layout: string;
  title?: string;
  position?: number[];
  dimensions?: unknown;
};

/** The state inside a printed URL, read back the way the viewer reads it. */
function stateOf(url: string): State {
  const parsed = parseNeuroglancerUrl(url.trim());
  if (!parsed.ok || parsed.kind !== "inline") throw new Error(`not an inline state URL: ${url}`);
  return parsed.state as State;
}

const segmentsOf = (state: State, layer = "dense_seg") =>
  state.layers.find((l) => l.name === layer)?.segments;

describe("nglaunch url", () => {
  it("prints the viewer URL of a view with segment IDs, exact up to 2^64-1", async () => {
    const result = await runCli([
      "url",
      "--dataset",
      "e11-prism",
      "--view",
      "overview",
      "--segments",
      `1,2 3+${BIG};${MAX}`,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^http:\/\/localhost:8080\/#!%7B.*\n$/);
    const state = stateOf(result.stdout);
    expect(segmentsOf(state)).toEqual(["1", "2", "3", BIG, MAX]);
    // The same state the service builds for the same request.
    const catalogue = loadCatalogue(loadConfig({}).presetsDir);
    const expected = buildStateFromInput(catalogue, {
      dataset: "e11-prism",
      view: "overview",
      segments: ["1", "2", "3", BIG, MAX],
    });
    expect(state).toEqual(expected.state);
  });

  it("takes the only dataset when --dataset is left out, and repeated --segments", async () => {
    const result = await runCli([
      "url",
      "--view",
      "proofread",
      "--segments",
      "5",
      "--segments",
      "6",
    ]);
    expect(result.code).toBe(0);
    expect(segmentsOf(stateOf(result.stdout), "proofed_cells")).toEqual(["5", "6"]);
  });

  it("--json prints the state itself, IDs as exact strings", async () => {
    const result = await runCli(["url", "--view", "overview", "--segments", `${MAX},42`, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`"${MAX}"`);
    const state = JSON.parse(result.stdout) as State;
    expect(segmentsOf(state)).toEqual([MAX, "42"]);
    expect(state.layout).toBe("xy-3d");
  });

  it("reads one column of a CSV with a header line (--column by name or number)", async () => {
    const csv = file(
      "cells.csv",
      `cell_type,segment_id,volume\npyramidal,${BIG},12.5\n"basket, large",${MAX},3\n\nstellate,42,1\n`,
    );
    for (const column of ["segment_id", "2"]) {
      const result = await runCli([
        "url",
        "--view",
        "overview",
        "--segments-file",
        csv,
        "--column",
        column,
        "--json",
      ]);
      expect(result.code).toBe(0);
      expect(segmentsOf(JSON.parse(result.stdout) as State)).toEqual([BIG, MAX, "42"]);
    }
  });

  it("reads a plain ID list with a header, added to --segments; a TSV column too", async () => {
    const list = file("ids.txt", `segment_id\n${BIG}\n${MAX} 7\n`);
    const result = await runCli([
      "url",
      "--view",
      "overview",
      "--segments",
      "1",
      "--segments-file",
      list,
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(segmentsOf(JSON.parse(result.stdout) as State)).toEqual(["1", BIG, MAX, "7"]);

    const tsv = file("ids.tsv", `name\tid\na\t${MAX}\nb\t8\n`);
    const fromTsv = await runCli([
      "url",
      "--view",
      "overview",
      "--segments-file",
      tsv,
      "--column",
      "ID",
      "--json",
    ]);
    expect(segmentsOf(JSON.parse(fromTsv.stdout) as State)).toEqual([MAX, "8"]);
  });

  it("reads --segments-file - from stdin", async () => {
    const result = await runCli(["url", "--view", "overview", "--segments-file", "-", "--json"], {
      stdin: `${MAX}\n12\n`,
    });
    expect(result.code).toBe(0);
    expect(segmentsOf(JSON.parse(result.stdout) as State)).toEqual([MAX, "12"]);
  });

  it("names the file line of a bad ID, and which column of a multi-column file it read", async () => {
    const bad = file("bad.csv", "id\n1\n18446744073709551616\n");
    const result = await runCli(["url", "--view", "overview", "--segments-file", bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "error: cannot build the state:\n" +
        `  ${bad}: "18446744073709551616" (item 2, line 3) is too large: segment IDs go up to ${MAX}\n`,
    );
    const typed = await runCli(["url", "--view", "overview", "--segments", "1+12a"]);
    expect(typed.code).toBe(1);
    expect(typed.stderr).toContain(
      '--segments: "12a" (item 2) is not a segment ID: use decimal digits only',
    );

    // The same rule as the gallery: the first column, said on stderr; --column picks another.
    const wide = file("wide.csv", "id,x,y\n1,2,3\n4,5,6\n");
    const first = await runCli(["url", "--view", "overview", "--segments-file", wide, "--json"]);
    expect(first.code).toBe(0);
    expect(segmentsOf(JSON.parse(first.stdout) as State)).toEqual(["1", "4"]);
    expect(first.stderr).toBe(
      `note: --segments-file ${wide}: read column 1 (id) of 3; choose another with --column\n`,
    );

    const missing = await runCli([
      "url",
      "--view",
      "overview",
      "--segments-file",
      wide,
      "--column",
      "cell",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no column "cell"');
  });

  it("sets --position (in --unit), --layout and --title", async () => {
    const result = await runCli([
      "url",
      "--view",
      "overview",
      "--position",
      "100,200.5,30",
      "--unit",
      "um",
      "--layout",
      "xy",
      "--title",
      "Two cells & a synapse",
    ]);
    expect(result.code).toBe(0);
    const state = stateOf(result.stdout);
    expect(state.position).toEqual([100, 200.5, 30]);
    expect(state.dimensions).toEqual({ x: [1e-6, "m"], y: [1e-6, "m"], z: [1e-6, "m"] });
    expect(state.layout).toBe("xy");
    expect(state.title).toBe("Two cells & a synapse");
  });

  it("uses --viewer, else PUBLIC_URL, as the viewer base", async () => {
    const viewer = await runCli([
      "url",
      "--view",
      "overview",
      "--viewer",
      "https://neuroglancer-demo.appspot.com/",
    ]);
    expect(viewer.stdout).toMatch(/^https:\/\/neuroglancer-demo\.appspot\.com\/#!%7B/);
    const env = await runCli(["url", "--view", "overview"], {
      env: { PUBLIC_URL: "https://ng.example.org" },
    });
    expect(env.stdout).toMatch(/^https:\/\/ng\.example\.org\/#!%7B/);
  });

  it("builds from --layers, and reads data from --source-root", async () => {
    const result = await runCli([
      "url",
      "--layers",
      "enhanced,proofed_cells",
      "--segments",
      "9",
      "--source-root",
      "e11-prism=http://127.0.0.1:9/mirror",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const state = JSON.parse(result.stdout) as State;
    expect(state.layers.map((l) => [l.name, l.source])).toEqual([
      ["enhanced", "precomputed://http://127.0.0.1:9/mirror/enhanced"],
      ["proofed_cells", "precomputed://http://127.0.0.1:9/mirror/proofed_cells"],
    ]);
    expect(segmentsOf(state, "proofed_cells")).toEqual(["9"]);
  });

  it("exits 2 on usage errors, with the command's help hint", async () => {
    const cases: [string[], string][] = [
      [["url", "--view", "nope"], 'unknown view "nope"; known views: overview'],
      [["url", "--dataset", "mouse", "--view", "overview"], 'unknown dataset "mouse"'],
      [["url"], "give --view (overview"],
      [["url", "--view", "overview", "--bogus"], "unknown option --bogus\n"],
      [
        ["url", "--view", "overview", "--segment", "1"],
        "unknown option --segment; did you mean --segments?",
      ],
      [["url", "--veiw", "overview"], "unknown option --veiw; did you mean --view?"],
      [["url", "--view", "overview", "--layout", "bogus"], '--layout: layout must be one of "xy"'],
      [["url", "--view", "overview", "--unit", "km"], '--unit must be nm, um, m; got "km"'],
      [
        ["url", "--view", "overview", "extra"],
        'url takes no arguments besides options, got "extra"',
      ],
      [["url", "--view", "overview", "--position", "1,2"], "--position expects three numbers"],
      [["url", "--view", "overview", "--viewer", "ftp://x"], "--viewer must be an http(s) URL"],
      [
        ["url", "--view", "overview", "--segments-file", join(work, "absent.csv")],
        `--segments-file: no such file: ${join(work, "absent.csv")}`,
      ],
      [["url", "--view", "overview", "--segments-file", work], `${work} is a directory`],
      [
        ["url", "--view", "overview", "--source-root", "nowhere"],
        "--source-root expects DATASET=URL",
      ],
      [["url", "--view", "overview", "--presets-dir", work], "holds no *.json files"],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Run "nglaunch url --help" for usage.');
    }
  });

  it("exits 1 when the values cannot build a state, naming the flag", async () => {
    const result = await runCli(["url", "--view", "barcodes", "--segments", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--segments: this view has no segmentation layer");
    const zoom = await runCli(["url", "--view", "overview", "--zoom=-3"]);
    expect(zoom.code).toBe(1);
    expect(zoom.stderr).toContain("--zoom:");
  });
});
