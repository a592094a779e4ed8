// Copy-paste snippets that embed or link a short link in web pages, wikis and Markdown: iframes
// where hosts allow them, and the link's preview image linking to the viewer where they do not
// (GitHub READMEs, most Markdown wikis). Every string they put in HTML or markup goes through
// the helpers of escaping.ts.
import {
  characterReference,
  escapeHtml,
  escapeMarkdown,
  escapeWikitext,
  safeUrl,
} from "./escaping.js";

/** Where a link lives: the fields of a POST /api/links answer that snippets need. */
export interface SnippetLink {
  title: string | null;
  shortUrl: string;
  embedUrl: string;
  /** The link's preview image (PNG), shown by the image snippets. */
  previewUrl: string;
  /** The state JSON; offered as a "#!<url>" for any Neuroglancer when given. */
  jsonUrl?: string;
}

export interface SnippetOptions {
  /** Iframe size in CSS pixels (integers, 1 to 10 000); default 800 x 600. */
  width?: number;
  height?: number;
  /** The badge image; default `badge.svg` next to the `s/` of the short link (PUBLIC_URL/badge.svg). */
  badgeUrl?: string;
}

export type SnippetId =
  | "html"
  | "imageHtml"
  | "image"
  | "markdown"
  | "badge"
  | "badgeHtml"
  | "mediawikiIframeTag"
  | "mediawikiWidget"
  | "mediawikiLink"
  | "confluence"
  | "confluenceHtmlMacro"
  | "stateUrl";

export interface Snippet {
  id: SnippetId;
  /** Short name for a heading or tab, e.g. "MediaWiki (Widgets extension)". */
  label: string;
  /** One sentence: where the snippet works and what it needs. */
  note: string;
  text: string;
}

/** Every snippet's text by id (`stateUrl` only when the link has a `jsonUrl`), and `list`. */
export type LinkSnippets = Record<Exclude<SnippetId, "stateUrl">, string> & {
  stateUrl?: string;
  /** The snippets with labels and notes, in the order a page shows them. */
  list: Snippet[];
};

export const DEFAULT_TITLE = "Neuroglancer view";
export const DEFAULT_EMBED_WIDTH = 800;
export const DEFAULT_EMBED_HEIGHT = 600;
const BADGE_ALT = "Open in Neuroglancer";
/** The image snippets' size: half the 1200x630 preview, so it stays sharp on dense screens. */
const IMAGE_WIDTH = 600;
const IMAGE_HEIGHT = 315;
const MAX_DIMENSION = 10_000;

/** A title on one line, without control characters; null or blank gives the default. */
function cleanTitle(title: string | null): string {
  const oneLine = (title ?? "").replace(/[\p{Cc}\s]+/gu, " ").trim();
  return oneLine || DEFAULT_TITLE;
}

function dimension(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION)
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_DIMENSION}, got ${value}`);
  return value;
}

/**
 * The `<iframe>` for an embed page: lazy, fullscreen allowed, titled for screen readers. Also the
 * `html` of oEmbed answers, at the size the consumer asked for.
 */
export function iframeHtml(
  link: Pick<SnippetLink, "title" | "embedUrl">,
  size: { width?: number; height?: number } = {},
): string {
  const src = escapeHtml(safeUrl(link.embedUrl));
  const width = dimension(size.width, DEFAULT_EMBED_WIDTH, "width");
  const height = dimension(size.height, DEFAULT_EMBED_HEIGHT, "height");
  const title = escapeHtml(cleanTitle(link.title));
  return (
    `<iframe src="${src}" width="${width}" height="${height}" title="${title}"` +
    ` loading="lazy" allow="fullscreen" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>`
  );
}

/**
 * Every snippet for one link. Throws TypeError for a URL that is not absolute http(s), RangeError
 * for a bad size.
 */
export function linkSnippets(link: SnippetLink, options: SnippetOptions = {}): LinkSnippets {
  const title = cleanTitle(link.title);
  const shortUrl = safeUrl(link.shortUrl);
  const embedUrl = safeUrl(link.embedUrl);
  const previewUrl = safeUrl(link.previewUrl);
  const badgeUrl = safeUrl(options.badgeUrl ?? new URL("../badge.svg", shortUrl).href);
  const width = dimension(options.width, DEFAULT_EMBED_WIDTH, "width");
  const height = dimension(options.height, DEFAULT_EMBED_HEIGHT, "height");
  const iframe = iframeHtml({ title, embedUrl }, { width, height });

  const list: Snippet[] = [
    {
      id: "html",
      label: "HTML (iframe)",
      note: "For web pages, GitHub Pages and MkDocs (raw HTML), and the HTML macro of Confluence.",
      text: iframe,
    },
    {
      id: "imageHtml",
      label: "HTML (preview image)",
      note: "Where iframes are stripped (GitHub, GitLab, many wikis and CMSs): the link's preview picture, opening the viewer when clicked.",
      text:
        `<a href="${escapeHtml(shortUrl)}"><img src="${escapeHtml(previewUrl)}" alt="${escapeHtml(title)}"` +
        ` width="${IMAGE_WIDTH}" height="${IMAGE_HEIGHT}" loading="lazy"></a>`,
    },
    {
      id: "image",
      label: "Markdown (preview image)",
      note: "For READMEs and Markdown wikis: the link's preview picture, opening the viewer when clicked.",
      text: `[![${escapeMarkdown(title)}](${previewUrl})](${shortUrl})`,
    },
    {
      id: "markdown",
      label: "Markdown link",
      note: "GitHub and most Markdown renderers strip iframes, so Markdown gets a link.",
      text: `[${escapeMarkdown(title)}](${shortUrl})`,
    },
    {
      id: "badge",
      label: "Markdown badge",
      note: "An “Open in Neuroglancer” button for READMEs.",
      text: `[![${BADGE_ALT}](${badgeUrl})](${shortUrl})`,
    },
    {
      id: "badgeHtml",
      label: "HTML badge",
      note: "The same button for HTML pages.",
      text: `<a href="${escapeHtml(shortUrl)}"><img src="${escapeHtml(badgeUrl)}" alt="${BADGE_ALT}" height="20"></a>`,
    },
    {
      id: "mediawikiIframeTag",
      label: "MediaWiki (IframeTag extension)",
      note: "Needs Extension:IframeTag, with this service's host on the wiki's list of allowed hosts.",
      text: `<iframe src="${escapeHtml(embedUrl)}" width="${width}" height="${height}" allowfullscreen="true"></iframe>`,
    },
    {
      id: "mediawikiWidget",
      label: "MediaWiki (Widgets extension)",
      note: "Needs Extension:Widgets and the Widget:Iframe page from mediawikiwidgets.org.",
      text: `{{#widget:Iframe|url=${embedUrl}|width=${width}|height=${height}|border=0}}`,
    },
    {
      id: "mediawikiLink",
      label: "MediaWiki link",
      note: "Works on any MediaWiki, without extensions.",
      text: `[${shortUrl} ${escapeWikitext(title)}]`,
    },
    {
      id: "confluence",
      label: "Confluence (iframe macro)",
      note: "Wiki markup: paste it with Insert › Markup › Confluence wiki, or give the iframe macro this URL, width and height.",
      text: `{iframe:src=${embedUrl}|width=${width}|height=${height}}{iframe}`,
    },
    {
      id: "confluenceHtmlMacro",
      label: "Confluence (HTML macro)",
      note: "Wiki markup for the HTML macro, which an administrator must enable; its body is the HTML iframe.",
      // Braces would end the macro early; in attribute values a character reference means the same.
      text: `{html}${iframe.replace(/[{}]/g, characterReference)}{html}`,
    },
  ];
  if (link.jsonUrl !== undefined) {
    list.push({
      id: "stateUrl",
      label: "State URL (any Neuroglancer)",
      note: "Add #! and this URL to the address of any Neuroglancer to open the same view there.",
      text: safeUrl(link.jsonUrl),
    });
  }

  const texts = Object.fromEntries(list.map((snippet) => [snippet.id, snippet.text]));
  return { ...(texts as Omit<LinkSnippets, "list">), list };
}
