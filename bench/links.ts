// Benchmark (issue 3, section 6): throughput and latency of the short-link routes on loopback,
// each next to a bare fastify baseline doing one Redis command with the same client and payload,
// measured in the same run. Also the embedded SQLite store, next to an in-memory baseline.

import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { packageRoot } from "../src/config.js";
import { loadCatalogue } from "../src/domain/presets.js";
import { buildStateFromInput } from "../src/domain/state-builder.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import type { BenchSection, Table, TargetCheck } from "./run.js";
import type { ServerReady, ServerSpec } from "./servers.js";

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonOptions {
  url: string;
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** Called before every request; here only to give each request a body of its own. */
  requests?: { setupRequest: (request: { body?: string }) => { body?: string } }[];
  connections: number;
  pipelining: number;
  /** Seconds. */
  duration: number;
}

interface AutocannonResult {
  /** Seconds actually measured. */
  duration: number;
  errors: number;
  timeouts: number;
  "2xx": number;
  "3xx": number;
  "4xx": number;
  "5xx": number;
  /** Milliseconds. */
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { total: number };
  throughput: { total: number };
}

const autocannon = createRequire(import.meta.url)("autocannon") as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const CONNECTIONS = 10;
const PIPELINING = 1;
/** Before a step's first round. */
const WARMUP_SECONDS = 1;
/** Measured seconds per row, split over ROUNDS; BENCH_SECONDS overrides it for trial runs. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = 2;
/** The SQLite and in-memory rows are for information, so they get shorter runs. */
const INFO_SECONDS = Math.min(SECONDS, 4);
/** What a browser sends when it opens a link (no Accept-Encoding: no row is compressed). */
const BROWSER_HEADERS = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) nglaunch-bench",
};
const READ_TARGET = 0.8;
const WRITE_TARGET = 0.5;

const outputDir = path.join(packageRoot, "test-output", "bench");

/**
 * A typical state, about 2 KB, as the presets make them: barcode image and synapse mask (both
 * with shaders) over the dense segmentation, 50 segments (some above 2^53), colours, a title.
 */
export function typicalState(): Record<string, unknown> {
  const catalogue = loadCatalogue(path.join(packageRoot, "presets"));
  const segments = Array.from({ length: 50 }, (_, i) =>
    i % 5 === 0 ? String(72057594037927936n + BigInt(i * 104729)) : String(9_800_000 + i * 7919),
  );
  const built = buildStateFromInput(catalogue, {
    dataset: "e11-prism",
    layers: ["raw", "dense_seg", "pre_mask_dense_seg"],
    segments,
    segmentColors: { [segments[0] ?? ""]: "#ff4040", [segments[1] ?? ""]: "#40c0ff" },
    position: [51234.5, 40211.5, 1873.5],
    zoom: 12,
    projectionZoom: 4096,
    layout: "xy-3d",
    title: "Layer 2/3 pyramidal cells with proofread dendrites",
    layerOptions: { raw: { channels: [4, 7, 11] } },
  });
  return built.state;
}

export interface RunningServer {
  spec: ServerSpec;
  child: ChildProcess;
  url: string;
}

/**
 * Forks bench/servers.ts under the same loader (tsx) and waits until it listens. With
 * BENCH_CPU_PROF=1 the server writes V8 CPU profiles to test-output/bench/profiles/<name>/ when
 * it exits (one per thread; the largest is the main thread).
 */
export async function startServer(spec: ServerSpec, name: string): Promise<RunningServer> {
  const profile =
    process.env.BENCH_CPU_PROF === "1"
      ? ["--cpu-prof", `--cpu-prof-dir=${path.join(outputDir, "profiles", name)}`]
      : [];
  const child = fork(path.join(packageRoot, "bench", "servers.ts"), [JSON.stringify(spec)], {
    execArgv: [...process.execArgv, ...profile],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = new Promise<ServerReady>((resolve, reject) => {
    child.once("message", (message) => resolve(message as ServerReady));
    child.once("exit", (code) => reject(new Error(`${spec.kind} server exited with ${code}`)));
  });
  const { port } = await ready;
  return { spec, child, url: `http://127.0.0.1:${port}` };
}

export async function stopServer(server: RunningServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.disconnect();
  const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killer);
}

export async function waitUntilReady(url: string): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  while (Date.now() < giveUpAt) {
    const response = await fetch(`${url}/readyz`).catch(() => undefined);
    if (response?.ok) return;
    await sleep(50);
  }
  throw new Error(`${url}/readyz did not answer 200 within 10 s`);
}

async function postJson(url: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

interface Scenario {
  label: string;
  server: RunningServer;
  path: string;
  headers?: Record<string, string>;
  /** POST with this body (fixed, or made anew for every request); GET without one. */
  body?: string | (() => string);
  /** The redis-server behind the route, whose CPU time is counted too. */
  redisPort?: number;
}

/** What one measured run of one scenario gave. */
interface Run {
  seconds: number;
  /** 2xx and 3xx answers. */
  succeeded: number;
  /** All answers. */
  answered: number;
  bytes: number;
  /** Answers other than 2xx/3xx, plus socket errors and timeouts. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicros: number;
  redisCpuMicros: number | undefined;
}

interface Measurement {
  label: string;
  requestsPerSecond: number;
  /** Mean of the rounds' p50. */
  p50Ms: number;
  /** Worst of the rounds' p99. */
  p99Ms: number;
  bytesPerResponse: number;
  failures: number;
  /** CPU the server process spent per request (all its threads). */
  serverCpuMicrosPerRequest: number;
  /** CPU redis-server spent per request, for the rows that use Redis. */
  redisCpuMicrosPerRequest: number | undefined;
  seconds: number;
}

/** CPU time the server process has used so far, in microseconds (user + system). */
async function serverCpuMicros(server: RunningServer): Promise<number> {
  const answer = once(server.child, "message");
  server.child.send("cpu");
  const [usage] = (await answer) as [NodeJS.CpuUsage];
  return usage.user + usage.system;
}

/** CPU time redis-server has used so far, in microseconds (INFO cpu). */
function redisCpuMicros(port: number): number {
  const info = execFileSync("redis-cli", ["-p", String(port), "info", "cpu"], { encoding: "utf8" });
  const seconds = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1]);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

async function load(scenario: Scenario, seconds: number): Promise<AutocannonResult> {
  const { body } = scenario;
  return autocannon({
    url: `${scenario.server.url}${scenario.path}`,
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...scenario.headers,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    // autocannon's own idReplacement miscounts Content-Length once its ids grow longer, so
    // bodies that vary are made here instead.
    ...(typeof body === "function"
      ? { requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }] }
      : { body }),
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: seconds,
  });
}

async function measureOnce(scenario: Scenario, seconds: number): Promise<Run> {
  const { redisPort } = scenario;
  const serverBefore = await serverCpuMicros(scenario.server);
  const redisBefore = redisPort === undefined ? 0 : redisCpuMicros(redisPort);
  const result = await load(scenario, seconds);
  return {
    seconds: result.duration,
    // No row expects a redirect today; a 3xx still counts as answered, as it would for a client.
    succeeded: result["2xx"] + result["3xx"],
    answered: result.requests.total,
    bytes: result.throughput.total,
    failures: result["4xx"] + result["5xx"] + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    serverCpuMicros: (await serverCpuMicros(scenario.server)) - serverBefore,
    redisCpuMicros: redisPort === undefined ? undefined : redisCpuMicros(redisPort) - redisBefore,
  };
}

function combine(label: string, runs: readonly Run[]): Measurement {
  const sum = (pick: (run: Run) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const answered = Math.max(
    1,
    sum((run) => run.answered),
  );
  const redisCpu = runs.some((run) => run.redisCpuMicros === undefined)
    ? undefined
    : sum((run) => run.redisCpuMicros ?? 0);
  return {
    label,
    requestsPerSecond: sum((run) => run.succeeded) / sum((run) => run.seconds),
    p50Ms: sum((run) => run.p50Ms) / runs.length,
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
    bytesPerResponse: sum((run) => run.bytes) / answered,
    failures: sum((run) => run.failures),
    serverCpuMicrosPerRequest: sum((run) => run.serverCpuMicros) / answered,
    redisCpuMicrosPerRequest: redisCpu === undefined ? undefined : redisCpu / answered,
    seconds: sum((run) => run.seconds),
  };
}

interface Comparison {
  measurement: Measurement;
  baseline?: Measurement;
  /** Minimum throughput ratio to the baseline, when there is a target. */
  target?: number;
}

const ratioOf = (c: Comparison) =>
  c.baseline && c.baseline.requestsPerSecond > 0
    ? c.measurement.requestsPerSecond / c.baseline.requestsPerSecond
    : undefined;

/** autocannon records latencies in whole milliseconds. */
const milliseconds = (value: number) => (value < 1 ? "< 1" : value.toFixed(0));

function comparisonTable(caption: string, rows: Comparison[]): Table {
  const fixed = (value: number, digits: number) => value.toFixed(digits);
  return {
    caption,
    columns: [
      "route",
      "req/s",
      "p50 ms",
      "p99 ms",
      "bytes/resp",
      "failed",
      "server CPU µs/req",
      "Redis CPU µs/req",
      "× baseline req/s",
      "× baseline p99",
      "target",
    ],
    rows: rows.map((c) => {
      const m = c.measurement;
      const ratio = ratioOf(c);
      return [
        m.label,
        Math.round(m.requestsPerSecond).toLocaleString("en"),
        milliseconds(m.p50Ms),
        milliseconds(m.p99Ms),
        Math.round(m.bytesPerResponse).toLocaleString("en"),
        String(m.failures),
        Math.round(m.serverCpuMicrosPerRequest).toString(),
        m.redisCpuMicrosPerRequest === undefined
          ? "—"
          : Math.round(m.redisCpuMicrosPerRequest).toString(),
        ratio === undefined ? "—" : `${fixed(ratio, 2)}×`,
        c.baseline ? `${fixed(m.p99Ms / Math.max(1, c.baseline.p99Ms), 2)}×` : "—",
        c.target === undefined || ratio === undefined
          ? "info"
          : `≥ ${c.target}×: ${ratio >= c.target ? "met" : "MISSED"}`,
      ];
    }),
  };
}

function targetChecks(rows: Comparison[]): TargetCheck[] {
  return rows.flatMap((c) => {
    const ratio = ratioOf(c);
    if (c.target === undefined || ratio === undefined || !c.baseline) return [];
    return [
      {
        what: `${c.measurement.label} vs ${c.baseline.label} (req/s)`,
        value: `${ratio.toFixed(2)}×`,
        target: `≥ ${c.target}×`,
        met: ratio >= c.target,
      },
    ];
  });
}

interface Step extends Scenario {
  /** Label of the baseline step (in the same group) to compare with. */
  versus?: string;
  /** Minimum throughput ratio to `versus`. */
  target?: number;
}

/**
 * Measures a group of steps (a baseline and what is compared with it) in interleaved rounds:
 * every step warms up for WARMUP_SECONDS, then each round runs every step in turn for
 * seconds / ROUNDS. Load from elsewhere on the machine that comes and goes then hits the
 * baseline and the service alike, instead of whichever happened to run at that moment.
 */
async function runGroup(steps: readonly Step[], seconds: number): Promise<Comparison[]> {
  for (const step of steps) {
    process.stderr.write(`bench:   ${step.label}\n`);
    await load(step, WARMUP_SECONDS);
  }
  const runs = steps.map((): Run[] => []);
  for (let round = 0; round < ROUNDS; round++)
    for (const [i, step] of steps.entries())
      runs[i]?.push(await measureOnce(step, seconds / ROUNDS));
  const measured = steps.map((step, i) => ({
    step,
    measurement: combine(step.label, runs[i] ?? []),
  }));
  return measured.map(({ step, measurement }) => {
    const baseline = measured.find((m) => m.step.label === step.versus)?.measurement;
    if (step.versus !== undefined && baseline === undefined)
      throw new Error(`no step "${step.versus}" in this group`);
    return { measurement, baseline, target: step.target };
  });
}

function setAppendFsync(port: number, policy: "always" | "everysec"): void {
  execFileSync("redis-cli", ["-p", String(port), "config", "set", "appendfsync", policy]);
}

export async function run(): Promise<BenchSection> {
  const state = typicalState();
  const stateBytes = Buffer.byteLength(JSON.stringify(state));
  const stateBody = JSON.stringify({ state });
  // The same state with a different title in every request, so every POST creates a link.
  const marker = "{{count}}";
  const [bodyHead, bodyTail, ...extra] = JSON.stringify({
    state: { ...state, title: `${String(state.title)} #${marker}` },
  }).split(marker);
  if (bodyHead === undefined || bodyTail === undefined || extra.length > 0)
    throw new Error(`the state must not contain ${marker}`);
  let posts = 0;
  const newBody = () => `${bodyHead}${++posts}${bodyTail}`;

  const redis = await startRedisServer();
  const dataDirs = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), "nglaunch-bench-")));
  const [redisDataDir = "", sqliteDataDir = ""] = dataDirs;
  const servers: RunningServer[] = [];
  try {
    const start = async (spec: ServerSpec, name: string) => {
      const server = await startServer(spec, name);
      servers.push(server);
      return server;
    };
    const service = await start(
      { kind: "service", redisUrl: redis.url, dataDir: redisDataDir },
      "service-redis",
    );
    const baseline = await start({ kind: "baseline", redisUrl: redis.url }, "baseline");
    const embedded = await start({ kind: "service", dataDir: sqliteDataDir }, "service-sqlite");
    await Promise.all([waitUntilReady(service.url), waitUntilReady(embedded.url)]);

    // One stored link per server, all with the same state: the reads then carry the same bytes.
    const { id: redisLinkId } = await postJson(`${service.url}/api/links`, { state });
    const { id: sqliteLinkId } = await postJson(`${embedded.url}/api/links`, { state });
    const { id: redisKey } = await postJson(`${baseline.url}/baseline/set`, state);
    const { id: memoryKey } = await postJson(`${baseline.url}/baseline/memory`, state);

    const redisPort = redis.port;
    const reads: Step[] = [
      { label: "baseline: Redis GET", server: baseline, path: `/baseline/get/${redisKey}` },
      ...[
        { label: "GET /api/links/:id", path: `/api/links/${redisLinkId}` },
        {
          label: "GET /s/:id (browser: HTML page)",
          path: `/s/${redisLinkId}`,
          headers: BROWSER_HEADERS,
        },
        {
          label: "GET /s/:id (JSON client: stored state)",
          path: `/s/${redisLinkId}`,
          headers: { accept: "application/json" },
        },
      ].map((step) => ({
        ...step,
        server: service,
        versus: "baseline: Redis GET",
        target: READ_TARGET,
      })),
    ];
    const writes = (suffix: string, target: number | undefined): Step[] => [
      {
        label: `baseline: Redis SET NX${suffix}`,
        server: baseline,
        path: "/baseline/set",
        body: newBody,
      },
      {
        label: `POST /api/links (new state)${suffix}`,
        server: service,
        path: "/api/links",
        body: newBody,
        versus: `baseline: Redis SET NX${suffix}`,
        target,
      },
    ];
    const redisRows = [
      ...(await runGroup(
        reads.map((step) => ({ ...step, redisPort })),
        SECONDS,
      )),
      ...(await runGroup(
        [
          ...writes("", undefined),
          {
            label: "POST /api/links (same state)",
            server: service,
            path: "/api/links",
            body: stateBody,
            versus: "baseline: Redis SET NX",
          },
        ].map((step) => ({ ...step, redisPort })),
        SECONDS,
      )),
    ];
    // The write target (issue 14 §5) is on a Redis without an fsync per write: with one, both
    // sides mostly wait for the disk. everysec is not what nglaunch deploys (docker-compose.yml
    // runs appendfsync always, since everysec can lose acknowledged links), but it shows the
    // service's own cost per request against a bare SET.
    setAppendFsync(redisPort, "everysec");
    redisRows.push(
      ...(await runGroup(
        writes(" (everysec)", WRITE_TARGET).map((step) => ({ ...step, redisPort })),
        SECONDS,
      )),
    );

    const sqliteRows = [
      ...(await runGroup(
        [
          { label: "baseline: Map get", server: baseline, path: `/baseline/memory/${memoryKey}` },
          ...[
            { label: "GET /api/links/:id", path: `/api/links/${sqliteLinkId}` },
            {
              label: "GET /s/:id (browser: HTML page)",
              path: `/s/${sqliteLinkId}`,
              headers: BROWSER_HEADERS,
            },
          ].map((step) => ({ ...step, server: embedded, versus: "baseline: Map get" })),
        ],
        INFO_SECONDS,
      )),
      ...(await runGroup(
        [
          { label: "baseline: Map set", server: baseline, path: "/baseline/memory", body: newBody },
          ...[
            { label: "POST /api/links (new state)", body: newBody },
            { label: "POST /api/links (same state)", body: stateBody },
          ].map((step) => ({
            ...step,
            server: embedded,
            path: "/api/links",
            versus: "baseline: Map set",
          })),
        ],
        INFO_SECONDS,
      )),
    ];

    return {
      title: "Short links over HTTP (issue 3)",
      method: [
        "autocannon in the benchmark process; each server in a child process of its own (bench/servers.ts, same tsx loader), all on 127.0.0.1; one redis-server (test/helpers/redis-server.ts: AOF, appendfsync always, then everysec for the rows marked so) shared by the service and the baseline",
        `${CONNECTIONS} connections, pipelining ${PIPELINING}; per row ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured (${INFO_SECONDS} s for the embedded-store rows) in ${ROUNDS} rounds that alternate with the rows it is compared with; req/s counts 2xx and 3xx answers; p50 is the mean of the rounds', p99 the worst; no Accept-Encoding, so nothing is compressed`,
        "CPU µs/req: process.cpuUsage() of the server process and INFO cpu of redis-server over the measured rounds, divided by the answers: less sensitive to other load on the machine than req/s",
        `payload: layers raw + dense_seg + pre_mask_dense_seg (two with shaders), 50 segment IDs, colours, position and title, built by the state builder: ${stateBytes} bytes of state JSON; POST bodies {"state": ...}; "new state" POSTs get a fresh title each (a counter, in autocannon's setupRequest), "same state" POSTs repeat the stored one`,
        "service: buildApp(makeConfig({redisUrl | dataDir, rateLimitMax: 0}), {logger: false}), everything else default; baseline: bare fastify (default JSON parser, no schemas or plugins) with a createRedisClient client, one GET, or one SET key value NX of the posted body under a new nanoid",
      ],
      tables: [
        comparisonTable("Redis store (each service row vs the baseline row above it)", redisRows),
        comparisonTable(
          "Embedded SQLite store, for information (vs an in-memory Map in the same bare fastify)",
          sqliteRows,
        ),
      ],
      targets: targetChecks(redisRows),
      notes: [
        "Reads of a link are served from the service's in-process LRU cache (links are immutable, so this is always correct), not from Redis; that is legitimate, and why they could beat the one-GET baseline.",
        "A new link costs one Redis round trip on standalone Redis (an atomic script: look up the content digest, SET the link NX, SET the digest), besides validation, canonical JSON, SHA-256 and the long URL of the answer; the baseline sends one SET. With appendfsync always, Redis fsyncs before answering each write batch. A re-post of the same state runs the script, which finds the digest, then reads that link from Redis (the store's GET, not the read cache: creates do not fill it).",
        "bytes/resp: the service's answers carry about 870 bytes of headers the bare baseline does not send (CSP and the other security headers, x-request-id, cache-control, CORS).",
        "The machine has 2 cores: the server under test, autocannon and redis-server share them, alike for the service and the baseline, and other work on the machine (see the load average in the header) moves req/s from run to run; the CPU µs/req columns are the steadier comparison.",
      ],
      data: {
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        warmupSeconds: WARMUP_SECONDS,
        stateBytes,
        redis: redisRows.map((c) => ({ ...c, ratio: ratioOf(c) })),
        sqlite: sqliteRows.map((c) => ({ ...c, ratio: ratioOf(c) })),
      },
    };
  } finally {
    await Promise.all(servers.map(stopServer));
    await redis.dispose();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}
