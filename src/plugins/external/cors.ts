// CORS from @fastify/cors: off by default, on for the read routes other sites and other
// Neuroglancer deployments fetch (the state JSON for #!<url>, link metadata and snippets,
// oEmbed, the badge), which opt in with `config: readCors`. No preflight: these are simple GETs.
import cors, { type FastifyCorsOptions } from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Route-level CORS options (read by @fastify/cors); see `readCors`. */
    cors?: FastifyCorsOptions | false;
  }
}

/** Route config for a read route that any origin may fetch. */
export const readCors = { cors: { origin: "*" } } as const;

export default fp(
  async function corsPlugin(app: FastifyInstance) {
    await app.register(cors, { origin: false });
  },
  { name: "cors" },
);
