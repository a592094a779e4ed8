// The public description of a dataset's presets (GET /api/presets, `nglaunch presets list`):
// one shape for both, with the open links built from PUBLIC_URL by http/service-urls.ts (a pure
// module: the one grammar of this service's URLs).
import { z } from "zod";
import { viewUrl } from "../http/service-urls.js";
import { layerExpectationsSchema } from "./preset-schema.js";
import {
  type LiveChecks,
  layerVerification,
  verificationSchema,
  viewVerification,
} from "./preset-verification.js";
import { type Dataset, layerSource, viewLayerPresets } from "./presets.js";

const layerSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  type: z.string(),
  source: z.string(),
  expects: layerExpectationsSchema,
  channelControls: z.array(z.string()),
  verification: verificationSchema,
  openUrl: z.string().describe("Opens this layer alone in the viewer"),
  previewUrl: z.string().describe("This layer's preview image (PNG), rendered on demand"),
});

const viewSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  layers: z.array(z.string()),
  segmentLayer: z.string().nullable(),
  layout: z.string(),
  verification: verificationSchema,
  openUrl: z.string().describe("Opens this view in the viewer; add ?segments=1,2,3"),
  previewUrl: z.string().describe("This view's preview image (PNG), rendered on demand"),
});

export const datasetSummary = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  homepage: z.string().optional(),
  license: z.object({ name: z.string(), url: z.string(), attribution: z.string() }),
  citation: z.object({ text: z.string(), url: z.string().optional() }),
  dataRoot: z.string(),
  dataRootNote: z.string().optional(),
  layers: z.array(layerSummary),
  views: z.array(viewSummary),
});

export function summariseDataset(
  dataset: Dataset,
  publicUrl: string,
  live?: LiveChecks,
): z.infer<typeof datasetSummary> {
  return {
    id: dataset.id,
    title: dataset.title,
    description: dataset.description,
    homepage: dataset.homepage,
    license: dataset.license,
    citation: dataset.citation,
    dataRoot: dataset.dataRoot,
    dataRootNote: dataset.dataRootNote,
    layers: Object.entries(dataset.layers).map(([id, layer]) => ({
      id,
      title: layer.title,
      description: layer.description,
      type: layer.type,
      source: layerSource(dataset, layer),
      expects: layer.expects,
      channelControls: layer.channelControls,
      verification: layerVerification(layer, live?.get(dataset.id)?.get(id)),
      openUrl: viewUrl(publicUrl, { dataset: dataset.id, layer: id }),
      previewUrl: viewUrl(publicUrl, { dataset: dataset.id, layer: id }, { preview: true }),
    })),
    views: Object.entries(dataset.views).map(([id, view]) => ({
      id,
      title: view.title,
      description: view.description,
      layers: viewLayerPresets(view),
      segmentLayer: view.segmentLayer ?? null,
      layout: view.layout,
      verification: viewVerification(dataset, id, live),
      openUrl: viewUrl(publicUrl, { dataset: dataset.id, view: id }),
      previewUrl: viewUrl(publicUrl, { dataset: dataset.id, view: id }, { preview: true }),
    })),
  };
}
