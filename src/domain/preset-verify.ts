// Answers "will this view draw?" for each layer preset: reads the layer's precomputed `info` with
// the Origin a browser on PUBLIC_URL would send (CORS), compares it with the preset's
// expectations, fetches one chunk of the coarsest scale and checks it against the info (size,
// encoding, sharded or not), and for image layers judges the preset's contrast against the
// chunk's values. Framework-free; `fetch` is injected so the same code runs against S3, a mirror
// or the loopback fixtures. Every URL it fetches lies below the dataset's data root.
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import {
  type ChannelStats,
  type ControlRange,
  channelStats,
  controlRanges,
  judgeRange,
  type Verdict,
} from "./contrast.js";
import { toHttpUrl } from "./data-url.js";
import {
  type ChunkLocation,
  checkChunk,
  coarsestScale,
  compressedMortonCode,
  type DecodedChunk,
  findInMinishard,
  middleChunk,
  minishardIndexRange,
  parseVolumeInfo,
  type ScaleInfo,
  shardOf,
  type Vec3,
  type VolumeInfo,
} from "./precomputed.js";
import type { LayerExpectations, LayerPreset } from "./preset-schema.js";
import { type Dataset, layerSource } from "./presets.js";

/** Worst first, in the order a row's status is chosen from its failures. */
export const FAILURE_STATUSES = [
  "unreachable",
  "invalid",
  "cors",
  "mismatch",
  "chunk",
  "contrast",
] as const;
export type FailureStatus = (typeof FAILURE_STATUSES)[number];
export type VerifyStatus = "ok" | FailureStatus | "skipped";

export interface VerifyDetail {
  /** Which failure this is, or "note" for information that fails nothing. */
  kind: FailureStatus | "note";
  message: string;
  /** For mismatches: the info field, what the preset expects, what the data says, and how sure the preset is. */
  field?: "type" | "data_type" | "num_channels";
  expected?: string | number;
  actual?: unknown;
  basis?: "documented" | "assumed" | "verified";
}

/** What the info says about a layer: what a user needs to know before opening it. */
export interface LayerReport {
  type: string;
  dataType: string;
  numChannels: number;
  /** Finest scale's voxel size, nm, x y z. */
  voxelSize: Vec3;
  /** Finest scale's voxel offset and size. */
  bounds: { offset: Vec3; size: Vec3 };
  scales: number;
  /** Encodings used, finest scale first, without repeats. */
  encodings: string[];
  sharded: boolean;
  mesh: boolean;
  skeletons: boolean;
  segmentProperties: boolean;
}

export interface ChunkReport {
  url: string;
  scale: string;
  encoding: string;
  sharded: boolean;
  bytes: number;
  extent: Vec3;
}

export interface ContrastReport extends ControlRange {
  verdict: Verdict;
}

export interface VerifyRow {
  dataset: string;
  layer: string;
  /** The info file fetched (or, when skipped, the layer's source). */
  url: string;
  status: VerifyStatus;
  details: VerifyDetail[];
  /** The URL whose answer failed a check, when it is not the info file (a chunk, a shard). */
  failedUrl?: string;
  /** "sha256:<hex>" of the info bytes read. */
  infoDigest?: string;
  report?: LayerReport;
  chunk?: ChunkReport;
  /** Image layers: value statistics per channel of the sampled chunk. */
  channels?: ChannelStats[];
  contrast?: ContrastReport[];
  /** Segmentation layers: distinct non-zero IDs in the sampled chunk. */
  segmentIds?: number;
}

export interface VerifyOptions {
  fetch: typeof fetch;
  /** The service's PUBLIC_URL: its origin is sent as Origin, as a browser on it would. */
  publicUrl: string;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Stops every request (service shutdown). */
  signal?: AbortSignal;
  /** Called as each layer finishes, in completion order (for progress output). */
  onResult?: (row: VerifyRow, done: number, total: number) => void;
}

/** Statuses that mean the presets cannot be trusted as they are. */
export const FAILING_STATUSES: ReadonlySet<VerifyStatus> = new Set(FAILURE_STATUSES);

export const VERIFY_DEFAULTS = { timeoutMs: 10_000, concurrency: 4 } as const;

/** Bounds on what one response may hold: info files are small, coarse chunks a few MiB. */
const MAX_INFO_BYTES = 4 * 1024 * 1024;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** Which info field each expectation is checked against. */
const CHECKS: ReadonlyArray<[keyof LayerExpectations, "type" | "data_type" | "num_channels"]> = [
  ["layerType", "type"],
  ["dataType", "data_type"],
  ["numChannels", "num_channels"],
];

/** The HTTPS URL of a precomputed layer's folder (no trailing '/'), or null when it cannot be fetched. */
export function layerUrl(dataset: Dataset, layer: LayerPreset): string | null {
  // layerSource is `${format}://${kvstore URL}`: reuse it so verify checks what viewers open.
  const location = layerSource(dataset, layer).slice(layer.format.length + "://".length);
  const http = toHttpUrl(location);
  return http === null ? null : http.replace(/\/+$/, "");
}

/** The HTTPS URL of a precomputed layer's info file, or null when its source cannot be fetched. */
export function infoUrl(dataset: Dataset, layer: LayerPreset): string | null {
  const base = layerUrl(dataset, layer);
  return base === null ? null : `${base}/info`;
}

/** Why a fetch failed, in words: "timed out after 10 s", "ECONNREFUSED", "HTTP 404 Not Found". */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError") return `timed out after ${timeoutMs / 1000} s`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message}: ${cause}` : err.message;
}

type Fetched =
  | { ok: true; bytes: Uint8Array; allowOrigin: string | null }
  | { ok: false; status?: number; message: string };

class Fetcher {
  readonly origin: string;
  constructor(
    private readonly options: VerifyOptions,
    readonly timeoutMs: number,
  ) {
    this.origin = new URL(options.publicUrl).origin;
  }

  /** GET with the browser's Origin; `range` asks for bytes [offset, offset + length). */
  async get(
    url: string,
    maxBytes: number,
    range?: { offset: bigint; length: bigint },
  ): Promise<Fetched> {
    const headers: Record<string, string> = { origin: this.origin };
    if (range) {
      if (range.length <= 0n || range.length > BigInt(maxBytes))
        return { ok: false, message: `byte range of ${range.length} bytes is out of bounds` };
      headers.range = `bytes=${range.offset}-${range.offset + range.length - 1n}`;
    }
    const signals = [AbortSignal.timeout(this.timeoutMs)];
    if (this.options.signal) signals.push(this.options.signal);
    try {
      // Redirects are not followed: every request stays on the configured data root.
      const response = await this.options.fetch(url, {
        headers,
        redirect: "manual",
        signal: AbortSignal.any(signals),
      });
      if (response.status < 200 || response.status >= 300) {
        await response.body?.cancel();
        const location = response.headers.get("location");
        return {
          ok: false,
          status: response.status,
          message:
            `HTTP ${response.status} ${response.statusText}`.trim() +
            (location ? ` to ${location}; point SOURCE_ROOTS at the final location` : ""),
        };
      }
      const declared = Number(response.headers.get("content-length") ?? "0");
      if (declared > maxBytes && response.status !== 206) {
        await response.body?.cancel();
        return { ok: false, message: `${declared} bytes, more than the ${maxBytes} verify reads` };
      }
      let bytes = new Uint8Array(await response.arrayBuffer());
      // A server that ignores Range answers 200 with the whole file: cut the range out.
      if (range && response.status === 200)
        bytes = bytes.subarray(Number(range.offset), Number(range.offset + range.length));
      if (range && BigInt(bytes.byteLength) !== range.length)
        return { ok: false, message: `asked for ${range.length} bytes, got ${bytes.byteLength}` };
      return { ok: true, bytes, allowOrigin: response.headers.get("access-control-allow-origin") };
    } catch (error) {
      return { ok: false, message: describeFetchError(error, this.timeoutMs) };
    }
  }

  /** Why a browser on PUBLIC_URL could not read this answer, or undefined when it could. */
  corsProblem(allowOrigin: string | null, what: string, datasetId: string): string | undefined {
    const fix = `set SOURCE_ROOTS=${datasetId}=<URL of a mirror that allows ${this.origin}>`;
    if (allowOrigin === null)
      return `${what} has no Access-Control-Allow-Origin for Origin ${this.origin}: browsers on this service cannot read it; ${fix}`;
    const allowed = allowOrigin.trim();
    if (allowed === "*" || allowed === this.origin) return undefined;
    return `${what} allows Origin ${JSON.stringify(allowed)}, not ${this.origin}: browsers on this service cannot read it; ${fix}`;
  }
}

function compare(expects: LayerExpectations, info: Record<string, unknown>): VerifyDetail[] {
  const details: VerifyDetail[] = [];
  for (const [key, field] of CHECKS) {
    const expectation = expects[key];
    const actual = Object.hasOwn(info, field) ? info[field] : undefined;
    if (actual === expectation.value) continue;
    details.push({
      kind: "mismatch",
      field,
      expected: expectation.value,
      actual,
      basis: expectation.basis,
      message: `${field}: expected ${expectation.value} (${expectation.basis}), found ${
        actual === undefined ? "nothing" : JSON.stringify(actual)
      }`,
    });
  }
  return details;
}

function reportOf(info: VolumeInfo): LayerReport {
  const finest = info.scales[0] as ScaleInfo;
  return {
    type: info.type,
    dataType: info.dataType,
    numChannels: info.numChannels,
    voxelSize: finest.resolution,
    bounds: { offset: finest.voxelOffset, size: finest.size },
    scales: info.scales.length,
    encodings: [...new Set(info.scales.map((s) => s.encoding))],
    sharded: info.scales.some((s) => s.sharding !== undefined),
    mesh: info.mesh !== undefined,
    skeletons: info.skeletons !== undefined,
    segmentProperties: info.segmentProperties !== undefined,
  };
}

/** A URL below the layer folder, or undefined when `path` would leave it (absolute key, ".."). */
function below(base: string, path: string): string | undefined {
  const url = new URL(path, `${base}/`);
  url.search = "";
  url.hash = "";
  return url.href.startsWith(`${base}/`) ? url.href : undefined;
}

type ChunkFetch =
  | { ok: true; bytes: Uint8Array; url: string; allowOrigin: string | null }
  | { ok: false; message: string; url: string };

/** Follows the sharded format to one chunk: shard index, minishard index, chunk bytes. */
async function fetchShardedChunk(
  fetcher: Fetcher,
  scaleUrl: string,
  scale: ScaleInfo,
  location: ChunkLocation,
): Promise<ChunkFetch> {
  const sharding = scale.sharding;
  if (!sharding) throw new Error("not sharded");
  const key = compressedMortonCode(scale, location.grid);
  const { file, minishard } = shardOf(sharding, key);
  const url = `${scaleUrl}/${file}`;
  const where = `chunk ${key} (grid ${location.grid.join(",")}) in ${file}`;
  const entry = await fetcher.get(url, MAX_CHUNK_BYTES, { offset: minishard * 16n, length: 16n });
  if (!entry.ok)
    return {
      ok: false,
      url,
      message: `shard index of ${where}: ${entry.message}${entry.status === 404 ? " (info says sharded; is the scale unsharded?)" : ""}`,
    };
  const indexRange = minishardIndexRange(sharding, entry.bytes);
  if (indexRange.length === 0n)
    return { ok: false, url, message: `${where}: missing (its minishard is empty)` };
  const index = await fetcher.get(url, MAX_CHUNK_BYTES, indexRange);
  if (!index.ok)
    return { ok: false, url, message: `minishard index of ${where}: ${index.message}` };
  let minishardIndex = index.bytes;
  if (sharding.minishardIndexEncoding === "gzip") {
    try {
      minishardIndex = gunzipSync(minishardIndex);
    } catch (error) {
      return {
        ok: false,
        url,
        message: `minishard index of ${where}: not gzip: ${(error as Error).message}`,
      };
    }
  }
  const found = findInMinishard(sharding, minishardIndex, key);
  if (!found) return { ok: false, url, message: `${where}: missing (not in its minishard index)` };
  const data = await fetcher.get(url, MAX_CHUNK_BYTES, found);
  if (!data.ok) return { ok: false, url, message: `${where}: ${data.message}` };
  let bytes = data.bytes;
  if (sharding.dataEncoding === "gzip") {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      return { ok: false, url, message: `${where}: not gzip: ${(error as Error).message}` };
    }
  }
  return { ok: true, bytes, url, allowOrigin: data.allowOrigin };
}

async function fetchChunk(
  fetcher: Fetcher,
  base: string,
  scale: ScaleInfo,
  location: ChunkLocation,
): Promise<ChunkFetch> {
  if (scale.sharding) {
    const scaleUrl = below(base, scale.key.replace(/\/+$/, ""));
    if (!scaleUrl)
      return {
        ok: false,
        url: base,
        message: `scale key ${JSON.stringify(scale.key)} leaves the layer folder`,
      };
    return fetchShardedChunk(fetcher, scaleUrl, scale, location);
  }
  const url = below(base, location.name);
  if (!url)
    return {
      ok: false,
      url: base,
      message: `scale key ${JSON.stringify(scale.key)} leaves the layer folder`,
    };
  const got = await fetcher.get(url, MAX_CHUNK_BYTES);
  if (!got.ok)
    return {
      ok: false,
      url,
      message: `chunk ${location.name}: ${got.status === 404 ? "missing (HTTP 404)" : got.message}`,
    };
  return { ok: true, url, bytes: got.bytes, allowOrigin: got.allowOrigin };
}

function countSegments(chunk: DecodedChunk): number {
  const ids = new Set<bigint | number>();
  for (const channel of chunk.channels)
    for (const id of channel) if (id !== 0 && id !== 0n) ids.add(id);
  return ids.size;
}

/** Judges the preset's contrast for every invlerp control against the sampled values. */
function judgeContrast(
  layer: LayerPreset,
  info: VolumeInfo,
  stats: ChannelStats[],
): {
  reports: ContrastReport[];
  details: VerifyDetail[];
} {
  const reports: ContrastReport[] = [];
  const details: VerifyDetail[] = [];
  for (const control of controlRanges(layer, info.dataType)) {
    const channel = stats[control.channel];
    if (!channel) {
      details.push({
        kind: "contrast",
        message: `${control.control}: shows channel ${control.channel}, the data has ${info.numChannels}`,
      });
      continue;
    }
    const verdict = judgeRange(channel, control.range);
    reports.push({ ...control, verdict });
    const range = `[${control.range.join(", ")}] (${control.source})`;
    const values = `values ${channel.min}-${channel.max}, median ${channel.p50}, 99.9% below ${channel.p99_9}`;
    if (verdict === "black" || verdict === "saturated")
      details.push({
        kind: "contrast",
        message: `${control.control}: range ${range} draws channel ${control.channel} ${verdict}: ${values}`,
      });
  }
  if (details.length > 0)
    details.push({
      kind: "note",
      message: 'run "nglaunch presets verify --record" to fit the ranges',
    });
  return { reports, details };
}

/** Fetches one layer's info and a chunk, and checks both against the preset. Never throws. */
export async function verifyLayer(
  dataset: Dataset,
  layerId: string,
  options: VerifyOptions,
): Promise<VerifyRow> {
  const layer = Object.hasOwn(dataset.layers, layerId) ? dataset.layers[layerId] : undefined;
  const row: VerifyRow = {
    dataset: dataset.id,
    layer: layerId,
    url: "",
    status: "ok",
    details: [],
  };
  const finish = (): VerifyRow => {
    const kinds = new Set(row.details.map((d) => d.kind));
    row.status = FAILURE_STATUSES.find((status) => kinds.has(status)) ?? row.status;
    return row;
  };
  const fail = (kind: FailureStatus, message: string) => {
    row.details.push({ kind, message });
    return finish();
  };
  if (!layer) return fail("invalid", `no layer preset "${layerId}" in ${dataset.id}`);
  const base = layerUrl(dataset, layer);
  row.url = base === null ? layerSource(dataset, layer) : `${base}/info`;
  if (layer.format !== "precomputed" || base === null) {
    row.status = "skipped";
    row.details.push({
      kind: "note",
      message:
        layer.format !== "precomputed"
          ? `unsupported format for verify: ${layer.format}`
          : `unsupported data root for verify: ${dataset.dataRoot}`,
    });
    return row;
  }

  const fetcher = new Fetcher(options, options.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs);
  const got = await fetcher.get(row.url, MAX_INFO_BYTES);
  if (!got.ok) return fail("unreachable", got.message);
  const cors = fetcher.corsProblem(got.allowOrigin, "info", dataset.id);
  if (cors) row.details.push({ kind: "cors", message: cors });
  row.infoDigest = `sha256:${createHash("sha256").update(got.bytes).digest("hex")}`;
  const stale = Object.values(layer.expects).find(
    (e) => e.basis === "verified" && e.infoDigest !== row.infoDigest,
  );
  if (stale)
    row.details.push({
      kind: "note",
      message: `info changed since it was verified on ${stale.date}`,
    });

  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(got.bytes));
  } catch (error) {
    return fail("invalid", `info is not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    return fail("invalid", "info is not a JSON object");
  row.details.push(...compare(layer.expects, json as Record<string, unknown>));
  const parsed = parseVolumeInfo(json);
  if (!parsed.ok) {
    for (const problem of parsed.problems)
      row.details.push({ kind: "invalid", message: `info ${problem}` });
    return finish();
  }
  const info = parsed.value;
  row.report = reportOf(info);

  const scale = coarsestScale(info);
  const location = middleChunk(scale);
  const chunk = await fetchChunk(fetcher, base, scale, location);
  if (!chunk.ok) {
    row.failedUrl = chunk.url;
    return fail("chunk", chunk.message);
  }
  const chunkCors = fetcher.corsProblem(chunk.allowOrigin, "chunk", dataset.id);
  if (chunkCors && !cors) row.details.push({ kind: "cors", message: chunkCors });
  row.chunk = {
    url: chunk.url,
    scale: scale.key,
    encoding: scale.encoding,
    sharded: scale.sharding !== undefined,
    bytes: chunk.bytes.byteLength,
    extent: location.extent,
  };
  const checked = checkChunk(chunk.bytes, info, scale, location.extent);
  if (!checked.ok) {
    row.failedUrl = chunk.url;
    return fail("chunk", `chunk ${location.name}: ${checked.problem}`);
  }
  if (checked.note) row.details.push({ kind: "note", message: checked.note });
  const decoded = checked.chunk;
  if (decoded && info.type === "segmentation") row.segmentIds = countSegments(decoded);
  if (decoded && info.type === "image" && info.dataType !== "uint64") {
    row.channels = decoded.channels.map((values, c) => channelStats(c, values as Float64Array));
    const contrast = judgeContrast(layer, info, row.channels);
    row.contrast = contrast.reports;
    row.details.push(...contrast.details);
  }
  return finish();
}

/**
 * Verifies every layer of the given datasets (or only `layers`, when given), at most
 * `concurrency` layers at once; rows come back in catalogue order.
 */
export async function verifyDatasets(
  datasets: readonly Dataset[],
  options: VerifyOptions & { layers?: readonly string[] },
): Promise<VerifyRow[]> {
  const jobs = datasets.flatMap((dataset) =>
    Object.keys(dataset.layers)
      .filter((layerId) => options.layers === undefined || options.layers.includes(layerId))
      .map((layerId) => ({ dataset, layerId })),
  );
  const rows: VerifyRow[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (!job) return;
      const result = await verifyLayer(job.dataset, job.layerId, options);
      rows[index] = result;
      options.onResult?.(result, ++done, jobs.length);
    }
  }
  const workers = Math.max(
    1,
    Math.min(options.concurrency ?? VERIFY_DEFAULTS.concurrency, jobs.length),
  );
  await Promise.all(Array.from({ length: workers }, worker));
  return rows;
}
