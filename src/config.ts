// Configuration: every environment variable the service reads, parsed and described
// in this one zod schema. A bad value stops start-up with a message naming the variable.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The repository / package root, whether running from src/ (tsx) or dist/src/ (node). */
export const packageRoot = fileURLToPath(
  new URL(import.meta.url.includes("/dist/src/") ? "../../" : "../", import.meta.url),
);

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((s) =>
  s
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean),
);

const sourceRoots = list.transform((pairs, ctx) => {
  const roots: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const dataset = pair.slice(0, at).trim();
    const root = pair.slice(at + 1).trim();
    if (at <= 0 || !root) {
      ctx.addIssue({ code: "custom", message: `expected dataset=url pairs, got "${pair}"` });
      return z.NEVER;
    }
    roots[dataset] = root;
  }
  return roots;
});

/** Each variable with its default and description; the README configuration table mirrors it. */
export const envSchema = z.object({
  PORT: int(0, 65535).default(8080).describe("TCP port to listen on."),
  HOST: z
    .string()
    .min(1)
    .default("127.0.0.1")
    .describe("Interface to listen on; 0.0.0.0 in containers."),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "External base URL used in every link the service returns (default http://localhost:PORT).",
    ),
  PRESETS_DIR: z
    .string()
    .min(1)
    .default("presets")
    .describe("Directory of dataset preset files (*.json)."),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info")
    .describe("pino log level."),
  DATA_DIR: z
    .string()
    .min(1)
    .default("data")
    .describe("Directory of the embedded link store (SQLite)."),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected redis://host:port or rediss://...")
    .optional()
    .describe("Use Redis for short links (e.g. redis://127.0.0.1:6379/0)."),
  REDIS_CLUSTER_NODES: list
    .optional()
    .describe(
      "Use a Redis Cluster: comma-separated host:port seed nodes (takes precedence over REDIS_URL).",
    ),
  STORE_TIMEOUT_MS: int(10, 60_000).default(500).describe("Bound on every link store operation."),
  LINK_CACHE_ENTRIES: int(0, 10_000_000)
    .default(10_000)
    .describe("Links kept in the in-process read cache."),
  LINK_CACHE_MB: int(0, 65_536)
    .default(64)
    .describe("Bytes of state JSON the read cache may hold, in MiB."),
  MAX_STATE_BYTES: int(1024, 512 * 1024 * 1024)
    .default(8 * 1024 * 1024)
    .describe("Largest request body / state accepted, in bytes (413 above)."),
  OFFLOAD_BODY_BYTES: int(0, 512 * 1024 * 1024)
    .default(128 * 1024)
    .describe(
      "State bodies this large or larger are parsed, validated and built in a worker thread.",
    ),
  SOURCE_ROOTS: sourceRoots
    .optional()
    .describe("Override data roots: comma-separated dataset=url pairs (mirrors, test fixtures)."),
  CONNECT_SRC: list
    .optional()
    .describe("Extra origins the viewer may fetch data from (CSP connect-src), comma-separated."),
  EMBED_ORIGINS: list
    .default(["*"])
    .describe("Origins allowed to frame /embed pages (CSP frame-ancestors); * = any."),
  TRUST_PROXY: z
    .string()
    .optional()
    .describe("fastify trustProxy: true, a hop count, or comma-separated addresses/CIDRs."),
  RATE_LIMIT_MAX: int(0, 1_000_000)
    .default(60)
    .describe(
      "Writes (POST /api/links, /api/share, POST/PUT /api/names) per client per window; 0 disables.",
    ),
  RATE_LIMIT_WINDOW: z.string().default("1 minute").describe("Rate-limit window, e.g. '1 minute'."),
  MAX_EVENT_LOOP_DELAY_MS: int(0, 60_000)
    .default(1000)
    .describe(
      "Shed load (503 + Retry-After) while the event loop lags more than this; 0 disables.",
    ),
  CONNECTION_TIMEOUT_MS: int(0, 3_600_000)
    .default(60_000)
    .describe("Close a connection that sends and receives nothing for this long; 0 disables."),
  REQUEST_TIMEOUT_MS: int(0, 3_600_000)
    .default(60_000)
    .describe(
      "Whole request (headers and body) must arrive within this (408 after); 0 disables. Cuts off bodies that trickle in.",
    ),
  HEADERS_TIMEOUT_MS: int(1, 3_600_000)
    .default(10_000)
    .describe("Request headers must arrive within this (408 after); at most REQUEST_TIMEOUT_MS."),
  KEEP_ALIVE_TIMEOUT_MS: int(1, 3_600_000)
    .default(72_000)
    .describe(
      "Keep an idle keep-alive connection open this long; above a load balancer's idle timeout (often 60 s).",
    ),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000)
    .default(10_000)
    .describe("On SIGTERM/SIGINT, how long in-flight requests may take before exit."),
  VERIFY_PRESETS: z
    .enum(["on", "off"])
    .default("off")
    .describe(
      "on: check every layer preset against its data in the background after start-up (CORS, info, one chunk, contrast); results in /readyz, /metrics and /api/presets.",
    ),
  VIEWER_DIR: z
    .string()
    .default("dist/viewer")
    .describe("Directory of the built Neuroglancer client."),
  PREVIEWS: z
    .enum(["auto", "on", "off"])
    .default("auto")
    .describe(
      "Preview images (/s/<id>/preview.png, ...) rendered in headless Chromium. auto: on when a Chromium is found, else fallback cards only; on: start-up fails without a Chromium; off: fallback cards only.",
    ),
  CHROMIUM_PATH: z
    .string()
    .optional()
    .describe("The Chromium (or Chrome) binary that renders previews; default: searched on PATH."),
  PREVIEW_CONCURRENCY: int(1, 64)
    .default(1)
    .describe("Previews rendered at once (each is a Chromium page with software WebGL)."),
  PREVIEW_QUEUE: int(0, 10_000)
    .default(4)
    .describe(
      "Renders waiting for a free slot; beyond this, requests get the fallback card and no render.",
    ),
  PREVIEW_TIMEOUT_MS: int(1000, 600_000)
    .default(20_000)
    .describe(
      "Bound on one render; after it the request gets the fallback card. Below CONNECTION_TIMEOUT_MS.",
    ),
  PREVIEW_CACHE_ENTRIES: int(0, 1_000_000)
    .default(1000)
    .describe(
      "Preview images kept in memory: view-link previews (kept nowhere else) and hot copies of stored link previews.",
    ),
  PREVIEW_CACHE_MB: int(0, 65_536)
    .default(64)
    .describe("Bytes of PNG the in-memory preview cache may hold, in MiB."),
});

export type Env = Record<string, string | undefined>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  presetsDir: string;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  dataDir: string;
  redisUrl: string | undefined;
  redisClusterNodes: string[] | undefined;
  storeTimeoutMs: number;
  linkCacheEntries: number;
  linkCacheBytes: number;
  maxStateBytes: number;
  offloadBodyBytes: number;
  sourceRoots: Record<string, string>;
  connectSrc: string[];
  embedOrigins: string[];
  trustProxy: boolean | number | string[] | undefined;
  rateLimitMax: number;
  rateLimitWindow: string;
  maxEventLoopDelayMs: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  shutdownTimeoutMs: number;
  viewerDir: string;
  verifyPresets: boolean;
  previews: "auto" | "on" | "off";
  chromiumPath: string | undefined;
  previewConcurrency: number;
  previewQueue: number;
  previewTimeoutMs: number;
  previewCacheEntries: number;
  previewCacheBytes: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function parseTrustProxy(value: string | undefined): Config["trustProxy"] {
  if (value === undefined || value === "" || value === "false") return undefined;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((s) => s.trim());
}

const resolveFromRoot = (p: string) => path.resolve(packageRoot, p);

/** Parses the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const known = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, env[key] === "" ? undefined : env[key]]),
  );
  const parsed = envSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${String(issue.path[0] ?? "?")}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  // Node refuses a headers timeout above the request timeout (when that one is on).
  if (e.REQUEST_TIMEOUT_MS > 0 && e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS)
    throw new ConfigError(
      `invalid configuration:\n  HEADERS_TIMEOUT_MS: must be at most REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS}), got ${e.HEADERS_TIMEOUT_MS}`,
    );
  // A render outlasting the idle-connection bound would lose its answer, card included.
  if (e.CONNECTION_TIMEOUT_MS > 0 && e.PREVIEW_TIMEOUT_MS >= e.CONNECTION_TIMEOUT_MS)
    throw new ConfigError(
      `invalid configuration:\n  PREVIEW_TIMEOUT_MS: must be below CONNECTION_TIMEOUT_MS (${e.CONNECTION_TIMEOUT_MS}), got ${e.PREVIEW_TIMEOUT_MS}`,
    );
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    presetsDir: resolveFromRoot(e.PRESETS_DIR),
    logLevel: e.LOG_LEVEL,
    dataDir: resolveFromRoot(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    storeTimeoutMs: e.STORE_TIMEOUT_MS,
    linkCacheEntries: e.LINK_CACHE_ENTRIES,
    linkCacheBytes: e.LINK_CACHE_MB * 1024 * 1024,
    maxStateBytes: e.MAX_STATE_BYTES,
    offloadBodyBytes: e.OFFLOAD_BODY_BYTES,
    sourceRoots: e.SOURCE_ROOTS ?? {},
    connectSrc: e.CONNECT_SRC ?? [],
    embedOrigins: e.EMBED_ORIGINS,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    rateLimitMax: e.RATE_LIMIT_MAX,
    rateLimitWindow: e.RATE_LIMIT_WINDOW,
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
    connectionTimeoutMs: e.CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    viewerDir: resolveFromRoot(e.VIEWER_DIR),
    verifyPresets: e.VERIFY_PRESETS === "on",
    previews: e.PREVIEWS,
    chromiumPath: e.CHROMIUM_PATH,
    previewConcurrency: e.PREVIEW_CONCURRENCY,
    previewQueue: e.PREVIEW_QUEUE,
    previewTimeoutMs: e.PREVIEW_TIMEOUT_MS,
    previewCacheEntries: e.PREVIEW_CACHE_ENTRIES,
    previewCacheBytes: e.PREVIEW_CACHE_MB * 1024 * 1024,
  });
}

/** A config built from defaults plus overrides, for tests, the CLI and benchmarks. */
export function makeConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  return Object.freeze({ ...loadConfig({}), ...overrides });
}
