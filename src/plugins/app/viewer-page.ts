// Exposes `app.viewerPage`: renders the built viewer page for a route. The template is read
// once at start-up, so a missing viewer build stops the service with what to run.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { loadViewerTemplate, type PageContent, renderViewerPage } from "../../http/viewer-page.js";

declare module "fastify" {
  interface FastifyInstance {
    viewerPage(reply: FastifyReply, content: PageContent): FastifyReply;
  }
}

/** Browsers and link-preview crawlers ask for HTML; API clients and curl get redirects. */
export function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/html");
}

export default fp(
  async function viewerPage(app: FastifyInstance) {
    const template = loadViewerTemplate(app.config.viewerDir);
    app.decorate("viewerPage", (reply: FastifyReply, content: PageContent) =>
      reply
        .type("text/html; charset=utf-8")
        // Pages embed the current build's hashed asset names: never cache them.
        .header("cache-control", "no-cache")
        .send(renderViewerPage(template, content)),
    );
  },
  { name: "viewer-page", dependencies: ["config"] },
);
