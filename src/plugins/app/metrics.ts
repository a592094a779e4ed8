// Prometheus metrics at /metrics: requests by route and status with latency histograms,
// link-store operations and errors, read-cache hits, links created, preview renders (by outcome,
// with their duration), the render queue, and preview cache look-ups by tier. One registry per app,
// so several apps (tests, benchmarks) can live in one process. The exposition passes
// `promtool check metrics` (test/metrics/): counters and histograms with a fixed label set
// have every series from start-up (a `miss` series before the first miss), so rate() and
// absent-series alerts work from the first scrape.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import { anonymous, respond } from "../../http/schemas.js";
import type { StoreOperation } from "../../links/instrumented-link-store.js";

/** The label values of the fixed label sets, created at start-up. */
const STORE_OPERATIONS: readonly StoreOperation[] = ["create", "get", "ping"];
const OUTCOMES = ["ok", "error"] as const;
const CACHE_RESULTS = ["hit", "miss"] as const;
const LINK_SOURCES = ["links", "share"] as const;
/**
 * What became of a preview request that needed a render: rendered (ok), the render timed out or
 * failed, the pool was busy, or previews are off (by configuration, no Chromium, or an app that
 * does not listen). All but ok answered the fallback card.
 */
export const RENDER_OUTCOMES = ["ok", "timeout", "error", "busy", "off"] as const;
export type RenderOutcome = (typeof RENDER_OUTCOMES)[number];
/** Where a preview look-up was answered: the in-process cache, or the durable preview store. */
export const PREVIEW_CACHE_TIERS = ["memory", "store"] as const;
export type PreviewCacheTier = (typeof PREVIEW_CACHE_TIERS)[number];

/**
 * prom-client's default metrics include gauges named like counters (`*_total`), which promtool
 * flags; the same numbers are also exported without the suffix (nodejs_active_handles, ...).
 */
const GAUGES_NAMED_LIKE_COUNTERS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export interface Metrics {
  registry: Registry;
  storeOperations: Histogram<"operation" | "outcome">;
  cacheRequests: Counter<"result">;
  linksCreated: Counter<"source">;
  previewRenders: Counter<"outcome">;
  previewRenderDuration: Histogram;
  previewQueue: Gauge;
  previewCacheRequests: Counter<"tier" | "result">;
}

declare module "fastify" {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export default fp(
  async function metrics(app: FastifyInstance) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
    const requestDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by method, route and status code",
      labelNames: ["method", "route", "status_code"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const m: Metrics = {
      registry,
      storeOperations: new Histogram({
        name: "nglaunch_link_store_operation_duration_seconds",
        help: "Link store backend operations by operation and outcome (ok|error)",
        labelNames: ["operation", "outcome"] as const,
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
        registers: [registry],
      }),
      cacheRequests: new Counter({
        name: "nglaunch_link_cache_requests_total",
        help: "Link reads by read-cache result (hit|miss)",
        labelNames: ["result"] as const,
        registers: [registry],
      }),
      linksCreated: new Counter({
        name: "nglaunch_links_created_total",
        help: "New short links stored, by endpoint (links|share)",
        labelNames: ["source"] as const,
        registers: [registry],
      }),
      previewRenders: new Counter({
        name: "nglaunch_preview_renders_total",
        help: "Preview images that needed a render, by outcome (ok|timeout|error|busy|off); all but ok were answered with the fallback card",
        labelNames: ["outcome"] as const,
        registers: [registry],
      }),
      previewRenderDuration: new Histogram({
        name: "nglaunch_preview_render_duration_seconds",
        help: "Time of preview renders in headless Chromium, from start to PNG, whatever the outcome",
        buckets: [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60],
        registers: [registry],
      }),
      previewQueue: new Gauge({
        name: "nglaunch_preview_render_queue_length",
        help: "Preview renders waiting for a free slot of the render pool",
        registers: [registry],
      }),
      previewCacheRequests: new Counter({
        name: "nglaunch_preview_cache_requests_total",
        help: "Preview look-ups by cache tier (memory|store) and result (hit|miss)",
        labelNames: ["tier", "result"] as const,
        registers: [registry],
      }),
    };
    for (const operation of STORE_OPERATIONS)
      for (const outcome of OUTCOMES) m.storeOperations.zero({ operation, outcome });
    for (const result of CACHE_RESULTS) m.cacheRequests.inc({ result }, 0);
    for (const source of LINK_SOURCES) m.linksCreated.inc({ source }, 0);
    for (const outcome of RENDER_OUTCOMES) m.previewRenders.inc({ outcome }, 0);
    for (const tier of PREVIEW_CACHE_TIERS)
      for (const result of CACHE_RESULTS) m.previewCacheRequests.inc({ tier, result }, 0);
    m.previewQueue.set(0);
    app.decorate("metrics", m);

    app.addHook("onResponse", async (request, reply) => {
      // The route pattern, not the URL: bounded label cardinality.
      const route = request.routeOptions.url ?? "(unmatched)";
      requestDuration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get(
      "/metrics",
      {
        schema: {
          operationId: "getMetrics",
          tags: ["operations"],
          ...anonymous,
          summary: "Prometheus metrics (text exposition format)",
          response: {
            200: respond(z.string(), {
              description: "Metrics in the Prometheus text format, version 0.0.4",
              mediaTypes: ["text/plain"],
            }),
          },
        },
      },
      async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()),
    );
  },
  { name: "metrics" },
);
