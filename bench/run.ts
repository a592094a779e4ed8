// Runs the benchmarks one after another and reports them: markdown on stdout, and
// test-output/bench/report.json + report.md. Exits non-zero only when a benchmark crashes; a
// missed target is reported as MISSED, not turned into a failure.
// Usage: npm run bench [-- <id> ...]   (ids below; default: all)
// BENCH_SECONDS=<n> shortens the HTTP runs for a trial; BENCH_CPU_PROF=1 profiles the servers.

import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../src/config.js";

/** One figure checked against its target. */
export interface TargetCheck {
  what: string;
  /** Formatted value, e.g. "23.4 ms" or "0.91×". */
  value: string;
  /** Formatted target, e.g. "< 50 ms" or "≥ 0.8×". */
  target: string;
  met: boolean;
}

export interface Table {
  caption?: string;
  columns: string[];
  /** Cells already formatted. */
  rows: string[][];
}

/** What a benchmark module hands back: readable parts for the report, raw figures for JSON. */
export interface BenchSection {
  title: string;
  /** How it was measured, one point per line. */
  method: string[];
  tables: Table[];
  targets: TargetCheck[];
  notes: string[];
  /** Raw figures, written to report.json as they are. */
  data: unknown;
}

export interface BenchModule {
  run(): Promise<BenchSection>;
}

/**
 * The benchmarks, in the order they run. Each module exports `run(): Promise<BenchSection>` and
 * imports only types from this file; add a new one here.
 */
const benchmarks: { id: string; load: () => Promise<BenchModule> }[] = [
  { id: "state-build", load: () => import("./state-build.js") },
  { id: "links", load: () => import("./links.js") },
  { id: "burst", load: () => import("./burst.js") },
  { id: "stall", load: () => import("./stall.js") },
  { id: "viewer", load: () => import("./viewer.js") },
  { id: "annotations", load: () => import("./annotations.js") },
  { id: "previews", load: () => import("./previews.js") },
];

const outputDir = path.join(packageRoot, "test-output", "bench");

interface Outcome {
  id: string;
  seconds: number;
  section?: BenchSection;
  error?: string;
}

function markdownTable(table: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const lines = [
    line(table.columns),
    line(table.columns.map(() => "---")),
    ...table.rows.map(line),
  ];
  return `${table.caption ? `${table.caption}\n\n` : ""}${lines.join("\n")}`;
}

function targetLabel(check: TargetCheck): string {
  return `${check.met ? "met" : "MISSED"} (${check.value}, target ${check.target})`;
}

function renderOutcome(outcome: Outcome): string {
  const { section } = outcome;
  if (!section)
    return `## ${outcome.id}\n\nCRASHED after ${outcome.seconds.toFixed(1)} s:\n\n\`\`\`\n${outcome.error}\n\`\`\``;
  const parts = [`## ${section.title}`];
  if (section.method.length > 0)
    parts.push(`Method:\n${section.method.map((line) => `- ${line}`).join("\n")}`);
  parts.push(...section.tables.map(markdownTable));
  if (section.targets.length > 0)
    parts.push(
      `Targets:\n${section.targets.map((check) => `- ${check.what}: ${targetLabel(check)}`).join("\n")}`,
    );
  if (section.notes.length > 0)
    parts.push(`Notes:\n${section.notes.map((line) => `- ${line}`).join("\n")}`);
  parts.push(`_(${outcome.seconds.toFixed(1)} s)_`);
  return parts.join("\n\n");
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    /** 1-minute load average when the run started: other work competing for the cores. */
    loadAverage: Number((os.loadavg()[0] ?? 0).toFixed(2)),
  };
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !benchmarks.some((b) => b.id === id));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown benchmark(s): ${unknown.join(", ")}; known: ${benchmarks.map((b) => b.id).join(", ")}\n`,
    );
    return 2;
  }
  const selected = wanted.length > 0 ? benchmarks.filter((b) => wanted.includes(b.id)) : benchmarks;
  const host = machine();
  const startedAt = new Date().toISOString();
  const header = [
    "# nglaunch benchmarks",
    `${startedAt} · Node ${host.node} · ${host.cpus} × ${host.cpuModel} · ${host.memoryGiB} GiB · ${host.platform} · load average ${host.loadAverage} at start`,
  ].join("\n\n");
  process.stdout.write(`${header}\n\n`);

  const outcomes: Outcome[] = [];
  for (const benchmark of selected) {
    process.stderr.write(`bench: ${benchmark.id} ...\n`);
    const started = performance.now();
    let outcome: Outcome;
    try {
      const section = await (await benchmark.load()).run();
      outcome = { id: benchmark.id, seconds: (performance.now() - started) / 1000, section };
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      outcome = { id: benchmark.id, seconds: (performance.now() - started) / 1000, error: message };
    }
    outcomes.push(outcome);
    process.stdout.write(`${renderOutcome(outcome)}\n\n`);
  }

  const checks = outcomes.flatMap((o) => o.section?.targets ?? []);
  const missed = checks.filter((check) => !check.met);
  const crashed = outcomes.filter((o) => o.error !== undefined);
  const summary = [
    "## Summary",
    `${checks.length - missed.length} of ${checks.length} targets met` +
      (missed.length > 0 ? `; MISSED: ${missed.map((c) => c.what).join("; ")}` : "") +
      (crashed.length > 0 ? `; CRASHED: ${crashed.map((o) => o.id).join(", ")}` : ""),
  ].join("\n\n");
  process.stdout.write(`${summary}\n`);

  mkdirSync(outputDir, { recursive: true });
  const markdown = [header, ...outcomes.map(renderOutcome), summary].join("\n\n");
  writeFileSync(path.join(outputDir, "report.md"), `${markdown}\n`);
  writeFileSync(
    path.join(outputDir, "report.json"),
    `${JSON.stringify({ startedAt, machine: host, benchmarks: outcomes }, null, 2)}\n`,
  );
  process.stderr.write(
    `bench: wrote ${path.relative(process.cwd(), outputDir)}/report.{md,json}\n`,
  );
  return crashed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
