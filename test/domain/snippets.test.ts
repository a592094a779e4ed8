import { describe, expect, it } from "vitest";
import { badgeSvg } from "../../src/domain/badge.js";
import { iframeHtml, linkSnippets } from "../../src/domain/snippets.js";
import { decodeEntities } from "../helpers/entities.js";

const link = {
  title: "CA3 pyramidal cells",
  shortUrl: "https://ngl.test/s/AbC123",
  embedUrl: "https://ngl.test/embed/AbC123",
  previewUrl: "https://ngl.test/s/AbC123/preview.png",
  jsonUrl: "https://ngl.test/api/links/AbC123",
};
const IMG = "<img src=x onerror=alert(1)>";
const WIKI = `"]] }} | [x](javascript:alert(1))`;
const HOSTILE = [IMG, WIKI, `'><script>alert(1)</script>{html}{{!}}~~~~ __NOTOC__ \\ \`x\``];

/**
 * One tag whose attribute values are all double-quoted and hold no quote or angle bracket: the
 * only shape in which a value cannot end its attribute or open a tag.
 */
const QUOTED_TAG = /^<[a-z]+(?: [a-z-]+(?:="[^"<>]*")?)*>$/;

function tags(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

const IFRAME_ATTRIBUTES = [
  "src",
  "width",
  "height",
  "title",
  "loading",
  "allow",
  "allowfullscreen",
  "referrerpolicy",
];

/** Attribute names of a tag that matches QUOTED_TAG, quoted values removed. */
function attributeNames(tag: string): string[] {
  return tag
    .replace(/="[^"]*"/g, "")
    .slice(1, -1)
    .split(" ")
    .slice(1);
}

function attribute(tag: string, name: string): string | undefined {
  const value = new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

describe("linkSnippets for a normal title", () => {
  const snippets = linkSnippets(link, { badgeUrl: "https://ngl.test/badge.svg" });

  it("gives an HTML iframe with the embed URL, size, title and lazy loading", () => {
    expect(snippets.html).toBe(
      '<iframe src="https://ngl.test/embed/AbC123" width="800" height="600" title="CA3 pyramidal cells" loading="lazy" allow="fullscreen" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"></iframe>',
    );
  });

  it("gives MediaWiki snippets for IframeTag, Widgets and a plain external link", () => {
    expect(snippets.mediawikiIframeTag).toBe(
      '<iframe src="https://ngl.test/embed/AbC123" width="800" height="600" allowfullscreen="true"></iframe>',
    );
    expect(snippets.mediawikiWidget).toBe(
      "{{#widget:Iframe|url=https://ngl.test/embed/AbC123|width=800|height=600|border=0}}",
    );
    expect(snippets.mediawikiLink).toBe("[https://ngl.test/s/AbC123 CA3 pyramidal cells]");
  });

  it("gives Confluence snippets for the iframe macro and the HTML macro", () => {
    expect(snippets.confluence).toBe(
      "{iframe:src=https://ngl.test/embed/AbC123|width=800|height=600}{iframe}",
    );
    expect(snippets.confluenceHtmlMacro).toBe(`{html}${snippets.html}{html}`);
  });

  it("gives a Markdown link and badges", () => {
    expect(snippets.markdown).toBe("[CA3 pyramidal cells](https://ngl.test/s/AbC123)");
    expect(snippets.badge).toBe(
      "[![Open in Neuroglancer](https://ngl.test/badge.svg)](https://ngl.test/s/AbC123)",
    );
    expect(snippets.badgeHtml).toBe(
      '<a href="https://ngl.test/s/AbC123"><img src="https://ngl.test/badge.svg" alt="Open in Neuroglancer" height="20"></a>',
    );
    expect(snippets.stateUrl).toBe(link.jsonUrl);
  });

  it("gives the preview image linking to the viewer, in Markdown and in HTML", () => {
    expect(snippets.image).toBe(
      "[![CA3 pyramidal cells](https://ngl.test/s/AbC123/preview.png)](https://ngl.test/s/AbC123)",
    );
    expect(snippets.imageHtml).toBe(
      '<a href="https://ngl.test/s/AbC123"><img src="https://ngl.test/s/AbC123/preview.png" alt="CA3 pyramidal cells" width="600" height="315" loading="lazy"></a>',
    );
  });

  it("percent-encodes what Markdown or HTML would read in a preview URL (a view link's query)", () => {
    const view = linkSnippets({
      ...link,
      shortUrl: "https://ngl.test/v/e11-prism/overview?segments=1,2&title=(a)",
      previewUrl: "https://ngl.test/v/e11-prism/overview/preview.png?segments=1,2&title=(a)",
    });
    expect(view.image).toBe(
      "[![CA3 pyramidal cells](https://ngl.test/v/e11-prism/overview/preview.png?segments=1,2&title=%28a%29)](https://ngl.test/v/e11-prism/overview?segments=1,2&title=%28a%29)",
    );
    expect(view.imageHtml).toContain(
      'src="https://ngl.test/v/e11-prism/overview/preview.png?segments=1,2&amp;title=%28a%29"',
    );
  });

  it("lists every snippet once, labelled, in the same texts as the object", () => {
    const ids = snippets.list.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const snippet of snippets.list) {
      expect(snippet.label).not.toBe("");
      expect(snippet.note).not.toBe("");
      expect(snippets[snippet.id]).toBe(snippet.text);
    }
  });

  it("derives the badge URL from the short link and takes a size", () => {
    const sized = linkSnippets(
      {
        title: null,
        shortUrl: "https://h.test/ngl/s/x",
        embedUrl: "https://h.test/ngl/embed/x",
        previewUrl: "https://h.test/ngl/s/x/preview.png",
      },
      { width: 640, height: 480 },
    );
    expect(sized.badge).toContain("(https://h.test/ngl/badge.svg)");
    expect(sized.html).toContain('width="640" height="480" title="Neuroglancer view"');
    expect(sized.markdown).toBe("[Neuroglancer view](https://h.test/ngl/s/x)");
    expect(sized.stateUrl).toBeUndefined();
    expect(sized.list.map((s) => s.id)).not.toContain("stateUrl");
  });

  it("refuses bad sizes and non-http URLs instead of writing them", () => {
    expect(() => linkSnippets(link, { width: 0 })).toThrow(RangeError);
    expect(() => linkSnippets(link, { height: 1.5 })).toThrow(RangeError);
    expect(() => linkSnippets({ ...link, embedUrl: "javascript:alert(1)" })).toThrow(TypeError);
    expect(() => linkSnippets({ ...link, previewUrl: "data:image/png;base64,AA" })).toThrow(
      TypeError,
    );
  });
});

describe.each(HOSTILE)("linkSnippets for the hostile title %s", (title) => {
  const snippets = linkSnippets({ ...link, title }, { badgeUrl: "https://ngl.test/badge.svg" });

  it("keeps the HTML iframe one well-quoted tag whose title reads back as the title", () => {
    const [open, close, ...rest] = tags(snippets.html);
    expect(rest).toEqual([]);
    expect(close).toBe("</iframe>");
    expect(open).toMatch(QUOTED_TAG);
    expect(attribute(open ?? "", "title")).toBe(title);
    expect(attribute(open ?? "", "src")).toBe(link.embedUrl);
    expect(snippets.html).not.toMatch(/<img|<script/i);
    // "onerror=" may appear, but only as text inside the quoted title.
    expect(attributeNames(open ?? "")).toEqual(IFRAME_ATTRIBUTES);
  });

  it("keeps the HTML macro body inert and its braces from ending the macro", () => {
    const body = snippets.confluenceHtmlMacro.slice("{html}".length, -"{html}".length);
    expect(body).not.toMatch(/[{}]/);
    expect(decodeEntities(body)).toBe(decodeEntities(snippets.html));
    for (const tag of tags(body).slice(0, 1)) expect(tag).toMatch(QUOTED_TAG);
  });

  it("keeps the MediaWiki link one link whose label reads back as the title", () => {
    const match = /^\[(https:\/\/ngl\.test\/s\/AbC123) ([^[\]{}|<>]*)\]$/.exec(
      snippets.mediawikiLink,
    );
    expect(match).not.toBeNull();
    expect(match?.[2]).not.toMatch(/~~|__|''/);
    expect(decodeEntities(match?.[2] ?? "")).toBe(title);
  });

  it("keeps the HTML image link one link around one well-quoted image whose alt is the title", () => {
    const [open, img, close, ...rest] = tags(snippets.imageHtml);
    expect(rest).toEqual([]);
    expect(open).toBe('<a href="https://ngl.test/s/AbC123">');
    expect(close).toBe("</a>");
    expect(img).toMatch(QUOTED_TAG);
    expect(attribute(img ?? "", "alt")).toBe(title);
    expect(attributeNames(img ?? "")).toEqual(["src", "alt", "width", "height", "loading"]);
  });

  it("keeps the Markdown image link one image inside one link, the title escaped", () => {
    const alt =
      /^\[!\[(.*)\]\(https:\/\/ngl\.test\/s\/AbC123\/preview\.png\)\]\(https:\/\/ngl\.test\/s\/AbC123\)$/.exec(
        snippets.image,
      )?.[1];
    expect(alt).toBeDefined();
    expect(alt).not.toMatch(/[<>]/);
    expect(alt?.replace(/\\[\\[\]()*_!#`]/g, "")).not.toMatch(/[\\[\]()]/);
  });

  it("keeps the Markdown link one link with no raw HTML or unescaped brackets", () => {
    const text = /^\[(.*)\]\(https:\/\/ngl\.test\/s\/AbC123\)$/.exec(snippets.markdown)?.[1];
    expect(text).toBeDefined();
    expect(text).not.toMatch(/[<>]/);
    // Every bracket, parenthesis and backslash in the text is escaped by a backslash.
    expect(text?.replace(/\\[\\[\]()*_!#`]/g, "")).not.toMatch(/[\\[\]()]/);
  });

  it("leaves the snippets that carry no title unchanged", () => {
    const plain = linkSnippets(link, { badgeUrl: "https://ngl.test/badge.svg" });
    for (const id of ["mediawikiIframeTag", "mediawikiWidget", "confluence", "badge"] as const)
      expect(snippets[id]).toBe(plain[id]);
  });
});

describe("iframeHtml (oEmbed)", () => {
  it("sizes the frame and escapes the title", () => {
    const html = iframeHtml({ title: IMG, embedUrl: link.embedUrl }, { width: 400, height: 300 });
    expect(html).toContain('width="400" height="300"');
    expect(html).toContain('title="&lt;img src=x onerror=alert(1)&gt;"');
    expect(tags(html)[0]).toMatch(QUOTED_TAG);
  });

  it("puts a multi-line title with control characters on one line", () => {
    const html = iframeHtml({ title: "a\n\tb\u0000c", embedUrl: link.embedUrl });
    expect(html).toContain('title="a b c"');
  });
});

describe("badgeSvg", () => {
  it("is a titled SVG with both texts", () => {
    const svg = badgeSvg();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20"/);
    expect(svg).toContain("<title>Open in: Neuroglancer</title>");
    expect(svg).toContain(">Neuroglancer</text>");
    expect(svg).toContain(">Open in</text>");
  });

  it("escapes its texts and widens with them", () => {
    const svg = badgeSvg(IMG, "</svg><script>");
    expect(svg).not.toMatch(/<img|<script|<\/svg></);
    const width = (s: string) => Number(/width="(\d+)"/.exec(s)?.[1]);
    expect(width(badgeSvg("Open in", "Neuroglancer, the viewer"))).toBeGreaterThan(
      width(badgeSvg()),
    );
  });
});
