// `nglaunch presets verify` answering "will this view draw?" on the loopback fixtures: CORS with
// the service's origin, one coarsest-scale chunk per layer (unsharded, sharded, compressed),
// contrast against the chunk's values, the per-layer report, and `--record`. Sharded and
// compressed_segmentation fixtures are written with the pinned client's own encoders
// (node_modules/neuroglancer), so the reader is checked against the format's ground truth.
import { createHash } from "node:crypto";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// Ground truth: the pinned client's hash, chunk index and compressed_segmentation encoder.
import { encodeChannels } from "neuroglancer/unstable/sliceview/compressed_segmentation/encode_uint64.js";
import { murmurHash3_x86_128Hash64Bits_Bigint } from "neuroglancer/unstable/util/hash.js";
import { encodeZIndexCompressed3d } from "neuroglancer/unstable/util/zorder.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { loadConfig } from "../../src/config.js";
import {
  compressedMortonCode,
  murmurHash64,
  parseVolumeInfo,
} from "../../src/domain/precomputed.js";
import { formatJson } from "../../src/domain/preset-record.js";
import type { VerifyRow } from "../../src/domain/preset-verify.js";
import { loadCatalogue, parseDatasetFile } from "../../src/domain/presets.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";
import { runCli } from "./run-cli.js";

const PUBLIC_URL = "https://ngl.example";
const ENV = { PUBLIC_URL };
const presetsFile = join(loadConfig({}).presetsDir, "e11-prism.json");
const COARSE = "70_70_80";

let work: string;
let fixtures: string;
let server: FixtureServer;
/** Origins the fixture server saw, per request path. */
const origins = new Map<string, string | undefined>();

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-verify-"));
  fixtures = join(work, "fixtures");
  await makeFixtures(fixtures);
  // A bucket with a CORS rule per folder: /no-cors/ has none, /other-origin/ allows another site,
  // /exact/ echoes only this service's origin (as an S3 rule listing it does); the rest allow *.
  server = await startFixtureServer(work, {
    allowOrigin: (path, origin) => {
      origins.set(path, origin);
      if (path.startsWith("/no-cors/")) return undefined;
      if (path.startsWith("/other-origin/")) return "https://elsewhere.example";
      if (path.startsWith("/exact/")) return origin === PUBLIC_URL ? origin : undefined;
      return "*";
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the fixtures under `name`, changed by `edit`; returns its --source-root. */
function fixtureCopy(name: string, edit: (dir: string) => void = () => {}): string {
  const dir = join(work, name);
  cpSync(fixtures, dir, { recursive: true });
  edit(dir);
  return `e11-prism=${server.url}/${name}/`;
}

/** A presets directory holding the shipped preset file, changed by `edit`. */
function presetsCopy(name: string, edit: (preset: PresetJson) => void = () => {}): string {
  const dir = join(work, name);
  mkdirSync(dir);
  const preset = JSON.parse(readFileSync(presetsFile, "utf8")) as PresetJson;
  edit(preset);
  writeFileSync(join(dir, "e11-prism.json"), `${formatJson(preset)}\n`);
  return dir;
}
type PresetJson = {
  layers: Record<
    string,
    Record<string, unknown> & { expects: Record<string, Record<string, unknown>> }
  >;
};

type Info = { scales: Record<string, unknown>[]; [key: string]: unknown };
function editInfo(dir: string, layer: string, edit: (info: Info) => void): void {
  const file = join(dir, layer, "info");
  const info = JSON.parse(readFileSync(file, "utf8")) as Info;
  edit(info);
  writeFileSync(file, JSON.stringify(info));
}

/** The status-table row of one layer: "e11-prism  <layer>  <status>  <details>". */
function tableRow(stdout: string, layer: string): string {
  const line = stdout.split("\n").find((l) => l.split(/\s+/)[1] === layer) ?? "";
  return line.replace(/ {2,}/g, "  ");
}
/** The report-table row of one layer (its first column is the layer). */
function reportRow(stdout: string, layer: string): string {
  const report = stdout.slice(stdout.indexOf("What the data holds"));
  return report.split("\n").find((line) => line.split(/\s+/)[0] === layer) ?? "";
}

async function verify(sourceRoot: string, ...args: string[]) {
  return runCli(["presets", "verify", "--source-root", sourceRoot, ...args], { env: ENV });
}
async function verifyJson(sourceRoot: string, ...args: string[]) {
  const result = await verify(sourceRoot, "--json", ...args);
  return { ...result, rows: JSON.parse(result.stdout) as VerifyRow[] };
}

describe("presets verify on intact fixtures", () => {
  it("passes every check and reports what each layer holds", async () => {
    const result = await verify(`e11-prism=${server.url}/fixtures/`);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain("13 layers: 13 ok");
    expect(reportRow(result.stdout, "raw")).toMatch(
      /^raw +35 x 35 x 80 +0 x 0 x 0 \+ 64 x 64 x 8 +2 +raw +- +values 0-255 +not verified: assumed uint8, 18 channels$/,
    );
    expect(reportRow(result.stdout, "dense_seg")).toMatch(/ +none +36 segment IDs +/);
  });

  it("--json carries the report, the chunk read, channel statistics and contrast verdicts", async () => {
    const { code, rows } = await verifyJson(
      `e11-prism=${server.url}/fixtures/`,
      "--layer",
      "markers_all",
      "--layer",
      "dense_seg",
    );
    expect(code).toBe(0);
    const [markers, dense] = rows;
    const info = readFileSync(join(fixtures, "markers_all", "info"));
    expect(markers).toMatchObject({
      status: "ok",
      infoDigest: `sha256:${createHash("sha256").update(info).digest("hex")}`,
      report: {
        type: "image",
        dataType: "uint16",
        numChannels: 7,
        voxelSize: [35, 35, 80],
        bounds: { offset: [0, 0, 0], size: [64, 64, 8] },
        scales: 2,
        encodings: ["raw"],
        sharded: false,
        mesh: false,
      },
      chunk: {
        url: `${server.url}/fixtures/markers_all/${COARSE}/0-32_0-32_0-4`,
        encoding: "raw",
        sharded: false,
        bytes: 32 * 32 * 4 * 7 * 2,
        extent: [32, 32, 4],
      },
    });
    // Puncta of 0xF000 on a black background, one per channel.
    expect(markers?.channels?.[0]).toMatchObject({ channel: 0, min: 0, max: 0xf000, p50: 0 });
    expect(markers?.contrast?.[0]).toEqual({
      control: "marker_0",
      channel: 0,
      range: [0, 65535],
      source: "data type",
      verdict: "ok",
    });
    expect(dense).toMatchObject({
      status: "ok",
      segmentIds: 36,
      report: { type: "segmentation", skeletons: false, segmentProperties: false },
    });
  });

  it("sends PUBLIC_URL's origin and accepts a bucket that allows exactly that origin", async () => {
    const root = fixtureCopy("exact");
    const result = await verify(root, "--layer", "raw");
    expect(result.code, result.stdout).toBe(0);
    expect(origins.get("/exact/raw/info")).toBe(PUBLIC_URL);
    expect(origins.get(`/exact/raw/${COARSE}/0-32_0-32_0-4`)).toBe(PUBLIC_URL);
  });

  it("reports meshes, skeletons and segment properties where the info has them", async () => {
    const root = fixtureCopy("with-3d", (dir) =>
      editInfo(dir, "dense_seg", (info) => {
        info.mesh = "mesh";
        info.segment_properties = "segment_properties";
      }),
    );
    const { rows } = await verifyJson(root, "--layer", "dense_seg");
    expect(rows[0]?.report).toMatchObject({
      mesh: true,
      skeletons: false,
      segmentProperties: true,
    });
    const table = await verify(root, "--layer", "dense_seg");
    expect(reportRow(table.stdout, "dense_seg")).toMatch(/ mesh\+properties /);
  });
});

describe("presets verify exits 1 on each failure kind", () => {
  it("no CORS header: names the origin and says to point SOURCE_ROOTS at a mirror", async () => {
    const result = await verify(fixtureCopy("no-cors"));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("13 layers: 13 cors");
    expect(tableRow(result.stdout, "raw")).toContain(
      `cors  info has no Access-Control-Allow-Origin for Origin ${PUBLIC_URL}: browsers on this service cannot read it; set SOURCE_ROOTS=e11-prism=<URL of a mirror that allows ${PUBLIC_URL}>`,
    );
  });

  it("a header for another origin", async () => {
    const result = await verify(fixtureCopy("other-origin"), "--layer", "raw");
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "raw")).toMatch(
      /cors +info allows Origin "https:\/\/elsewhere.example", not https:\/\/ngl.example: .*set SOURCE_ROOTS=e11-prism=/,
    );
  });

  it("a missing chunk", async () => {
    const root = fixtureCopy("missing-chunk", (dir) =>
      unlinkSync(join(dir, "raw", COARSE, "0-32_0-32_0-4")),
    );
    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "raw")).toMatch(
      /chunk +chunk 70_70_80\/0-32_0-32_0-4: missing \(HTTP 404\)$/,
    );
    expect(result.stdout).toContain("13 layers: 12 ok, 1 chunk");
    expect(result.stdout).toContain(
      `e11-prism/raw: ${server.url}/missing-chunk/raw/${COARSE}/0-32_0-32_0-4`,
    );
  });

  it("a chunk of the wrong size", async () => {
    const root = fixtureCopy("short-chunk", (dir) => {
      const file = join(dir, "enhanced", COARSE, "0-32_0-32_0-4");
      writeFileSync(file, readFileSync(file).subarray(0, 1000));
    });
    const result = await verify(root, "--layer", "enhanced");
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "enhanced")).toContain(
      "chunk  chunk 70_70_80/0-32_0-32_0-4: raw chunk has 1000 bytes, expected 73728 (32 x 32 x 4 voxels x 18 channels x 1 bytes)",
    );
  });

  it("a wrong encoding: info says jpeg or png, the chunks are raw; info says raw, the chunk is png", async () => {
    const root = fixtureCopy("wrong-encoding", (dir) => {
      editInfo(dir, "pre_mask_dense_seg", (info) => {
        for (const scale of info.scales) scale.encoding = "jpeg";
      });
      editInfo(dir, "post_mask_dense_seg", (info) => {
        for (const scale of info.scales) scale.encoding = "png";
      });
      const png = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(100),
      ]);
      writeFileSync(join(dir, "pre_mask_local_seg_spines", COARSE, "0-32_0-32_0-4"), png);
    });
    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "pre_mask_dense_seg")).toMatch(
      /chunk +.*: info says jpeg, but the chunk is not an image$/,
    );
    expect(tableRow(result.stdout, "post_mask_dense_seg")).toMatch(
      /chunk +.*: info says png, but the chunk is not an image$/,
    );
    expect(tableRow(result.stdout, "pre_mask_local_seg_spines")).toMatch(
      /chunk +.*raw chunk has 108 bytes, expected 4096 .*; the bytes are png$/,
    );
  });

  it("an encoding the data type cannot have is an invalid info", async () => {
    const root = fixtureCopy("impossible-encoding", (dir) =>
      editInfo(dir, "raw", (info) => {
        for (const scale of info.scales) scale.encoding = "jpeg";
      }),
    );
    const result = await verify(root, "--layer", "raw");
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "raw")).toContain(
      "invalid  info scales[0].encoding: jpeg needs uint8 with 1 or 3 channels, not uint8 with 18",
    );
  });

  it("a range mismatch: a uint16 marker channel shown with 0-65535 looks black", async () => {
    const root = fixtureCopy("dim-markers", (dir) => dimMarkers(dir));
    const result = await verify(root, "--layer", "markers_all");
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "markers_all")).toContain(
      "contrast  marker_0: range [0, 65535] (data type) draws channel 0 black: values 0-1920, median 0, 99.9% below 1920; marker_1:",
    );
  });

  it("a range mismatch: a preset range far below the data saturates", async () => {
    const presetsDir = presetsCopy("narrow-contrast", (preset) => {
      const raw = preset.layers.raw;
      if (raw)
        raw.contrast = {
          channels: [
            [0, 20],
            [0, 255],
          ],
          basis: "assumed",
        };
    });
    const result = await runCli(
      [
        "presets",
        "verify",
        "--presets-dir",
        presetsDir,
        "--layer",
        "raw",
        "--source-root",
        `e11-prism=${server.url}/fixtures/`,
      ],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "raw")).toMatch(
      /contrast +red: range \[0, 20\] \(contrast\) draws channel 0 saturated: values 64-255/,
    );
    expect(reportRow(result.stdout, "raw")).toContain("values 0-255; red saturated");
  });
});

/** Divides every markers_all voxel by 32: puncta of 1920 in a uint16 range. */
function dimMarkers(dir: string): void {
  for (const scale of readdirSync(join(dir, "markers_all"))) {
    if (scale === "info") continue;
    for (const name of readdirSync(join(dir, "markers_all", scale))) {
      const file = join(dir, "markers_all", scale, name);
      const bytes = readFileSync(file);
      const values = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      writeFileSync(file, Buffer.from(Uint16Array.from(values, (v) => v >> 5).buffer));
    }
  }
}

/**
 * Rewrites one layer's coarsest scale as a single shard with two minishards, the way the
 * sharded format lays it out: shard index, chunk data, minishard indices (keys and offsets
 * delta-coded). Chunk keys and hashes come from the client's own functions.
 */
function shardScale(dir: string, layer: string, hash: "identity" | "murmurhash3_x86_128"): void {
  const folder = join(dir, layer, COARSE);
  const size = [32, 32, 8];
  const chunk = [32, 32, 4];
  const bits = size.map((s, i) => Math.ceil(Math.log2(Math.ceil(s / (chunk[i] ?? 1)))));
  const minishardBits = 1;
  const entries = readdirSync(folder).map((name) => {
    const [x0, y0, z0] = name.split("_").map((r) => Number(r.split("-")[0]));
    const grid = [x0 ?? 0, y0 ?? 0, z0 ?? 0].map((v, i) => v / (chunk[i] ?? 1));
    const key = encodeZIndexCompressed3d(
      bits[0] ?? 0,
      bits[1] ?? 0,
      bits[2] ?? 0,
      grid[0] ?? 0,
      grid[1] ?? 0,
      grid[2] ?? 0,
    );
    const hashed = hash === "identity" ? key : murmurHash3_x86_128Hash64Bits_Bigint(0, key);
    return { key, minishard: Number(hashed & 1n), data: readFileSync(join(folder, name)) };
  });
  const headerSize = 16 << minishardBits;
  const parts: Buffer[] = [];
  let offset = 0; // relative to the end of the shard index
  const indices: Buffer[] = [];
  const shardIndex = Buffer.alloc(headerSize);
  const placed = new Map<number, { key: bigint; start: number; size: number }[]>();
  for (const entry of entries.sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const list = placed.get(entry.minishard) ?? [];
    list.push({ key: entry.key, start: offset, size: entry.data.length });
    placed.set(entry.minishard, list);
    parts.push(entry.data);
    offset += entry.data.length;
  }
  for (let minishard = 0; minishard < 2; minishard++) {
    const list = placed.get(minishard) ?? [];
    const index = Buffer.alloc(list.length * 24);
    let previousKey = 0n;
    let previousEnd = 0;
    list.forEach((e, i) => {
      index.writeBigUInt64LE(e.key - previousKey, i * 8);
      index.writeBigUInt64LE(BigInt(e.start - previousEnd), (list.length + i) * 8);
      index.writeBigUInt64LE(BigInt(e.size), (2 * list.length + i) * 8);
      previousKey = e.key;
      previousEnd = e.start + e.size;
    });
    shardIndex.writeBigUInt64LE(BigInt(offset), minishard * 16);
    shardIndex.writeBigUInt64LE(BigInt(offset + index.length), minishard * 16 + 8);
    offset += index.length;
    indices.push(index);
  }
  for (const name of readdirSync(folder)) unlinkSync(join(folder, name));
  writeFileSync(join(folder, "0.shard"), Buffer.concat([shardIndex, ...parts, ...indices]));
  editInfo(dir, layer, (info) => {
    const scale = info.scales.find((s) => s.key === COARSE);
    if (scale)
      scale.sharding = {
        "@type": "neuroglancer_uint64_sharded_v1",
        hash,
        preshift_bits: 0,
        minishard_bits: minishardBits,
        shard_bits: 0,
        minishard_index_encoding: "raw",
        data_encoding: "raw",
      };
  });
}

/** Re-encodes a segmentation layer's coarsest chunks as compressed_segmentation with the client's encoder. */
function compressScale(dir: string, layer: string): void {
  const folder = join(dir, layer, COARSE);
  for (const name of readdirSync(folder)) {
    const raw = readFileSync(join(folder, name));
    const values = new BigUint64Array(
      raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
    );
    const output = {
      data: new Uint32Array(1024),
      length: 0,
      resize(n: number) {
        if (n > this.data.length) {
          const grown = new Uint32Array(Math.max(n, this.data.length * 2));
          grown.set(this.data);
          this.data = grown;
        }
        this.length = n;
      },
    };
    encodeChannels(output as never, [8, 8, 4], values, [32, 32, 4, 1]);
    writeFileSync(join(folder, name), Buffer.from(output.data.buffer, 0, output.length * 4));
  }
  editInfo(dir, layer, (info) => {
    const scale = info.scales.find((s) => s.key === COARSE);
    if (scale) {
      scale.encoding = "compressed_segmentation";
      scale.compressed_segmentation_block_size = [8, 8, 4];
    }
  });
}

describe("presets verify reads chunks as the client does", () => {
  it("follows sharded scales through shard and minishard indices (identity and murmurhash)", async () => {
    const root = fixtureCopy("sharded", (dir) => {
      shardScale(dir, "dense_seg", "identity");
      shardScale(dir, "raw", "murmurhash3_x86_128");
    });
    const { code, rows } = await verifyJson(root, "--layer", "dense_seg", "--layer", "raw");
    expect(code, JSON.stringify(rows, null, 2)).toBe(0);
    // Rows come in catalogue order: raw, then dense_seg.
    const [raw, dense] = rows;
    expect(dense).toMatchObject({
      status: "ok",
      segmentIds: 36,
      chunk: { sharded: true, url: `${server.url}/sharded/dense_seg/${COARSE}/0.shard` },
      report: { sharded: true },
    });
    expect(raw).toMatchObject({
      status: "ok",
      chunk: { sharded: true, bytes: 32 * 32 * 4 * 18 },
    });
    expect(raw?.channels?.[0]?.max).toBe(255);
  });

  it("a scale the info calls sharded whose shards are missing fails as a chunk problem", async () => {
    const root = fixtureCopy("claims-sharded", (dir) =>
      editInfo(dir, "proofed_cells", (info) => {
        const scale = info.scales[1];
        if (scale)
          scale.sharding = {
            "@type": "neuroglancer_uint64_sharded_v1",
            hash: "identity",
            preshift_bits: 0,
            minishard_bits: 0,
            shard_bits: 0,
          };
      }),
    );
    const result = await verify(root, "--layer", "proofed_cells");
    expect(result.code).toBe(1);
    expect(tableRow(result.stdout, "proofed_cells")).toMatch(
      /chunk +shard index of chunk 0 \(grid 0,0,0\) in 0.shard: HTTP 404 Not Found \(info says sharded; is the scale unsharded\?\)$/,
    );
  });

  it("decodes compressed_segmentation chunks written by the client's encoder", async () => {
    const root = fixtureCopy("compressed", (dir) => compressScale(dir, "segments_relabeled"));
    const { code, rows } = await verifyJson(root, "--layer", "segments_relabeled");
    expect(code).toBe(0);
    expect(rows[0]).toMatchObject({
      status: "ok",
      segmentIds: 36,
      chunk: { encoding: "compressed_segmentation" },
    });
  });

  it("matches the client's chunk index and hash", () => {
    for (const key of [0n, 1n, 5n, 123456789n, 2n ** 53n + 1n, 2n ** 64n - 1n])
      expect(murmurHash64(key)).toBe(murmurHash3_x86_128Hash64Bits_Bigint(0, key));
    const info = parseVolumeInfo({
      type: "image",
      data_type: "uint8",
      num_channels: 1,
      scales: [
        {
          key: "s",
          size: [100, 30, 7],
          resolution: [1, 1, 1],
          chunk_sizes: [[8, 8, 1]],
          encoding: "raw",
        },
      ],
    });
    if (!info.ok) throw new Error(info.problems.join("; "));
    const scale = info.value.scales[0];
    if (!scale) throw new Error("no scale");
    for (const grid of [
      [0, 0, 0],
      [12, 3, 6],
      [5, 2, 1],
      [7, 0, 4],
    ] as [number, number, number][])
      expect(compressedMortonCode(scale, grid)).toBe(encodeZIndexCompressed3d(4, 2, 3, ...grid));
  });
});

describe("presets verify --record", () => {
  it("writes verified expectations and contrast that the schema accepts and the next verify confirms", async () => {
    const presetsDir = presetsCopy("record");
    const file = join(presetsDir, "e11-prism.json");
    const root = fixtureCopy("record-data", (dir) => dimMarkers(dir));
    const args = ["presets", "verify", "--presets-dir", presetsDir, "--source-root", root];
    const first = await runCli([...args, "--record"], { env: ENV });
    expect(first.code).toBe(1); // the dim markers are black before recording
    expect(first.stdout).toContain(
      `Recorded in ${file}: 39 expectations verified, 0 left as they were, contrast for 4 layers. Review the diff and commit it.`,
    );

    const recorded = readFileSync(file, "utf8");
    const dataset = parseDatasetFile(file, recorded);
    const today = new Date().toISOString().slice(0, 10);
    const digest = `sha256:${createHash("sha256")
      .update(readFileSync(join(work, "record-data", "raw", "info")))
      .digest("hex")}`;
    expect(dataset.layers.raw?.expects.numChannels).toEqual({
      value: 18,
      basis: "verified",
      date: today,
      infoDigest: digest,
      note: "18 barcode channels in the zarr 'raw' group; assumed identical here.",
    });
    expect(dataset.layers.markers_all?.contrast).toMatchObject({
      channels: Array(7).fill([0, 1920]),
      basis: "verified",
      date: today,
    });
    // The raw barcode channels: background 64/112/160 under bright bands, percentiles per channel.
    expect(dataset.layers.raw?.contrast?.channels.slice(0, 4)).toEqual([
      [64, 255],
      [112, 255],
      [160, 255],
      [0, 255],
    ]);
    // Segmentations get no contrast; the file keeps its formatting apart from the changes.
    expect(dataset.layers.dense_seg?.contrast).toBeUndefined();
    expect(recorded).toContain('      "channelControls": ["red", "green", "blue"],\n');

    const second = await runCli(args, { env: ENV });
    expect(second.code, second.stdout).toBe(0);
    expect(second.stdout).toContain("13 layers: 13 ok");
    expect(reportRow(second.stdout, "markers_all")).toMatch(new RegExp(`verified ${today}$`));
    const again = await runCli([...args, "--record"], { env: ENV });
    expect(again.stdout).toContain(`${file}: nothing new to record`);
    expect(readFileSync(file, "utf8")).toBe(recorded);
  });

  it("leaves mismatched expectations as they are and reports them", async () => {
    const presetsDir = presetsCopy("record-mismatch");
    const file = join(presetsDir, "e11-prism.json");
    const root = fixtureCopy("record-mismatch-data", (dir) =>
      editInfo(dir, "markers_all", (info) => {
        info.num_channels = 6;
      }),
    );
    const result = await runCli(
      [
        "presets",
        "verify",
        "--presets-dir",
        presetsDir,
        "--source-root",
        root,
        "--layer",
        "markers_all",
        "--record",
      ],
      { env: ENV },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "e11-prism/markers_all: numChannels left as 7 (assumed): the data says otherwise",
    );
    const markers = parseDatasetFile(file, readFileSync(file, "utf8")).layers.markers_all;
    expect(markers?.expects.numChannels).toMatchObject({ value: 7, basis: "assumed" });
    expect(markers?.expects.dataType).toMatchObject({ value: "uint16", basis: "verified" });
  });

  it("the schema refuses a verified expectation without its date and digest", () => {
    const preset = JSON.parse(readFileSync(presetsFile, "utf8")) as PresetJson;
    const raw = preset.layers.raw;
    if (raw) raw.expects.dataType = { value: "uint8", basis: "verified" };
    expect(() => parseDatasetFile("x.json", JSON.stringify(preset))).toThrow(
      /layers\.raw\.expects\.dataType\.date: "verified" needs date/,
    );
    if (raw) raw.expects.dataType = { value: "uint8", basis: "assumed", date: "2026-12-02" };
    expect(() => parseDatasetFile("x.json", JSON.stringify(preset))).toThrow(
      /dataType\.date: date belongs to basis "verified" only/,
    );
  });

  it("formats preset files exactly as the repository does", () => {
    const text = readFileSync(presetsFile, "utf8");
    expect(`${formatJson(JSON.parse(text))}\n`).toBe(text);
    expect(loadCatalogue(join(presetsFile, "..")).datasets.size).toBe(1);
  });
});
