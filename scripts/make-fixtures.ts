// Writes a tiny synthetic Neuroglancer precomputed dataset shaped like E11 Bio PRISM (same folder
// names, data types and channel counts) so browser tests and `presets verify` run offline.
// Every volume is painted from the manifest itself, which is what tests use to predict pixels.
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Bump whenever the written bytes change, so stale fixture folders are regenerated. */
export const FIXTURE_VERSION = 2;

export type Vec3 = [number, number, number];

/** Voxel box in the finest scale, half-open: [x0, x1) x [y0, y1). */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** `value` written into `channel` over `box` for z in [z0, z1); later fills overwrite earlier ones. */
export interface Fill {
  channel: number;
  value: number;
  box: Box;
  z0: number;
  z1: number;
}

export interface ImageLayer {
  type: "image";
  dataType: "uint8" | "uint16";
  numChannels: number;
  /** Value of each channel wherever no fill applies. */
  background: number[];
  fills: Fill[];
}

/** Every segmentation layer holds exactly the manifest's `segments` on a background of 0. */
export interface SegmentationLayer {
  type: "segmentation";
  dataType: "uint64";
  numChannels: 1;
}

export type FixtureLayer = ImageLayer | SegmentationLayer;

export interface FixtureScale {
  key: string;
  size: Vec3;
  resolution: Vec3;
}

export interface FixtureManifest {
  version: number;
  /** Finest-scale size and resolution (nm), x, y, z; voxel_offset is [0, 0, 0] everywhere. */
  size: Vec3;
  resolution: Vec3;
  chunkSize: Vec3;
  /** Finest first; coarser scales sample the finest one at (x * factor, y * factor, z). */
  scales: FixtureScale[];
  layers: Record<string, FixtureLayer>;
  /** Solid blocks spanning all z; `id` is a decimal uint64 string. */
  segments: { id: string; box: Box }[];
  /** Blobs of 255 (all z) in every *_mask_* layer. */
  masks: Box[];
}

const SIZE: Vec3 = [64, 64, 8];
const RESOLUTION: Vec3 = [35, 35, 80];
const CHUNK_SIZE: Vec3 = [32, 32, 4];
const SCALE_FACTORS: Vec3[] = [
  [1, 1, 1],
  [2, 2, 1],
];

// Six rows of six blocks; the awkward IDs sit next to their rounding neighbours
// (2^53 + 1 beside 2^53) so an ID that went through a JS number lights up the wrong block.
const SEGMENT_IDS: bigint[] = [
  ...[1n, 2n, 3n, 42n, 255n, 256n],
  ...[1000n, 65535n, 65536n, 4294967295n, 4294967296n, 4294967297n],
  ...[1099511627776n, 281474976710655n, 9007199254740991n, 9007199254740992n],
  ...[9007199254740993n, 9007199254740995n],
  ...[36028797018963968n, 1152921504606846976n, 9223372036854775807n, 9223372036854775808n],
  ...[9223372036854775809n, 12345678901234567890n],
  ...[7n, 11n, 13n, 17n, 19n, 23n],
  ...[29n, 31n, 37n, 18446744073709551613n, 18446744073709551614n, 18446744073709551615n],
];
const GRID = { columns: 6, origin: 2, pitch: 10, block: 8 };
const MASK_BLOCKS: [row: number, column: number][] = [
  [0, 0],
  [1, 4],
  [3, 2],
  [5, 5],
];
const BYTES_PER_VOXEL = { uint8: 1, uint16: 2, uint64: 8 } as const;
type DataType = keyof typeof BYTES_PER_VOXEL;

function gridBox(row: number, column: number): Box {
  const x0 = GRID.origin + GRID.pitch * column;
  const y0 = GRID.origin + GRID.pitch * row;
  return { x0, x1: x0 + GRID.block, y0, y1: y0 + GRID.block };
}

const fullZ = { z0: 0, z1: SIZE[2] };

function bands(count: number, width: number, axis: "x" | "y", value: number): Fill[] {
  return Array.from({ length: count }, (_, channel) => {
    const span =
      axis === "x"
        ? { x0: channel * width, x1: (channel + 1) * width, y0: 0, y1: SIZE[1] }
        : { x0: 0, x1: SIZE[0], y0: channel * width, y1: (channel + 1) * width };
    return { channel, value, box: span, ...fullZ };
  });
}

/** The whole dataset as data; pure, so tests and the writer agree on every voxel. */
export function describeFixtures(): FixtureManifest {
  const segments = SEGMENT_IDS.map((id, index) => ({
    id: id.toString(),
    box: gridBox(Math.floor(index / GRID.columns), index % GRID.columns),
  }));
  const masks = MASK_BLOCKS.map(([row, column]) => {
    const { x0, x1, y0, y1 } = gridBox(row, column);
    return { x0: x0 + 2, x1: x1 - 2, y0: y0 + 2, y1: y1 - 2 };
  });
  // Barcodes: channel c is a bright 3-voxel band (vertical in raw, horizontal in enhanced, so the
  // two can be told apart). Channels 0-2, the preset's default RGB, carry a steel-blue background
  // (64, 112, 160) that neither black nor Neuroglancer's grey (#808080) backdrop can be mistaken for.
  const barcodeBackground = Array.from(
    { length: 18 },
    (_, channel) => [64, 112, 160][channel] ?? 0,
  );
  // A ladder in raw channel 0 shows which z slice is drawn: z is bright in y [8z, 8z + 8), x >= 56.
  const zLadder = Array.from({ length: SIZE[2] }, (_, z) => ({
    channel: 0,
    value: 255,
    box: { x0: 56, x1: 64, y0: 8 * z, y1: 8 * z + 8 },
    z0: z,
    z1: z + 1,
  }));
  const image = (dataType: ImageLayer["dataType"], background: number[], fills: Fill[]) =>
    ({ type: "image", dataType, numChannels: background.length, background, fills }) as const;
  const segmentation = { type: "segmentation", dataType: "uint64", numChannels: 1 } as const;
  const mask = image(
    "uint8",
    [0],
    masks.map((box) => ({ channel: 0, value: 255, box, ...fullZ })),
  );
  return {
    version: FIXTURE_VERSION,
    size: SIZE,
    resolution: RESOLUTION,
    chunkSize: CHUNK_SIZE,
    scales: SCALE_FACTORS.map((factor) => {
      const resolution = RESOLUTION.map((r, axis) => r * (factor[axis] ?? 1)) as Vec3;
      return {
        key: resolution.join("_"),
        size: SIZE.map((s, axis) => Math.ceil(s / (factor[axis] ?? 1))) as Vec3,
        resolution,
      };
    }),
    layers: {
      raw: image("uint8", barcodeBackground, [...bands(18, 3, "x", 255), ...zLadder]),
      enhanced: image("uint8", barcodeBackground, bands(18, 3, "y", 255)),
      // Synaptic-marker puncta on the diagonal; 0xF000 reads as 0x00F0 (dark) if byte order is wrong.
      markers_all: image(
        "uint16",
        new Array<number>(7).fill(0),
        Array.from({ length: 7 }, (_, channel) => {
          const at = 8 * channel + 4;
          return {
            channel,
            value: 0xf000,
            box: { x0: at, x1: at + 4, y0: at, y1: at + 4 },
            ...fullZ,
          };
        }),
      ),
      // Affinities: high inside every segment block, a different level per channel.
      combined_affs: image(
        "uint8",
        [0, 0, 0],
        [255, 192, 128].flatMap((value, channel) =>
          segments.map(({ box }) => ({ channel, value, box, ...fullZ })),
        ),
      ),
      dense_seg: segmentation,
      local_seg_full: segmentation,
      local_seg_spines: segmentation,
      pre_mask_dense_seg: mask,
      post_mask_dense_seg: mask,
      pre_mask_local_seg_spines: mask,
      post_mask_local_seg_spines: mask,
      proofed_cells: segmentation,
      segments_relabeled: segmentation,
    },
    segments,
    masks,
  };
}

function encodeValue(dataType: DataType, value: number | bigint): Uint8Array {
  const bytes = new Uint8Array(BYTES_PER_VOXEL[dataType]);
  const view = new DataView(bytes.buffer);
  if (dataType === "uint64") view.setBigUint64(0, BigInt(value), true);
  else if (dataType === "uint16") view.setUint16(0, Number(value), true);
  else view.setUint8(0, Number(value));
  return bytes;
}

interface Raster {
  bytes: Uint8Array;
  size: Vec3;
  numChannels: number;
  bytesPerVoxel: number;
}

/** Voxel offset in a [channel][z][y][x] little-endian array, x fastest (precomputed raw encoding). */
function offsetOf(r: Raster, c: number, x: number, y: number, z: number): number {
  const [sx, sy, sz] = r.size;
  return (((c * sz + z) * sy + y) * sx + x) * r.bytesPerVoxel;
}

/** Paints a fill at a scale whose voxel (x, y, z) samples the finest voxel (x*fx, y*fy, z*fz). */
function paint(r: Raster, factor: Vec3, fill: Omit<Fill, "value">, value: Uint8Array): void {
  const [fx, fy, fz] = factor;
  const { box } = fill;
  const from = (v: number, f: number) => Math.ceil(v / f);
  for (let z = from(fill.z0, fz); z < from(fill.z1, fz); z++) {
    for (let y = from(box.y0, fy); y < from(box.y1, fy); y++) {
      for (let x = from(box.x0, fx); x < from(box.x1, fx); x++) {
        r.bytes.set(value, offsetOf(r, fill.channel, x, y, z));
      }
    }
  }
}

function rasterize(manifest: FixtureManifest, layer: FixtureLayer, scaleIndex: number): Raster {
  const scale = manifest.scales[scaleIndex];
  const factor = SCALE_FACTORS[scaleIndex];
  if (scale === undefined || factor === undefined) throw new Error(`no scale ${scaleIndex}`);
  const bytesPerVoxel = BYTES_PER_VOXEL[layer.dataType];
  const [sx, sy, sz] = scale.size;
  const raster = {
    bytes: new Uint8Array(sx * sy * sz * layer.numChannels * bytesPerVoxel),
    size: scale.size,
    numChannels: layer.numChannels,
    bytesPerVoxel,
  };
  const whole = { x0: 0, x1: SIZE[0], y0: 0, y1: SIZE[1] };
  if (layer.type === "segmentation") {
    for (const { id, box } of manifest.segments) {
      paint(raster, factor, { channel: 0, box, ...fullZ }, encodeValue("uint64", BigInt(id)));
    }
    return raster;
  }
  layer.background.forEach((value, channel) => {
    if (value !== 0) {
      paint(raster, factor, { channel, box: whole, ...fullZ }, encodeValue(layer.dataType, value));
    }
  });
  for (const fill of layer.fills)
    paint(raster, factor, fill, encodeValue(layer.dataType, fill.value));
  return raster;
}

/** Copies one chunk out of a raster, keeping the [channel][z][y][x] order. */
function extractChunk(r: Raster, origin: Vec3, extent: Vec3): Uint8Array {
  const [ex, ey, ez] = extent;
  const row = ex * r.bytesPerVoxel;
  const out = new Uint8Array(row * ey * ez * r.numChannels);
  let at = 0;
  for (let c = 0; c < r.numChannels; c++) {
    for (let z = origin[2]; z < origin[2] + ez; z++) {
      for (let y = origin[1]; y < origin[1] + ey; y++) {
        const start = offsetOf(r, c, origin[0], y, z);
        out.set(r.bytes.subarray(start, start + row), at);
        at += row;
      }
    }
  }
  return out;
}

function infoJson(manifest: FixtureManifest, layer: FixtureLayer): string {
  return JSON.stringify({
    "@type": "neuroglancer_multiscale_volume",
    type: layer.type,
    data_type: layer.dataType,
    num_channels: layer.numChannels,
    scales: manifest.scales.map((scale) => ({
      key: scale.key,
      size: scale.size,
      resolution: scale.resolution,
      voxel_offset: [0, 0, 0],
      chunk_sizes: [manifest.chunkSize],
      encoding: "raw",
    })),
  });
}

/** Every file of the dataset as [relative path, contents]. */
function* datasetFiles(manifest: FixtureManifest): Generator<[string, Uint8Array | string]> {
  yield ["manifest.json", `${JSON.stringify(manifest, null, 2)}\n`];
  for (const [name, layer] of Object.entries(manifest.layers)) {
    yield [`${name}/info`, infoJson(manifest, layer)];
    for (const [scaleIndex, scale] of manifest.scales.entries()) {
      const raster = rasterize(manifest, layer, scaleIndex);
      const [cx, cy, cz] = manifest.chunkSize;
      const [sx, sy, sz] = scale.size;
      for (let z = 0; z < sz; z += cz) {
        for (let y = 0; y < sy; y += cy) {
          for (let x = 0; x < sx; x += cx) {
            const end: Vec3 = [Math.min(x + cx, sx), Math.min(y + cy, sy), Math.min(z + cz, sz)];
            const chunk = extractChunk(raster, [x, y, z], [end[0] - x, end[1] - y, end[2] - z]);
            yield [`${name}/${scale.key}/${x}-${end[0]}_${y}-${end[1]}_${z}-${end[2]}`, chunk];
          }
        }
      }
    }
  }
}

async function readManifest(dir: string): Promise<FixtureManifest | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as FixtureManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

const refusal = (dir: string) =>
  `${dir} is not empty and holds no fixture manifest; refusing to replace it`;

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/**
 * Writes the dataset into outDir unless it already holds this version. Test workers may call it
 * at the same moment, so the data is built in a sibling folder and renamed into place: readers
 * see a complete dataset or none. A non-empty folder without a manifest is never replaced.
 */
export async function makeFixtures(outDir: string): Promise<FixtureManifest> {
  const target = resolve(outDir);
  const existing = await readManifest(target);
  if (existing?.version === FIXTURE_VERSION) return existing;
  if (existing === undefined && !(await isEmptyOrMissing(target))) {
    throw new Error(refusal(target));
  }
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}-`));
  try {
    const manifest = describeFixtures();
    const written = new Set<string>();
    for (const [path, contents] of datasetFiles(manifest)) {
      const folder = dirname(join(staging, path));
      if (!written.has(folder)) {
        await mkdir(folder, { recursive: true });
        written.add(folder);
      }
      await writeFile(join(staging, path), contents);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await rename(staging, target); // succeeds when target is missing or empty
        return manifest;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== "ENOTEMPTY" && code !== "EEXIST") || attempt >= 5) throw error;
      }
      const current = await readManifest(target);
      if (current?.version === FIXTURE_VERSION) return current; // another caller won the race
      if (current === undefined) {
        if (await isEmptyOrMissing(target)) continue; // another caller is mid-swap
        throw new Error(refusal(target));
      }
      // An older fixture version: move it aside and try again.
      const stale = `${staging}.stale`;
      await rename(target, stale).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
      await rm(stale, { recursive: true, force: true });
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true });
  const outDir = positionals[0] ?? "test-output/fixtures";
  const started = performance.now();
  const manifest = await makeFixtures(outDir);
  const ms = (performance.now() - started).toFixed(0);
  process.stdout.write(
    `fixtures v${manifest.version} (${Object.keys(manifest.layers).length} layers) in ${resolve(outDir)}, ${ms} ms\n`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
