// The project's one set of escaping helpers: every string put into HTML (pages, snippets, the
// badge's SVG), wikitext or Markdown, and every URL put into a snippet, goes through them.

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML (and XML/SVG) element content and for quoted attribute values. The one
 * HTML escaper of the project: server-rendered pages use it too.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

/** The numeric character reference of a character, e.g. "{" -> "&#123;". */
export function characterReference(char: string): string {
  return `&#${char.codePointAt(0)};`;
}

/**
 * Escapes inline text (a link label) for MediaWiki wikitext: the characters of tags and entities
 * (`& < >`), links (`[ ]`), templates and tables (`{ } |`), bold and italics (`'`), signatures
 * (`~`) and magic words (`_`) become character references, which MediaWiki shows as plain text.
 */
export function escapeWikitext(text: string): string {
  return text.replace(/[&<>'[\]{}|~_]/g, (char) => HTML_ENTITIES[char] ?? characterReference(char));
}

const MARKDOWN_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "|": "&#124;",
  "~": "&#126;",
};

/**
 * Escapes text for Markdown link text or a paragraph. `< > &` become entities (Python-Markdown,
 * which MkDocs uses, passes raw HTML through and has no `\<` escape); `|` and `~` too (tables,
 * strikethrough); the rest of the syntax (`\ [ ] ( ) * _ ! # \``) gets a backslash, which
 * CommonMark, GitHub and Python-Markdown all honour.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[&<>|~\\[\]()*_!#`]/g, (char) => MARKDOWN_ENTITIES[char] ?? `\\${char}`);
}

// Characters kept as they are after the origin: unreserved, most sub-delimiters, and the
// delimiters of paths, queries and fragments. Everything else (quotes, brackets, parentheses,
// braces, pipes, spaces, backslashes) is special in one of the snippet syntaxes.
const URL_UNSAFE = /[^A-Za-z0-9\-._~!$&*+,;=:@/?#%]/g;

/**
 * Checks that `url` is an absolute http(s) URL without credentials and percent-encodes every
 * character after the origin that HTML, wikitext, Confluence markup or Markdown could read as
 * syntax, so the result can go into any snippet as it is (HTML attributes still escape `&`).
 */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new TypeError(`not an http(s) URL: ${JSON.stringify(url)}`);
  if (parsed.username || parsed.password)
    throw new TypeError(`URL with credentials refused: ${JSON.stringify(url)}`);
  const origin = `${parsed.protocol}//${parsed.host}`;
  const rest = parsed.href.slice(origin.length);
  return (
    origin +
    rest.replace(
      URL_UNSAFE,
      (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    )
  );
}
