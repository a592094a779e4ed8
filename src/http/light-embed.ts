// The light embed page: what an /embed/... iframe shows first. The link's preview image, its
// title, the data's attribution and an "Explore in 3D" control; no script at all, so a wiki page
// with many embeds starts no viewer (and no WebGL context) until a reader asks for one.
import { escapeHtml } from "../domain/escaping.js";
import { PREVIEW_SIZE } from "./service-urls.js";
import { metaHead, type PageMeta } from "./viewer-page.js";

/** The query parameter that makes an embed URL serve the full viewer at once. */
export const AUTOLOAD_PARAM = "autoload";

export interface LightEmbed {
  /**
   * The link's page meta: the light page carries the same head tags as its other pages, and
   * shows its preview image and attribution line (the licence asks for it wherever the data is).
   */
  meta: PageMeta;
  /** The embed URL's query ("?segments=1" or ""), as the iframe requested it. */
  search: string;
}

/**
 * The query of "Explore in 3D": the embed's own parameters (segments, position...) with
 * autoload=1, as hidden fields of a GET form. The form has no action: it submits to the page's
 * own URL with this query, whatever path prefix a proxy put in front of the service.
 */
function exploreFields(search: string): string[] {
  const fields: string[] = [];
  for (const [name, value] of new URLSearchParams(search))
    if (name !== AUTOLOAD_PARAM)
      fields.push(
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}" />`,
      );
  fields.push(`<input type="hidden" name="${AUTOLOAD_PARAM}" value="1" />`);
  return fields;
}

export function renderLightEmbed(embed: LightEmbed): string {
  const e = escapeHtml;
  const { meta } = embed;
  // A form, not a script: a button submits it with a click, Enter or Space in any browser, and
  // the iframe navigates itself to the full embed (the host page is never touched).
  const explore = [
    `<form class="nglaunch-light-explore" method="get">`,
    ...exploreFields(embed.search),
    // Screen readers hear which view it explores.
    `<button type="submit" aria-describedby="nglaunch-light-title">Explore in 3D</button>`,
    `</form>`,
  ];
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8" />',
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    ...metaHead(meta),
    '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />',
    '<link rel="stylesheet" href="/static/embed-bar.css" />',
    '<link rel="stylesheet" href="/static/embed-light.css" />',
    "</head>",
    '<body class="nglaunch-light">',
    // Decorative size hints only; CSS fills the frame. A missing image leaves its alt text on
    // the page's neutral background.
    meta.image
      ? `<img class="nglaunch-light-preview" src="${e(meta.image.url)}" alt="${e(`Preview of ${meta.title}`)}" width="${PREVIEW_SIZE.width}" height="${PREVIEW_SIZE.height}" decoding="async" />`
      : "",
    '<div class="nglaunch-light-panel">',
    `<p class="nglaunch-light-title" id="nglaunch-light-title">${e(meta.title)}</p>`,
    ...explore,
    "</div>",
    '<div class="nglaunch-embed-bar nglaunch-light-bar">',
    `<a href="${e(meta.url)}" target="_blank" rel="noopener">Open full viewer ↗</a>`,
    meta.attribution ? `<span class="nglaunch-attribution">${e(meta.attribution)}</span>` : "",
    "</div>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
