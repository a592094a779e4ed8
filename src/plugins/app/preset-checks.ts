// VERIFY_PRESETS=on: checks every layer preset against its data in the background once the app
// is ready (CORS, info, one chunk, contrast), logs the outcome, and exposes it as
// `app.presetChecks` (for /readyz and /api/presets) and one gauge per layer. Start-up never
// waits for it and links are served whatever it finds. It fetches only the data roots of the
// loaded presets (operator configuration), never a URL a user sent.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { Gauge } from "prom-client";
import {
  type LiveChecks,
  liveChecksFrom,
  type PresetCheckSummary,
} from "../../domain/preset-verification.js";
import {
  FAILING_STATUSES,
  FAILURE_STATUSES,
  type VerifyRow,
  verifyDatasets,
} from "../../domain/preset-verify.js";

export interface PresetChecks {
  /** Results by dataset and layer, once the check has finished (empty before). */
  readonly live: LiveChecks;
  summary(): PresetCheckSummary;
  /** Settles when the background check is over (immediately when off); for tests and shutdown. */
  readonly done: Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    presetChecks: PresetChecks;
  }
}

const STATUSES = ["ok", ...FAILURE_STATUSES, "skipped"] as const;

export default fp(
  async function presetChecks(app: FastifyInstance) {
    let state: PresetCheckSummary["state"] = app.config.verifyPresets ? "running" : "off";
    let startedAt: string | undefined;
    let finishedAt: string | undefined;
    let rows: VerifyRow[] = [];
    let live: LiveChecks = new Map();
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const abort = new AbortController();

    const gauge = new Gauge({
      name: "nglaunch_preset_layer_check",
      help: "Start-up check of each layer preset (VERIFY_PRESETS=on): 1 for the layer's current status (ok, skipped, unreachable, invalid, cors, mismatch, chunk, contrast)",
      labelNames: ["dataset", "layer", "status"] as const,
      registers: [app.metrics.registry],
    });

    app.decorate("presetChecks", {
      get live() {
        return live;
      },
      done,
      summary(): PresetCheckSummary {
        if (state !== "done") return { state, ...(startedAt ? { startedAt } : {}) };
        const failing = rows.filter((row) => FAILING_STATUSES.has(row.status));
        return {
          state,
          startedAt,
          finishedAt,
          layers: {
            ok: rows.filter((row) => row.status === "ok").length,
            failing: failing.length,
            skipped: rows.filter((row) => row.status === "skipped").length,
          },
          failing: failing.map((row) => ({
            dataset: row.dataset,
            layer: row.layer,
            status: row.status,
            message: row.details.find((d) => d.kind !== "note")?.message ?? "",
          })),
        };
      },
    });

    if (!app.config.verifyPresets) {
      finish();
      return;
    }

    async function run(): Promise<void> {
      startedAt = new Date().toISOString();
      app.log.info({ datasets: [...app.presets.datasets.keys()] }, "preset check started");
      try {
        rows = await verifyDatasets([...app.presets.datasets.values()], {
          fetch: globalThis.fetch,
          publicUrl: app.config.publicUrl,
          signal: abort.signal,
        });
      } catch (err) {
        // verifyDatasets does not throw; this guards start-up against a bug all the same.
        app.log.error({ err }, "preset check crashed");
      }
      finishedAt = new Date().toISOString();
      live = liveChecksFrom(rows, finishedAt);
      for (const row of rows) {
        for (const status of STATUSES)
          gauge.set(
            { dataset: row.dataset, layer: row.layer, status },
            status === row.status ? 1 : 0,
          );
        const problem = row.details.find((d) => d.kind !== "note")?.message;
        if (FAILING_STATUSES.has(row.status))
          app.log.warn(
            {
              dataset: row.dataset,
              layer: row.layer,
              status: row.status,
              url: row.failedUrl ?? row.url,
            },
            `preset check: ${problem}`,
          );
      }
      state = "done";
      const failing = rows.filter((row) => FAILING_STATUSES.has(row.status)).length;
      app.log[failing > 0 ? "warn" : "info"](
        { layers: rows.length, failing },
        failing > 0
          ? `preset check: ${failing} of ${rows.length} layers would not draw as configured`
          : "preset check: every layer ok",
      );
    }

    // onReady, not awaited: start-up and readiness never wait for the data's hosts.
    let started = false;
    app.addHook("onReady", async () => {
      started = true;
      void run().finally(finish);
    });
    app.addHook("onClose", async () => {
      abort.abort();
      if (!started) finish();
      await done;
    });
  },
  { name: "preset-checks", dependencies: ["config", "presets", "metrics"] },
);
