// Security headers on every answer, from the `helmet` package, with the CSP of
// src/http/csp.ts. Pages may not be framed (frame-ancestors 'none'); routes marked
// `config: { embed: true }` may be, by EMBED_ORIGINS only.
//
// Why not @fastify/helmet: it runs helmet's middleware on every request, re-parsing the CSP
// each time; that was the largest per-request cost in `npm run bench` (about 35 µs of the
// 67 µs a cached GET /api/links/:id took). The headers depend only on the configuration, so
// helmet computes them once here and a hook copies them onto each reply.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import helmet, { type HelmetOptions } from "helmet";
import { connectSources, cspDirectives, embedAncestors } from "../../http/csp.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** This route may be framed by EMBED_ORIGINS (the embed pages). */
    embed?: boolean;
  }
}

/** The headers helmet sets for these options, captured from one run of its middleware. */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
    },
  );
  return headers;
}

export default fp(
  async function securityHeadersPlugin(app: FastifyInstance) {
    const connectSrc = connectSources(app.presets, app.config);
    const common = {
      // The viewer fetches cross-origin data and wasm; COEP would block anonymous S3 reads.
      crossOriginEmbedderPolicy: false,
      // The state JSON is read by other Neuroglancer deployments (CORS); let them load it.
      crossOriginResourcePolicy: { policy: "cross-origin" },
      referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    } as const satisfies HelmetOptions;
    const pageHeaders = securityHeaders({
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: cspDirectives(connectSrc, ["'none'"]),
      },
      frameguard: { action: "deny" },
    });
    const embedHeaders = securityHeaders({
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: cspDirectives(connectSrc, embedAncestors(app.config.embedOrigins)),
      },
      // X-Frame-Options cannot express a list of origins; CSP frame-ancestors does.
      frameguard: false,
    });
    app.addHook("onRequest", async (request, reply) => {
      reply.headers(request.routeOptions.config.embed ? embedHeaders : pageHeaders);
    });
  },
  { name: "helmet", dependencies: ["config", "presets"] },
);
