// Exposes `app.viewerPage`: renders the built viewer page for a route. The template is read
// once at start-up, so a missing viewer build stops the service with what to run. Also the one
// content-negotiation rule of the link pages (/s/, /v/, /n/ and their /embed/ forms).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { loadViewerTemplate, type PageContent, renderViewerPage } from "../../http/viewer-page.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The page's HTML (for callers that cache pages of immutable links). */
    renderViewerPage(content: PageContent): string;
    /** Sends a page: rendered from content, or HTML rendered earlier. */
    viewerPage(reply: FastifyReply, page: PageContent | string): FastifyReply;
  }
}

/** application/json and the structured-syntax JSON types (application/ld+json, ...). */
const JSON_TYPE = /^application\/(?:[^/\s]+\+)?json$/;
/** The ranges that match text/html, most specific first (RFC 9110 §12.5.1). */
const HTML_RANGES = ["text/html", "text/*", "*/*"];
/** A valid qvalue (RFC 9110 §12.4.2); anything else is ignored and the range keeps q=1. */
const QVALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** The media ranges of an Accept header, lower-cased, with their qualities. */
function mediaRanges(accept: string): { range: string; q: number }[] {
  return accept.split(",").map((part) => {
    const [range = "", ...params] = part.split(";").map((p) => p.replace(/\s+/g, "").toLowerCase());
    let q = 1;
    for (const param of params) {
      const match = QVALUE.exec(param);
      if (match) q = Number(match[1]);
    }
    return { range, q };
  });
}

/**
 * Whether an Accept header explicitly prefers JSON to the page. It does when it names a JSON
 * type (application/json or application/<x>+json) with a higher quality than it gives
 * text/html; text/html's quality is that of its most specific matching range (text/html, else
 * text/*, else *\/*), 0 when none matches. Wildcards never count as asking for JSON, and a tie
 * goes to the page: browsers, link-preview crawlers and chat apps send text/html, *\/* or
 * nothing, and axios's default "application/json, text/plain, *\/*" ties, so all of them get the
 * page with its preview meta; `Accept: application/json` gets JSON.
 */
export function acceptPrefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = mediaRanges(accept);
  let json = 0;
  for (const { range, q } of ranges) if (JSON_TYPE.test(range) && q > json) json = q;
  if (json === 0) return false;
  for (const htmlRange of HTML_RANGES) {
    let html = -1;
    for (const { range, q } of ranges) if (range === htmlRange && q > html) html = q;
    if (html >= 0) return json > html;
  }
  return true;
}

/**
 * How a link page answers this request: "json" for clients that explicitly prefer JSON (see
 * acceptPrefersJson), else "html". Both answers vary on Accept, which the reply says, so caches
 * keep them apart.
 */
export function negotiate(request: FastifyRequest, reply: FastifyReply): "json" | "html" {
  reply.header("vary", "accept");
  return acceptPrefersJson(request.headers.accept) ? "json" : "html";
}

/** A link page's JSON answer for a stored state: the stored text, byte for byte. */
export function sendStoredState(reply: FastifyReply, stateJson: string): FastifyReply {
  return reply
    .header("cache-control", "no-cache")
    .type("application/json; charset=utf-8")
    .send(stateJson);
}

export default fp(
  async function viewerPage(app: FastifyInstance) {
    const template = loadViewerTemplate(app.config.viewerDir);
    const render = (content: PageContent) => renderViewerPage(template, content);
    app.decorate("renderViewerPage", render);
    app.decorate("viewerPage", (reply: FastifyReply, page: PageContent | string) =>
      reply
        .type("text/html; charset=utf-8")
        // Pages embed the current build's hashed asset names: never cache them in browsers.
        .header("cache-control", "no-cache")
        .send(typeof page === "string" ? page : render(page)),
    );
  },
  { name: "viewer-page", dependencies: ["config"] },
);
