// Static files: the built viewer at /viewer/ (precompressed brotli/gzip; content-hashed
// assets cached for a year) and, at /static/, the pages' scripts bundled from src/browser into
// dist/static (scripts/build.mjs) and the hand-written assets in static/ (styles, HTML, icon).
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { packageRoot } from "../../config.js";

const YEAR = 365 * 24 * 3600;

export default fp(
  async function staticFiles(app: FastifyInstance) {
    await app.register(fastifyStatic, {
      root: app.config.viewerDir,
      prefix: "/viewer/",
      preCompressed: true,
      index: false,
      // The page itself is rendered per route; never serve the raw template.
      allowedPath: (pathName) => !/^\/index\.html/.test(pathName),
      cacheControl: false,
      setHeaders(res, filePath) {
        const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
        res.header(
          "cache-control",
          hashed ? `public, max-age=${YEAR}, immutable` : "public, max-age=0, must-revalidate",
        );
      },
    });
    await app.register(fastifyStatic, {
      root: [path.join(packageRoot, "dist", "static"), path.join(packageRoot, "static")],
      prefix: "/static/",
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders(res) {
        // Not content-hashed: revalidate (cheap 304s thanks to ETag/Last-Modified).
        res.header("cache-control", "public, max-age=0, must-revalidate");
      },
    });
  },
  { name: "static", dependencies: ["config"] },
);
