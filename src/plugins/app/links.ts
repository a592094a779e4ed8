// The links service, `app.links`: turns what people post (a state, a Neuroglancer URL, preset
// fields, or the Share button's state) into stored short links — validation, content digest,
// store — and renders what a stored link is shown as (metadata, snippets, viewer pages).
// Routes stay thin adapters over it; other features (previews, names) build on it.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { LRUCache } from "lru-cache";
import { stateJsonUrl } from "../../domain/neuroglancer-url.js";
import type { Catalogue, Dataset } from "../../domain/presets.js";
import { linkSnippets, type Snippet } from "../../domain/snippets.js";
import { buildStateFromInput } from "../../domain/state-builder.js";
import { type StateIssue, validateState } from "../../domain/state-schema/index.js";
import { undrawableWarnings } from "../../domain/viewer-sources.js";
import { linkUrls, oembedUrlFor, PREVIEW_SIZE } from "../../http/service-urls.js";
import { type StateFromUrl, stateFromUrl } from "../../http/state-from-url.js";
import type { PageContent } from "../../http/viewer-page.js";
import { contentDigest } from "../../links/canonical-json.js";
import { isLinkId, newLinkId } from "../../links/link-id.js";
import { type NewLink, type StoredLink, StoreUnavailableError } from "../../links/link-store.js";
import { OffloadedBody } from "../../work/offload.js";
import { fullEmbedPage } from "./embed-page.js";

/** What POST /api/links takes: exactly one of a state, a Neuroglancer URL or preset fields. */
export interface LinkInput {
  state?: Record<string, unknown> | undefined;
  url?: string | undefined;
  dataset?: string | undefined;
  title?: string | undefined;
  [presetField: string]: unknown;
}

/** Every URL a link is reachable at (see http/service-urls.ts). */
export type LinkUrls = ReturnType<typeof linkUrls>;

/** The answer to a create: the link, its URLs, a long URL that needs no store, and warnings. */
export interface CreatedLink extends LinkUrls {
  id: string;
  created: boolean;
  title: string | null;
  /** The whole state in the URL: works without this service. */
  longUrl: string;
  warnings: StateIssue[];
}

export interface LinkMeta {
  id: string;
  title: string | null;
  dataset: string | null;
  view: string | null;
  createdAt: string;
  sizeBytes: number;
  shortUrl: string;
  jsonUrl: string;
  embedUrl: string;
}

/** Where a created link came from, for the links-created metric. */
export type LinkSource = "links" | "share";

/** The posted state (or URL) is not a valid Neuroglancer state; answered 400 with the issues. */
export class InvalidStateError extends Error {
  override readonly name = "InvalidStateError";
  constructor(readonly issues: StateIssue[]) {
    super("invalid state");
  }
}

export interface LinksService {
  /** The link with this id; null for unknown ids and for strings that are not link ids. */
  get(id: string): Promise<StoredLink | null>;
  /**
   * Validates and stores a link (idempotent: the same content gives the same link). Throws
   * InvalidStateError or BuildError for bad input, StoreUnavailableError (with `longUrl`) when
   * the store is down.
   */
  create(input: LinkInput): Promise<CreatedLink>;
  /** Neuroglancer's Share protocol: stores a state as it is and returns its JSON URL. */
  share(state: Record<string, unknown>): Promise<string>;
  urls(id: string): LinkUrls;
  meta(link: StoredLink): LinkMeta;
  snippets(link: StoredLink): Snippet[];
  /** The viewer page (or the full embed page) of a link, rendered once and cached. */
  page(link: StoredLink, embed: boolean): string;
  /** What a link's pages show: its meta and state (the light embed page uses it). */
  pageContent(link: StoredLink): PageContent;
  /** The preset dataset a link came from, or whose data its state uses (for attribution). */
  datasetOf(link: StoredLink): Dataset | undefined;
}

declare module "fastify" {
  interface FastifyInstance {
    links: LinksService;
  }
}

interface Candidate {
  state: Record<string, unknown>;
  title: string | null;
  dataset: string | null;
  view: string | null;
  warnings: StateIssue[];
}

/** Pages rendered and kept per app: a link never changes, so neither does its page. */
const PAGE_CACHE_ENTRIES = 1000;

/** Validates what a user posted and turns it into a state plus link metadata. */
function candidateFrom(
  presets: Catalogue,
  input: LinkInput,
  urlState: StateFromUrl | undefined,
): Candidate {
  if (input.dataset !== undefined) {
    const built = buildStateFromInput(presets, input);
    return {
      state: built.state,
      title: input.title ?? null,
      dataset: built.dataset.id,
      view: built.view,
      warnings: [...built.warnings, ...undrawableWarnings(built.state)],
    };
  }
  let state: unknown = input.state;
  let prefix = "state";
  if (input.url !== undefined) {
    const parsed = urlState ?? { ok: false, message: "this URL was not read" };
    if (!parsed.ok) throw new InvalidStateError([{ path: "url", message: parsed.message }]);
    state = parsed.state;
    prefix = "url#!";
  }
  const result = validateState(state);
  const at = (i: StateIssue) => ({ ...i, path: i.path ? `${prefix}.${i.path}` : prefix });
  if (!result.valid) throw new InvalidStateError(result.errors.map(at));
  return {
    state: state as Record<string, unknown>,
    title: input.title ?? null,
    dataset: null,
    view: null,
    warnings: [...result.warnings, ...undrawableWarnings(state)].map(at),
  };
}

/** The record to store for a candidate: canonical JSON and content digest. */
function newLinkOf(candidate: Candidate): NewLink {
  const { stateJson, digest } = contentDigest(candidate.state, candidate);
  const { title, dataset, view } = candidate;
  return { stateJson, digest, title, dataset, view };
}

/**
 * Everything a create does before the store, as plain strings and small metadata: the CPU-heavy
 * part, which runs inline for small bodies and in a worker thread for large ones (src/work/).
 */
export interface PreparedLink {
  record: NewLink;
  /** The whole state in the URL. */
  longUrl: string;
  warnings: StateIssue[];
}

/** `urlState`: what `input.url` (when sent, without preset fields) stands for, read beforehand. */
export function prepareLink(
  presets: Catalogue,
  publicUrl: string,
  input: LinkInput,
  urlState: StateFromUrl | undefined,
): PreparedLink {
  const candidate = candidateFrom(presets, input, urlState);
  const record = newLinkOf(candidate);
  // From the canonical JSON already made for the digest: no second serialisation.
  return {
    record,
    longUrl: stateJsonUrl(publicUrl, record.stateJson),
    warnings: candidate.warnings,
  };
}

/** The record Neuroglancer's Share button stores: the state as it is, validated. */
export function prepareShare(state: Record<string, unknown>): NewLink {
  const result = validateState(state);
  if (!result.valid) throw new InvalidStateError(result.errors);
  const title = typeof state.title === "string" ? state.title : null;
  return newLinkOf({ state, title, dataset: null, view: null, warnings: [] });
}

export function createLinksService(app: FastifyInstance): LinksService {
  const { publicUrl } = app.config;
  const store = app.linkStore;

  async function storeRecord(record: NewLink, source: LinkSource, longUrl?: string) {
    // A compact request (a table of annotations, a preset view) can build a state larger than any
    // body the service accepts; the same limit holds for what is stored.
    const bytes = Buffer.byteLength(record.stateJson, "utf8");
    if (bytes > app.config.maxStateBytes) {
      throw Object.assign(
        new Error(
          `the state built from this request is ${bytes} bytes, more than MAX_STATE_BYTES ` +
            `(${app.config.maxStateBytes}); split annotations or segments over several links`,
        ),
        { statusCode: 413 },
      );
    }
    try {
      const result = await store.create(record, newLinkId);
      if (result.created) app.metrics.linksCreated.inc({ source });
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError && longUrl !== undefined) error.longUrl = longUrl;
      throw error;
    }
  }

  /** The preset dataset a link came from, or whose data its state uses (for attribution). */
  function datasetOf(link: StoredLink): Dataset | undefined {
    if (link.dataset) return app.presets.datasets.get(link.dataset);
    for (const dataset of app.presets.datasets.values())
      if (link.stateJson.includes(dataset.dataRoot.replace(/\/+$/, ""))) return dataset;
    return undefined;
  }

  /** A link's page: its meta (every page of the link, light embed included) and state. */
  function pageContent(link: StoredLink): PageContent {
    const urls = linkUrls(publicUrl, link.id);
    const dataset = datasetOf(link);
    return {
      meta: {
        title:
          link.title ?? (dataset ? `${dataset.title}: a Neuroglancer view` : "A Neuroglancer view"),
        description: dataset
          ? `${dataset.description} ${dataset.license.attribution}`
          : "A Neuroglancer view shared with nglaunch.",
        url: urls.shortUrl,
        oembedUrl: oembedUrlFor(publicUrl, urls.shortUrl),
        dataset: dataset?.title,
        image: { url: urls.previewUrl, ...PREVIEW_SIZE },
        attribution: dataset?.license.attribution,
      },
      state: urls.jsonUrl,
    };
  }

  function renderPage(link: StoredLink, embed: boolean): string {
    const page = pageContent(link);
    return app.renderViewerPage(embed ? fullEmbedPage(page) : page);
  }

  /** A small body's create, its CPU-heavy part one per event-loop turn (src/work/turns.ts). */
  async function prepareInline(input: LinkInput): Promise<PreparedLink> {
    const urlState =
      input.dataset === undefined && input.url !== undefined
        ? await stateFromUrl(app, input.url)
        : undefined;
    return app.turns.run(() => prepareLink(app.presets, publicUrl, input, urlState));
  }

  const pages = new LRUCache<string, string>({ max: PAGE_CACHE_ENTRIES });

  return {
    async get(id) {
      return isLinkId(id) ? store.get(id) : null;
    },

    async create(input) {
      // A large body was parsed, validated and prepared by a worker (src/work/offload.ts).
      const body: unknown = input;
      const prepared =
        body instanceof OffloadedBody ? (body.result as PreparedLink) : await prepareInline(input);
      const { record, longUrl, warnings } = prepared;
      const { link, created } = await storeRecord(record, "links", longUrl);
      return {
        id: link.id,
        created,
        title: link.title,
        ...linkUrls(publicUrl, link.id),
        longUrl,
        warnings,
      };
    },

    async share(state) {
      const body: unknown = state;
      const record =
        body instanceof OffloadedBody
          ? (body.result as NewLink)
          : await app.turns.run(() => prepareShare(state));
      const { link } = await storeRecord(record, "share");
      return linkUrls(publicUrl, link.id).jsonUrl;
    },

    urls: (id) => linkUrls(publicUrl, id),

    datasetOf,

    pageContent,

    meta(link) {
      const { shortUrl, jsonUrl, embedUrl } = linkUrls(publicUrl, link.id);
      const { id, title, dataset, view, createdAt, sizeBytes } = link;
      return { id, title, dataset, view, createdAt, sizeBytes, shortUrl, jsonUrl, embedUrl };
    },

    snippets(link) {
      const urls = linkUrls(publicUrl, link.id);
      return linkSnippets({ title: link.title, ...urls }, { badgeUrl: `${publicUrl}/badge.svg` })
        .list;
    },

    page(link, embed) {
      const key = `${embed ? "embed" : "page"}:${link.id}`;
      let html = pages.get(key);
      if (html === undefined) {
        html = renderPage(link, embed);
        pages.set(key, html);
      }
      return html;
    },
  };
}

export default fp(
  async function links(app: FastifyInstance) {
    app.decorate("links", createLinksService(app));
  },
  {
    name: "links",
    dependencies: ["config", "metrics", "presets", "link-store", "viewer-page", "work"],
  },
);
