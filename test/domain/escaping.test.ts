import { describe, expect, it } from "vitest";
import {
  characterReference,
  escapeHtml,
  escapeMarkdown,
  escapeWikitext,
  safeUrl,
} from "../../src/domain/escaping.js";
import { decodeEntities } from "../helpers/entities.js";

const SHORT_URL = "https://ngl.test/s/AbC123";
const IMG = "<img src=x onerror=alert(1)>";
const WIKI = `"]] }} | [x](javascript:alert(1))`;

describe("escaping helpers", () => {
  it("escapeHtml escapes the five HTML-special characters and nothing else", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a> ok`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt; ok",
    );
  });

  it("escapeWikitext turns link, template, tag and formatting characters into references", () => {
    const escaped = escapeWikitext(WIKI);
    expect(escaped).not.toMatch(/[[\]{}|<>]/);
    expect(decodeEntities(escaped)).toBe(WIKI);
    expect(escapeWikitext("~~~~ __TOC__ ''b''")).not.toMatch(/~~|__|''/);
  });

  it("escapeMarkdown leaves no link syntax or raw HTML in link text", () => {
    expect(escapeMarkdown("[x](javascript:alert(1))")).toBe("\\[x\\]\\(javascript:alert\\(1\\)\\)");
    expect(escapeMarkdown(IMG)).toBe("&lt;img src=x onerror=alert\\(1\\)&gt;");
    expect(escapeMarkdown("a\\b *c* _d_ `e` |f| ~g~ &h")).toBe(
      "a\\\\b \\*c\\* \\_d\\_ \\`e\\` &#124;f&#124; &#126;g&#126; &amp;h",
    );
  });

  it("safeUrl keeps ordinary URLs and percent-encodes characters special to any snippet", () => {
    expect(safeUrl(SHORT_URL)).toBe(SHORT_URL);
    expect(safeUrl("http://[::1]:8080/s/x?a=1&b=2#f")).toBe("http://[::1]:8080/s/x?a=1&b=2#f");
    expect(safeUrl("https://h.test/a|b/(c)[d]{e}'f\"g<h> i\\j")).toBe(
      "https://h.test/a%7Cb/%28c%29%5Bd%5D%7Be%7D%27f%22g%3Ch%3E%20i/j",
    );
  });

  it("characterReference writes the decimal reference of any character", () => {
    expect(characterReference("{")).toBe("&#123;");
    expect(decodeEntities(characterReference("😀"))).toBe("😀");
  });

  it("safeUrl refuses what is not an absolute http(s) URL", () => {
    expect(() => safeUrl("javascript:alert(1)")).toThrow(TypeError);
    expect(() => safeUrl("/s/abc")).toThrow(TypeError);
    expect(() => safeUrl("data:text/html,<b>")).toThrow(TypeError);
    expect(() => safeUrl("https://user:pw@h.test/")).toThrow(TypeError);
  });
});
