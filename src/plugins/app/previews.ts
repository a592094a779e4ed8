// The previews service, `app.previews`: the PNG a link shows in chat cards, wikis and READMEs.
// Never slow, never missing: a cached image is sent as a prebuilt buffer with precomputed
// headers; a miss renders in headless Chromium when the pool can start at once, and otherwise
// (busy, failure, timeout, previews off) answers the fallback card at once with a short cache
// life, queueing a background render when the queue has room so a later request finds it.
// Short links' previews are kept durably next to the links (SQLite or Redis); view-link previews
// only in memory, keyed by the digest of the built state, since presets can change.
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { LRUCache } from "lru-cache";
import { ConfigError } from "../../config.js";
import { connectSources } from "../../http/csp.js";
import type { StoredLink } from "../../links/link-store.js";
import type { Caption } from "../../previews/card.js";
import { renderCard } from "../../previews/card.js";
import { findChromium } from "../../previews/chromium.js";
import { createPreviewStore } from "../../previews/create-preview-store.js";
import type { PreviewKey, PreviewStore } from "../../previews/preview-store.js";
import {
  PreviewRenderer,
  RendererBusyError,
  RenderFailedError,
  type RenderJob,
} from "../../previews/renderer.js";
import { storeTarget } from "./link-store.js";
import type { RenderOutcome } from "./metrics.js";

export interface PreviewSize {
  width: number;
  height: number;
}

/** How long clients and CDNs may keep an answer. */
export type PreviewLifetime = "immutable" | "hour";

const CACHE_CONTROL: Record<PreviewLifetime | "card", string> = {
  // A short link, or a name's pinned version, never changes, so neither does its picture.
  immutable: "public, max-age=31536000, immutable",
  // View links follow the presets and current names follow moves.
  hour: "public, max-age=3600",
  // Crawlers come back soon for the real picture.
  card: "public, max-age=60",
};

/** A ready answer: the PNG and every header, built once and sent as they are. */
export interface PreviewAnswer {
  body: Buffer;
  /** Strong ETag (a digest of the bytes), quoted. */
  etag: string;
  headers: Readonly<Record<string, string>>;
  /** The headers of a 304 to If-None-Match. */
  notModifiedHeaders: Readonly<Record<string, string>>;
  /** false for the fallback card. */
  rendered: boolean;
}

/** A cached PNG with its answers for each lifetime, precomputed. */
interface Entry {
  answers: Record<PreviewLifetime, PreviewAnswer>;
}

export interface PreviewsService {
  /** Whether previews are rendered (PREVIEWS and a Chromium found), else fallback cards only. */
  readonly rendering: boolean;
  /** A link's preview from memory, touching no store; undefined when not there. */
  cachedLink(
    linkId: string,
    size: PreviewSize,
    lifetime: PreviewLifetime,
  ): PreviewAnswer | undefined;
  /** A short link's preview: memory, the durable store, a render, or the fallback card. */
  ofLink(link: StoredLink, size: PreviewSize, lifetime: PreviewLifetime): Promise<PreviewAnswer>;
  /** A view link's preview, from the state built for it: memory, a render, or the card. */
  ofView(
    state: Record<string, unknown>,
    caption: Caption,
    size: PreviewSize,
  ): Promise<PreviewAnswer>;
}

declare module "fastify" {
  interface FastifyInstance {
    previews: PreviewsService;
  }
}

/** Fallback cards kept made: one per caption and size, cheap to hold (a few KB each). */
const CARD_CACHE_ENTRIES = 256;

function etagOf(png: Buffer): string {
  return `"${createHash("sha256").update(png).digest("base64url").slice(0, 32)}"`;
}

function answerOf(png: Buffer, cacheControl: string, rendered: boolean): PreviewAnswer {
  const etag = etagOf(png);
  return {
    body: png,
    etag,
    headers: {
      "content-type": "image/png",
      "cache-control": cacheControl,
      etag,
    },
    notModifiedHeaders: { "cache-control": cacheControl, etag },
    rendered,
  };
}

function entryOf(png: Buffer): Entry {
  const immutable = answerOf(png, CACHE_CONTROL.immutable, true);
  return {
    answers: {
      immutable,
      hour: {
        ...immutable,
        headers: { ...immutable.headers, "cache-control": CACHE_CONTROL.hour },
        notModifiedHeaders: { "cache-control": CACHE_CONTROL.hour, etag: immutable.etag },
      },
    },
  };
}

const sizeText = ({ width, height }: PreviewSize) => `${width}x${height}`;

/** The browser's way in: the loopback address the service listens on. */
function listeningOrigin(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === "string")
    throw new Error("previews are rendered only while the service listens on TCP");
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const host = wildcard
    ? "127.0.0.1"
    : address.family === "IPv6"
      ? `[${address.address}]`
      : address.address;
  return `http://${host}:${address.port}`;
}

export default fp(
  async function previews(app: FastifyInstance) {
    const { config, metrics } = app;
    const chromiumPath = config.previews === "off" ? null : findChromium(config.chromiumPath);
    if (config.previews === "on" && chromiumPath === null)
      throw new ConfigError(
        config.chromiumPath
          ? `PREVIEWS=on, but CHROMIUM_PATH (${config.chromiumPath}) is not a Chromium that can run: fix CHROMIUM_PATH, or set PREVIEWS=auto to serve fallback cards without it`
          : "PREVIEWS=on, but no Chromium was found: install chromium or set CHROMIUM_PATH to its binary, or set PREVIEWS=auto to serve fallback cards without it",
      );
    if (config.previews === "auto" && chromiumPath === null)
      app.log.warn(
        { chromiumPath: config.chromiumPath ?? null },
        "no Chromium found: previews are fallback cards (set CHROMIUM_PATH to render them)",
      );

    // Chromium is launched by the renderer on its first render, not here.
    const renderer =
      chromiumPath === null
        ? null
        : new PreviewRenderer({
            chromiumPath,
            concurrency: config.previewConcurrency,
            queueLimit: config.previewQueue,
            timeoutMs: config.previewTimeoutMs,
            origin: () => listeningOrigin(app),
            allowedOrigins: () => connectSources(app.presets, config),
            pageHtml: (state) =>
              app.renderViewerPage({
                meta: { title: "nglaunch preview", description: "", url: config.publicUrl },
                state,
              }),
            log: app.log,
          });
    const store: PreviewStore = createPreviewStore(storeTarget(app));
    app.log.info(
      { store: store.kind, rendering: renderer !== null, chromiumPath },
      "preview store opened",
    );
    app.addHook("onClose", async () => {
      await renderer?.close();
      await store.close();
    });

    const memory =
      config.previewCacheEntries > 0 && config.previewCacheBytes > 0
        ? new LRUCache<string, Entry>({
            max: config.previewCacheEntries,
            maxSize: config.previewCacheBytes,
            sizeCalculation: (entry) => Math.max(1, entry.answers.immutable.body.length),
          })
        : null;
    const cards = new LRUCache<string, PreviewAnswer>({ max: CARD_CACHE_ENTRIES });
    // Bound children: the hot path increments without hashing label sets.
    const memoryHit = metrics.previewCacheRequests.labels({ tier: "memory", result: "hit" });
    const memoryMiss = metrics.previewCacheRequests.labels({ tier: "memory", result: "miss" });
    const storeHit = metrics.previewCacheRequests.labels({ tier: "store", result: "hit" });
    const storeMiss = metrics.previewCacheRequests.labels({ tier: "store", result: "miss" });
    const countRender = (outcome: RenderOutcome) => metrics.previewRenders.inc({ outcome });

    /** Renders under way, by cache key; `immediate` ones started at once and may be joined. */
    const flights = new Map<string, { result: Promise<Entry | null>; immediate: boolean }>();

    function fromMemory(key: string): Entry | undefined {
      const entry = memory?.get(key);
      (entry ? memoryHit : memoryMiss).inc();
      return entry;
    }

    /** Renders one preview; resolves to null (never rejects) when it did not work out. */
    function startRender(
      key: string,
      job: RenderJob,
      durable: PreviewKey | null,
      immediate: boolean,
    ): Promise<Entry | null> {
      const began = performance.now();
      const active = renderer as PreviewRenderer;
      const result = active.render(job).then(
        (png) => {
          countRender("ok");
          const entry = entryOf(png);
          memory?.set(key, entry);
          // The answer does not wait for the store; a failed write only costs a later render.
          if (durable)
            store
              .put(durable, png)
              .catch((error: unknown) =>
                app.log.warn({ err: error, key }, "preview not stored; it will be rendered again"),
              );
          return entry;
        },
        (error: unknown) => {
          if (error instanceof RendererBusyError) countRender("busy");
          else if (error instanceof RenderFailedError) countRender(error.reason);
          else countRender("error");
          app.log.warn({ err: error, key }, "preview render failed; the fallback card is served");
          return null;
        },
      );
      flights.set(key, { result, immediate });
      metrics.previewQueue.set(active.queued);
      void result.finally(() => {
        flights.delete(key);
        metrics.previewRenderDuration.observe((performance.now() - began) / 1000);
        metrics.previewQueue.set(active.queued);
      });
      return result;
    }

    /**
     * The rendered preview for a cache miss, or null when the card must stand in: renders now
     * when a slot is free (or joins the same render already running), else queues one in the
     * background when there is room and answers null at once.
     */
    async function rendered(
      key: string,
      job: () => RenderJob,
      durable: PreviewKey | null,
    ): Promise<Entry | null> {
      const flight = flights.get(key);
      if (flight?.immediate) return flight.result;
      // The render browser loads the viewer from this service: an app that does not listen
      // (used in-process, as by the CLI or tests through inject) cannot render.
      if (renderer === null || !app.server.listening) {
        countRender("off");
        return null;
      }
      if (flight) {
        countRender("busy");
        return null;
      }
      if (renderer.canStartNow()) return startRender(key, job(), durable, true);
      countRender("busy");
      if (renderer.queued < config.previewQueue) void startRender(key, job(), durable, false);
      return null;
    }

    async function card(caption: Caption, size: PreviewSize): Promise<PreviewAnswer> {
      const key = JSON.stringify([caption.title, caption.dataset, caption.attribution, size]);
      let answer = cards.get(key);
      if (answer === undefined) {
        const png = await renderCard({ ...caption, ...size });
        answer = answerOf(png, CACHE_CONTROL.card, false);
        cards.set(key, answer);
      }
      return answer;
    }

    /** A short link's caption: its title, the dataset and its attribution. */
    function captionOf(link: StoredLink): Caption {
      const dataset = app.links.datasetOf(link);
      return {
        title:
          link.title ?? (dataset ? `${dataset.title}: a Neuroglancer view` : "A Neuroglancer view"),
        dataset: dataset?.title ?? "",
        attribution: dataset?.license.attribution ?? "",
      };
    }

    const linkKey = (linkId: string, size: PreviewSize) => `link:${linkId}:${sizeText(size)}`;

    const service: PreviewsService = {
      rendering: renderer !== null,

      cachedLink(linkId, size, lifetime) {
        const entry = memory?.get(linkKey(linkId, size));
        if (entry === undefined) return undefined;
        memoryHit.inc();
        return entry.answers[lifetime];
      },

      async ofLink(link, size, lifetime) {
        const key = linkKey(link.id, size);
        const hot = fromMemory(key);
        if (hot) return hot.answers[lifetime];
        const durable: PreviewKey = { linkId: link.id, ...size };
        let png: Buffer | null = null;
        try {
          png = await store.get(durable);
        } catch (error) {
          // A preview store outage must not cost the picture: treat it as a miss.
          app.log.warn({ err: error, key }, "preview store unavailable; rendering instead");
        }
        (png ? storeHit : storeMiss).inc();
        if (png) {
          const entry = entryOf(png);
          memory?.set(key, entry);
          return entry.answers[lifetime];
        }
        const caption = captionOf(link);
        const entry = await rendered(
          key,
          () => ({ state: JSON.parse(link.stateJson), ...size, caption }),
          durable,
        );
        return entry ? entry.answers[lifetime] : card(caption, size);
      },

      async ofView(state, caption, size) {
        // The picture depends on the state and on the caption drawn under it.
        const digest = createHash("sha256")
          .update(JSON.stringify([state, caption.title, caption.dataset, caption.attribution]))
          .digest("base64url");
        const key = `view:${digest}:${sizeText(size)}`;
        const hot = fromMemory(key);
        if (hot) return hot.answers.hour;
        const entry = await rendered(key, () => ({ state, ...size, caption }), null);
        return entry ? entry.answers.hour : card(caption, size);
      },
    };
    app.decorate("previews", service);
  },
  {
    name: "previews",
    dependencies: ["config", "metrics", "presets", "redis", "link-store", "links", "viewer-page"],
  },
);
