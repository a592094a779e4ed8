// The pages around the viewer: "/" (the viewer itself, which opens #! fragments such as the
// Share button's links), the gallery and link builder, the favicon and the badge.
import path from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { packageRoot } from "../config.js";
import { badgeSvg } from "../domain/badge.js";
import { anonymous, headers, htmlPage, notModified, respond } from "../http/schemas.js";
import { readCors } from "../plugins/external/cors.js";

const staticRoot = path.join(packageRoot, "static");

const pageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { publicUrl } = app.config;

  app.get(
    "/",
    {
      schema: {
        operationId: "viewerPage",
        tags: ["pages"],
        ...anonymous,
        summary: "The viewer; opens #! fragments",
        response: { 200: htmlPage("The viewer page") },
      },
    },
    async (_request, reply) =>
      app.viewerPage(reply, {
        meta: {
          title: "nglaunch: Neuroglancer views of public connectomics data",
          description: "Curated one-click Neuroglancer views, short links and wiki embeds.",
          url: `${publicUrl}/`,
        },
      }),
  );

  app.get(
    "/gallery",
    {
      schema: {
        operationId: "galleryPage",
        tags: ["pages"],
        ...anonymous,
        summary: "Datasets, views and the link builder",
        // A static file: revalidated with ETag/Last-Modified, so a conditional GET may get 304.
        response: {
          200: htmlPage("The gallery page", {
            "cache-control": headers.cacheNoCache,
            etag: headers.revalidateEtag,
            "last-modified": headers.lastModified,
          }),
          304: notModified(),
        },
      },
    },
    async (_request, reply) =>
      reply
        .header("cache-control", "no-cache")
        .sendFile("gallery.html", staticRoot, { cacheControl: false }),
  );

  app.get("/favicon.ico", { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header("cache-control", "public, max-age=86400")
      .sendFile("favicon.svg", staticRoot, {
        cacheControl: false,
        contentType: false,
      })
      .type("image/svg+xml"),
  );

  app.get(
    "/badge.svg",
    {
      config: readCors,
      schema: {
        operationId: "getBadge",
        tags: ["embed"],
        ...anonymous,
        summary: 'An "Open in Neuroglancer" badge for READMEs and wikis',
        response: {
          200: respond(z.string(), {
            description: "The badge (SVG)",
            mediaTypes: ["image/svg+xml"],
            headers: { "cache-control": headers.cacheDay },
          }),
        },
      },
    },
    async (_request, reply) =>
      reply.type("image/svg+xml").header("cache-control", "public, max-age=86400").send(badgeSvg()),
  );
};

export default pageRoutes;
