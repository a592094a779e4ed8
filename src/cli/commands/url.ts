// `nglaunch url`: builds a Neuroglancer state from the presets, exactly as the service's
// /v/<dataset>/<view> links do, and prints the viewer URL (or, with --json, the state).

import { basename } from "node:path";
import {
  ANNOTATION_TYPES,
  type AnnotationType,
  COORDINATE_UNITS,
  type ColumnNames,
  type CoordinateUnit,
  DEFAULT_COLUMNS,
} from "../../domain/annotation-items.js";
import { stateUrl } from "../../domain/neuroglancer-url.js";
import { parsePosition } from "../../domain/position.js";
import { describeColumn, parseSegmentIds } from "../../domain/segment-list.js";
import {
  BuildError,
  type BuildRequest,
  buildRequestSchema,
  buildStateFromInput,
} from "../../domain/state-builder.js";
import type { StateIssue } from "../../domain/state-schema/index.js";
import {
  CATALOGUE_HELP,
  type CliIo,
  catalogueFrom,
  catalogueOptions,
  configFrom,
  EXIT,
  formatIssues,
  httpBaseArgument,
  parseCommand,
  readStdin,
  readTextFile,
  UsageError,
} from "../io.js";

export const URL_HELP = `Usage: nglaunch url [--dataset ID] (--view ID | --layers A,B) [options]

Prints the Neuroglancer URL of a preset view, built as the service's /v/ links are.

Options:
  --dataset ID               Dataset (default: the only one, when there is one)
  --view ID                  Named view, e.g. overview (see "nglaunch presets list")
  --layers A,B               Layer presets instead of a view
  --segments IDS             Segment IDs for the view's segmentation layer, separated by
                             commas, spaces, '+' or ';'; repeatable
  --segments-file FILE       Read more IDs from FILE ("-" for stdin), by the same rules:
                             a first line starting with a letter is a header and is
                             skipped; when it names several columns (tab, comma or ';'
                             separated), one column is read: --column, else the first
  --column NAME|N            The ID column of --segments-file (header name, or 1-based)
  --position X,Y,Z           View centre, in --unit
  --unit nm|um|m             Unit of --position, --zoom and the annotation coordinates
                             (default nm; annotations take nm or um)
  --zoom N                   Cross-section scale, units per screen pixel
  --layout NAME              xy, xz, yz, 3d, xy-3d, 4panel, ... (default: the view's)
  --title TEXT               Title of the state (shown in the browser tab)
  --viewer URL               Viewer base URL (default: PUBLIC_URL, or http://localhost:8080)
  --json                     Print the state as JSON instead of the URL
${CATALOGUE_HELP}
Annotations (one layer from a table; see README "Annotations"):
  --annotations FILE         CSV, TSV or JSON records ("-" for stdin). Columns: x,y,z
                             (point, ellipsoid), x1,y1,z1,x2,y2,z2 (line, box), rx,ry,rz
                             (ellipsoid radii), optional segment_id (IDs of the cell),
                             description, color (#rrggbb); every other numeric column
                             becomes a property. Bad rows are listed; nothing is dropped.
  --columns ROLE=NAME,...    Other column names, e.g. x=X_nm,y=Y_nm,z=Z_nm,segment_id=cell
                             (roles: x y z x1 y1 z1 x2 y2 z2 rx ry rz segment_id
                             description color)
  --annotation-type TYPE     point (default), line, box or ellipsoid
  --annotation-name NAME     Layer name (default: the file name without extension)
  --annotation-color #RGB    Colour of the layer (#rrggbb)
  --color-by PROPERTY        Colour the annotations by a numeric column
  --size-by PROPERTY         Size points (line widths) by a numeric column
  --filter-by-segmentation   Show only the annotations of selected segments
  Large tables make long URLs: pipe --json into "nglaunch shorten -" for a short link.
  -h, --help                 Show this help

Segment IDs stay decimal strings end to end: IDs up to 18446744073709551615 are exact.

Exit status: 0 printed, 1 the state cannot be built (e.g. a bad segment ID),
2 usage error (unknown flag, dataset, view or layer; bad --unit or --layout;
unreadable file).
`;

/** The IDs of --segments and --segments-file, and their bad IDs, named by flag or file. */
interface Segments {
  ids: string[];
  issues: StateIssue[];
}

async function collectSegments(
  lists: string[],
  file: string | undefined,
  column: string | undefined,
  io: CliIo,
): Promise<Segments> {
  const segments: Segments = { ids: [], issues: [] };
  const add = (origin: string, list: ReturnType<typeof parseSegmentIds>) => {
    segments.ids.push(...list.ids);
    for (const error of list.errors) segments.issues.push({ path: origin, message: error.message });
  };
  for (const text of lists) add("--segments", parseSegmentIds(text));
  if (file === undefined) {
    if (column !== undefined) throw new UsageError("--column needs --segments-file");
    return segments;
  }
  const text = file === "-" ? await readStdin(io) : await readTextFile(file, "--segments-file");
  const list = parseSegmentIds(text, { column });
  // A column that is not there is a usage error; bad IDs in it fail the build (exit 1).
  const unplaced = list.errors.find((error) => error.token === undefined);
  if (unplaced) throw new UsageError(`--segments-file ${file}: ${unplaced.message}`);
  if (list.column && column === undefined)
    io.stderr.write(
      `note: --segments-file ${file}: read ${describeColumn(list.column)}; choose another with --column\n`,
    );
  add(file === "-" ? "stdin" : file, list);
  return segments;
}

function parsePositionArgument(text: string): number[] {
  const position = parsePosition(text);
  if (!position) throw new UsageError(`--position expects three numbers X,Y,Z, got "${text}"`);
  return position;
}

const UNITS: readonly string[] = buildRequestSchema.shape.positionUnit.unwrap().options;

function unitArgument(text: string | undefined): BuildRequest["positionUnit"] {
  if (text === undefined) return undefined;
  if (!UNITS.includes(text))
    throw new UsageError(`--unit must be ${UNITS.join(", ")}; got "${text}"`);
  return text as BuildRequest["positionUnit"];
}

function parseNumberArgument(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value))
    throw new UsageError(`${flag} expects a number, got "${text}"`);
  return value;
}

/** --columns role names are the default column names (segment_id -> segmentId, ...). */
const COLUMN_ROLES = new Map(
  Object.entries(DEFAULT_COLUMNS).map(([key, column]) => [column, key as keyof ColumnNames]),
);

/** --columns x=X_nm,segment_id=cell -> the API's `columns` object. */
function parseColumnsArgument(text: string): Partial<ColumnNames> {
  const columns: Partial<ColumnNames> = {};
  for (const pair of text.split(",")) {
    const [role = "", ...rest] = pair.split("=");
    const name = rest.join("=").trim();
    const key = COLUMN_ROLES.get(role.trim());
    if (key === undefined || name === "")
      throw new UsageError(
        `--columns expects ROLE=NAME pairs with roles ${[...COLUMN_ROLES.keys()].join(", ")}; got "${pair}"`,
      );
    columns[key] = name;
  }
  return columns;
}

interface AnnotationArguments {
  file: string;
  layer: NonNullable<BuildRequest["annotations"]>[number];
}

const ANNOTATION_FLAGS = [
  "columns",
  "annotation-type",
  "annotation-name",
  "annotation-color",
  "color-by",
  "size-by",
  "filter-by-segmentation",
];

/** The annotation layer the flags describe, with the file's text as its table. */
async function annotationLayer(
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): Promise<AnnotationArguments | undefined> {
  const file = values.annotations as string | undefined;
  if (file === undefined) {
    const stray = ANNOTATION_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --annotations FILE`);
    return undefined;
  }
  const type = (values["annotation-type"] as string | undefined) ?? "point";
  if (!(ANNOTATION_TYPES as readonly string[]).includes(type))
    throw new UsageError(`--annotation-type must be one of ${ANNOTATION_TYPES.join(", ")}`);
  const unit = (values.unit as string | undefined) ?? "nm";
  if (!(COORDINATE_UNITS as readonly string[]).includes(unit))
    throw new UsageError(`annotation coordinates are in nm or um; --unit ${unit} is neither`);
  const name =
    (values["annotation-name"] as string | undefined) ??
    (file === "-" ? "annotations" : basename(file).replace(/\.[^.]*$/, "") || "annotations");
  const columns = values.columns as string | undefined;
  const table = file === "-" ? await readStdin(io) : await readTextFile(file, "--annotations");
  return {
    file: file === "-" ? "stdin" : file,
    layer: {
      name,
      type: type as AnnotationType,
      unit: unit as CoordinateUnit,
      table,
      columns: columns === undefined ? undefined : parseColumnsArgument(columns),
      color: values["annotation-color"] as string | undefined,
      colorBy: values["color-by"] as string | undefined,
      sizeBy: values["size-by"] as string | undefined,
      filterBySegmentation: values["filter-by-segmentation"] === true,
    },
  };
}

/** Request fields named as the flags that set them. */
const FLAG_OF: Readonly<Record<string, string>> = {
  dataset: "--dataset",
  view: "--view",
  layers: "--layers",
  segments: "--segments",
  position: "--position",
  positionUnit: "--unit",
  zoom: "--zoom",
  layout: "--layout",
  "state.layout": "--layout",
  title: "--title",
};

/** Rewrites builder paths (positionUnit, layers[1]) into the flags the user typed. */
function describeIssues(
  issues: readonly StateIssue[],
  annotationFile?: string | undefined,
): StateIssue[] {
  return issues.map((issue) => {
    // Table problems already say "row 17, column z"; the file is all the path they need.
    if (annotationFile !== undefined && issue.path.startsWith("annotations[0]")) {
      const rest = issue.path.slice("annotations[0]".length).replace(/^\.table$/, "");
      return { ...issue, path: `${annotationFile}${rest}` };
    }
    const head = /^(state\.)?[A-Za-z]+/.exec(issue.path)?.[0] ?? "";
    const flag = FLAG_OF[head];
    return flag ? { ...issue, path: flag + issue.path.slice(head.length) } : issue;
  });
}

export async function urlCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, io, {
    name: "url",
    help: URL_HELP,
    options: {
      dataset: { type: "string" },
      view: { type: "string" },
      layers: { type: "string" },
      segments: { type: "string", multiple: true },
      "segments-file": { type: "string" },
      column: { type: "string" },
      position: { type: "string" },
      unit: { type: "string" },
      zoom: { type: "string" },
      layout: { type: "string" },
      title: { type: "string" },
      viewer: { type: "string" },
      json: { type: "boolean" },
      annotations: { type: "string" },
      columns: { type: "string" },
      "annotation-type": { type: "string" },
      "annotation-name": { type: "string" },
      "annotation-color": { type: "string" },
      "color-by": { type: "string" },
      "size-by": { type: "string" },
      "filter-by-segmentation": { type: "boolean" },
      ...catalogueOptions,
    },
  });
  if (args === null) return EXIT.ok;
  const { values } = args;
  const catalogue = catalogueFrom(io, values);
  const datasetIds = [...catalogue.datasets.keys()];
  const datasetId = values.dataset ?? (datasetIds.length === 1 ? datasetIds[0] : undefined);
  if (datasetId === undefined)
    throw new UsageError(`give --dataset; known datasets: ${datasetIds.join(", ")}`);
  const dataset = catalogue.datasets.get(datasetId);
  if (dataset && values.view === undefined && values.layers === undefined)
    throw new UsageError(`give --view (${Object.keys(dataset.views).join(", ")}) or --layers`);

  const viewer =
    values.viewer === undefined
      ? configFrom(io).publicUrl
      : httpBaseArgument("--viewer", values.viewer);
  const segments = await collectSegments(
    values.segments ?? [],
    values["segments-file"],
    values.column,
    io,
  );
  const annotations = await annotationLayer(values, io);
  const request: BuildRequest = {
    dataset: datasetId,
    view: values.view,
    layers: values.layers?.split(/[\s,;+]+/).filter(Boolean),
    segments: segments.ids.length > 0 ? segments.ids : undefined,
    position: values.position === undefined ? undefined : parsePositionArgument(values.position),
    positionUnit: unitArgument(values.unit),
    zoom: values.zoom === undefined ? undefined : parseNumberArgument("--zoom", values.zoom),
    layout: values.layout,
    title: values.title,
    annotations: annotations ? [annotations.layer] : undefined,
  };

  if (segments.issues.length > 0) {
    io.stderr.write(`error: cannot build the state:\n${formatIssues("", segments.issues)}`);
    return EXIT.failed;
  }
  let built: ReturnType<typeof buildStateFromInput>;
  try {
    built = buildStateFromInput(catalogue, request);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    const issues = describeIssues(error.issues, annotations?.file);
    // Unknown names and a bad --layout are usage errors (exit 2), like a bad --unit.
    if (error.notFound || issues.some((issue) => issue.path === "--layout"))
      throw new UsageError(issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    io.stderr.write(`error: cannot build the state:\n${formatIssues("", issues)}`);
    return EXIT.failed;
  }
  if (built.warnings.length > 0)
    io.stderr.write(formatIssues("warning  ", describeIssues(built.warnings, annotations?.file)));
  io.stdout.write(
    values.json
      ? `${JSON.stringify(built.state, null, 2)}\n`
      : `${stateUrl(viewer, built.state)}\n`,
  );
  return EXIT.ok;
}
