// Renders the viewer's HTML page for each route (/, /s/:id, /v/..., /embed/...): the built
// index.html with a title, link-preview meta, oEmbed discovery and the state data block that
// client/public/boot.js turns into the #! fragment.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../config.js";
import { escapeHtml } from "../domain/escaping.js";

export interface PageMeta {
  title: string;
  description: string;
  /** The URL people share (og:url, canonical). */
  url: string;
  /** The oEmbed endpoint for this page, if it has one. */
  oembedUrl?: string;
  /** Shown as og:site_name context, e.g. the dataset title. */
  dataset?: string;
  /**
   * The page's preview image (og:image, twitter:image): an absolute URL of a PNG, its size, and
   * its alt text (default: the title's). With an image, the Twitter card is the large one.
   */
  image?: { url: string; width: number; height: number; alt?: string };
  /** The data's attribution line, which embeds show (the licence asks for it); no head tag. */
  attribution?: string;
}

export interface PageContent {
  meta: PageMeta;
  /** An inline state object, or the URL of a state JSON; omitted = no state (the welcome page). */
  state?: Record<string, unknown> | string;
  /** Extra markup at the start of <body> (embed chrome). */
  body?: string;
  /** Extra tags in <head> (embed stylesheet and script). */
  head?: string;
}

const HEAD_MARKER = "<!--nglaunch:head-->";
const BODY_MARKER = "<!--nglaunch:body-->";

/** Reads the built page once; a missing build is a start-up error that says what to run. */
export function loadViewerTemplate(viewerDir: string): string {
  const file = path.join(viewerDir, "index.html");
  let html: string;
  try {
    html = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(
      `VIEWER_DIR: the viewer is not built (${file} is missing): run "npm run build"`,
    );
  }
  if (!html.includes(HEAD_MARKER) || !html.includes(BODY_MARKER))
    throw new Error(
      `${file} lacks the ${HEAD_MARKER} / ${BODY_MARKER} markers: rebuild the viewer`,
    );
  return html;
}

/** JSON inside <script type="application/json">: "<" escaped so "</script>" cannot end it. */
function dataBlockJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The head tags every page of a link carries, whatever its body (the viewer page, a light
 * embed): title, description, canonical URL, OpenGraph, Twitter card, preview image and oEmbed
 * discovery.
 */
export function metaHead(meta: PageMeta): string[] {
  const e = escapeHtml;
  const { image } = meta;
  const head = [
    `<title>${e(meta.title)}</title>`,
    `<meta name="description" content="${e(meta.description)}" />`,
    `<link rel="canonical" href="${e(meta.url)}" />`,
    `<meta property="og:type" content="website" />`,
    `<meta property="og:site_name" content="${e(meta.dataset ? `nglaunch · ${meta.dataset}` : "nglaunch")}" />`,
    `<meta property="og:title" content="${e(meta.title)}" />`,
    `<meta property="og:description" content="${e(meta.description)}" />`,
    `<meta property="og:url" content="${e(meta.url)}" />`,
    `<meta name="twitter:card" content="${image ? "summary_large_image" : "summary"}" />`,
    `<meta name="twitter:title" content="${e(meta.title)}" />`,
    `<meta name="twitter:description" content="${e(meta.description)}" />`,
  ];
  if (image) {
    const alt = image.alt ?? `Preview of “${meta.title}”`;
    head.push(
      `<meta property="og:image" content="${e(image.url)}" />`,
      `<meta property="og:image:type" content="image/png" />`,
      `<meta property="og:image:width" content="${image.width}" />`,
      `<meta property="og:image:height" content="${image.height}" />`,
      `<meta property="og:image:alt" content="${e(alt)}" />`,
      `<meta name="twitter:image" content="${e(image.url)}" />`,
      `<meta name="twitter:image:alt" content="${e(alt)}" />`,
    );
  }
  if (meta.oembedUrl)
    head.push(
      `<link rel="alternate" type="application/json+oembed" href="${e(meta.oembedUrl)}" title="${e(meta.title)}" />`,
    );
  return head;
}

export function renderViewerPage(template: string, content: PageContent): string {
  const head = metaHead(content.meta);
  if (content.head) head.push(content.head);
  const body: string[] = [];
  if (content.state !== undefined)
    body.push(
      `<script type="application/json" id="nglaunch-state">${dataBlockJson(content.state)}</script>`,
    );
  if (content.body) body.push(content.body);
  // Replacer functions, so "$&" and friends in titles are not substitution patterns.
  return template
    .replace(HEAD_MARKER, () => head.join("\n    "))
    .replace(BODY_MARKER, () => body.join("\n    "));
}

/** The compact chrome of embed pages: an "open full viewer" link and the data attribution. */
export function embedChrome(
  fullViewerUrl: string,
  attribution: string | null,
): PageContent["body"] {
  const e = escapeHtml;
  return [
    `<div class="nglaunch-embed-bar">`,
    `<a href="${e(fullViewerUrl)}" target="_blank" rel="noopener">Open full viewer ↗</a>`,
    attribution ? `<span class="nglaunch-attribution">${e(attribution)}</span>` : "",
    `</div>`,
    `<button type="button" class="nglaunch-embed-activate">Click to explore</button>`,
  ].join("");
}

/** Head tags of embed pages: a classic script that runs before the viewer bundle. */
export const EMBED_HEAD =
  '<link rel="stylesheet" href="/static/embed-bar.css" />\n    <link rel="stylesheet" href="/static/embed.css" />\n    <script src="/static/embed.js"></script>';
