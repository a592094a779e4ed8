// The URLs of this service, built from PUBLIC_URL and read back from what people paste: one
// place for the link routes, view links (/v/...), the preset catalogue, oEmbed and URL inputs.
// Pure: no fastify, so the domain's preset summary and the CLI use it too.
import { isLinkId } from "../links/link-id.js";

/** Every URL a link is reachable at, all absolute under PUBLIC_URL. */
export function linkUrls(publicUrl: string, id: string) {
  const jsonUrl = `${publicUrl}/api/links/${id}`;
  return {
    shortUrl: `${publicUrl}/s/${id}`,
    viewerUrl: `${publicUrl}/#!${jsonUrl}`,
    jsonUrl,
    embedUrl: `${publicUrl}/embed/${id}`,
    /** The link's preview image (PNG, PREVIEW_SIZE by default), for og:image and READMEs. */
    previewUrl: `${publicUrl}/s/${id}/preview.png`,
  };
}

/** The default size of preview images: the OpenGraph card size chat apps and wikis expect. */
export const PREVIEW_SIZE = { width: 1200, height: 630 } as const;
/** Bounds of a preview's ?w= and ?h=: from a small thumbnail to a large retina card. */
export const PREVIEW_BOUNDS = {
  width: { min: 200, max: 2400 },
  height: { min: 100, max: 1600 },
} as const;

/** The oEmbed discovery URL of a page of this service. */
export function oembedUrlFor(publicUrl: string, pageUrl: string): string {
  return `${publicUrl}/oembed?format=json&url=${encodeURIComponent(pageUrl)}`;
}

/** A path and query as a request names them: "/s/abc?x=1" -> {path "/s/abc", search "?x=1"}. */
export function splitPathAndSearch(pathAndSearch: string): { path: string; search: string } {
  const query = pathAndSearch.indexOf("?");
  return query === -1
    ? { path: pathAndSearch, search: "" }
    : { path: pathAndSearch.slice(0, query), search: pathAndSearch.slice(query) };
}

/** The path ("/s/abc") and query ("?x=1" or "") of a URL under PUBLIC_URL, or null. */
export function localPath(publicUrl: string, url: string): { path: string; search: string } | null {
  const trimmed = url.trim();
  if (!trimmed.startsWith(`${publicUrl}/`)) return null;
  return splitPathAndSearch(trimmed.slice(publicUrl.length).split("#")[0] ?? "");
}

/** What a view link opens: a named view, or one layer preset, of a dataset. */
export type ViewTarget = { dataset: string; view: string } | { dataset: string; layer: string };

/**
 * The view link of a target: PUBLIC_URL/v/<dataset>/<view> or .../v/<dataset>/layer/<layer>
 * (names percent-encoded), under /embed for iframes, or its preview image (".../preview.png"),
 * with an optional query ("?segments=1").
 */
export function viewUrl(
  publicUrl: string,
  target: ViewTarget,
  options: { embed?: boolean; preview?: boolean; search?: string } = {},
): string {
  const base = `${publicUrl}${options.embed ? "/embed" : ""}/v/${encodeURIComponent(target.dataset)}`;
  const name =
    "view" in target
      ? encodeURIComponent(target.view)
      : `layer/${encodeURIComponent(target.layer)}`;
  return `${base}/${name}${options.preview ? "/preview.png" : ""}${options.search ?? ""}`;
}

/** decodeURIComponent, but null for bad percent-encoding ("%25" decodes, "%" and "%E0" do not). */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Reads a view link's path back (the inverse of viewUrl): "/v/d/v", "/v/d/layer/l", or either
 * under "/embed". Null when the path is not a view link or a name is badly percent-encoded.
 */
export function parseViewPath(path: string): { target: ViewTarget; embed: boolean } | null {
  const embed = path.startsWith("/embed/v/");
  const parts = path
    .slice(embed ? "/embed".length : 0)
    .split("/")
    .filter(Boolean)
    .map(decodePathSegment);
  if (parts[0] !== "v" || parts.some((part) => part === null)) return null;
  const [, dataset, third, fourth] = parts as string[];
  if (dataset === undefined || third === undefined) return null;
  if (parts.length === 3) return { target: { dataset, view: third }, embed };
  if (parts.length === 4 && third === "layer" && fourth !== undefined)
    return { target: { dataset, layer: fourth }, embed };
  return null;
}

/**
 * The id of this service's link that `url` points at: /s/<id>, /embed/<id>, /api/links/<id>,
 * or a viewer URL that loads one (#!PUBLIC_URL/api/links/<id>, as the Share button makes).
 */
export function ownLinkId(publicUrl: string, url: string): string | null {
  const bang = url.indexOf("#!");
  const local = localPath(publicUrl, bang === -1 ? url : url.slice(bang + 2));
  const id = local && /^\/(?:s|embed|api\/links)\/([^/]+)$/.exec(local.path)?.[1];
  return id && isLinkId(id) ? id : null;
}

/** Every URL a named link is reachable at; `version` pins one version, else the current one. */
export function nameUrls(publicUrl: string, name: string, version?: number) {
  const at = version === undefined ? name : `${name}/${version}`;
  const apiUrl = `${publicUrl}/api/names/${name}`;
  return {
    url: `${publicUrl}/n/${at}`,
    embedUrl: `${publicUrl}/embed/n/${at}`,
    previewUrl: `${publicUrl}/n/${at}/preview.png`,
    apiUrl,
    /** The current version's state JSON: #!<stateUrl> in any Neuroglancer follows the name. */
    stateUrl: `${apiUrl}/state`,
  };
}

/**
 * The name (and version, when pinned) that `url` points at: /n/<name>[/<version>],
 * /embed/n/<name>[/<version>], /api/names/<name>[/state], or a viewer URL loading the latter.
 * The name is not checked beyond its URL form; callers look it up.
 */
export function ownNameRef(
  publicUrl: string,
  url: string,
): { name: string; version: number | null } | null {
  const bang = url.indexOf("#!");
  const local = localPath(publicUrl, bang === -1 ? url : url.slice(bang + 2));
  if (!local) return null;
  const page = /^(?:\/embed)?\/n\/([a-z0-9-]+)(?:\/([1-9]\d{0,8}))?$/.exec(local.path);
  if (page?.[1]) return { name: page[1], version: page[2] ? Number(page[2]) : null };
  const api = /^\/api\/names\/([a-z0-9-]+)(?:\/state)?$/.exec(local.path);
  return api?.[1] ? { name: api[1], version: null } : null;
}
