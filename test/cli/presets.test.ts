// `nglaunch presets list` and `presets verify`, the latter against the synthetic PRISM-shaped
// fixtures served on loopback: all ok, then a changed info file, a wrong preset expectation,
// a missing, a broken and an unreachable source.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { loadConfig } from "../../src/config.js";
import type { VerifyRow } from "../../src/domain/preset-verify.js";
import { infoUrl } from "../../src/domain/preset-verify.js";
import { loadCatalogue } from "../../src/domain/presets.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { runCli } from "./run-cli.js";

const LAYER_COUNT = 13;
const presetsFile = join(loadConfig({}).presetsDir, "e11-prism.json");

let work: string;
let fixtures: string;
let server: FixtureServer;
let root: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-cli-presets-"));
  fixtures = join(work, "fixtures");
  await makeFixtures(fixtures);
  server = await startFixtureServer(work);
  root = `e11-prism=${server.url}/fixtures/`;
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the fixtures under `name`, changed by `edit`; returns its --source-root. */
function fixtureCopy(name: string, edit: (dir: string) => void): string {
  const dir = join(work, name);
  cpSync(fixtures, dir, { recursive: true });
  edit(dir);
  return `e11-prism=${server.url}/${name}/`;
}

/** A presets directory holding the shipped preset file with `edit` applied. */
function presetsCopy(name: string, edit: (preset: PresetJson) => void): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const preset = JSON.parse(readFileSync(presetsFile, "utf8")) as PresetJson;
  edit(preset);
  writeFileSync(join(dir, "e11-prism.json"), JSON.stringify(preset));
  return dir;
}
type PresetJson = {
  layers: Record<
    string,
    { format?: string; expects: Record<string, { value: unknown; basis: string }> }
  >;
};

/** The table row of one layer: "e11-prism  <layer>  <status>  <details>". */
function tableRow(stdout: string, layer: string): string {
  return stdout.split("\n").find((line) => line.split(/\s+/)[1] === layer) ?? "";
}

describe("nglaunch presets list", () => {
  it("prints views and layers with their expectations, assumed ones marked", async () => {
    const result = await runCli(["presets", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("e11-prism: E11 Bio PRISM");
    expect(result.stdout).toMatch(/overview +xy-3d +dense_seg +raw, dense_seg/);
    expect(result.stdout).toMatch(
      /markers_all +image +uint16\* +7\* +precomputed:\/\/s3:\/\/e11bio-prism/,
    );
    expect(result.stdout).toContain("* assumed, not documented");
  });

  it("--json prints the same summary as GET /api/presets", async () => {
    const result = await runCli(["presets", "list", "--json", "--source-root", root], {
      env: { PUBLIC_URL: "https://ngl.example" },
    });
    expect(result.code).toBe(0);
    const { datasets } = JSON.parse(result.stdout) as {
      datasets: {
        id: string;
        dataRoot: string;
        layers: { id: string }[];
        views: { openUrl: string }[];
      }[];
    };
    expect(datasets.map((d) => d.id)).toEqual(["e11-prism"]);
    expect(datasets[0]?.dataRoot).toBe(`${server.url}/fixtures/`);
    expect(datasets[0]?.layers).toHaveLength(LAYER_COUNT);
    expect(datasets[0]?.views[0]?.openUrl).toBe("https://ngl.example/v/e11-prism/overview");
  });

  it("exits 2 on an unknown dataset", async () => {
    const result = await runCli(["presets", "list", "--dataset", "mouse"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown dataset "mouse"; known: e11-prism');
    expect(result.stderr).toContain('Run "nglaunch presets list --help"');
  });
});

describe("nglaunch presets verify", () => {
  it("finds every layer ok on the fixtures, with progress on stderr", async () => {
    const result = await runCli(["presets", "verify", "--source-root", root]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${LAYER_COUNT} layers: ${LAYER_COUNT} ok`);
    expect(result.stdout).toMatch(/^DATASET +LAYER +STATUS +DETAILS$/m);
    expect(tableRow(result.stdout, "dense_seg")).toMatch(/^e11-prism +dense_seg +ok$/);
    const progress = result.stderr.trim().split("\n");
    expect(progress).toHaveLength(LAYER_COUNT);
    expect(progress.at(-1)).toMatch(
      new RegExp(`^\\[${LAYER_COUNT}/${LAYER_COUNT}\\] e11-prism/\\w+ ok$`),
    );
  });

  it("honours SOURCE_ROOTS and PRESETS_DIR from the environment; --json gives the rows", async () => {
    const result = await runCli(["presets", "verify", "--json"], {
      env: { SOURCE_ROOTS: root, PRESETS_DIR: join(presetsFile, "..") },
    });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as VerifyRow[];
    expect(rows).toHaveLength(LAYER_COUNT);
    expect(rows[0]).toMatchObject({
      dataset: "e11-prism",
      layer: "raw",
      url: `${server.url}/fixtures/raw/info`,
      status: "ok",
      details: [],
    });
  });

  it("exits 1 and names layer, field, expected, found and basis when an info file differs", async () => {
    const changed = fixtureCopy("changed-info", (dir) => {
      const file = join(dir, "dense_seg", "info");
      const info = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...info, data_type: "uint32" }));
    });
    const result = await runCli(["presets", "verify", "--source-root", changed]);
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "dense_seg")).toMatch(
      /^e11-prism +dense_seg +mismatch +data_type: expected uint64 \(assumed\), found "uint32"; /,
    );
    // The chunk, read as the info describes it, has the wrong size for uint32 too.
    expect(tableRow(result.stdout, "dense_seg")).toContain(
      "raw chunk has 32768 bytes, expected 16384 (32 x 32 x 4 voxels x 1 channels x 4 bytes)",
    );
    expect(result.stdout).toContain(`${LAYER_COUNT} layers: ${LAYER_COUNT - 1} ok, 1 mismatch`);
    expect(result.stdout).toContain(
      `e11-prism/dense_seg: ${server.url}/changed-info/dense_seg/70_70_80/0-32_0-32_0-4`,
    );

    const json = await runCli([
      "presets",
      "verify",
      "--source-root",
      changed,
      "--layer",
      "dense_seg",
      "--json",
    ]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as VerifyRow[])[0]?.details[0]).toEqual({
      kind: "mismatch",
      field: "data_type",
      expected: "uint64",
      actual: "uint32",
      basis: "assumed",
      message: 'data_type: expected uint64 (assumed), found "uint32"',
    });
  });

  it("exits 1 when a preset expects something else than the data holds", async () => {
    const presetsDir = presetsCopy("wrong-expectation", (preset) => {
      const raw = preset.layers.raw;
      if (raw) raw.expects.numChannels = { value: 17, basis: "documented" };
    });
    const result = await runCli([
      "presets",
      "verify",
      "--presets-dir",
      presetsDir,
      "--source-root",
      root,
    ]);
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "raw")).toContain(
      "mismatch  num_channels: expected 17 (documented), found 18",
    );
  });

  it("reports a missing info file as unreachable and a broken one as invalid", async () => {
    const damaged = fixtureCopy("damaged", (dir) => {
      unlinkSync(join(dir, "proofed_cells", "info"));
      writeFileSync(join(dir, "markers_all", "info"), "{not json");
    });
    const result = await runCli(["presets", "verify", "--source-root", damaged]);
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "proofed_cells")).toMatch(/unreachable +HTTP 404 Not Found$/);
    expect(tableRow(result.stdout, "markers_all")).toMatch(/invalid +info is not JSON: /);
  });

  it("skips layers in a format it cannot check, without failing", async () => {
    const presetsDir = presetsCopy("zarr-layer", (preset) => {
      const affs = preset.layers.combined_affs;
      if (affs) affs.format = "zarr";
    });
    const result = await runCli([
      "presets",
      "verify",
      "--presets-dir",
      presetsDir,
      "--source-root",
      root,
    ]);
    expect(result.code).toBe(0);
    expect(tableRow(result.stdout, "combined_affs")).toMatch(
      /skipped +unsupported format for verify: zarr$/,
    );
  });

  it("exits 1 with every layer unreachable when the source refuses connections", async () => {
    const probe = createTcpServer();
    await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
    const { port } = probe.address() as AddressInfo;
    await new Promise((done) => probe.close(done));
    const result = await runCli([
      "presets",
      "verify",
      "--source-root",
      `e11-prism=http://127.0.0.1:${port}/`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${LAYER_COUNT} layers: ${LAYER_COUNT} unreachable`);
    expect(tableRow(result.stdout, "raw")).toMatch(/unreachable +fetch failed: ECONNREFUSED$/);
  });

  describe("a source that accepts connections and never answers", () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createTcpServer((socket) => sockets.add(socket));
      await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    });

    it("times out per request (--timeout)", async () => {
      const { port } = silent.address() as AddressInfo;
      // The server never answers: only the per-request timeout can end the command (a hang
      // would hit the test's timeout). No wall-clock bound: a busy machine must not fail it.
      const result = await runCli([
        "presets",
        "verify",
        "--layer",
        "raw",
        "--layer",
        "dense_seg",
        "--timeout",
        "0.2",
        "--source-root",
        `e11-prism=http://127.0.0.1:${port}/`,
      ]);
      expect(result.code).toBe(1);
      expect(tableRow(result.stdout, "raw")).toMatch(/unreachable +timed out after 0.2 s$/);
      expect(result.stdout).toContain("2 layers: 2 unreachable");
    });
  });

  it("exits 2 on usage errors", async () => {
    const cases: [string[], string][] = [
      [["presets", "verify", "--layer", "nope"], 'no dataset has a layer preset "nope"'],
      [["presets", "verify", "--timeout", "0"], "--timeout expects a positive number"],
      [["presets", "verify", "--dataset", "mouse"], 'unknown dataset "mouse"'],
      [["presets", "frobnicate"], 'unknown presets command "frobnicate"'],
    ];
    for (const [argv, message] of cases) {
      const result = await runCli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect((await runCli(["presets"])).code).toBe(2);
  });
});

describe("infoUrl", () => {
  it("reads s3:// through the bucket's HTTPS endpoint and gs:// through storage.googleapis.com", () => {
    const { presetsDir } = loadConfig({});
    const s3 = loadCatalogue(presetsDir).datasets.get("e11-prism");
    const gs = loadCatalogue(presetsDir, { "e11-prism": "gs://mirror-bucket/prism" }).datasets.get(
      "e11-prism",
    );
    if (!s3?.layers.raw || !gs?.layers.raw) throw new Error("no raw layer");
    expect(infoUrl(s3, s3.layers.raw)).toBe(
      "https://e11bio-prism.s3.amazonaws.com/ls/images/precomputed/raw/info",
    );
    expect(infoUrl(gs, gs.layers.raw)).toBe(
      "https://storage.googleapis.com/mirror-bucket/prism/raw/info",
    );
  });
});
