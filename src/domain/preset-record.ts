// `nglaunch presets verify --record`: writes what verify confirmed back into a preset file.
// Each expectation the data confirmed becomes basis "verified" with the date and the info
// digest; mismatches stay as they are (and are reported); image layers get per-channel
// contrast from the sampled chunk where the preset has none or its own was not documented.
// Works on the file's JSON as written (not the parsed preset, whose defaults would be added)
// and writes it back in the repository's formatting, so the diff shows only what changed.
import { type ChannelStats, robustRange } from "./contrast.js";
import type { DataType } from "./precomputed.js";
import type { LayerExpectations } from "./preset-schema.js";
import type { VerifyRow } from "./preset-verify.js";
import { parseDatasetFile } from "./presets.js";

const LINE_WIDTH = 100;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function inline(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    const parts = value.map(inline);
    return parts.every((p) => p !== undefined) ? `[${parts.join(", ")}]` : undefined;
  }
  if (isRecord(value)) return Object.keys(value).length === 0 ? "{}" : undefined;
  return JSON.stringify(value);
}

/**
 * JSON as Biome formats it (2 spaces, width 100): objects one key per line, arrays of plain
 * values on one line when they fit.
 */
export function formatJson(value: unknown, indent = "", prefixLength = 0): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const flat = inline(value);
    // +1 for the comma that may follow.
    if (flat !== undefined && indent.length + prefixLength + flat.length + 1 <= LINE_WIDTH)
      return flat;
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${formatJson(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    return `{\n${entries
      .map(([k, v]) => {
        const key = `${JSON.stringify(k)}: `;
        return `${inner}${key}${formatJson(v, inner, key.length)}`;
      })
      .join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}

export interface RecordChange {
  layer: string;
  /** "dataType: uint8 verified", "contrast: 18 channels from percentiles", "numChannels left: ..." */
  message: string;
  kind: "verified" | "left" | "contrast";
}

const FIELD_OF: Record<keyof LayerExpectations, string> = {
  layerType: "type",
  dataType: "data_type",
  numChannels: "num_channels",
};

/** Per-channel ranges from the sampled statistics, or undefined when no channel varies. */
function contrastFrom(stats: readonly ChannelStats[], dataType: DataType) {
  const channels = stats.map((s) => robustRange(s, dataType) ?? null);
  return channels.some((c) => c !== null) ? channels : undefined;
}

/**
 * The preset file text with `rows` recorded (rows of other datasets are ignored). Throws when
 * the result would not be a valid preset file: nothing is written then.
 */
export function recordVerification(
  file: string,
  text: string,
  rows: readonly VerifyRow[],
  date: string,
): { text: string; changes: RecordChange[] } {
  const json = JSON.parse(text) as Record<string, unknown>;
  const layers = isRecord(json.layers) ? json.layers : {};
  const changes: RecordChange[] = [];
  for (const row of rows) {
    if (row.dataset !== json.id || !row.infoDigest || !row.report) continue;
    const layer = Object.hasOwn(layers, row.layer) ? layers[row.layer] : undefined;
    if (!isRecord(layer) || !isRecord(layer.expects)) continue;
    const mismatched = new Set(row.details.map((d) => d.field).filter(Boolean));
    for (const key of Object.keys(FIELD_OF) as (keyof LayerExpectations)[]) {
      const expectation = layer.expects[key];
      if (!isRecord(expectation)) continue;
      if (mismatched.has(FIELD_OF[key] as "type")) {
        changes.push({
          layer: row.layer,
          kind: "left",
          message: `${key} left as ${JSON.stringify(expectation.value)} (${expectation.basis}): the data says otherwise`,
        });
        continue;
      }
      if (expectation.basis === "verified" && expectation.infoDigest === row.infoDigest) continue;
      const { note, value } = expectation;
      layer.expects[key] = {
        value,
        basis: "verified",
        date,
        infoDigest: row.infoDigest,
        ...(note === undefined ? {} : { note }),
      };
      changes.push({
        layer: row.layer,
        kind: "verified",
        message: `${key} ${JSON.stringify(value)} verified`,
      });
    }
    const contrastFailed = row.details.some((d) => d.kind === "contrast");
    const existing = isRecord(layer.contrast) ? layer.contrast : undefined;
    const replace =
      row.channels !== undefined &&
      row.contrast !== undefined &&
      row.contrast.length > 0 &&
      existing?.basis !== "documented" &&
      (existing === undefined || contrastFailed || existing.infoDigest !== row.infoDigest);
    const channels =
      replace && row.channels
        ? contrastFrom(row.channels, row.report.dataType as DataType)
        : undefined;
    if (channels) {
      // Keep the key order readable: contrast goes right before defaults.
      const entries = Object.entries(layer).filter(([k]) => k !== "contrast");
      const at = entries.findIndex(([k]) => k === "defaults");
      const contrast = {
        channels,
        basis: "verified",
        date,
        infoDigest: row.infoDigest,
        note: `0.5th-99.5th percentile per channel of chunk ${row.chunk?.url.split("/").slice(-2).join("/") ?? "?"}`,
      };
      entries.splice(at < 0 ? entries.length : at, 0, ["contrast", contrast]);
      for (const key of Object.keys(layer)) delete layer[key];
      Object.assign(layer, Object.fromEntries(entries));
      changes.push({
        layer: row.layer,
        kind: "contrast",
        message: `contrast for ${channels.filter(Boolean).length} of ${channels.length} channels from percentiles`,
      });
    }
  }
  const out = `${formatJson(json)}\n`;
  // The schema must accept what we write, or nothing is written.
  parseDatasetFile(file, out);
  return { text: out, changes };
}
