// Reads the state a URL stands for: a Neuroglancer URL with the state inline, or a link of this
// service (/s/<id>, /embed/<id>, /api/links/<id>, or a viewer URL that loads one, as the Share
// button makes) — so people can paste whichever link they have.
import type { FastifyInstance } from "fastify";
import { parseNeuroglancerUrl } from "../domain/neuroglancer-url.js";
import { ownLinkId } from "./service-urls.js";

export type StateFromUrl = { ok: true; state: unknown } | { ok: false; message: string };

export async function stateFromUrl(app: FastifyInstance, url: string): Promise<StateFromUrl> {
  const id = ownLinkId(app.config.publicUrl, url);
  if (id !== null) {
    const link = await app.links.get(id);
    if (!link) return { ok: false, message: `this service has no link "${id}"` };
    return { ok: true, state: JSON.parse(link.stateJson) };
  }
  const parsed = parseNeuroglancerUrl(url);
  if (!parsed.ok) return parsed;
  if (parsed.kind === "remote")
    return {
      ok: false,
      message: `the state lives at ${parsed.stateUrl}; fetch it and send it as "state"`,
    };
  return { ok: true, state: parsed.state };
}
