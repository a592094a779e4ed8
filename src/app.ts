// Builds the nglaunch fastify application from a config. Tests, the CLI, benchmarks and
// server.ts all go through buildApp.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import fp from "fastify-plugin";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { Config } from "./config.js";
import { JsonNestingError } from "./domain/json-nesting.js";
import { parseJsonLosslessly } from "./domain/neuroglancer-url.js";
import { BuildError } from "./domain/state-builder.js";
import { loggerOptions } from "./logger.js";
import embedPage from "./plugins/app/embed-page.js";
import errorHandler from "./plugins/app/error-handler.js";
import linkStore from "./plugins/app/link-store.js";
import links, { InvalidStateError } from "./plugins/app/links.js";
import metrics from "./plugins/app/metrics.js";
import nameStore from "./plugins/app/name-store.js";
import names from "./plugins/app/names.js";
import presetChecks from "./plugins/app/preset-checks.js";
import presets from "./plugins/app/presets.js";
import previews from "./plugins/app/previews.js";
import redis from "./plugins/app/redis.js";
import viewerPage from "./plugins/app/viewer-page.js";
import compress from "./plugins/external/compress.js";
import cors from "./plugins/external/cors.js";
import helmet from "./plugins/external/helmet.js";
import rateLimit from "./plugins/external/rate-limit.js";
import staticFiles from "./plugins/external/static.js";
import swagger from "./plugins/external/swagger.js";
import underPressure from "./plugins/external/under-pressure.js";
import healthRoutes from "./routes/health.js";
import linkRoutes from "./routes/links.js";
import nameRoutes from "./routes/names.js";
import oembedRoutes from "./routes/oembed.js";
import pageRoutes from "./routes/pages.js";
import presetRoutes from "./routes/presets.js";
import previewRoutes from "./routes/previews.js";
import stateRoutes from "./routes/states.js";
import viewRoutes from "./routes/views.js";
import { OffloadedBody, offloadRouteOf } from "./work/offload.js";
import work, { bodyValidationError } from "./work/pool.js";

declare module "fastify" {
  interface FastifyInstance {
    config: Readonly<Config>;
  }
}

/** The parser's 400 for a body that is not JSON or nests too deep. */
function unparsable(error: Error, tooDeep: boolean): Error {
  const err = error as Error & { statusCode?: number };
  err.statusCode = 400;
  // Too deep is valid JSON refused on purpose (recursion limits), so it is not called invalid.
  err.message = tooDeep
    ? `body has ${err.message}; no Neuroglancer state nests that deep`
    : `body is not valid JSON: ${err.message}`;
  return err;
}

export interface BuildOptions {
  /** pino options or false; defaults to a logger at config.logLevel. */
  logger?: FastifyServerOptions["logger"];
}

/**
 * The HTTP server's timeouts, so a client cannot hold a connection by sending slowly: idle
 * connections, whole requests (a body trickling in byte by byte is cut off with 408), headers,
 * and idle keep-alive connections.
 */
function serverTimeouts(config: Readonly<Config>) {
  const bounds = [config.requestTimeoutMs, config.headersTimeoutMs].filter((ms) => ms > 0);
  return {
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node checks the two timeouts above on this interval (30 s by default): check often
      // enough that they hold to within a quarter of their length.
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.min(...bounds) / 4)),
    },
  };
}

export async function buildApp(
  config: Readonly<Config>,
  options: BuildOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.maxStateBytes,
    // A hop count is valid for fastify (proxy-addr) though its types omit numbers.
    trustProxy: (config.trustProxy ?? false) as boolean | string | string[],
    requestIdHeader: "x-request-id",
    genReqId: () => crypto.randomUUID(),
    routerOptions: { ignoreTrailingSlash: true },
    ...serverTimeouts(config),
  });
  // A body a worker already parsed and checked (src/work/offload.ts) passes as it is.
  app.setValidatorCompiler<z.ZodType>((route) => {
    const validate = validatorCompiler(route);
    if (route.httpPart !== "body") return validate;
    return (data) => (data instanceof OffloadedBody ? { value: data } : validate(data));
  });
  app.setSerializerCompiler(serializerCompiler);

  // JSON only: no text/plain parser, so other content types get 415 instead of odd 400s.
  app.removeAllContentTypeParsers();
  // Segment IDs above 2^53 must not be rounded by JSON.parse before anyone can object:
  // the lossless parser keeps such numbers as markers the validators report. Large state bodies
  // are handled whole in a worker thread; small ones are parsed in their turn (src/work/).
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    const route = offloadRouteOf(request.method, request.routeOptions.url);
    const parseInline = () =>
      app.turns
        .run(() => parseJsonLosslessly(text))
        .then(
          (value) => done(null, value),
          (error) => done(unparsable(error as Error, error instanceof JsonNestingError), undefined),
        );
    if (route === undefined || text.length < config.offloadBodyBytes) return void parseInline();
    app.offload(route, text).then(
      (result) => {
        if (result.kind === "inline") return void parseInline();
        if (result.kind === "unparsable")
          return done(unparsable(new Error(result.message), result.tooDeep), undefined);
        if (result.kind === "invalid-body") return done(bodyValidationError(result.issues));
        if (result.kind === "build-error")
          return done(new BuildError(result.issues, result.notFound));
        if (result.kind === "invalid-state") return done(new InvalidStateError(result.issues));
        done(null, new OffloadedBody(result.kind === "prepared" ? result.prepared : result));
      },
      (error) => done(error as Error, undefined),
    );
  });

  await app.register(
    fp(
      async (instance) => {
        instance.decorate("config", config);
      },
      { name: "config" },
    ),
  );
  // Every answer names its request id, so a user's report can be matched to the logs.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  // Before every plugin that adds routes (metrics too), so the OpenAPI document lists them all.
  await app.register(swagger);
  await app.register(work);
  await app.register(metrics);
  await app.register(errorHandler);
  await app.register(presets);
  await app.register(redis);
  await app.register(linkStore);
  await app.register(presetChecks);
  await app.register(helmet);
  await app.register(cors);
  await app.register(compress);
  await app.register(underPressure);
  await app.register(rateLimit);
  await app.register(staticFiles);
  await app.register(viewerPage);
  await app.register(embedPage);
  await app.register(links);
  await app.register(nameStore);
  await app.register(names);
  await app.register(previews);

  await app.register(healthRoutes);
  await app.register(presetRoutes);
  await app.register(stateRoutes);
  await app.register(viewRoutes);
  await app.register(linkRoutes);
  await app.register(nameRoutes);
  await app.register(previewRoutes);
  await app.register(oembedRoutes);
  await app.register(pageRoutes);
  return app;
}
