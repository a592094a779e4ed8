// Benchmark (issue 13, item 4): does one maximum-size request stall everyone else? Two clients
// keep reading a link (GET /api/links/:id) while a third posts, one after another, the heaviest
// bodies the service takes at MAX_STATE_BYTES = 8 MB: a state of ~8 MB to store (POST /api/links),
// the same to validate (POST /api/states/validate), and a build with 450,000 segment IDs
// (POST /api/states). Once with large bodies handled in the worker pool (the default), and once,
// in the same run, with everything inline on the event loop (OFFLOAD_BODY_BYTES above the limit)
// as the baseline. Target: reads' p99 under 50 ms while the heavy requests run.

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../src/config.js";
import { startServer, stopServer, typicalState, waitUntilReady } from "./links.js";
import type { BenchSection, TargetCheck } from "./run.js";

const MAX_STATE_BYTES = 8 * 1024 * 1024;
const BUILD_IDS = 450_000;
const ROUNDS = Number(process.env.BENCH_SECONDS ?? 8) >= 8 ? 3 : 1;
const READ_P99_TARGET_MS = 50;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** uint64 IDs as decimal strings, every tenth above 2^53. */
function ids(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % 10 === 0 ? String(18_000_000_000_000_000_000n - BigInt(i)) : String(10_000_000 + i * 7),
  );
}

/** A valid state just under `bytes` as JSON: a segmentation layer with very many segments. */
function stateOfSize(bytes: number): Record<string, unknown> {
  const state = typicalState();
  const layers = state.layers as Record<string, unknown>[];
  const segmentation = layers.find((layer) => layer.type === "segmentation") ?? {};
  const base = JSON.stringify(state).length;
  // Each ID here is 8 digits plus quotes and a comma.
  segmentation.segments = ids(Math.floor((bytes - base - 1024) / 21.5));
  return state;
}

interface Heavy {
  label: string;
  path: string;
  body: string;
}

function heavyRequests(): Heavy[] {
  const big = stateOfSize(MAX_STATE_BYTES - 64 * 1024);
  return [
    {
      label: "POST /api/links (8 MB state)",
      path: "/api/links",
      body: JSON.stringify({ state: big }),
    },
    {
      label: "POST /api/states/validate (8 MB state)",
      path: "/api/states/validate",
      body: JSON.stringify({ state: big }),
    },
    {
      label: `POST /api/states (${BUILD_IDS.toLocaleString("en")} IDs)`,
      path: "/api/states",
      body: JSON.stringify({ dataset: "e11-prism", view: "overview", segments: ids(BUILD_IDS) }),
    },
  ];
}

interface Trial {
  mode: string;
  heavy: { label: string; status: number; ms: number; bytes: number }[];
  reads: number;
  readP50Ms: number;
  readP99Ms: number;
  readMaxMs: number;
  failedReads: number;
}

async function trial(mode: string, config: Partial<Config>, heavy: Heavy[]): Promise<Trial> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-stall-"));
  const server = await startServer(
    { kind: "service", dataDir, config: { maxStateBytes: MAX_STATE_BYTES, ...config } },
    `service-stall-${mode}`,
  );
  try {
    await waitUntilReady(server.url);
    const seed = await fetch(`${server.url}/api/links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: typicalState(), title: "read during heavy requests" }),
    });
    const { id } = (await seed.json()) as { id: string };
    // Warm-up: one heavy request first (worker start-up, JIT), not measured.
    const warm = heavy[0] as Heavy;
    await (
      await fetch(`${server.url}${warm.path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: warm.body,
      })
    ).arrayBuffer();

    let running = true;
    let failedReads = 0;
    const latencies: number[] = [];
    const reader = async () => {
      while (running) {
        const started = performance.now();
        const response = await fetch(`${server.url}/api/links/${id}`);
        await response.arrayBuffer();
        if (response.status !== 200) failedReads++;
        latencies.push(performance.now() - started);
      }
    };
    const readers = [reader(), reader()];
    const results: Trial["heavy"] = [];
    for (let round = 0; round < ROUNDS; round++)
      for (const request of heavy) {
        const started = performance.now();
        const response = await fetch(`${server.url}${request.path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: request.body,
        });
        const bytes = (await response.arrayBuffer()).byteLength;
        results.push({
          label: request.label,
          status: response.status,
          ms: performance.now() - started,
          bytes,
        });
      }
    running = false;
    await Promise.all(readers);
    return {
      mode,
      heavy: results,
      reads: latencies.length,
      readP50Ms: percentile(latencies, 50),
      readP99Ms: percentile(latencies, 99),
      readMaxMs: Math.max(...latencies),
      failedReads,
    };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchSection> {
  const heavy = heavyRequests();
  const inline = await trial("inline", { offloadBodyBytes: MAX_STATE_BYTES + 1 }, heavy);
  const pooled = await trial("worker pool", {}, heavy);
  const trials = [inline, pooled];
  const bad = pooled.heavy.filter((h) => h.status >= 300);
  const targets: TargetCheck[] = [
    {
      what: "GET /api/links/:id p99 while 8 MB states are stored, validated and built (worker pool, MAX_STATE_BYTES = 8 MB)",
      value: `${pooled.readP99Ms.toFixed(1)} ms (inline baseline: ${inline.readP99Ms.toFixed(1)} ms)`,
      target: `< ${READ_P99_TARGET_MS} ms`,
      met: pooled.readP99Ms < READ_P99_TARGET_MS && pooled.failedReads === 0 && bad.length === 0,
    },
  ];
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    title: "Heavy requests next to reads (stalls)",
    method: [
      "The app on SQLite in a child process, MAX_STATE_BYTES = 8 MB, load shedding at its default.",
      `Two clients read one link in a loop while a third posts, ${ROUNDS}× in turn: an ~8 MB state to /api/links and to /api/states/validate, and a ${BUILD_IDS.toLocaleString("en")}-ID build to /api/states (after one unmeasured warm-up request).`,
      "Baseline in the same run: the same server with every body handled inline on the event loop (OFFLOAD_BODY_BYTES above the limit).",
    ],
    tables: [
      {
        caption: "Reads during the heavy requests",
        columns: ["mode", "reads", "read p50 ms", "read p99 ms", "read max ms", "failed reads"],
        rows: trials.map((t) => [
          t.mode,
          String(t.reads),
          t.readP50Ms.toFixed(1),
          t.readP99Ms.toFixed(1),
          t.readMaxMs.toFixed(1),
          String(t.failedReads),
        ]),
      },
      {
        caption: "Heavy requests (median ms over rounds; statuses)",
        columns: ["request", "inline ms", "worker pool ms", "statuses (pool)"],
        rows: heavy.map((h) => {
          const of = (t: Trial) => t.heavy.filter((r) => r.label === h.label);
          return [
            h.label,
            median(of(inline).map((r) => r.ms)).toFixed(0),
            median(of(pooled).map((r) => r.ms)).toFixed(0),
            of(pooled)
              .map((r) => r.status)
              .join(" "),
          ];
        }),
      },
    ],
    targets,
    notes: [],
    data: { trials },
  };
}
