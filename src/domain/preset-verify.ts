// Checks layer presets against the live data: fetches each layer's precomputed `info` file and
// compares its type, data type and channel count with what the preset expects. Framework-free;
// `fetch` is injected so the same code runs against S3, a mirror or the loopback fixtures.
import { toHttpUrl } from "./data-url.js";
import type { LayerExpectations, LayerPreset } from "./preset-schema.js";
import { type Dataset, layerSource } from "./presets.js";

export type VerifyStatus = "ok" | "mismatch" | "unreachable" | "invalid" | "skipped";

export interface VerifyDetail {
  message: string;
  /** For mismatches: the info field, what the preset expects, what the data says, and how sure the preset is. */
  field?: "type" | "data_type" | "num_channels";
  expected?: string | number;
  actual?: unknown;
  basis?: "documented" | "assumed";
}

export interface VerifyRow {
  dataset: string;
  layer: string;
  /** The info file fetched (or, when skipped, the layer's source). */
  url: string;
  status: VerifyStatus;
  details: VerifyDetail[];
}

export interface VerifyOptions {
  fetch: typeof fetch;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Called as each layer finishes, in completion order (for progress output). */
  onResult?: (row: VerifyRow, done: number, total: number) => void;
}

/** Statuses that mean the presets cannot be trusted as they are. */
export const FAILING_STATUSES: ReadonlySet<VerifyStatus> = new Set([
  "mismatch",
  "unreachable",
  "invalid",
]);

export const VERIFY_DEFAULTS = { timeoutMs: 10_000, concurrency: 4 } as const;

/** Which info field each expectation is checked against. */
const CHECKS: ReadonlyArray<[keyof LayerExpectations, "type" | "data_type" | "num_channels"]> = [
  ["layerType", "type"],
  ["dataType", "data_type"],
  ["numChannels", "num_channels"],
];

/** The HTTPS URL of a precomputed layer's info file, or null when its source cannot be fetched. */
export function infoUrl(dataset: Dataset, layer: LayerPreset): string | null {
  // layerSource is `${format}://${kvstore URL}`: reuse it so verify checks what viewers open.
  const location = layerSource(dataset, layer).slice(layer.format.length + "://".length);
  const http = toHttpUrl(location);
  return http === null ? null : `${http.replace(/\/+$/, "")}/info`;
}

/** Why a fetch failed, in words: "timed out after 10 s", "ECONNREFUSED", "HTTP 404 Not Found". */
function describeFetchError(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return `timed out after ${timeoutMs / 1000} s`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause ? `${err.message}: ${cause}` : err.message;
}

function compare(expects: LayerExpectations, info: Record<string, unknown>): VerifyDetail[] {
  const details: VerifyDetail[] = [];
  for (const [key, field] of CHECKS) {
    const expectation = expects[key];
    const actual = info[field];
    if (actual === expectation.value) continue;
    details.push({
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

/** Fetches one layer's info file and compares it with the preset. Never throws. */
export async function verifyLayer(
  dataset: Dataset,
  layerId: string,
  options: VerifyOptions,
): Promise<VerifyRow> {
  const layer = dataset.layers[layerId];
  const row = (url: string, status: VerifyStatus, details: VerifyDetail[]): VerifyRow => ({
    dataset: dataset.id,
    layer: layerId,
    url,
    status,
    details,
  });
  if (!layer)
    return row("", "invalid", [{ message: `no layer preset "${layerId}" in ${dataset.id}` }]);
  if (layer.format !== "precomputed")
    return row(layerSource(dataset, layer), "skipped", [
      { message: `unsupported format for verify: ${layer.format}` },
    ]);
  const url = infoUrl(dataset, layer);
  if (url === null)
    return row(layerSource(dataset, layer), "skipped", [
      { message: `unsupported data root for verify: ${dataset.dataRoot}` },
    ]);

  const timeoutMs = options.timeoutMs ?? VERIFY_DEFAULTS.timeoutMs;
  let text: string;
  try {
    const response = await options.fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
    if (!response.ok) {
      // Free the connection; the body of an error page is of no use here.
      await response.body?.cancel();
      return row(url, "unreachable", [
        { message: `HTTP ${response.status} ${response.statusText}`.trim() },
      ]);
    }
    text = await response.text();
  } catch (error) {
    return row(url, "unreachable", [{ message: describeFetchError(error, timeoutMs) }]);
  }

  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch (error) {
    return row(url, "invalid", [{ message: `info is not JSON: ${(error as Error).message}` }]);
  }
  if (typeof info !== "object" || info === null || Array.isArray(info))
    return row(url, "invalid", [{ message: "info is not a JSON object" }]);
  const details = compare(layer.expects, info as Record<string, unknown>);
  return row(url, details.length === 0 ? "ok" : "mismatch", details);
}

/**
 * Verifies every layer of the given datasets (or only `layers`, when given), at most
 * `concurrency` requests at once; rows come back in catalogue order.
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
      // biome-ignore lint/style/noNonNullAssertion: index < jobs.length.
      const { dataset, layerId } = jobs[index]!;
      const result = await verifyLayer(dataset, layerId, options);
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
