// Reads Neuroglancer precomputed volumes the way the pinned client does
// (node_modules/neuroglancer/lib/datasource/precomputed): the `info` file, where a chunk lives
// (unsharded `key/x0-x1_y0-y1_z0-z1` or sharded `key/<shard>.shard`), and what its bytes must
// look like for each encoding. Pure: fetching is the caller's job.

export const DATA_TYPE_BYTES = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  uint64: 8,
  float32: 4,
} as const;
export type DataType = keyof typeof DATA_TYPE_BYTES;

/** Every encoding the pinned client decodes (lib/datasource/precomputed/base.js). */
export const ENCODINGS = ["raw", "jpeg", "compressed_segmentation", "compresso", "png", "jxl"];

export type Vec3 = [number, number, number];

/** Element i of a tuple or typed array, 0 past the end (callers check lengths first). */
const nth = (array: ArrayLike<number>, i: number): number => array[i] ?? 0;

export interface Sharding {
  hash: "identity" | "murmurhash3_x86_128";
  preshiftBits: number;
  minishardBits: number;
  shardBits: number;
  minishardIndexEncoding: "raw" | "gzip";
  dataEncoding: "raw" | "gzip";
}

export interface ScaleInfo {
  key: string;
  size: Vec3;
  resolution: Vec3;
  voxelOffset: Vec3;
  chunkSize: Vec3;
  encoding: string;
  blockSize?: Vec3;
  sharding?: Sharding;
}

export interface VolumeInfo {
  type: "image" | "segmentation";
  dataType: DataType;
  numChannels: number;
  scales: ScaleInfo[];
  mesh?: string;
  skeletons?: string;
  segmentProperties?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function vec3(
  value: unknown,
  path: string,
  problems: string[],
  check: (n: number) => boolean,
  form: string,
): Vec3 {
  if (Array.isArray(value) && value.length === 3 && value.every((n) => typeof n === "number"))
    if ((value as number[]).every(check)) return value as Vec3;
  problems.push(`${path}: expected ${form}, found ${JSON.stringify(value) ?? "nothing"}`);
  return [1, 1, 1];
}

const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
const integer = (n: number) => Number.isInteger(n);
const positive = (n: number) => Number.isFinite(n) && n > 0;

function parseSharding(value: unknown, path: string, problems: string[]): Sharding | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value) || own(value, "@type") !== "neuroglancer_uint64_sharded_v1") {
    problems.push(`${path}: expected {"@type": "neuroglancer_uint64_sharded_v1", ...}`);
    return undefined;
  }
  const bits = (key: string) => {
    const n = own(value, key);
    if (typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 64) return n;
    problems.push(`${path}.${key}: expected an integer 0-64, found ${JSON.stringify(n)}`);
    return 0;
  };
  const encoding = (key: string): "raw" | "gzip" => {
    const e = own(value, key) ?? "raw";
    if (e === "raw" || e === "gzip") return e;
    problems.push(`${path}.${key}: expected "raw" or "gzip", found ${JSON.stringify(e)}`);
    return "raw";
  };
  const hash = own(value, "hash");
  if (hash !== "identity" && hash !== "murmurhash3_x86_128")
    problems.push(
      `${path}.hash: expected "identity" or "murmurhash3_x86_128", found ${JSON.stringify(hash)}`,
    );
  return {
    hash: hash === "murmurhash3_x86_128" ? hash : "identity",
    preshiftBits: bits("preshift_bits"),
    minishardBits: bits("minishard_bits"),
    shardBits: bits("shard_bits"),
    minishardIndexEncoding: encoding("minishard_index_encoding"),
    dataEncoding: encoding("data_encoding"),
  };
}

function parseScale(value: unknown, path: string, problems: string[]): ScaleInfo {
  const scale = isObject(value) ? value : {};
  if (!isObject(value)) problems.push(`${path}: expected an object`);
  const key = own(scale, "key");
  if (typeof key !== "string" || key === "")
    problems.push(`${path}.key: expected a string, found ${JSON.stringify(key)}`);
  const chunkSizes = own(scale, "chunk_sizes");
  if (!Array.isArray(chunkSizes) || chunkSizes.length === 0)
    problems.push(`${path}.chunk_sizes: expected a non-empty list of [x, y, z]`);
  const encoding = own(scale, "encoding");
  if (typeof encoding !== "string" || !ENCODINGS.includes(encoding))
    problems.push(
      `${path}.encoding: expected one of ${ENCODINGS.join(", ")}, found ${JSON.stringify(encoding)}`,
    );
  const parsed: ScaleInfo = {
    key: typeof key === "string" ? key : "",
    size: vec3(own(scale, "size"), `${path}.size`, problems, positiveInt, "3 positive integers"),
    resolution: vec3(
      own(scale, "resolution"),
      `${path}.resolution`,
      problems,
      positive,
      "3 positive numbers (nm)",
    ),
    voxelOffset:
      own(scale, "voxel_offset") === undefined
        ? [0, 0, 0]
        : vec3(own(scale, "voxel_offset"), `${path}.voxel_offset`, problems, integer, "3 integers"),
    chunkSize: vec3(
      Array.isArray(chunkSizes) ? chunkSizes[0] : undefined,
      `${path}.chunk_sizes[0]`,
      problems,
      positiveInt,
      "3 positive integers",
    ),
    encoding: typeof encoding === "string" ? encoding : "",
  };
  if (encoding === "compressed_segmentation")
    parsed.blockSize = vec3(
      own(scale, "compressed_segmentation_block_size"),
      `${path}.compressed_segmentation_block_size`,
      problems,
      positiveInt,
      "3 positive integers",
    );
  const sharding = parseSharding(own(scale, "sharding"), `${path}.sharding`, problems);
  if (sharding) {
    parsed.sharding = sharding;
    if (Array.isArray(chunkSizes) && chunkSizes.length !== 1)
      problems.push(`${path}.chunk_sizes: sharding requires a single chunk size`);
  }
  return parsed;
}

/** What the client requires of each encoding, beyond the info being well formed. */
function encodingProblem(info: VolumeInfo, scale: ScaleInfo): string | undefined {
  const { dataType, numChannels } = info;
  switch (scale.encoding) {
    case "jpeg":
      return dataType === "uint8" && (numChannels === 1 || numChannels === 3)
        ? undefined
        : `jpeg needs uint8 with 1 or 3 channels, not ${dataType} with ${numChannels}`;
    case "png":
      return (dataType === "uint8" || dataType === "uint16") && numChannels <= 4
        ? undefined
        : `png needs uint8 or uint16 with 1-4 channels, not ${dataType} with ${numChannels}`;
    case "compressed_segmentation":
      return dataType === "uint32" || dataType === "uint64"
        ? undefined
        : `compressed_segmentation needs uint32 or uint64, not ${dataType}`;
    default:
      return undefined;
  }
}

/** Parses an info file the way the client does; problems name the JSON path. */
export function parseVolumeInfo(json: unknown): Parsed<VolumeInfo> {
  if (!isObject(json)) return { ok: false, problems: ["info is not a JSON object"] };
  const problems: string[] = [];
  const atType = own(json, "@type");
  if (atType !== undefined && atType !== "neuroglancer_multiscale_volume")
    problems.push(
      `@type: expected "neuroglancer_multiscale_volume", found ${JSON.stringify(atType)}`,
    );
  const type = own(json, "type");
  if (type !== "image" && type !== "segmentation")
    problems.push(`type: expected "image" or "segmentation", found ${JSON.stringify(type)}`);
  const dataType = own(json, "data_type");
  if (typeof dataType !== "string" || !Object.hasOwn(DATA_TYPE_BYTES, dataType))
    problems.push(`data_type: unknown ${JSON.stringify(dataType)}`);
  const numChannels = own(json, "num_channels");
  if (typeof numChannels !== "number" || !positiveInt(numChannels))
    problems.push(
      `num_channels: expected a positive integer, found ${JSON.stringify(numChannels)}`,
    );
  const scales = own(json, "scales");
  if (!Array.isArray(scales) || scales.length === 0)
    problems.push("scales: expected at least one scale");
  const optionalString = (key: string) => {
    const v = own(json, key);
    if (v === undefined || typeof v === "string") return v;
    problems.push(`${key}: expected a string, found ${JSON.stringify(v)}`);
    return undefined;
  };
  const info: VolumeInfo = {
    type: type === "segmentation" ? "segmentation" : "image",
    dataType: (typeof dataType === "string" && Object.hasOwn(DATA_TYPE_BYTES, dataType)
      ? dataType
      : "uint8") as DataType,
    numChannels: typeof numChannels === "number" ? numChannels : 1,
    scales: Array.isArray(scales)
      ? scales.map((s, i) => parseScale(s, `scales[${i}]`, problems))
      : [],
  };
  const mesh = optionalString("mesh");
  const skeletons = optionalString("skeletons");
  const segmentProperties = optionalString("segment_properties");
  if (mesh !== undefined) info.mesh = mesh;
  if (skeletons !== undefined) info.skeletons = skeletons;
  if (segmentProperties !== undefined) info.segmentProperties = segmentProperties;
  if (problems.length === 0) {
    info.scales.forEach((scale, i) => {
      const problem = encodingProblem(info, scale);
      if (problem) problems.push(`scales[${i}].encoding: ${problem}`);
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: info };
}

/** The scale with the largest voxels: the one a zoomed-out view loads first. */
export function coarsestScale(info: VolumeInfo): ScaleInfo {
  let best = info.scales[0] as ScaleInfo;
  const volume = (s: ScaleInfo) => s.resolution[0] * s.resolution[1] * s.resolution[2];
  for (const scale of info.scales) if (volume(scale) > volume(best)) best = scale;
  return best;
}

export interface ChunkLocation {
  /** Position in the chunk grid. */
  grid: Vec3;
  /** Voxel extent of this chunk (clipped at the volume's upper bound). */
  extent: Vec3;
  /** Path below the layer folder: `key/x0-x1_y0-y1_z0-z1` when unsharded. */
  name: string;
}

/** The middle chunk of a scale: more likely inside the tissue than a corner one. */
export function middleChunk(scale: ScaleInfo): ChunkLocation {
  const grid = scale.size.map((size, i) =>
    Math.floor((Math.ceil(size / nth(scale.chunkSize, i)) - 1) / 2),
  ) as Vec3;
  const start = grid.map((g, i) => g * nth(scale.chunkSize, i)) as Vec3;
  const end = start.map((s, i) =>
    Math.min(s + nth(scale.chunkSize, i), nth(scale.size, i)),
  ) as Vec3;
  const extent = end.map((e, i) => e - nth(start, i)) as Vec3;
  // Chunk names carry absolute voxel coordinates: the grid origin is voxel_offset.
  const o = scale.voxelOffset;
  const range = (i: number) => `${nth(start, i) + nth(o, i)}-${nth(end, i) + nth(o, i)}`;
  return {
    grid,
    extent,
    name: `${scale.key.replace(/\/+$/, "")}/${range(0)}_${range(1)}_${range(2)}`,
  };
}

/** The chunk's index in a sharded scale: compressed Morton code of its grid position. */
export function compressedMortonCode(scale: ScaleInfo, grid: Vec3): bigint {
  const bits = scale.size.map((size, i) =>
    Math.ceil(Math.log2(Math.ceil(size / nth(scale.chunkSize, i)))),
  );
  let code = 0n;
  let position = 0n;
  const max = Math.max(...bits);
  for (let bit = 0; bit < max; bit++) {
    for (let axis = 0; axis < 3; axis++) {
      if (bit < nth(bits, axis)) {
        code |= BigInt((nth(grid, axis) >>> bit) & 1) << position;
        position++;
      }
    }
  }
  return code;
}

const MASK32 = 0xffffffff;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
function fmix(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * MurmurHash3 x86 128-bit of one little-endian uint64 with seed 0, low 64 bits: the hash the
 * precomputed sharded format applies to chunk and segment keys.
 */
export function murmurHash64(key: bigint): bigint {
  const [c1, c2, c3] = [0x239b961b, 0xab0e9789, 0x38b34ae5];
  const low = Number(key & BigInt(MASK32));
  const high = Number((key >> 32n) & BigInt(MASK32));
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  // An 8-byte input is all tail: bytes 0-3 are k1, bytes 4-7 are k2.
  let k2 = Math.imul(high, c2);
  k2 = rotl(k2, 16);
  k2 = Math.imul(k2, c3);
  h2 = (h2 ^ k2) >>> 0;
  let k1 = Math.imul(low, c1);
  k1 = rotl(k1, 15);
  k1 = Math.imul(k1, c2);
  h1 = (h1 ^ k1) >>> 0;
  h1 = (h1 ^ 8) >>> 0;
  h2 = (h2 ^ 8) >>> 0;
  h3 = (h3 ^ 8) >>> 0;
  h4 = (h4 ^ 8) >>> 0;
  h1 = (h1 + h2 + h3 + h4) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h3 = (h3 + h1) >>> 0;
  h4 = (h4 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return BigInt(h1) | (BigInt(h2) << 32n);
}

export interface ShardPosition {
  /** Shard file name below the scale folder, e.g. "0a.shard". */
  file: string;
  minishard: bigint;
}

/** Which shard file and minishard hold `key`. */
export function shardOf(sharding: Sharding, key: bigint): ShardPosition {
  const shifted = key >> BigInt(sharding.preshiftBits);
  const hashed = sharding.hash === "identity" ? shifted : murmurHash64(shifted);
  const minishard = hashed & ((1n << BigInt(sharding.minishardBits)) - 1n);
  const shard =
    (hashed >> BigInt(sharding.minishardBits)) & ((1n << BigInt(sharding.shardBits)) - 1n);
  const digits = Math.ceil(sharding.shardBits / 4);
  return { file: `${shard.toString(16).padStart(digits, "0")}.shard`, minishard };
}

/** Byte range of a minishard's index inside a shard file, read from the shard index. */
export function minishardIndexRange(
  sharding: Sharding,
  shardIndexEntry: Uint8Array,
): { offset: bigint; length: bigint } {
  const view = new DataView(
    shardIndexEntry.buffer,
    shardIndexEntry.byteOffset,
    shardIndexEntry.byteLength,
  );
  const indexSize = 16n << BigInt(sharding.minishardBits);
  const start = view.getBigUint64(0, true);
  const end = view.getBigUint64(8, true);
  return { offset: start + indexSize, length: end - start };
}

/** Finds a chunk in a decoded minishard index: byte range in the shard file, or undefined. */
export function findInMinishard(
  sharding: Sharding,
  minishardIndex: Uint8Array,
  key: bigint,
): { offset: bigint; length: bigint } | undefined {
  if (minishardIndex.byteLength % 24 !== 0) return undefined;
  const n = minishardIndex.byteLength / 24;
  const view = new DataView(minishardIndex.buffer, minishardIndex.byteOffset);
  const at = (i: number) => view.getBigUint64(i * 8, true);
  let id = 0n;
  let position = 16n << BigInt(sharding.minishardBits);
  for (let i = 0; i < n; i++) {
    id += at(i);
    const start = position + at(n + i);
    const size = at(2 * n + i);
    if (id === key) return { offset: start, length: size };
    position = start + size;
  }
  return undefined;
}

export interface DecodedChunk {
  /** Voxel values per channel, in chunk order; uint64 values as bigint. */
  channels: (Float64Array | BigUint64Array)[];
}

export type ChunkCheck =
  | { ok: true; chunk?: DecodedChunk; note?: string }
  | { ok: false; problem: string };

function readRaw(bytes: Uint8Array, info: VolumeInfo, voxels: number): DecodedChunk {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = DATA_TYPE_BYTES[info.dataType];
  const channels: DecodedChunk["channels"] = [];
  for (let c = 0; c < info.numChannels; c++) {
    const base = c * voxels * width;
    if (info.dataType === "uint64") {
      const out = new BigUint64Array(voxels);
      for (let i = 0; i < voxels; i++) out[i] = view.getBigUint64(base + i * 8, true);
      channels.push(out);
      continue;
    }
    const out = new Float64Array(voxels);
    const read: (at: number) => number = {
      uint8: (at: number) => view.getUint8(at),
      int8: (at: number) => view.getInt8(at),
      uint16: (at: number) => view.getUint16(at, true),
      int16: (at: number) => view.getInt16(at, true),
      uint32: (at: number) => view.getUint32(at, true),
      int32: (at: number) => view.getInt32(at, true),
      float32: (at: number) => view.getFloat32(at, true),
    }[info.dataType];
    for (let i = 0; i < voxels; i++) out[i] = read(base + i * width);
    channels.push(out);
  }
  return { channels };
}

/** Decodes compressed_segmentation (lib/sliceview/compressed_segmentation), checking every offset. */
function readCompressedSegmentation(
  bytes: Uint8Array,
  info: VolumeInfo,
  extent: Vec3,
  blockSize: Vec3,
): ChunkCheck {
  if (bytes.byteLength % 4 !== 0)
    return {
      ok: false,
      problem: `compressed_segmentation: ${bytes.byteLength} bytes is not a multiple of 4`,
    };
  const words = new Uint32Array(bytes.slice().buffer);
  const perValue = info.dataType === "uint64" ? 2 : 1;
  const grid = extent.map((e, i) => Math.ceil(e / nth(blockSize, i))) as Vec3;
  const voxels = extent[0] * extent[1] * extent[2];
  const channels: DecodedChunk["channels"] = [];
  if (words.length < info.numChannels)
    return { ok: false, problem: "compressed_segmentation: shorter than its channel header" };
  for (let c = 0; c < info.numChannels; c++) {
    const base = nth(words, c);
    if (base + grid[0] * grid[1] * grid[2] * 2 > words.length)
      return {
        ok: false,
        problem: `compressed_segmentation: channel ${c} block headers run past the end`,
      };
    const out = perValue === 2 ? new BigUint64Array(voxels) : new Float64Array(voxels);
    for (let z = 0; z < extent[2]; z++) {
      for (let y = 0; y < extent[1]; y++) {
        for (let x = 0; x < extent[0]; x++) {
          const [bx, by, bz] = [
            Math.floor(x / blockSize[0]),
            Math.floor(y / blockSize[1]),
            Math.floor(z / blockSize[2]),
          ];
          const header = base + ((bz * grid[1] + by) * grid[0] + bx) * 2;
          const h0 = nth(words, header);
          const bits = h0 >>> 24;
          let valueAt = h0 & 0xffffff;
          if (bits > 0) {
            const inBlock =
              ((z % blockSize[2]) * blockSize[1] + (y % blockSize[1])) * blockSize[0] +
              (x % blockSize[0]);
            const encodedAt =
              base + (nth(words, header + 1) & 0xffffff) + Math.floor((inBlock * bits) / 32);
            if (encodedAt >= words.length)
              return {
                ok: false,
                problem: `compressed_segmentation: channel ${c} values run past the end`,
              };
            const index =
              (nth(words, encodedAt) >>> ((inBlock * bits) % 32)) &
              (bits === 32 ? MASK32 : (1 << bits) - 1);
            valueAt += index * perValue;
          }
          const at = base + valueAt;
          if (at + perValue > words.length)
            return {
              ok: false,
              problem: `compressed_segmentation: channel ${c} lookup table runs past the end`,
            };
          const i = (z * extent[1] + y) * extent[0] + x;
          if (out instanceof BigUint64Array)
            out[i] = BigInt(nth(words, at)) | (BigInt(nth(words, at + 1)) << 32n);
          else out[i] = nth(words, at);
        }
      }
    }
    channels.push(out);
  }
  return { ok: true, chunk: { channels } };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/** Image size and components of a JPEG, from its first start-of-frame marker. */
function jpegFrame(
  bytes: Uint8Array,
): { width: number; height: number; components: number } | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = nth(bytes, at + 1);
    const length = (nth(bytes, at + 2) << 8) | nth(bytes, at + 3);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (nth(bytes, at + 5) << 8) | nth(bytes, at + 6);
      const width = (nth(bytes, at + 7) << 8) | nth(bytes, at + 8);
      return { width, height, components: nth(bytes, at + 9) };
    }
    at += 2 + length;
  }
  return undefined;
}

/**
 * Checks one chunk's bytes against its scale's encoding and the voxel count the client expects,
 * and decodes it where the encoding allows (raw, compressed_segmentation). jpeg, png, compresso
 * and jxl are checked by their headers only; their values are not sampled.
 */
export function checkChunk(
  bytes: Uint8Array,
  info: VolumeInfo,
  scale: ScaleInfo,
  extent: Vec3,
): ChunkCheck {
  const voxels = extent[0] * extent[1] * extent[2];
  const looksLike = startsWith(bytes, PNG_SIGNATURE)
    ? "png"
    : startsWith(bytes, [0xff, 0xd8, 0xff])
      ? "jpeg"
      : undefined;
  switch (scale.encoding) {
    case "raw": {
      const expected = voxels * info.numChannels * DATA_TYPE_BYTES[info.dataType];
      if (bytes.byteLength !== expected)
        return {
          ok: false,
          problem: `raw chunk has ${bytes.byteLength} bytes, expected ${expected} (${extent.join(" x ")} voxels x ${info.numChannels} channels x ${DATA_TYPE_BYTES[info.dataType]} bytes)${looksLike ? `; the bytes are ${looksLike}` : ""}`,
        };
      return { ok: true, chunk: readRaw(bytes, info, voxels) };
    }
    case "compressed_segmentation":
      return readCompressedSegmentation(bytes, info, extent, scale.blockSize ?? [8, 8, 8]);
    case "jpeg":
    case "png": {
      if (looksLike !== scale.encoding)
        return {
          ok: false,
          problem: `info says ${scale.encoding}, but the chunk is ${looksLike ?? "not an image"}`,
        };
      const frame =
        looksLike === "png"
          ? {
              width: readU32(bytes, 16),
              height: readU32(bytes, 20),
              components: PNG_COMPONENTS[nth(bytes, 25)] ?? 0,
            }
          : jpegFrame(bytes);
      if (!frame) return { ok: false, problem: "jpeg chunk has no frame header" };
      if (frame.width * frame.height !== voxels || frame.components !== info.numChannels)
        return {
          ok: false,
          problem: `${looksLike} chunk is ${frame.width} x ${frame.height} with ${frame.components} components, expected ${voxels} pixels (${extent.join(" x ")}) with ${info.numChannels}`,
        };
      return { ok: true, note: `${looksLike} values not sampled` };
    }
    default:
      if (looksLike)
        return { ok: false, problem: `info says ${scale.encoding}, but the chunk is ${looksLike}` };
      return { ok: true, note: `${scale.encoding} values not sampled` };
  }
}

const PNG_COMPONENTS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };
const readU32 = (bytes: Uint8Array, at: number) =>
  ((nth(bytes, at) << 24) |
    (nth(bytes, at + 1) << 16) |
    (nth(bytes, at + 2) << 8) |
    nth(bytes, at + 3)) >>>
  0;
