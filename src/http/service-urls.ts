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
