// The format of a dataset preset file in presets/: a dataset, its layer presets and its
// named views. Validated with zod at start-up so a malformed file names its own mistake.
import { z } from "zod";

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "expected lower-case letters, digits, '-' or '_'");
const text = z.string().trim().min(1);

/**
 * How sure we are of an expectation: "documented" by the data's authors, "assumed" by us, or
 * "verified" against the data by `nglaunch presets verify --record`, which then also writes the
 * day it checked and a digest of the info file it read.
 */
const basis = z.enum(["documented", "assumed", "verified"]);
const isoDate = z.iso.date("expected a date YYYY-MM-DD");
const infoDigest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected "sha256:" and 64 hex digits');
/** `date` and `infoDigest` come with "verified" and only with it. */
const verifiedFields = <T extends { basis: string; date?: string; infoDigest?: string }>(
  value: T,
  ctx: z.RefinementCtx,
) => {
  const verified = value.basis === "verified";
  for (const key of ["date", "infoDigest"] as const) {
    if (verified !== (value[key] !== undefined))
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: verified ? `"verified" needs ${key}` : `${key} belongs to basis "verified" only`,
      });
  }
};
const expectation = <T extends z.ZodType>(value: T) =>
  z
    .strictObject({
      value,
      basis,
      date: isoDate.optional(),
      infoDigest: infoDigest.optional(),
      note: z.string().optional(),
    })
    .superRefine(verifiedFields);

export const layerExpectationsSchema = z.strictObject({
  layerType: expectation(z.enum(["image", "segmentation"])),
  dataType: expectation(
    z.enum(["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "float32"]),
  ),
  numChannels: expectation(z.number().int().min(1)),
});

export const layerPresetSchema = z.strictObject({
  title: text,
  description: text,
  type: z.enum(["image", "segmentation"]),
  /** Folder under the dataset's data root. */
  path: text,
  format: z.enum(["precomputed", "zarr", "zarr2", "zarr3", "n5"]).default("precomputed"),
  expects: layerExpectationsSchema,
  /**
   * Shader controls whose `channel` the builder sets from a user's channel choice, in order
   * (e.g. ["red", "green", "blue"]). Empty when the layer has no channel choice.
   */
  channelControls: z.array(z.string()).default([]),
  /**
   * Value range per channel (index = channel; null = not known) that the shader's invlerp
   * controls draw from black to white; the state builder applies it to whichever channel a
   * control shows. `verify --record` fills it from robust percentiles of a sampled chunk.
   */
  contrast: z
    .strictObject({
      channels: z.array(z.tuple([z.number(), z.number()]).nullable()).min(1),
      basis,
      date: isoDate.optional(),
      infoDigest: infoDigest.optional(),
      note: z.string().optional(),
    })
    .superRefine(verifiedFields)
    .optional(),
  /** Neuroglancer layer properties (shader, shaderControls, opacity, alphas...), minus name/source/type. */
  defaults: z.record(z.string(), z.unknown()).default({}),
});

const viewLayerSchema = z.union([
  id,
  z.strictObject({ preset: id, visible: z.boolean().default(true), name: z.string().optional() }),
]);

export const viewSchema = z.strictObject({
  title: text,
  description: text,
  layers: z.array(viewLayerSchema).min(1),
  /** The layer that receives the segment IDs a user gives without naming a layer. */
  segmentLayer: id.optional(),
  layout: z.string().default("4panel"),
  /** Layer whose side panel is opened; omitted = panel closed. */
  selectedLayer: id.optional(),
});

export const datasetPresetSchema = z.strictObject({
  $schema: z.string().optional(),
  id,
  title: text,
  description: text,
  homepage: z.url().optional(),
  license: z.strictObject({
    name: text,
    url: z.url(),
    /** The line users must show wherever the data appears. */
    attribution: text,
  }),
  citation: z.strictObject({ text, url: z.url().optional() }),
  /** Base URL of the layer folders (s3://, gs://, http(s)://), ending with '/'. */
  dataRoot: z
    .string()
    .regex(/^(s3|gs|https?):\/\/.+\/$/, "expected s3://, gs:// or http(s):// URL ending with '/'"),
  /** Free text on where the data root comes from and the alternatives. */
  dataRootNote: z.string().optional(),
  layers: z.record(id, layerPresetSchema),
  // "layer" would be unreachable as a view: /v/<dataset>/layer/... is the layer link's route.
  views: z.record(
    id.refine(
      (view) => view !== "layer",
      'a view cannot be called "layer" (the layer links\' path)',
    ),
    viewSchema,
  ),
});

export type LayerExpectations = z.infer<typeof layerExpectationsSchema>;
export type LayerPreset = z.infer<typeof layerPresetSchema>;
export type ViewPreset = z.infer<typeof viewSchema>;
export type DatasetPreset = z.infer<typeof datasetPresetSchema>;
