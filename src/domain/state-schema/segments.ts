// Segment IDs (uint64 as decimal strings) and the segmentation layer's own keys: ID lists,
// equivalences, colours, skeleton rendering.

import {
  describeBadSegmentIdNumber,
  describeBadSegmentIdString,
  describeJsonType,
  hashUint64Decimal,
  isUint64Decimal,
  UnsafeNumber,
} from "../uint64.js";
import {
  alpha,
  at,
  bool,
  child,
  color,
  type FieldTable,
  legacy,
  NON_NEGATIVE,
  oneOf,
  positive,
  type StateValidator,
  str,
  UINT32,
} from "./core.js";
import { shaderControls } from "./shaders.js";
import { dataSourceUrl } from "./sources.js";

/** Errors reported per ID list before the rest are summarised, so a bad paste stays readable. */
const MAX_ERRORS_PER_LIST = 20;

/**
 * Finds repeated IDs in a list that `segmentIds` has validated, by open addressing on the digit
 * hash: no per-ID allocation, which a Set of strings would cost on lists 100 000 long.
 */
class SegmentIdTable {
  /** Index + 1 of the list entry in each slot; 0 marks an empty slot. */
  private readonly entries: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(private readonly ids: readonly unknown[]) {
    let capacity = 16;
    while (capacity < ids.length * 2) capacity *= 2;
    this.entries = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Records entry `index`, whose digits hash to `hash`; true when an equal ID came before. */
  addAndCheckSeen(index: number, hash: number): boolean {
    const { entries, hashes, mask } = this;
    // Spread nearby hashes (consecutive IDs) over the table.
    let slot = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & mask;
    for (;;) {
      const entry = entries[slot] as number;
      if (entry === 0) {
        entries[slot] = index + 1;
        hashes[slot] = hash;
        return false;
      }
      if (hashes[slot] === hash && this.digits(entry - 1) === this.digits(index)) return true;
      slot = (slot + 1) & mask;
    }
  }

  private digits(index: number): string {
    const id = this.ids[index];
    if (typeof id !== "string") return String(id);
    return id.charCodeAt(0) === 33 ? id.slice(1) : id;
  }
}

/**
 * One pass over an ID list: strings must be canonical decimal uint64 ("!123" too when
 * `allowHidden`), safe-integer numbers are accepted with one warning per list, and duplicates
 * are counted when `reportDuplicates`. No allocation per valid string ID.
 */
export function segmentIds(
  v: StateValidator,
  value: unknown,
  path: string,
  allowHidden: boolean,
  reportDuplicates: boolean,
): void {
  const ids = v.array(
    value,
    path,
    'an array of segment IDs as decimal strings, e.g. ["123", "456"]',
  );
  if (ids === undefined) return;
  const seen = reportDuplicates ? new SegmentIdTable(ids) : undefined;
  let numbers = 0;
  let firstNumber = -1;
  let duplicates = 0;
  let firstDuplicate = -1;
  let errors = 0;
  for (let i = 0; i < ids.length; i++) {
    const item = ids[i];
    let hash: number;
    if (typeof item === "string") {
      const hidden = allowHidden && item.charCodeAt(0) === 33;
      hash = hashUint64Decimal(item, hidden ? 1 : 0);
      if (hash < 0) {
        if (++errors <= MAX_ERRORS_PER_LIST) {
          const message = hidden
            ? `hidden segment ${JSON.stringify(item)}: ${describeBadSegmentIdString(item.slice(1))}`
            : describeBadSegmentIdString(item);
          v.error(at(path, i), message);
        }
        continue;
      }
    } else if (typeof item === "number" && Number.isSafeInteger(item) && item >= 0) {
      if (numbers++ === 0) firstNumber = i;
      hash = hashUint64Decimal(String(item));
    } else {
      if (++errors <= MAX_ERRORS_PER_LIST) {
        const message =
          typeof item === "number" || item instanceof UnsafeNumber
            ? describeBadSegmentIdNumber(item)
            : `segment ID must be a decimal string such as "123"; got ${describeJsonType(item)}`;
        v.error(at(path, i), message);
      }
      continue;
    }
    if (seen?.addAndCheckSeen(i, hash) === true && duplicates++ === 0) firstDuplicate = i;
  }
  if (errors > MAX_ERRORS_PER_LIST)
    v.error(
      path,
      `${errors - MAX_ERRORS_PER_LIST} more invalid segment IDs in this list (only the first ${MAX_ERRORS_PER_LIST} are listed)`,
    );
  if (numbers > 0)
    v.warn(
      at(path, firstNumber),
      `${numbers} segment ID${numbers === 1 ? " was" : "s were"} sent as JSON numbers; they are exact here, but send segment IDs as strings so IDs above 2^53 survive`,
    );
  if (duplicates > 0)
    v.warn(
      at(path, firstDuplicate),
      `${duplicates} duplicate segment ID${duplicates === 1 ? "" : "s"} in this list (the first is here); Neuroglancer keeps one of each`,
    );
}

export function segmentId(v: StateValidator, value: unknown, path: string): void {
  if (typeof value === "string") {
    if (!isUint64Decimal(value)) v.error(path, describeBadSegmentIdString(value));
  } else if (typeof value === "number" || value instanceof UnsafeNumber) {
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0)
      v.warn(path, "segment ID was sent as a JSON number; send segment IDs as strings");
    else v.error(path, describeBadSegmentIdNumber(value));
  } else v.typeError(path, 'a segment ID as a decimal string, e.g. "123"', value);
}

export function equivalences(v: StateValidator, value: unknown, path: string): void {
  v.eachItem(value, path, 'an array of ID groups, e.g. [["1", "2"], ["3", "4"]]', (v, group, p) =>
    segmentIds(v, group, p, false, false),
  );
}

export function segmentColors(v: StateValidator, value: unknown, path: string): void {
  const colors = v.object(value, path, 'an object such as {"123": "#ff0000"}');
  if (colors === undefined) return;
  for (const id of Object.keys(colors)) {
    const p = child(path, id);
    if (!isUint64Decimal(id)) v.error(p, `segmentColors key: ${describeBadSegmentIdString(id)}`);
    v.color(colors[id], p);
  }
}

const SKELETON_RENDERING_FIELDS: FieldTable = {
  shader: str,
  shaderControls,
  mode2d: oneOf(["lines", "lines_and_points"]),
  mode3d: oneOf(["lines", "lines_and_points"]),
  lineWidth2d: positive,
  lineWidth3d: positive,
};

/** Keys of a segmentation layer beyond those every layer has (layers.ts). */
export const SEGMENTATION_LAYER_FIELDS: FieldTable = {
  segments: (v, x, p) => segmentIds(v, x, p, true, true),
  equivalences: (v, x, p) => equivalences(v, x, p),
  hideSegmentZero: bool,
  segmentQuery: str,
  colorSeed: (v, x, p) => {
    // The client applies `>>> 0`, so anything else silently becomes another seed.
    v.number(x, p, UINT32);
  },
  segmentDefaultColor: color,
  segmentColors: (v, x, p) => segmentColors(v, x, p),
  // Invalid alphas silently fall back to defaults: a stored state would not look as it says.
  selectedAlpha: alpha,
  notSelectedAlpha: alpha,
  objectAlpha: alpha,
  saturation: alpha,
  hoverHighlight: bool,
  baseSegmentColoring: bool,
  ignoreNullVisibleSet: bool,
  meshSilhouetteRendering: (v, x, p) => v.number(x, p, NON_NEGATIVE),
  meshRenderScale: positive,
  crossSectionRenderScale: positive,
  skeletonRendering: (v, x, p) => {
    const options = v.object(x, p, 'an object such as {"mode2d": "lines_and_points"}');
    if (options !== undefined)
      v.fields(options, p, SKELETON_RENDERING_FIELDS, " in skeletonRendering");
  },
  skeletonShader: legacy('but send "skeletonRendering": {"shader": ...} instead', str),
  codeVisible: bool,
  anchorSegment: (v, x, p) => segmentId(v, x, p),
  linkedSegmentationGroup: (v, x, p) => v.layerReference(x, p, "linked segmentation group layer"),
  linkedSegmentationColorGroup: (v, x, p) => {
    if (x !== false) v.layerReference(x, p, "linked colour group layer");
  },
  mesh: legacy("but add the mesh as another source instead", (v, x, p) => {
    if (x !== null) dataSourceUrl(v, x, p);
  }),
  skeletons: legacy("but add the skeletons as another source instead", (v, x, p) => {
    if (x !== null) dataSourceUrl(v, x, p);
  }),
  annotationColor: color,
};
