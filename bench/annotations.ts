// Benchmark (issue 10): annotation layers at 10,000 and 50,000 points. For each size, the body a
// user sends (a CSV table), the state stored, the time POST /api/links takes, and the time from
// navigation to Neuroglancer reporting the short link's data loaded and drawn, in Chromium with
// software WebGL on the fixture data. The baseline is the same link without annotations.

import path from "node:path";
import request from "supertest";
import { makeFixtures } from "../scripts/make-fixtures.js";
import { packageRoot } from "../src/config.js";
import { MAX_ANNOTATION_ITEMS } from "../src/domain/annotations.js";
import { startServedApp } from "../test/helpers/app.js";
import {
  BROWSER_MISSING_REASON,
  browserAvailable,
  launchBrowser,
  listProblems,
  SLICE,
  waitForViewerReady,
  watchPage,
} from "../test/helpers/browser.js";
import { startFixtureServer } from "../test/helpers/fixture-server.js";
import type { BenchSection } from "./run.js";

const SIZES = [0, 10_000, MAX_ANNOTATION_ITEMS];
const RUNS = Number(process.env.BENCH_ANNOTATION_RUNS ?? 3);
const PLANE_NM = (SLICE + 0.5) * 80;
const DEFAULT_MAX_STATE_BYTES = 8 * 1024 * 1024;
const LOAD_TIMEOUT_MS = Number(process.env.BENCH_ANNOTATION_TIMEOUT_MS ?? 600_000);

/** A table as pandas writes it: points over the fixture volume, a cell each, a score. */
function table(count: number): string {
  const rows = ["x,y,z,segment_id,description,score"];
  for (let i = 0; i < count; i++) {
    const x = ((i * 7919) % 2240) + 0.5;
    const y = ((i * 104729) % 2240) + 0.5;
    rows.push(`${x},${y},${PLANE_NM},${10n ** 18n + BigInt(i)},synapse ${i},${(i % 1000) / 10}`);
  }
  return `${rows.join("\n")}\n`;
}

const median = (values: number[]) => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const ms = (value: number) =>
  Number.isFinite(value) ? `${value.toFixed(0)} ms` : `> ${LOAD_TIMEOUT_MS / 1000} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export async function run(): Promise<BenchSection> {
  if (!browserAvailable()) throw new Error(BROWSER_MISSING_REASON);
  const fixtureDir = path.join(packageRoot, "test-output", "fixtures");
  await makeFixtures(fixtureDir);
  const fixtures = await startFixtureServer(fixtureDir);
  // Load shedding off: the benchmark measures the work, one request at a time.
  const served = await startServedApp({
    sourceRoots: { "e11-prism": `${fixtures.url}/` },
    maxEventLoopDelayMs: 0,
  });
  const browser = await launchBrowser();
  const rows: string[][] = [];
  const data: Record<string, unknown>[] = [];
  let baselineLoad = Number.NaN;
  let fits = true;
  try {
    for (const size of SIZES) {
      const body: Record<string, unknown> = {
        dataset: "e11-prism",
        view: "overview",
        layout: "xy",
        position: [1120, 1120, PLANE_NM],
        zoom: 3.5,
      };
      if (size > 0) body.annotations = [{ name: "synapses", table: table(size), colorBy: "score" }];
      const bodyBytes = Buffer.byteLength(JSON.stringify(body));
      const creates: number[] = [];
      let shortUrl = "";
      let stateBytes = 0;
      for (let i = 0; i < RUNS; i++) {
        // A new title each run: the same content would be found, not stored again.
        const started = performance.now();
        const created = await request(served.app.server)
          .post("/api/links")
          .send({ ...body, title: `bench ${size} ${i}` });
        creates.push(performance.now() - started);
        if (created.status !== 201)
          throw new Error(`POST /api/links answered ${created.status}: ${created.text}`);
        shortUrl = created.body.shortUrl;
        const stored = await request(served.app.server).get(`/api/links/${created.body.id}`);
        stateBytes = Buffer.byteLength(stored.text);
      }
      if (stateBytes > DEFAULT_MAX_STATE_BYTES) fits = false;
      const loads: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const context = await browser.newContext({ viewport: { width: 1000, height: 1000 } });
        try {
          const page = await context.newPage();
          const problems = watchPage(page);
          const started = performance.now();
          await page.goto(shortUrl);
          try {
            await waitForViewerReady(page, {
              minLayers: size > 0 ? 3 : 2,
              problems,
              timeoutMs: LOAD_TIMEOUT_MS,
            });
            loads.push(performance.now() - started);
          } catch (error) {
            // A load that never finishes is a figure too (reported as "> timeout"), unless the
            // page had a problem: that is a failure of the benchmark.
            if (listProblems(problems).length > 0) throw error;
            loads.push(Number.POSITIVE_INFINITY);
          }
        } finally {
          await context.close();
        }
      }
      const load = median(loads);
      process.stderr.write(
        `annotations: ${size} points, viewer ready in ${loads.map(ms).join(", ")}\n`,
      );
      if (size === 0) baselineLoad = load;
      rows.push([
        size === 0 ? "none (baseline)" : size.toLocaleString("en"),
        mb(bodyBytes),
        mb(stateBytes),
        ms(median(creates)),
        ms(load),
        size === 0
          ? "1.00×"
          : Number.isFinite(load)
            ? `${(load / baselineLoad).toFixed(2)}×`
            : "n/a",
      ]);
      data.push({ size, bodyBytes, stateBytes, createMs: creates, loadMs: loads });
    }
  } finally {
    await browser.close();
    await served.close();
    await fixtures.close();
  }
  const largest = data.at(-1) as { stateBytes: number; loadMs: number[] };
  return {
    title: "Annotations: state size and viewer load time (issue 10)",
    method: [
      "A CSV table of points (x, y, z in nm, a uint64 segment ID, a description, a score) sent to POST /api/links as one annotation layer coloured by score, over the overview view of the fixture data.",
      `Median of ${RUNS} runs: the create time over HTTP (in-process supertest, embedded store), and the time from navigation to Neuroglancer reporting every layer ready, in Chromium with software WebGL (SwiftShader), a fresh context each run.`,
      "Baseline: the same link without annotations, in the same run.",
    ],
    tables: [
      {
        columns: ["points", "body", "stored state", "create", "viewer ready", "vs baseline"],
        rows,
      },
    ],
    targets: [
      {
        what: `a link holds ${MAX_ANNOTATION_ITEMS.toLocaleString("en")} points under the default MAX_STATE_BYTES`,
        value: mb(largest.stateBytes),
        target: `≤ ${mb(DEFAULT_MAX_STATE_BYTES)}`,
        met: fits,
      },
    ],
    notes: [
      "The create time is mostly building, validating and hashing the state on one core; it holds the event loop, so large annotation requests count against MAX_EVENT_LOOP_DELAY_MS load shedding.",
    ],
    data,
  };
}
