// Benchmark (issue 9): preview render time (p50, p95) in headless Chromium on fixture data, and
// cached preview.png throughput against @fastify/static serving a file of the same size, in the
// same run, with the same connection count (target >= 0.8x).
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { makeFixtures } from "../scripts/make-fixtures.js";
import { packageRoot } from "../src/config.js";
import { linkUrls } from "../src/http/service-urls.js";
import { newLinkId } from "../src/links/link-id.js";
import { SqliteLinkStore } from "../src/links/sqlite-link-store.js";
import { renderCard } from "../src/previews/card.js";
import { SqlitePreviewStore } from "../src/previews/sqlite-preview-store.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  CHROMIUM_PATH,
} from "../test/helpers/browser.js";
import { startFixtureServer } from "../test/helpers/fixture-server.js";
import { freePort } from "../test/helpers/ports.js";
import { makeDataDir, spawnServer } from "../test/helpers/server-process.js";
import type { PreviewServerSpec, PreviewServersReady } from "./preview-server.js";
import type { BenchSection, Table, TargetCheck } from "./run.js";

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  "2xx": number;
  non2xx: number;
  latency: { p50: number; p99: number };
  requests: { total: number };
  throughput: { total: number };
}
/** autocannon's programmatic API (the package ships no types). */
const autocannon = createRequire(import.meta.url)("autocannon") as (options: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<AutocannonResult>;

const RENDERS = 6;
const CONNECTIONS = 10;
/** Measured seconds per server, split over ROUNDS alternating rounds; BENCH_SECONDS overrides. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 2;
const TARGET = 0.8;
const SIZE = { width: 1200, height: 630 };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** Waits until the spawned server answers /healthz. */
async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  const giveUpAt = Date.now() + 60_000;
  while (Date.now() < giveUpAt) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const response = await fetch(`${url}/healthz`).catch(() => undefined);
    if (response?.ok) return;
    await sleep(100);
  }
  throw new Error(`${url}/healthz did not answer within 60 s`);
}

/**
 * Renders previews of fixture views one after another on the built server (dist/, as deployed),
 * PREVIEWS=on; the first includes Chromium's launch.
 */
async function measureRenders(): Promise<{ coldMs: number; warmMs: number[]; png: Buffer }> {
  const fixtureDir = path.join(packageRoot, "test-output", "fixtures");
  await makeFixtures(fixtureDir);
  const fixtures = await startFixtureServer(fixtureDir);
  const data = makeDataDir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnServer({
    PATH: process.env.PATH ?? "",
    HOME: os.tmpdir(),
    PORT: String(port),
    PUBLIC_URL: url,
    DATA_DIR: data.dir,
    LOG_LEVEL: "silent",
    SOURCE_ROOTS: `e11-prism=${fixtures.url}/`,
    PREVIEWS: "on",
    CHROMIUM_PATH,
    PREVIEW_TIMEOUT_MS: "120000",
    MAX_EVENT_LOOP_DELAY_MS: "0",
    // A render on a loaded machine can outlast the idle-connection bound (60 s by default).
    CONNECTION_TIMEOUT_MS: "0",
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await untilHealthy(url, child);
    const times: number[] = [];
    let png = Buffer.alloc(0);
    for (let i = 0; i < RENDERS; i++) {
      // A state of its own per render (another segment), so none is a cache hit.
      const began = performance.now();
      const response = await fetch(
        `${url}/v/e11-prism/overview/preview.png?segments=${i + 1}`,
      ).catch((error: unknown) => {
        throw new Error(`render ${i + 1}: ${String(error)}\n${stderr.slice(-2000)}`);
      });
      const body = Buffer.from(await response.arrayBuffer());
      times.push(performance.now() - began);
      if (response.headers.get("cache-control") === "public, max-age=60") {
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const outcomes = metrics.match(/^nglaunch_preview_renders_total\S* \d+$/gm) ?? [];
        throw new Error(
          `render ${i + 1} fell back to the card after ${((performance.now() - began) / 1000).toFixed(0)} s (${outcomes.join(", ")})`,
        );
      }
      png = body;
    }
    const [coldMs = Number.NaN, ...warmMs] = times;
    return { coldMs, warmMs, png };
  } finally {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
    await fixtures.close();
    data.remove();
  }
}

/** A stored link whose preview is already in the durable store, as after its first render. */
async function seed(dataDir: string, png: Buffer): Promise<string> {
  const links = new SqliteLinkStore({ dataDir });
  const stateJson = JSON.stringify({ layers: [], title: "bench" });
  const { link } = await links.create(
    { stateJson, digest: `bench-${Date.now()}`, title: "bench", dataset: null, view: null },
    newLinkId,
  );
  await links.close();
  const previews = new SqlitePreviewStore({ dataDir });
  await previews.put({ linkId: link.id, ...SIZE }, png);
  await previews.close();
  return link.id;
}

interface Row {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerResponse: number;
  failures: number;
}

function combine(label: string, results: AutocannonResult[]): Row {
  const sum = (pick: (r: AutocannonResult) => number) => results.reduce((t, r) => t + pick(r), 0);
  return {
    label,
    requestsPerSecond: sum((r) => r["2xx"]) / sum((r) => r.duration),
    p50Ms: sum((r) => r.latency.p50) / results.length,
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    bytesPerResponse:
      sum((r) => r.throughput.total) /
      Math.max(
        1,
        sum((r) => r.requests.total),
      ),
    failures: sum((r) => r.non2xx + r.errors + r.timeouts),
  };
}

export async function measureThroughput(
  png: Buffer,
): Promise<{ preview: Row; baseline: Row; cacheLookups: Record<string, number> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-previews-"));
  const staticDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-static-"));
  writeFileSync(path.join(staticDir, "same-size.png"), png);
  const id = await seed(dataDir, png);
  const spec: PreviewServerSpec = { dataDir, staticDir };
  const child = fork(path.join(packageRoot, "bench", "preview-server.ts"), [JSON.stringify(spec)], {
    execArgv: process.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const [ready] = (await once(child, "message")) as [PreviewServersReady];
    const previewUrl = linkUrls(`http://127.0.0.1:${ready.appPort}`, id).previewUrl;
    const staticUrl = `http://127.0.0.1:${ready.staticPort}/same-size.png`;
    const check = await fetch(previewUrl);
    if (check.headers.get("cache-control") !== "public, max-age=31536000, immutable")
      throw new Error(`the seeded preview was not served: ${check.status}`);
    // Warm-up: JIT, the hot cache, connections.
    for (const url of [previewUrl, staticUrl])
      await autocannon({ url, connections: CONNECTIONS, duration: 1 });
    const previews: AutocannonResult[] = [];
    const baselines: AutocannonResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const duration = Math.max(1, Math.round(SECONDS / ROUNDS));
      previews.push(await autocannon({ url: previewUrl, connections: CONNECTIONS, duration }));
      baselines.push(await autocannon({ url: staticUrl, connections: CONNECTIONS, duration }));
    }
    // The hot path reads no store: the store is read once (the first request), memory after.
    const metrics = await (await fetch(`http://127.0.0.1:${ready.appPort}/metrics`)).text();
    const cacheLookups = Object.fromEntries(
      [
        ...metrics.matchAll(
          /^nglaunch_preview_cache_requests_total\{tier="(\w+)",result="(\w+)"\} (\d+)$/gm,
        ),
      ].map((m) => [`${m[1]} ${m[2]}`, Number(m[3])]),
    );
    return {
      preview: combine("GET /s/:id/preview.png (cached)", previews),
      baseline: combine("@fastify/static, same-size file", baselines),
      cacheLookups,
    };
  } finally {
    child.disconnect();
    await once(child, "exit");
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(staticDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const notes: string[] = [];
  const tables: Table[] = [];
  const targets: TargetCheck[] = [];
  let renders: Awaited<ReturnType<typeof measureRenders>> | null = null;
  if (browserAvailable()) {
    // A render that does not finish is a finding, not a reason to skip the throughput figures.
    renders = await measureRenders().catch((error: unknown) => {
      notes.push(`render times: FAILED, ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
  } else notes.push(`render times skipped: ${BROWSER_MISSING_REASON}`);
  if (renders) {
    const sorted = [...renders.warmMs].sort((a, b) => a - b);
    tables.push({
      caption: "Render time (request to PNG, uncached view-link previews at 1200x630)",
      columns: ["renders", "first (launches Chromium) ms", "p50 ms", "p95 ms"],
      rows: [
        [
          String(RENDERS),
          renders.coldMs.toFixed(0),
          percentile(sorted, 50).toFixed(0),
          percentile(sorted, 95).toFixed(0),
        ],
      ],
    });
  }
  // The bytes a cached answer sends: the rendered PNG, or a card of the same size without Chromium.
  const png =
    renders?.png ??
    (await renderCard({ title: "bench", dataset: "E11 PRISM", attribution: "CC BY-SA", ...SIZE }));
  if (!renders) notes.push("throughput measured with a fallback card's bytes (no rendered PNG)");
  const { preview, baseline, cacheLookups } = await measureThroughput(png);
  notes.push(
    `preview cache look-ups during the run: ${Object.entries(cacheLookups)
      .map(([what, count]) => `${what} ${count}`)
      .join(", ")}`,
  );
  const ratio = preview.requestsPerSecond / baseline.requestsPerSecond;
  tables.push({
    caption: `Cached preview throughput, ${CONNECTIONS} connections, ${png.length} bytes of PNG`,
    columns: ["route", "req/s", "p50 ms", "p99 ms", "bytes/resp", "failed"],
    rows: [preview, baseline].map((row) => [
      row.label,
      row.requestsPerSecond.toFixed(0),
      row.p50Ms < 1 ? "< 1" : row.p50Ms.toFixed(0),
      row.p99Ms.toFixed(0),
      row.bytesPerResponse.toFixed(0),
      String(row.failures),
    ]),
  });
  targets.push({
    what: "cached preview.png throughput vs @fastify/static, same-size file",
    value: `${ratio.toFixed(2)}×`,
    target: `≥ ${TARGET}×`,
    met: ratio >= TARGET,
  });
  return {
    title: "Preview images",
    method: [
      `render time: ${RENDERS} previews of fixture views (scripts/make-fixtures.ts), each a state of its own, requested one after another from the built server (dist/src/server.js) with PREVIEWS=on, wall time per request; the first includes launching Chromium and is shown apart`,
      "throughput: autocannon in this process; the nglaunch app (its durable preview store seeded with the PNG, as after a first render) and bare fastify + @fastify/static serving the same bytes from a temp dir, both in one child process, loaded one at a time in alternating rounds",
    ],
    tables,
    targets,
    notes,
    data: { renders, preview, baseline, ratio, pngBytes: png.length, cacheLookups },
  };
}
