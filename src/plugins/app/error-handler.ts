// The one error handler: 4xx answers say what to fix ({error, issues:[{path, message}]});
// 5xx answers are logged with the request id and hide internals.
import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { BuildError } from "../../domain/state-builder.js";
import { StoreUnavailableError } from "../../links/link-store.js";
import { OVERLOAD_RETRY_AFTER_SECONDS, OVERLOADED } from "../external/under-pressure.js";
import { InvalidStateError } from "./links.js";

/** "/segments/3/x" -> "segments[3].x" (the path style used everywhere in answers). */
export function pointerToPath(pointer: string, prefix = ""): string {
  let out = prefix;
  for (const part of pointer.split("/").filter(Boolean)) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** Seconds a client should wait before retrying when the link store is down. */
export const RETRY_AFTER_SECONDS = 5;

export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const where = error.validationContext;
        const issues = error.validation.map((v) => ({
          path: pointerToPath(v.instancePath, where === "body" ? "" : where),
          message: v.message ?? "invalid value",
        }));
        return reply.code(400).send({ error: `invalid ${where ?? "request"}`, issues });
      }
      if (error instanceof BuildError) {
        return reply.code(error.notFound ? 404 : 400).send({
          error: error.notFound ? "not found" : "cannot build this state",
          issues: error.issues,
        });
      }
      if (error instanceof InvalidStateError)
        return reply.code(400).send({ error: "invalid state", issues: error.issues });
      // The one store-down answer: a retry hint, and the long URL when the caller had one.
      if (error instanceof StoreUnavailableError) {
        const { longUrl } = error;
        request.log.warn({ err: error }, "link store unavailable");
        return reply
          .code(503)
          .header("retry-after", String(RETRY_AFTER_SECONDS))
          .send(
            longUrl === undefined
              ? { error: "the link store is unavailable; try again shortly" }
              : { error: "the link store is unavailable; longUrl still opens this view", longUrl },
          );
      }
      // Load shedding: say so (the plugin has set Retry-After), not "internal error".
      if (error.code === OVERLOADED)
        return reply.code(503).send({
          error: `the service is overloaded; try again in ${OVERLOAD_RETRY_AFTER_SECONDS} seconds`,
        });
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, "request failed");
        return reply
          .code(status)
          .send({ error: "internal error; the request id is in x-request-id" });
      }
      if (status === 413) {
        return reply
          .code(413)
          .send({ error: `${error.message}; send a smaller body or use a short link` });
      }
      // @fastify/compress refuses request bodies in encodings it cannot decompress.
      if (error.code === "FST_CP_ERR_INVALID_CONTENT_ENCODING") {
        return reply.code(415).send({
          error: `unsupported content encoding ${JSON.stringify(request.headers["content-encoding"] ?? "")}; send the body uncompressed, or compressed with gzip, deflate or br`,
        });
      }
      if (status === 415) {
        return reply.code(415).send({
          error: `unsupported content type ${JSON.stringify(request.headers["content-type"] ?? "")}; send application/json`,
        });
      }
      return reply.code(status).send({ error: error.message });
    });

    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` });
    });
  },
  { name: "error-handler" },
);
