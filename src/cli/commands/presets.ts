// `nglaunch presets list | verify`: shows the preset catalogue, and checks every layer preset
// against the data it points at (CORS, info, one chunk, contrast), exit 1 on any problem;
// `verify --record` writes what it confirmed into the preset files.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { recordVerification } from "../../domain/preset-record.js";
import { summariseDataset } from "../../domain/preset-summary.js";
import { layerVerification } from "../../domain/preset-verification.js";
import {
  FAILING_STATUSES,
  FAILURE_STATUSES,
  VERIFY_DEFAULTS,
  type VerifyRow,
  type VerifyStatus,
  verifyDatasets,
} from "../../domain/preset-verify.js";
import type { Catalogue, Dataset } from "../../domain/presets.js";
import {
  CATALOGUE_HELP,
  type CliIo,
  catalogueFrom,
  catalogueOptions,
  configFrom,
  EXIT,
  formatTable,
  parseCommand,
  UsageError,
} from "../io.js";

export const PRESETS_HELP = `Usage: nglaunch presets <list | verify> [options]

Commands:
  list     Datasets, their views and layer presets with what each layer is expected to hold
  verify   Fetch every layer's info file and compare it with the preset's expectations

Run "nglaunch presets <command> --help" for the options.
`;

export const LIST_HELP = `Usage: nglaunch presets list [--dataset ID] [--json]

Lists each dataset's views and layer presets. A '*' marks an expectation that is assumed
rather than documented by the data's authors ("nglaunch presets verify" checks them).

Options:
  --dataset ID               Only this dataset
  --json                     Print the catalogue as GET /api/presets does
${CATALOGUE_HELP}
  -h, --help                 Show this help
`;

export const VERIFY_HELP = `Usage: nglaunch presets verify [--dataset ID] [--layer ID] [--record] [options]

Answers "will this view draw?" for every layer preset (s3:// and gs:// data roots are read
through their HTTPS endpoints, as the viewer reads them):
  - CORS: the info file and the chunk are requested with Origin = PUBLIC_URL's origin and the
    answer must allow it (Access-Control-Allow-Origin "*" or that origin);
  - info: type, data_type and num_channels against the preset's expectations;
  - chunk: one chunk of the coarsest scale (the middle one) is fetched, unsharded or through
    the shard index as the info says, and checked for size and encoding;
  - contrast (image layers): the chunk's values per channel against the range each invlerp
    shader control draws with, flagging ranges that draw black or saturated.
A report per layer follows: voxel size, bounds, scales, encoding, sharding, and whether
meshes, skeletons or segment properties exist. Progress goes to stderr, tables to stdout.

Statuses: ok; unreachable (network error, timeout or HTTP error on the info file); invalid
(the info file is not valid precomputed); cors (browsers on PUBLIC_URL may not read it);
mismatch (a field differs: expected, found, and the expectation's basis); chunk (missing,
wrong size or wrong encoding); contrast (a range draws black or saturated); skipped (a format
other than precomputed).

--record writes what was confirmed into the preset files: each confirmed expectation becomes
"basis": "verified" with today's date and a digest of the info read; mismatches are left as
they are and reported; image layers get per-channel contrast ranges (0.5th-99.5th percentile
of the sampled chunk) unless their contrast is documented. Review the diff and commit it.

Options:
  --dataset ID               Only this dataset
  --layer ID                 Only this layer preset; repeatable
  --record                   Write confirmed expectations and contrast into the preset files
  --timeout SECONDS          Per request (default ${VERIFY_DEFAULTS.timeoutMs / 1000})
  --concurrency N            Layers checked at once (default ${VERIFY_DEFAULTS.concurrency})
  --json                     Print the result rows as JSON
${CATALOGUE_HELP}
  -h, --help                 Show this help

Settings: PUBLIC_URL (the Origin sent), PRESETS_DIR, SOURCE_ROOTS.

Exit status: 0 every layer ok or skipped, 1 any other status, 2 usage error.
`;

function selectDatasets(catalogue: Catalogue, id: string | undefined): Dataset[] {
  if (id === undefined) return [...catalogue.datasets.values()];
  const dataset = catalogue.datasets.get(id);
  if (!dataset)
    throw new UsageError(
      `unknown dataset "${id}"; known: ${[...catalogue.datasets.keys()].join(", ")}`,
    );
  return [dataset];
}

function positiveNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new UsageError(`${flag} expects a positive number, got "${text}"`);
  return value;
}

function formatDataset(dataset: Dataset, publicUrl: string): string {
  const summary = summariseDataset(dataset, publicUrl);
  const mark = (value: string | number, basis: string) =>
    `${value}${basis === "assumed" ? "*" : ""}`;
  const views = formatTable(
    ["VIEW", "LAYOUT", "SEGMENTS GO TO", "LAYERS"],
    summary.views.map((view) => [
      view.id,
      view.layout,
      view.segmentLayer ?? "-",
      view.layers.join(", "),
    ]),
  );
  const layers = formatTable(
    ["LAYER", "TYPE", "DATA TYPE", "CHANNELS", "SOURCE"],
    summary.layers.map((layer) => [
      layer.id,
      mark(layer.expects.layerType.value, layer.expects.layerType.basis),
      mark(layer.expects.dataType.value, layer.expects.dataType.basis),
      mark(layer.expects.numChannels.value, layer.expects.numChannels.basis),
      layer.source,
    ]),
  );
  const indent = (text: string) => text.replace(/^(?=.)/gm, "  ");
  return [
    `${summary.id}: ${summary.title}\n`,
    `  data root: ${summary.dataRoot}\n`,
    `  licence:   ${summary.license.name}; ${summary.license.attribution}\n\n`,
    indent(views),
    "\n",
    indent(layers),
  ].join("");
}

async function listCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "presets list",
    help: LIST_HELP,
    options: { dataset: { type: "string" }, json: { type: "boolean" }, ...catalogueOptions },
  });
  if (args === null) return EXIT.ok;
  const { values } = args;
  const datasets = selectDatasets(catalogueFrom(io, values), values.dataset);
  const { publicUrl } = configFrom(io);
  if (values.json) {
    const summaries = datasets.map((dataset) => summariseDataset(dataset, publicUrl));
    io.stdout.write(`${JSON.stringify({ datasets: summaries }, null, 2)}\n`);
  } else {
    io.stdout.write(datasets.map((dataset) => formatDataset(dataset, publicUrl)).join("\n"));
    io.stdout.write("\n* assumed, not documented by the data's authors\n");
  }
  return EXIT.ok;
}

const STATUS_ORDER: readonly VerifyStatus[] = ["ok", ...FAILURE_STATUSES, "skipped"];

const nm = (v: readonly number[]) => v.map((n) => String(n)).join(" x ");

/** One line on what the sampled chunk held: value ranges or segment count. */
function sampleOf(row: VerifyRow): string {
  if (row.segmentIds !== undefined) return `${row.segmentIds} segment IDs`;
  if (row.channels && row.channels.length > 0) {
    const lo = Math.min(...row.channels.map((c) => c.min));
    const hi = Math.max(...row.channels.map((c) => c.max));
    const bad = (row.contrast ?? []).filter(
      (c) => c.verdict === "black" || c.verdict === "saturated",
    );
    return `values ${lo}-${hi}${bad.length > 0 ? `; ${bad.map((c) => `${c.control} ${c.verdict}`).join(", ")}` : ""}`;
  }
  return row.details.find((d) => d.kind === "note")?.message ?? "-";
}

function formatReport(rows: readonly VerifyRow[], datasets: readonly Dataset[]): string {
  const reported = rows.filter((row) => row.report);
  if (reported.length === 0) return "";
  const layerOf = (row: VerifyRow) => datasets.find((d) => d.id === row.dataset)?.layers[row.layer];
  const table = formatTable(
    ["LAYER", "VOXEL NM", "BOUNDS", "SCALES", "ENCODING", "3D", "SAMPLED CHUNK", "PRESET"],
    reported.map((row) => {
      const r = row.report as NonNullable<VerifyRow["report"]>;
      const extras = [
        r.mesh && "mesh",
        r.skeletons && "skeletons",
        r.segmentProperties && "properties",
      ]
        .filter(Boolean)
        .join("+");
      const layer = layerOf(row);
      return [
        row.layer,
        nm(r.voxelSize),
        `${nm(r.bounds.offset)} + ${nm(r.bounds.size)}`,
        String(r.scales),
        `${r.encodings.join(",")}${r.sharded ? " sharded" : ""}`,
        r.type === "segmentation" ? extras || "none" : "-",
        sampleOf(row),
        layer ? layerVerification(layer).label : "-",
      ];
    }),
  );
  return `\nWhat the data holds (3D: meshes, skeletons, segment properties):\n${table}`;
}

function formatVerifyTable(rows: readonly VerifyRow[], datasets: readonly Dataset[]): string {
  const table = formatTable(
    ["DATASET", "LAYER", "STATUS", "DETAILS"],
    rows.map((row) => [
      row.dataset,
      row.layer,
      row.status,
      row.details
        .filter((detail) => detail.kind !== "note" || row.status !== "ok")
        .map((detail) => detail.message)
        .join("; "),
    ]),
  );
  const problems = rows
    .filter((row) => row.status !== "ok")
    .map((row) => `  ${row.dataset}/${row.layer}: ${row.failedUrl ?? row.url}\n`)
    .join("");
  const summary = STATUS_ORDER.map(
    (status) => [status, rows.filter((row) => row.status === status).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  return `${table}\n${rows.length} layers: ${summary}\n${problems ? `\nURLs of the layers not ok:\n${problems}` : ""}${formatReport(rows, datasets)}`;
}

/** Writes the file through a temporary sibling and a rename: never half a preset file. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function recordRows(rows: readonly VerifyRow[], datasets: readonly Dataset[], io: CliIo): void {
  const date = new Date().toISOString().slice(0, 10);
  for (const dataset of datasets) {
    const before = readFileSync(dataset.file, "utf8");
    let result: ReturnType<typeof recordVerification>;
    try {
      result = recordVerification(dataset.file, before, rows, date);
    } catch (error) {
      io.stderr.write(`not recorded: ${(error as Error).message}\n`);
      continue;
    }
    const count = (kind: string) => result.changes.filter((c) => c.kind === kind).length;
    for (const change of result.changes.filter((c) => c.kind === "left"))
      io.stdout.write(`  ${dataset.id}/${change.layer}: ${change.message}\n`);
    if (result.text === before) {
      io.stdout.write(`\n${dataset.file}: nothing new to record\n`);
      continue;
    }
    writeAtomically(dataset.file, result.text);
    io.stdout.write(
      `\nRecorded in ${dataset.file}: ${count("verified")} expectations verified, ${count("left")} left as they were, contrast for ${count("contrast")} layers. Review the diff and commit it.\n`,
    );
  }
}

async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "presets verify",
    help: VERIFY_HELP,
    options: {
      dataset: { type: "string" },
      layer: { type: "string", multiple: true },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      record: { type: "boolean" },
      ...catalogueOptions,
    },
  });
  if (args === null) return EXIT.ok;
  const { values } = args;
  const timeoutMs =
    positiveNumber("--timeout", values.timeout, VERIFY_DEFAULTS.timeoutMs / 1000) * 1000;
  const concurrency = Math.ceil(
    positiveNumber("--concurrency", values.concurrency, VERIFY_DEFAULTS.concurrency),
  );
  const datasets = selectDatasets(catalogueFrom(io, values), values.dataset);
  const layers = values.layer;
  for (const layer of layers ?? []) {
    if (!datasets.some((dataset) => Object.hasOwn(dataset.layers, layer)))
      throw new UsageError(`no dataset has a layer preset "${layer}"`);
  }

  const rows = await verifyDatasets(datasets, {
    fetch: io.fetch,
    publicUrl: configFrom(io).publicUrl,
    timeoutMs,
    concurrency,
    layers,
    onResult: (row, done, total) => {
      if (total > 1)
        io.stderr.write(`[${done}/${total}] ${row.dataset}/${row.layer} ${row.status}\n`);
    },
  });
  io.stdout.write(
    values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatVerifyTable(rows, datasets),
  );
  if (values.record) recordRows(rows, datasets, values.json ? { ...io, stdout: io.stderr } : io);
  return rows.some((row) => FAILING_STATUSES.has(row.status)) ? EXIT.failed : EXIT.ok;
}

export async function presetsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "list") return listCommand(rest, io);
  if (sub === "verify") return verifyCommand(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io[sub === undefined ? "stderr" : "stdout"].write(PRESETS_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown presets command "${sub}"; use list or verify`);
}
