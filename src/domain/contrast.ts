// Contrast of image layers: which value range each `invlerp` shader control maps to black and
// white, judged against sampled voxel values, and filled from robust percentiles. One module for
// the state builder (which writes the ranges into views) and `presets verify` (which checks them).
import type { DataType } from "./precomputed.js";
import type { LayerPreset } from "./preset-schema.js";

export type Range = [number, number];

export interface InvlerpControl {
  name: string;
  /** The channel the shader declares (`channel=N`), if any. */
  channel?: number;
  /** The range the shader declares (`range=[a, b]`), if any. */
  range?: Range;
}

/** The client's default invlerp range per data type (lib/util/lerp.js defaultDataTypeRange). */
const DEFAULT_RANGE: Readonly<Record<DataType, Range>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  uint64: [0, Number(2n ** 64n - 1n)],
  float32: [0, 1],
};

const CONTROL = /^#uicontrol\s+invlerp\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/;
const NUMBER = "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";

/** The invlerp controls a shader declares, with the channel and range it gives them. */
export function invlerpControls(shader: string): InvlerpControl[] {
  const controls: InvlerpControl[] = [];
  for (const line of shader.split("\n")) {
    const match = CONTROL.exec(line.trim());
    if (!match) continue;
    const [, name = "", args = ""] = match;
    const control: InvlerpControl = { name };
    const channel = /\bchannel\s*=\s*\[?\s*(\d+)/.exec(args);
    if (channel) control.channel = Number(channel[1]);
    const range = new RegExp(`\\brange\\s*=\\s*\\[\\s*(${NUMBER})\\s*,\\s*(${NUMBER})\\s*\\]`).exec(
      args,
    );
    if (range) control.range = [Number(range[1]), Number(range[2])];
    controls.push(control);
  }
  return controls;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function ownField(obj: unknown, key: string): unknown {
  return isRecord(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function asRange(value: unknown): Range | undefined {
  return Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => typeof n === "number" && Number.isFinite(n))
    ? (value as Range)
    : undefined;
}

function asChannel(value: unknown): number | undefined {
  const n = Array.isArray(value) ? value[0] : value;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : undefined;
}

export type RangeSource = "contrast" | "shaderControls" | "shader" | "data type";

export interface ControlRange {
  control: string;
  channel: number;
  range: Range;
  /** Where the range comes from, most specific first. */
  source: RangeSource;
}

/** The recorded range of one channel, when the preset has one. */
function recordedRange(layer: LayerPreset, channel: number): Range | undefined {
  return layer.contrast?.channels[channel] ?? undefined;
}

/**
 * The channel and range each invlerp control of the layer draws with, given the layer's shader
 * controls (the preset defaults, or a built state's). A recorded per-channel contrast wins over
 * the preset's default ranges: it was measured on the data.
 */
export function controlRanges(
  layer: LayerPreset,
  dataType: DataType,
  shaderControls: unknown = layer.defaults.shaderControls,
): ControlRange[] {
  const shader = typeof layer.defaults.shader === "string" ? layer.defaults.shader : "";
  return invlerpControls(shader).map((control) => {
    const given = ownField(shaderControls, control.name);
    const channel = asChannel(ownField(given, "channel")) ?? control.channel ?? 0;
    const recorded = recordedRange(layer, channel);
    if (recorded) return { control: control.name, channel, range: recorded, source: "contrast" };
    const set = asRange(ownField(given, "range"));
    if (set) return { control: control.name, channel, range: set, source: "shaderControls" };
    if (control.range)
      return { control: control.name, channel, range: control.range, source: "shader" };
    return { control: control.name, channel, range: DEFAULT_RANGE[dataType], source: "data type" };
  });
}

/**
 * Shader controls with each invlerp control's range set from the layer's recorded contrast for
 * the channel it shows, unless `explicit` (what a user asked for) sets that control's range.
 * Returns undefined when the layer has no recorded contrast.
 */
export function withRecordedContrast(
  layer: LayerPreset,
  shaderControls: unknown,
  explicit: unknown,
): Record<string, unknown> | undefined {
  if (!layer.contrast) return undefined;
  const controls: Record<string, unknown> = isRecord(shaderControls) ? { ...shaderControls } : {};
  const shader = typeof layer.defaults.shader === "string" ? layer.defaults.shader : "";
  for (const control of invlerpControls(shader)) {
    if (asRange(ownField(ownField(explicit, control.name), "range"))) continue;
    const current = ownField(controls, control.name);
    const channel = asChannel(ownField(current, "channel")) ?? control.channel ?? 0;
    const range = recordedRange(layer, channel);
    if (!range) continue;
    controls[control.name] = { ...(isRecord(current) ? current : {}), range: [...range] };
  }
  return controls;
}

export interface ChannelStats {
  channel: number;
  min: number;
  max: number;
  /** 0.5th, 50th, 99.5th and 99.9th percentiles. */
  p0_5: number;
  p50: number;
  p99_5: number;
  p99_9: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function channelStats(channel: number, values: Float64Array): ChannelStats {
  const sorted = Float64Array.from(values).sort();
  return {
    channel,
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    p0_5: percentile(sorted, 0.5),
    p50: percentile(sorted, 50),
    p99_5: percentile(sorted, 99.5),
    p99_9: percentile(sorted, 99.9),
  };
}

export type Verdict = "ok" | "black" | "saturated" | "constant";

/**
 * How a range draws a channel: "black" when even the 99.9th percentile maps below 10% of the
 * range (nothing visible), "saturated" when the median maps at or past its top while brighter
 * values exist (half the voxels or more are clipped to white: detail lost), "constant" when the
 * sample holds one value (nothing to judge). A median at the data's own maximum is not clipping.
 */
export function judgeRange(stats: ChannelStats, range: Range): Verdict {
  if (stats.min === stats.max) return "constant";
  const [lo, hi] = range;
  if (hi === lo) return "saturated";
  const normalized = (v: number) => (v - lo) / (hi - lo);
  if (normalized(stats.p99_9) < 0.1) return "black";
  if (normalized(stats.p50) >= 1 && normalized(stats.max) > 1) return "saturated";
  return "ok";
}

/**
 * A range that shows the channel: 0.5th to 99.5th percentile, widened to the maximum when
 * sparse bright voxels (puncta) leave the 99.5th percentile at the background. Undefined for a
 * constant channel.
 */
export function robustRange(stats: ChannelStats, dataType: DataType): Range | undefined {
  let hi = stats.p99_5 > stats.p0_5 ? stats.p99_5 : stats.max;
  let lo = stats.p0_5;
  if (hi <= lo) return undefined;
  if (dataType !== "float32") {
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
  }
  return [lo, hi];
}
