// Security headers on every answer, with the CSP from src/http/csp.ts. Pages may not be
// framed (frame-ancestors 'none'); embed routes loosen that for EMBED_ORIGINS only.
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { connectSources, cspDirectives, embedAncestors } from "../../http/csp.js";

declare module "fastify" {
  interface FastifyInstance {
    /** helmet options for routes that may be framed (the embed pages). */
    embedHelmet: Record<string, unknown>;
  }
}

export default fp(
  async function securityHeaders(app: FastifyInstance) {
    const connectSrc = connectSources(app.presets, app.config);
    const common = {
      // The viewer fetches cross-origin data and wasm; COEP would block anonymous S3 reads.
      crossOriginEmbedderPolicy: false,
      // The state JSON is read by other Neuroglancer deployments (CORS); let them load it.
      crossOriginResourcePolicy: { policy: "cross-origin" as const },
      referrerPolicy: { policy: "strict-origin-when-cross-origin" as const },
    };
    await app.register(helmet, {
      global: true,
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: cspDirectives(connectSrc, ["'none'"]),
      },
      frameguard: { action: "deny" },
    });
    app.decorate("embedHelmet", {
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: cspDirectives(connectSrc, embedAncestors(app.config.embedOrigins)),
      },
      // X-Frame-Options cannot express a list of origins; CSP frame-ancestors does.
      frameguard: false,
    });
  },
  { name: "helmet", dependencies: ["config", "presets"] },
);
