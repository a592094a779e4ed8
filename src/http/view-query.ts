// The query of a view link (/v/<dataset>/<view>?segments=...&position=...): its schema and its
// translation into a build request. One grammar for the view pages, their embeds and previews.
import { z } from "zod";
import { parsePosition } from "../domain/position.js";
import { parseSegmentIds } from "../domain/segment-list.js";
import { BuildError, type ParsedBuildRequest } from "../domain/state-builder.js";
import type { ViewTarget } from "./service-urls.js";

export const viewQuery = z.object({
  segments: z
    .string()
    .optional()
    .describe(
      "Segment IDs separated by commas, spaces, semicolons or '+' (README: segment ID lists)",
    ),
  hidden: z.string().optional().describe("Segment IDs selected but hidden, listed as segments"),
  position: z.string().optional().describe("x,y,z of the view centre"),
  unit: z.enum(["nm", "um", "m"]).default("nm").describe("Unit of position and zoom"),
  zoom: z.coerce.number().positive().optional().describe("Units per screen pixel"),
  layout: z.string().optional(),
  title: z.string().max(300).optional(),
});
export type ViewQuery = z.infer<typeof viewQuery>;

function positionFromQuery(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const position = parsePosition(text);
  if (!position)
    throw new BuildError([
      { path: "position", message: `expected three numbers "x,y,z", got "${text}"` },
    ]);
  return position;
}

/** A list of IDs from the query, by the same grammar as the CLI and the gallery. */
function idsFromQuery(name: "segments" | "hidden", text: string | undefined) {
  if (text === undefined) return undefined;
  const list = parseSegmentIds(text);
  if (list.errors.length > 0)
    throw new BuildError(list.errors.map((error) => ({ path: name, message: error.message })));
  return list.ids;
}

export function requestFromQuery(target: ViewTarget, query: ViewQuery): ParsedBuildRequest {
  return {
    dataset: target.dataset,
    ...("view" in target ? { view: target.view } : { layers: [target.layer] }),
    segments: idsFromQuery("segments", query.segments),
    hiddenSegments: idsFromQuery("hidden", query.hidden),
    position: positionFromQuery(query.position),
    positionUnit: query.unit,
    zoom: query.zoom,
    layout: query.layout,
    title: query.title,
  };
}
