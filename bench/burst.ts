// Benchmark (issue 13, item 8): a burst of concurrent creates on the embedded SQLite store.
// 1. The store alone: 500 concurrent creates through the group-committing SqliteLinkStore, next
//    to the per-create transaction it replaced (reproduced here as the baseline), in the same
//    run: creates per second and the longest stall of the event loop.
// 2. The service over HTTP: 500 concurrent POST /api/links while two clients keep reading a
//    link; no 503 (load shedding stays on, at its default) and reads' p99 under 50 ms.

import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { contentDigest } from "../src/links/canonical-json.js";
import { newLinkId } from "../src/links/link-id.js";
import type { NewLink } from "../src/links/link-store.js";
import { openSqlite } from "../src/links/sqlite.js";
import { SqliteLinkStore } from "../src/links/sqlite-link-store.js";
import {
  type RunningServer,
  startServer,
  stopServer,
  typicalState,
  waitUntilReady,
} from "./links.js";
import type { BenchSection, TargetCheck } from "./run.js";

const BURST = 500;
const ROUNDS = 3;
const READ_P99_TARGET_MS = 50;

/** BURST links of typical size with distinct content. */
function burstLinks(round: number): NewLink[] {
  const state = typicalState();
  return Array.from({ length: BURST }, (_, i) => {
    const meta = { title: `burst ${round}.${i}`, dataset: "e11-prism", view: null };
    return { ...contentDigest(state, meta), ...meta };
  });
}

/**
 * The baseline: what SqliteLinkStore did before group commit, one IMMEDIATE transaction (and
 * with synchronous=FULL one fsync) per create, on the same schema and pragmas.
 */
function perCreateStore(dataDir: string) {
  const db = openSqlite(path.join(dataDir, "links.sqlite3"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE IF NOT EXISTS links (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE,
    state_json TEXT NOT NULL, title TEXT, dataset TEXT, view TEXT, created_at TEXT NOT NULL,
    size_bytes INTEGER NOT NULL) STRICT`);
  const insert = db.prepare(
    `INSERT INTO links VALUES (@id, @digest, @state_json, @title, @dataset, @view, @created_at,
     @size_bytes) ON CONFLICT (digest) DO NOTHING`,
  );
  const select = db.prepare("SELECT * FROM links WHERE digest = ?");
  const createOnce = db.transaction((link: NewLink) => {
    insert.run({
      id: newLinkId(),
      digest: link.digest,
      state_json: link.stateJson,
      title: link.title,
      dataset: link.dataset,
      view: link.view,
      created_at: new Date().toISOString(),
      size_bytes: Buffer.byteLength(link.stateJson),
    });
    return select.get(link.digest);
  }).immediate;
  return {
    create: async (link: NewLink) => createOnce(link),
    close: async () => void db.close(),
  };
}

interface StoreRun {
  createsPerSecond: number;
  maxLoopStallMs: number;
}

async function storeBurst(
  open: (dir: string) => {
    create: (link: NewLink) => Promise<unknown>;
    close: () => Promise<void>;
  },
  round: number,
): Promise<StoreRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-burst-"));
  const store = open(dir);
  const links = burstLinks(round);
  // One create first, so neither store is timed opening its file or starting a thread.
  const [warmUp] = burstLinks(round + ROUNDS);
  if (warmUp !== undefined) await store.create(warmUp);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  try {
    loop.enable();
    // Its timer must have started, or a stall right away goes unseen.
    await sleep(5);
    const started = performance.now();
    await Promise.all(links.map((link) => store.create(link)));
    const seconds = (performance.now() - started) / 1000;
    // The histogram takes a sample when its timer next fires: let it see the last stall.
    await sleep(5);
    loop.disable();
    return { createsPerSecond: BURST / seconds, maxLoopStallMs: loop.max / 1e6 };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

interface HttpBurst {
  createsPerSecond: number;
  statuses: Record<string, number>;
  reads: number;
  readP50Ms: number;
  readP99Ms: number;
  readMaxMs: number;
  /** The server's own event-loop delay during the burst (monitorEventLoopDelay). */
  serverLoopMaxMs: number;
  serverLoopP99Ms: number;
}

/**
 * Two clients reading one link in a loop, in a thread of their own: timed on the benchmark's main
 * thread, each read would also wait for that thread's own work of sending 500 POSTs and taking
 * their answers, which is the load generator's delay, not the service's.
 */
const READERS_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
let reading = true;
const latencies = [];
parentPort.once("message", () => { reading = false; });
const reader = async () => {
  while (reading) {
    const started = performance.now();
    const response = await fetch(workerData.url);
    await response.arrayBuffer();
    // Start time on the clock every thread shares (epoch ms), and the latency.
    latencies.push([performance.timeOrigin + started, performance.now() - started]);
  }
};
Promise.all([reader(), reader()]).then(() => parentPort.postMessage(latencies));
`;

/** The server's event-loop delay since the last ask: max and p99 in ms (bench/servers.ts). */
async function serverLoopDelay(server: RunningServer): Promise<{ maxMs: number; p99Ms: number }> {
  const answer = once(server.child, "message");
  server.child.send("loop-delay");
  const [delay] = (await answer) as [{ maxMs: number; p99Ms: number }];
  return delay;
}

/** 500 concurrent creates against the service while two readers keep reading one link. */
async function httpBurst(server: RunningServer, readId: string, round: number): Promise<HttpBurst> {
  const { url } = server;
  const state = typicalState();
  const readers = new Worker(READERS_SOURCE, {
    eval: true,
    workerData: { url: `${url}/api/links/${readId}` },
  });
  const latenciesReady = once(readers, "message");
  // Let the readers start before the burst, then forget the loop delay of the quiet time.
  await sleep(100);
  await serverLoopDelay(server);
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const burstStart = performance.timeOrigin + started;
  await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      const response = await fetch(`${url}/api/links`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ state, title: `http burst ${round}.${i}` }),
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const loopDelay = await serverLoopDelay(server);
  readers.postMessage("stop");
  const [all] = (await latenciesReady) as [[number, number][]];
  await readers.terminate();
  // The reads that started during the burst.
  const burstEnd = burstStart + seconds * 1000;
  const latencies = all
    .filter(([start]) => start >= burstStart && start <= burstEnd)
    .map(([, latency]) => latency);
  return {
    createsPerSecond: BURST / seconds,
    statuses,
    reads: latencies.length,
    readP50Ms: percentile(latencies, 50),
    readP99Ms: percentile(latencies, 99),
    readMaxMs: Math.max(...latencies),
    serverLoopMaxMs: loopDelay.maxMs,
    serverLoopP99Ms: loopDelay.p99Ms,
  };
}

export async function run(): Promise<BenchSection> {
  // Interleaved rounds, so load from elsewhere hits the baseline and the store alike.
  const baseline: StoreRun[] = [];
  const grouped: StoreRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baseline.push(await storeBurst(perCreateStore, round));
    grouped.push(
      await storeBurst((dataDir) => {
        const store = new SqliteLinkStore({ dataDir });
        return { create: (link) => store.create(link, newLinkId), close: () => store.close() };
      }, round),
    );
  }
  const before = median(baseline.map((r) => r.createsPerSecond));
  const after = median(grouped.map((r) => r.createsPerSecond));

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-burst-http-"));
  const server = await startServer({ kind: "service", dataDir }, "service-sqlite-burst");
  const bursts: HttpBurst[] = [];
  try {
    await waitUntilReady(server.url);
    const seed = await fetch(`${server.url}/api/links`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: typicalState(), title: "read during the burst" }),
    });
    const { id } = (await seed.json()) as { id: string };
    for (let round = 0; round < ROUNDS; round++) bursts.push(await httpBurst(server, id, round));
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const worstP99 = Math.max(...bursts.map((b) => b.readP99Ms));
  const unavailable = bursts.reduce((n, b) => n + (b.statuses["503"] ?? 0), 0);
  const notCreated = bursts.reduce((n, b) => n + BURST - (b.statuses["201"] ?? 0), 0);
  const targets: TargetCheck[] = [
    {
      what: `${BURST} concurrent POST /api/links on SQLite: answers other than 201`,
      value: `${notCreated} (${unavailable} × 503)`,
      target: "0",
      met: notCreated === 0,
    },
    {
      what: "GET /api/links/:id p99 during the burst (worst round)",
      value: `${worstP99.toFixed(1)} ms`,
      target: `< ${READ_P99_TARGET_MS} ms`,
      met: worstP99 < READ_P99_TARGET_MS,
    },
  ];
  const fmt = (n: number) => Math.round(n).toLocaleString("en");
  return {
    title: "Burst of creates on the embedded SQLite store",
    method: [
      `Store alone: ${BURST} concurrent create() calls of distinct ~2 KB links into a new database file, ${ROUNDS} interleaved rounds; the baseline is the previous per-create IMMEDIATE transaction (one fsync each, synchronous=FULL, WAL), reproduced in bench/burst.ts.`,
      "Longest event-loop stall from perf_hooks.monitorEventLoopDelay (1 ms resolution) during the burst.",
      `Service: the app on SQLite in a child process (load shedding on, default threshold; no rate limit), ${BURST} concurrent POST /api/links (Node fetch) while two clients read one link in a loop; ${ROUNDS} rounds.`,
      "The readers run in a worker thread of the benchmark process, so their timing does not include the benchmark's own event-loop work of sending the burst; reads counted are those that started during the burst. Server loop delay: monitorEventLoopDelay (1 ms resolution) in the server process over the burst.",
    ],
    tables: [
      {
        caption: "Store alone (median of rounds; stall: worst round)",
        columns: ["store", "creates/s", "longest loop stall ms", "× baseline creates/s"],
        rows: [
          [
            "baseline: one transaction + fsync per create",
            fmt(before),
            Math.max(...baseline.map((r) => r.maxLoopStallMs)).toFixed(0),
            "1.00×",
          ],
          [
            "SqliteLinkStore (group commit)",
            fmt(after),
            Math.max(...grouped.map((r) => r.maxLoopStallMs)).toFixed(0),
            `${(after / before).toFixed(2)}×`,
          ],
        ],
      },
      {
        caption: "Service over HTTP, per round",
        columns: [
          "round",
          "creates/s",
          "statuses",
          "reads",
          "read p50 ms",
          "read p99 ms",
          "read max ms",
          "server loop delay p99 / max ms",
        ],
        rows: bursts.map((b, i) => [
          String(i + 1),
          fmt(b.createsPerSecond),
          Object.entries(b.statuses)
            .map(([status, n]) => `${status}×${n}`)
            .join(" "),
          String(b.reads),
          b.readP50Ms.toFixed(1),
          b.readP99Ms.toFixed(1),
          b.readMaxMs.toFixed(1),
          `${b.serverLoopP99Ms.toFixed(1)} / ${b.serverLoopMaxMs.toFixed(1)}`,
        ]),
      },
    ],
    targets,
    notes: [],
    data: { baseline, grouped, bursts },
  };
}
