// OpenAPI generated from the routes' zod schemas, served at /docs.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { jsonSchemaTransform } from "fastify-type-provider-zod";

export default fp(
  async function openapi(app: FastifyInstance) {
    await app.register(swagger, {
      openapi: {
        info: {
          title: "nglaunch",
          description:
            "Curated Neuroglancer views, state validation and short links for public connectomics datasets.",
          version: "1",
        },
        servers: [{ url: app.config.publicUrl }],
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: "/docs" });
  },
  { name: "openapi", dependencies: ["config"] },
);
