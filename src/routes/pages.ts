// The pages around the viewer: "/" (the viewer itself, which opens #! fragments such as the
// Share button's links), the gallery and link builder, the favicon and the badge.
import path from "node:path";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { packageRoot } from "../config.js";
import { badgeSvg } from "../domain/badge.js";
import { readCors } from "../plugins/external/cors.js";

const staticRoot = path.join(packageRoot, "static");
const html = { 200: z.string().describe("HTML page") };

const pageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { publicUrl } = app.config;

  app.get(
    "/",
    { schema: { tags: ["pages"], summary: "The viewer; opens #! fragments", response: html } },
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
      schema: { tags: ["pages"], summary: "Datasets, views and the link builder", response: html },
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
      schema: { tags: ["embed"], summary: 'An "Open in Neuroglancer" badge for READMEs and wikis' },
    },
    async (_request, reply) =>
      reply.type("image/svg+xml").header("cache-control", "public, max-age=86400").send(badgeSvg()),
  );
};

export default pageRoutes;
