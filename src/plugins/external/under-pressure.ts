// Load shedding (@fastify/under-pressure): while the event loop lags more than
// MAX_EVENT_LOOP_DELAY_MS, every request is answered at once with 503 and Retry-After instead of
// queueing behind the backlog. The error handler words the answer ("the service is overloaded").
import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Seconds an overloaded instance asks clients to wait. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 10;

/** The code of the error the plugin raises for a shed request. */
export const OVERLOADED = "FST_UNDER_PRESSURE";

export default fp(
  async function loadShedding(app: FastifyInstance) {
    await app.register(underPressure, {
      maxEventLoopDelay: app.config.maxEventLoopDelayMs,
      retryAfter: OVERLOAD_RETRY_AFTER_SECONDS,
      exposeStatusRoute: false,
    });
  },
  { name: "under-pressure", dependencies: ["config"] },
);
