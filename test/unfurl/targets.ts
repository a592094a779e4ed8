// The links the unfurl tests read back, on a real listening app: a short link, a view link with
// segments (one above 2^53) and a name, each with the title, description and preview image a
// card must show. The description is the one the page gives a browser: every other client
// must find the same one, and it is not the home page's.
import { decodeEntities } from "../helpers/entities.js";

export interface Target {
  kind: "short link" | "view link" | "name";
  url: string;
  title: string;
  description: string;
  /** The link's preview image: what og:image, twitter:image and oEmbed's thumbnail name. */
  image: string;
}

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** The content of a `<meta name|property="...">` tag of a page, entities decoded. */
export function metaContent(html: string, key: string): string | undefined {
  const tag = new RegExp(`<meta (?:name|property)="${key}" content="([^"]*)"`).exec(html);
  return tag?.[1] === undefined ? undefined : decodeEntities(tag[1]);
}

interface Urls {
  id: string;
  url: string;
  shortUrl: string;
  previewUrl: string;
}

async function post(origin: string, path: string, body: unknown): Promise<Urls> {
  const response = await fetch(`${origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status}`);
  return (await response.json()) as Urls;
}

/** The description a browser is shown for a page (the reference the other clients must match). */
async function browserDescription(url: string): Promise<string> {
  const response = await fetch(url, { headers: { accept: BROWSER_ACCEPT } });
  const description = metaContent(await response.text(), "description");
  if (response.status !== 200 || !description) throw new Error(`no page for ${url}`);
  return description;
}

/** Stores the links on the app at `origin` (its PUBLIC_URL) and says what each must unfurl to. */
export async function makeTargets(origin: string): Promise<{ targets: Target[]; home: string }> {
  const link = await post(origin, "/api/links", {
    dataset: "e11-prism",
    view: "overview",
    segments: ["42", "18446744073709551615"],
    title: "Unfurl check: cell 42",
  });
  const named = await post(origin, "/api/links", {
    dataset: "e11-prism",
    view: "synapses",
    segments: ["7"],
    title: "Unfurl check: the named view",
  });
  const name = await post(origin, "/api/names", {
    name: "unfurl-check",
    link: named.id,
    note: "first",
  });
  const query = "?segments=42,18446744073709551615&title=Unfurl%20check%3A%20view%20link";
  const view = `${origin}/v/e11-prism/overview${query}`;
  const targets: Target[] = [
    {
      kind: "short link",
      url: link.shortUrl,
      title: "Unfurl check: cell 42",
      description: await browserDescription(link.shortUrl),
      image: link.previewUrl,
    },
    {
      kind: "view link",
      url: view,
      title: "Unfurl check: view link",
      description: await browserDescription(view),
      image: `${origin}/v/e11-prism/overview/preview.png${query}`,
    },
    {
      kind: "name",
      url: name.url,
      title: "Unfurl check: the named view",
      description: await browserDescription(name.url),
      image: name.previewUrl,
    },
  ];
  return { targets, home: await browserDescription(`${origin}/`) };
}
