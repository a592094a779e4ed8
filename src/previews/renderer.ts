// Renders a view's preview image: the service's own viewer build in headless Chromium (software
// WebGL), the state inline, Neuroglancer's controls hidden and a caption strip crediting the
// data, screenshot once Neuroglancer reports everything visible loaded. A state names its data
// URLs, so the render browser may reach only this service and the allowed data hosts; renders
// run in a bounded pool with a bounded queue, each bounded in time.
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Page,
  type Route,
} from "playwright-core";
import { cspDirectives } from "../http/csp.js";
import type { Caption } from "./card.js";
import { CHROMIUM_ARGS } from "./chromium.js";

export interface RenderJob {
  state: Record<string, unknown>;
  width: number;
  height: number;
  caption: Caption;
}

export interface RendererOptions {
  chromiumPath: string;
  /** Renders at once (each is a WebGL viewer in software: about a core each). */
  concurrency: number;
  /** Jobs that may wait for a slot; one more gets RendererBusyError at once. */
  queueLimit: number;
  /** Bound of one render, from the moment it has a slot to its PNG. */
  timeoutMs: number;
  /** The service's origin as the render browser reaches it, e.g. http://127.0.0.1:PORT. */
  origin: () => string;
  /** Data hosts the viewer's CSP allows (http/csp.ts connectSources): CSP source expressions. */
  allowedOrigins: () => string[];
  /** The viewer page with the state inline (app.renderViewerPage). */
  pageHtml: (state: Record<string, unknown>) => string;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** The pool and its queue are full: the caller answers with a fallback card instead. */
export class RendererBusyError extends Error {
  override readonly name = "RendererBusyError";
}

export class RenderFailedError extends Error {
  override readonly name = "RenderFailedError";
  constructor(
    readonly reason: "timeout" | "error",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The render page is fulfilled by the renderer, so it has no network address, and Chromium's
 * Local Network Access checks count it as a public page: its fetches to data on loopback or
 * private addresses (a mirror on the LAN, the tests' fixture server) would be refused. The
 * renderer's own allow-list (below) is stricter than those checks, so they are turned off.
 */
const RENDER_ARGS = [...CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"];

/** Height of the caption strip at the bottom of a preview, in CSS pixels. */
export const CAPTION_HEIGHT = 44;
const CAPTION_ID = "nglaunch-preview-caption";
/** The document the render page is served as; fulfilled by the renderer, never fetched. */
const PREVIEW_PATH = "/__nglaunch-preview";

// ---------------------------------------------------------------------------------------------
// Which requests the render browser may make

/**
 * A test for URLs from one CSP source expression (scheme://host[:port][/path], host possibly
 * `*.`-prefixed), or null for an expression that names no host: keywords ('self' is the
 * service's origin, checked apart), bare schemes and "*" would open the renderer to any host.
 */
export function sourceMatcher(source: string): ((url: URL) => boolean) | null {
  const match =
    /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.[a-z0-9.-]+|[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d+|\*))?(\/[^?#]*)?$/i.exec(
      source.trim(),
    );
  if (!match) return null;
  const [, scheme, host = "", port, path] = match;
  const schemes = scheme ? [`${scheme.toLowerCase()}:`] : ["http:", "https:"];
  const wildcard = host.startsWith("*.");
  const hostname = (wildcard ? host.slice(1) : host).toLowerCase();
  return (url) => {
    if (!schemes.includes(url.protocol)) return false;
    const name = url.hostname.toLowerCase();
    if (wildcard ? !name.endsWith(hostname) : name !== hostname) return false;
    if (port !== "*" && url.port !== (port ?? "")) {
      // A URL on its scheme's default port has an empty `port`.
      const defaultPort = url.protocol === "https:" ? "443" : "80";
      if (!(url.port === "" && port === defaultPort)) return false;
    }
    if (path === undefined || path === "/") return true;
    return path.endsWith("/") ? url.pathname.startsWith(path) : url.pathname === path;
  };
}

/** The test a render applies to every request: the service's origin or an allowed source. */
export function requestPolicy(origin: string, sources: string[], log: RendererOptions["log"]) {
  const matchers: ((url: URL) => boolean)[] = [];
  for (const source of sources) {
    if (source === "'self'") continue;
    const matcher = sourceMatcher(source);
    if (matcher) matchers.push(matcher);
    else log.warn({ source }, "preview renderer: ignoring a connect source that names no host");
  }
  return (raw: string): boolean => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return false;
    }
    // data: and blob: URLs are the page's own bytes (Neuroglancer's wasm, worker blobs): no
    // request leaves the browser for them.
    if (url.protocol === "data:" || url.protocol === "blob:") return true;
    if (url.username !== "" || url.password !== "") return false;
    if (url.origin === origin) return true;
    return matchers.some((matches) => matches(url));
  };
}

/** The page's CSP as a header value: the viewer's own, with connect-src the allowed hosts. */
function cspHeader(sources: string[]): string {
  const connectSrc = ["'self'", ...sources.filter((s) => s !== "'self'")];
  return Object.entries(cspDirectives(connectSrc, ["'none'"]))
    .map(([name, values]) => `${name} ${values.join(" ")}`)
    .join("; ");
}

// ---------------------------------------------------------------------------------------------
// The page: Neuroglancer without its controls, and the caption strip

/**
 * Hides Neuroglancer's controls and panel borders (its own `uiConfiguration`) and every overlay
 * of the page (nglaunch notices, Neuroglancer's status messages): everything in <body> but the
 * viewer and the caption strip, and each panel's axis chip and layout buttons. Idempotent; the renderer calls it before and after the wait
 * for data, as overlays may appear meanwhile. Tests call it on live pages they compare with.
 */
export async function hideViewerControls(page: Page): Promise<void> {
  await page.evaluate((captionId) => {
    interface Flag {
      value: boolean;
    }
    const viewer = (window as unknown as { viewer?: { uiConfiguration?: Record<string, Flag> } })
      .viewer;
    for (const flag of Object.values(viewer?.uiConfiguration ?? {})) {
      if (typeof flag?.value === "boolean") flag.value = false;
    }
    const overlays = Array.from(document.body.children).filter(
      (child) => child.id !== "neuroglancer-container" && child.id !== captionId,
    );
    // Each panel's own widgets: the axis-dimensions chip, the layout buttons and the 3D panel's
    // "Sections" checkbox (perspective_view/panel.js).
    const panelWidgets = document.querySelectorAll(
      ".neuroglancer-display-dimensions-widget, .neuroglancer-data-panel-layout-controls, .perspective-panel-show-slice-views",
    );
    for (const element of [...overlays, ...Array.from(panelWidgets)])
      if (element instanceof HTMLElement) element.style.display = "none";
  }, CAPTION_ID);
}

/**
 * Lays the viewer over all but the bottom CAPTION_HEIGHT pixels and puts the caption strip
 * there. Styles are set from script (CSSOM), which the page's CSP allows; an inline <style>
 * would be refused. Text goes in as textContent: a title is never markup.
 */
async function addCaptionStrip(page: Page, caption: Caption): Promise<void> {
  await page.evaluate(
    ({ caption, height, id }) => {
      const container = document.getElementById("neuroglancer-container");
      if (container !== null)
        Object.assign(container.style, {
          position: "absolute",
          top: "0",
          left: "0",
          width: "100vw",
          height: `calc(100vh - ${height}px)`,
        });
      const strip = document.createElement("div");
      strip.id = id;
      Object.assign(strip.style, {
        position: "absolute",
        left: "0",
        right: "0",
        bottom: "0",
        height: `${height}px`,
        boxSizing: "border-box",
        padding: "4px 12px",
        display: "flex",
        flexDirection: "column",
        justifyContent: "center",
        background: "#14181f",
        borderTop: "2px solid #3a7bd5",
        color: "#ffffff",
        font: '13px/1.35 "DejaVu Sans", sans-serif',
        overflow: "hidden",
      });
      // No helper functions in here: a bundler's name-keeping wrapper (esbuild's __name, which
      // tsx adds) would not exist in the page.
      const heading = document.createElement("div");
      const credit = document.createElement("div");
      for (const line of [heading, credit])
        Object.assign(line.style, {
          whiteSpace: "nowrap",
          overflow: "hidden",
          textOverflow: "ellipsis",
        });
      const title = document.createElement("b");
      title.textContent = caption.title;
      const dataset = document.createElement("span");
      dataset.textContent = caption.dataset ? ` · ${caption.dataset}` : "";
      dataset.style.color = "#c8d0da";
      heading.append(title, dataset);
      credit.textContent = caption.attribution;
      Object.assign(credit.style, { color: "#9aa4b0", fontSize: "11px" });
      strip.append(heading, credit);
      document.body.append(strip);
    },
    { caption, height: CAPTION_HEIGHT, id: CAPTION_ID },
  );
}

/** The frame after the next one: what was drawn is on screen. */
async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
}

/**
 * Whether the viewer has drawn all it will: Neuroglancer's own readiness (viewer.isReady(): the
 * display's panels have their visible chunks, every managed layer is ready), except that a layer
 * whose data sources all settled and one failed (a dead or refused host) counts as done: it
 * never turns ready, and the preview shows the rest. Runs in the page; self-contained.
 */
function viewerSettled(): boolean {
  interface DataSource {
    loadState?: { error?: unknown };
  }
  interface Layer {
    isReady(): boolean;
    layer?: { dataSources?: DataSource[] } | null;
  }
  const viewer = (
    window as unknown as {
      viewer?: {
        isReady(): boolean;
        chunkQueueManager: { flushPendingChunkUpdates(): void };
        display: { isReady(): boolean };
        layerManager: { managedLayers: Layer[] };
      };
    }
  ).viewer;
  if (viewer === undefined) return false;
  if (viewer.isReady()) return true;
  // viewer.isReady() has flushed pending chunk updates already. (No inner helper functions:
  // see addCaptionStrip.)
  return (
    viewer.display.isReady() &&
    viewer.layerManager.managedLayers.every((layer) => {
      if (layer.isReady()) return true;
      const sources = layer.layer?.dataSources ?? [];
      return (
        sources.length > 0 &&
        sources.every((s) => s.loadState !== undefined) &&
        sources.some((s) => s.loadState?.error !== undefined)
      );
    })
  );
}

/**
 * Waits until the viewer has settled (viewerSettled), then two frames, and asks again: like
 * Neuroglancer's screenshot machinery (python_integration/screenshots.js), a picture needs the
 * viewer ready twice in a row, in case deferred code was still adding work.
 */
async function waitForReady(page: Page): Promise<void> {
  for (;;) {
    // No timeout of its own: the render's deadline closes the context, which ends the wait.
    await page.waitForFunction(viewerSettled, undefined, { polling: 100, timeout: 0 });
    await nextFrames(page);
    if (await page.evaluate(viewerSettled)) return;
  }
}

/**
 * Whether a state has any layer (Neuroglancer takes a list, or an object by name in old
 * states). Without one there is nothing to wait for; Neuroglancer would instead open its
 * "new layer" dialog, whose placeholder layer never reports ready.
 */
function hasLayers(state: Record<string, unknown>): boolean {
  const layers = state.layers;
  if (Array.isArray(layers)) return layers.length > 0;
  return typeof layers === "object" && layers !== null && Object.keys(layers).length > 0;
}

/** Resolves as the promise does, or rejects once the signal aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------

interface Waiter {
  start(): void;
  fail(error: Error): void;
}

export class PreviewRenderer {
  readonly #options: RendererOptions;
  #running = 0;
  readonly #waiting: Waiter[] = [];
  #browser: Promise<Browser> | undefined;
  #closed = false;

  constructor(options: RendererOptions) {
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Whether a render asked now would start at once rather than wait in the queue. */
  canStartNow(): boolean {
    return !this.#closed && this.#running < this.#options.concurrency;
  }

  /** A PNG of exactly job.width x job.height. */
  async render(job: RenderJob): Promise<Buffer> {
    if (this.#closed) throw new RenderFailedError("error", "the preview renderer is closed");
    if (this.#running < this.#options.concurrency) {
      this.#running++;
    } else if (this.#waiting.length < this.#options.queueLimit) {
      // The slot is handed over by #release, so `running` stays within concurrency.
      await new Promise<void>((start, fail) => this.#waiting.push({ start, fail }));
    } else {
      throw new RendererBusyError(
        `the preview renderer is busy (${this.#running} rendering, ${this.#waiting.length} waiting)`,
      );
    }
    try {
      return await this.#renderInTime(job);
    } finally {
      this.#release();
    }
  }

  /** Closes the browser; waiting jobs fail, running ones end as their context closes. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0))
      waiter.fail(new RenderFailedError("error", "the preview renderer is closed"));
    const browser = this.#browser;
    this.#browser = undefined;
    if (browser) await browser.then((b) => b.close()).catch(() => {});
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.start();
    else this.#running--;
  }

  /** The one browser, launched at the first render and again after it died. */
  #launch(): Promise<Browser> {
    if (this.#browser) return this.#browser;
    if (this.#closed) return Promise.reject(new Error("the preview renderer is closed"));
    const launching = chromium
      .launch({
        executablePath: this.#options.chromiumPath,
        args: RENDER_ARGS,
        timeout: 60_000,
      })
      .then(
        (browser) => {
          browser.on("disconnected", () => {
            if (this.#browser === launching) this.#browser = undefined;
          });
          this.#options.log.info({ version: browser.version() }, "preview renderer: Chromium up");
          return browser;
        },
        (error: unknown) => {
          if (this.#browser === launching) this.#browser = undefined;
          throw error;
        },
      );
    this.#browser = launching;
    return launching;
  }

  async #renderInTime(job: RenderJob): Promise<Buffer> {
    const { timeoutMs, log } = this.#options;
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new RenderFailedError("timeout", `no preview within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const started = Date.now();
    try {
      const png = await this.#renderOnce(job, deadline.signal);
      log.info({ ms: Date.now() - started, bytes: png.length }, "preview rendered");
      return png;
    } catch (error) {
      if (deadline.signal.aborted) {
        log.warn({ ms: Date.now() - started }, "preview render timed out");
        throw deadline.signal.reason;
      }
      const message = error instanceof Error ? error.message : String(error);
      log.warn({ err: message }, "preview render failed");
      throw new RenderFailedError("error", `preview render failed: ${message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A fresh context (no cache, cookies or storage shared with other renders) in the browser,
   * relaunched first when it died. A browser that dies between the check and the context is
   * caught by a second try.
   */
  async #newContext(job: RenderJob, signal: AbortSignal): Promise<BrowserContext> {
    for (let attempt = 0; ; attempt++) {
      const launching = this.#launch();
      const browser = await untilAborted(launching, signal);
      if (browser.isConnected()) {
        const created = browser.newContext({
          viewport: { width: job.width, height: job.height },
          deviceScaleFactor: 1,
          serviceWorkers: "block",
          acceptDownloads: false,
        });
        try {
          return await untilAborted(created, signal);
        } catch (error) {
          created.then((late) => late.close()).catch(() => {});
          if (signal.aborted || browser.isConnected() || attempt > 0) throw error;
        }
      } else if (attempt > 0) {
        throw new Error("Chromium disconnected as it started");
      }
      // It died: forget it, so that #launch starts another.
      if (this.#browser === launching) this.#browser = undefined;
      this.#options.log.warn({}, "preview renderer: Chromium died; starting it again");
    }
  }

  async #renderOnce(job: RenderJob, signal: AbortSignal): Promise<Buffer> {
    const context = await this.#newContext(job, signal);
    // At the deadline, closing the context ends whatever the render is waiting for.
    const onAbort = () => void context.close().catch(() => {});
    signal.addEventListener("abort", onAbort, { once: true });
    const blocked: string[] = [];
    try {
      const origin = new URL(this.#options.origin()).origin;
      const sources = this.#options.allowedOrigins();
      const allowed = requestPolicy(origin, sources, this.#options.log);
      const pageUrl = `${origin}${PREVIEW_PATH}`;
      const html = this.#options.pageHtml(job.state);
      let served = false;
      await context.route("**/*", async (route: Route) => {
        const request = route.request();
        const url = request.url();
        try {
          if (!served && url === pageUrl && request.isNavigationRequest()) {
            // The page itself: served from here so that its assets load from the real origin.
            served = true;
            await route.fulfill({
              status: 200,
              contentType: "text/html; charset=utf-8",
              headers: { "content-security-policy": cspHeader(sources) },
              body: html,
            });
          } else if (allowed(url)) {
            await route.continue();
          } else {
            // The viewer's fetches to other hosts rarely get here: the CSP of the page (and of
            // its workers, which the service sends) refuses them first. Navigation does, as CSP
            // does not govern it. Chromium's loading predictor may
            // open a bare TCP connection to a navigation's host before this runs (no request
            // follows); the viewer page never navigates away, so no state can cause one.
            blocked.push(url);
            await route.abort("blockedbyclient");
          }
        } catch {
          // The context closed under the request (deadline, or the render is over).
        }
      });
      // Nothing the viewer needs speaks WebSocket; route() does not see them, so they are
      // refused here, before any connection is made.
      await context.routeWebSocket(/.*/, (socket) =>
        socket.close({ code: 1008, reason: "blocked" }),
      );

      const page = await context.newPage();
      await page.goto(pageUrl, { waitUntil: "load", timeout: 0 });
      await addCaptionStrip(page, job.caption);
      await hideViewerControls(page);
      if (hasLayers(job.state)) await waitForReady(page);
      await hideViewerControls(page);
      await nextFrames(page);
      return await page.screenshot({ type: "png", timeout: 0 });
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (blocked.length > 0)
        this.#options.log.warn(
          { count: blocked.length, urls: blocked.slice(0, 5).map((u) => u.slice(0, 200)) },
          "preview render: requests to hosts outside the allowed ones were blocked",
        );
      await context.close().catch(() => {});
    }
  }
}
