// How far a layer preset or a view can be trusted, in one line a user reads beside it
// ("verified 2026-12-02", "not verified: assumed uint8, 18 channels"): from the bases recorded in
// the preset file, plus the result of the start-up check when one ran (VERIFY_PRESETS=on).
import { z } from "zod";
import type { LayerPreset } from "./preset-schema.js";
import type { VerifyRow, VerifyStatus } from "./preset-verify.js";
import { type Dataset, viewLayerPresets } from "./presets.js";

export const liveCheckSchema = z.object({
  status: z
    .string()
    .describe("ok, skipped, or the failure: unreachable, invalid, cors, mismatch, chunk, contrast"),
  checkedAt: z.string().describe("When the start-up check read this layer (ISO 8601)"),
  message: z.string().optional().describe("The first problem found, when the check failed"),
});

export const verificationSchema = z.object({
  state: z.enum(["verified", "documented", "not verified"]),
  label: z
    .string()
    .describe('What to show a user: "verified 2026-12-02", "not verified: assumed 18 channels"'),
  date: z.string().optional().describe("Oldest verification date among the layers' expectations"),
  assumed: z.array(z.string()).describe("Expectations nobody has checked yet"),
  live: liveCheckSchema.optional().describe("Result of the start-up check (VERIFY_PRESETS=on)"),
});
export type Verification = z.infer<typeof verificationSchema>;
export type LiveCheck = z.infer<typeof liveCheckSchema>;

/** What /readyz says about the start-up check. */
export const presetCheckSummary = z.object({
  state: z.enum(["off", "running", "done"]),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  layers: z.object({ ok: z.number(), failing: z.number(), skipped: z.number() }).optional(),
  failing: z
    .array(
      z.object({ dataset: z.string(), layer: z.string(), status: z.string(), message: z.string() }),
    )
    .optional(),
});
export type PresetCheckSummary = z.infer<typeof presetCheckSummary>;

/** Start-up check results by dataset id, then layer id. */
export type LiveChecks = ReadonlyMap<string, ReadonlyMap<string, LiveCheck>>;

function describeAssumed(layer: LayerPreset): string[] {
  const { layerType, dataType, numChannels } = layer.expects;
  const out: string[] = [];
  if (layerType.basis === "assumed") out.push(`${layerType.value} layer`);
  if (dataType.basis === "assumed") out.push(dataType.value);
  if (numChannels.basis === "assumed")
    out.push(`${numChannels.value} channel${numChannels.value === 1 ? "" : "s"}`);
  return out;
}

function oldest(dates: string[]): string | undefined {
  return dates.length === 0 ? undefined : [...dates].sort()[0];
}

/** A failing live check overrides the label: what the data does now matters most. */
function withLive(base: Omit<Verification, "live">, live: LiveCheck | undefined): Verification {
  if (!live) return base;
  const failed = live.status !== "ok" && live.status !== "skipped";
  return {
    ...base,
    label: failed ? `check failed (${live.status}): ${base.label}` : base.label,
    live,
  };
}

export function layerVerification(layer: LayerPreset, live?: LiveCheck): Verification {
  const expectations = Object.values(layer.expects);
  const assumed = describeAssumed(layer);
  const date = oldest(
    expectations.flatMap((e) => (e.basis === "verified" && e.date ? [e.date] : [])),
  );
  if (assumed.length > 0)
    return withLive(
      { state: "not verified", label: `not verified: assumed ${assumed.join(", ")}`, assumed },
      live,
    );
  if (date !== undefined)
    return withLive({ state: "verified", label: `verified ${date}`, date, assumed }, live);
  return withLive(
    { state: "documented", label: "documented by the data's authors", assumed },
    live,
  );
}

/** A view is as trustworthy as its least-checked layer. */
export function viewVerification(
  dataset: Dataset,
  viewId: string,
  live?: LiveChecks,
): Verification {
  const view = dataset.views[viewId];
  const ids = view ? viewLayerPresets(view) : [];
  const layers = ids.flatMap((id) => {
    const layer = Object.hasOwn(dataset.layers, id) ? dataset.layers[id] : undefined;
    return layer ? [{ id, state: layerVerification(layer, live?.get(dataset.id)?.get(id)) }] : [];
  });
  const unverified = layers.filter((l) => l.state.state === "not verified");
  const failed = layers.filter(
    (l) => l.state.live && !["ok", "skipped"].includes(l.state.live.status),
  );
  const prefix =
    failed.length > 0 ? `check failed for ${failed.map((l) => l.id).join(", ")}: ` : "";
  // The view's live result: its first failing layer's, or ok when every layer was checked.
  const firstLive = failed[0]?.state.live;
  const checked = layers.flatMap((l) => (l.state.live ? [l.state.live] : []));
  const viewLive: LiveCheck | undefined = firstLive
    ? {
        status: firstLive.status,
        checkedAt: firstLive.checkedAt,
        message: `${failed[0]?.id}: ${firstLive.message ?? firstLive.status}`,
      }
    : checked.length === layers.length && checked[0]
      ? { status: "ok", checkedAt: checked[0].checkedAt }
      : undefined;
  const result = (v: Verification): Verification => (viewLive ? { ...v, live: viewLive } : v);
  if (unverified.length > 0)
    return result({
      state: "not verified",
      label: `${prefix}not verified: ${unverified.length} of ${layers.length} layers assumed (${unverified.map((l) => l.id).join(", ")})`,
      assumed: unverified.flatMap((l) => l.state.assumed.map((a) => `${l.id}: ${a}`)),
    });
  const date = oldest(layers.flatMap((l) => (l.state.date ? [l.state.date] : [])));
  if (date !== undefined)
    return result({ state: "verified", label: `${prefix}verified ${date}`, date, assumed: [] });
  return result({
    state: "documented",
    label: `${prefix}documented by the data's authors`,
    assumed: [],
  });
}

/** The start-up check's rows as live results. */
export function liveChecksFrom(rows: readonly VerifyRow[], checkedAt: string): LiveChecks {
  const byDataset = new Map<string, Map<string, LiveCheck>>();
  for (const row of rows) {
    const layers = byDataset.get(row.dataset) ?? new Map<string, LiveCheck>();
    const problem = row.details.find((d) => d.kind !== "note");
    const check: LiveCheck = { status: row.status satisfies VerifyStatus, checkedAt };
    if (problem) check.message = problem.message;
    layers.set(row.layer, check);
    byDataset.set(row.dataset, layers);
  }
  return byDataset;
}
