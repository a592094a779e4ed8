// `nglaunch presets list | verify`: shows the preset catalogue, and checks every layer preset
// against the data it points at (type, data type, channel count), exit 1 on any problem.

import { summariseDataset } from "../../domain/preset-summary.js";
import {
  FAILING_STATUSES,
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

export const VERIFY_HELP = `Usage: nglaunch presets verify [--dataset ID] [--layer ID] [options]

Fetches the precomputed "info" file of every layer preset (s3:// and gs:// roots through
their HTTPS endpoints) and compares its type, data_type and num_channels with the preset.
Progress goes to stderr, the table to stdout.

Statuses: ok; mismatch (a field differs: expected, found, and whether the expectation
was documented or assumed); unreachable (network error, timeout or HTTP error);
invalid (the info file is not JSON); skipped (a format other than precomputed).

Options:
  --dataset ID               Only this dataset
  --layer ID                 Only this layer preset; repeatable
  --timeout SECONDS          Per request (default ${VERIFY_DEFAULTS.timeoutMs / 1000})
  --concurrency N            Requests at once (default ${VERIFY_DEFAULTS.concurrency})
  --json                     Print the result rows as JSON
${CATALOGUE_HELP}
  -h, --help                 Show this help

Exit status: 0 every layer ok or skipped, 1 any mismatch, unreachable or invalid layer,
2 usage error.
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

const STATUS_ORDER: readonly VerifyStatus[] = [
  "ok",
  "mismatch",
  "unreachable",
  "invalid",
  "skipped",
];

function formatVerifyTable(rows: readonly VerifyRow[]): string {
  const table = formatTable(
    ["DATASET", "LAYER", "STATUS", "DETAILS"],
    rows.map((row) => [
      row.dataset,
      row.layer,
      row.status,
      row.details.map((detail) => detail.message).join("; "),
    ]),
  );
  const problems = rows
    .filter((row) => row.status !== "ok")
    .map((row) => `  ${row.dataset}/${row.layer}: ${row.url}\n`)
    .join("");
  const summary = STATUS_ORDER.map(
    (status) => [status, rows.filter((row) => row.status === status).length] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  return `${table}\n${rows.length} layers: ${summary}\n${problems ? `\nURLs of the layers not ok:\n${problems}` : ""}`;
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
    if (!datasets.some((dataset) => dataset.layers[layer]))
      throw new UsageError(`no dataset has a layer preset "${layer}"`);
  }

  const rows = await verifyDatasets(datasets, {
    fetch: io.fetch,
    timeoutMs,
    concurrency,
    layers,
    onResult: (row, done, total) => {
      if (total > 1)
        io.stderr.write(`[${done}/${total}] ${row.dataset}/${row.layer} ${row.status}\n`);
    },
  });
  io.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatVerifyTable(rows));
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
