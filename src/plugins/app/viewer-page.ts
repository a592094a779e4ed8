// Exposes `app.viewerPage`: renders the built viewer page for a route. The template is read
// once at start-up, so a missing viewer build stops the service with what to run.
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

/** Browsers and link-preview crawlers ask for HTML; API clients and curl get redirects. */
export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/html");
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
