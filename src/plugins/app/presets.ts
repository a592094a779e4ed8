// Loads the preset catalogue once at start-up and exposes it as `app.presets`.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { type Catalogue, loadCatalogue } from "../../domain/presets.js";

declare module "fastify" {
  interface FastifyInstance {
    presets: Catalogue;
  }
}

export default fp(
  async function presets(app: FastifyInstance) {
    const catalogue = loadCatalogue(app.config.presetsDir, app.config.sourceRoots);
    app.decorate("presets", catalogue);
    app.log.info({ datasets: [...catalogue.datasets.keys()] }, "presets loaded");
  },
  { name: "presets", dependencies: ["config"] },
);
