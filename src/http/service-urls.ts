// The URLs of this service, built from PUBLIC_URL and read back from what people paste: one
// place for the link routes, view pages, oEmbed and URL inputs.
import { isLinkId } from "../links/link-id.js";

/** Every URL a link is reachable at, all absolute under PUBLIC_URL. */
export function linkUrls(publicUrl: string, id: string) {
  const jsonUrl = `${publicUrl}/api/links/${id}`;
  return {
    shortUrl: `${publicUrl}/s/${id}`,
    viewerUrl: `${publicUrl}/#!${jsonUrl}`,
    jsonUrl,
    embedUrl: `${publicUrl}/embed/${id}`,
  };
}

/** The oEmbed discovery URL of a page of this service. */
export function oembedUrlFor(publicUrl: string, pageUrl: string): string {
  return `${publicUrl}/oembed?format=json&url=${encodeURIComponent(pageUrl)}`;
}

/** The path ("/s/abc") and query ("?x=1" or "") of a URL under PUBLIC_URL, or null. */
export function localPath(publicUrl: string, url: string): { path: string; search: string } | null {
  const trimmed = url.trim();
  if (!trimmed.startsWith(`${publicUrl}/`)) return null;
  const rest = trimmed.slice(publicUrl.length).split("#")[0] ?? "";
  const query = rest.indexOf("?");
  return query === -1
    ? { path: rest, search: "" }
    : { path: rest.slice(0, query), search: rest.slice(query) };
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
