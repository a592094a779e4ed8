// The names service, `app.names`: what a name's URLs, versions and pages are, on top of the name
// store and the links. A name is one address that moves to newer short links; each version
// opens one short link forever. Routes (routes/names.ts, oEmbed) stay thin adapters over it.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { LRUCache } from "lru-cache";
import { linkSnippets, type Snippet } from "../../domain/snippets.js";
import {
  linkUrls,
  nameUrls,
  oembedUrlFor,
  ownLinkId,
  ownNameRef,
  PREVIEW_SIZE,
} from "../../http/service-urls.js";
import type { PageContent } from "../../http/viewer-page.js";
import { isLinkId } from "../../links/link-id.js";
import type { StoredLink } from "../../links/link-store.js";
import { isName } from "../../names/name.js";
import type { NameRecord, NameVersion } from "../../names/name-store.js";
import { fullEmbedPage } from "./embed-page.js";

/** One version of a name with the link it opens. */
export interface NamedLink {
  name: string;
  version: NameVersion;
  link: StoredLink;
  /** Whether the address named the version (/n/<name>/<version>) rather than the current one. */
  pinned: boolean;
}

/** A "link" value that names no existing link of this service; the message says what to send. */
export class LinkRefError extends Error {
  override readonly name = "LinkRefError";
}

export interface NamesService {
  /** The current version (pinned = null) or one version of a name, with its link; or null. */
  find(name: string, pinned: number | null): Promise<NamedLink | null>;
  /**
   * The existing link a user's "link" value means: a link id, a link URL of this service, or a
   * name's URL (its current or pinned version). Throws LinkRefError when there is none.
   */
  resolveLink(ref: string): Promise<StoredLink>;
  urls(name: string, version?: number): ReturnType<typeof nameUrls>;
  /** A version as the API shows it: with its page URL and its short link. */
  describeVersion(
    name: string,
    version: NameVersion,
  ): NameVersion & { url: string; shortUrl: string };
  /** A name as the API shows it (never its token hash). */
  describe(record: Pick<NameRecord, "name" | "createdAt" | "current">): ReturnType<
    NamesService["urls"]
  > & {
    name: string;
    createdAt: string;
    current: ReturnType<NamesService["describeVersion"]>;
  };
  /** Snippets that embed or link the name itself, so pages that use them follow its moves. */
  snippets(named: NamedLink): Snippet[];
  /** The viewer (or embed) page of a version; rendered once per version and cached. */
  page(named: NamedLink, embed: boolean): string;
  /** What a version's pages show: its meta and state (the light embed page uses it). */
  pageContent(named: NamedLink): PageContent;
}

declare module "fastify" {
  interface FastifyInstance {
    names: NamesService;
  }
}

/** Pages kept rendered: a version never changes, so neither does its page. */
const PAGE_CACHE_ENTRIES = 1000;

export function createNamesService(app: FastifyInstance): NamesService {
  const { publicUrl } = app.config;
  const store = app.nameStore;
  const urls = (name: string, version?: number) => nameUrls(publicUrl, name, version);

  /** A version's page: its meta (every page of it, light embed included) and state. */
  function pageContent({ name, version, link, pinned }: NamedLink): PageContent {
    const { url, previewUrl } = urls(name, pinned ? version.version : undefined);
    const dataset = app.links.datasetOf(link);
    const title = link.title ?? name;
    const about = `${name}, version ${version.version}${version.note ? `: ${version.note}` : ""}.`;
    return {
      meta: {
        title: pinned ? `${title} (version ${version.version})` : title,
        description: dataset
          ? `${about} ${dataset.description} ${dataset.license.attribution}`
          : `${about} A Neuroglancer view shared with nglaunch.`,
        url,
        oembedUrl: oembedUrlFor(publicUrl, url),
        dataset: dataset?.title,
        image: { url: previewUrl, ...PREVIEW_SIZE },
        attribution: dataset?.license.attribution,
      },
      // The immutable state of the version's link: the browser caches it like any short link's.
      state: linkUrls(publicUrl, link.id).jsonUrl,
    };
  }

  function renderPage(named: NamedLink, embed: boolean): string {
    const page = pageContent(named);
    return app.renderViewerPage(embed ? fullEmbedPage(page) : page);
  }

  const pages = new LRUCache<string, string>({ max: PAGE_CACHE_ENTRIES });

  const service: NamesService = {
    async find(name, pinned) {
      if (!isName(name)) return null;
      const version =
        pinned === null ? (await store.get(name))?.current : await store.version(name, pinned);
      if (!version) return null;
      const link = await app.links.get(version.linkId);
      return link === null ? null : { name, version, link, pinned: pinned !== null };
    },

    async resolveLink(ref) {
      const text = ref.trim();
      const id = isLinkId(text) ? text : ownLinkId(publicUrl, text);
      if (id === null) {
        const named = ownNameRef(publicUrl, text);
        if (named === null)
          throw new LinkRefError(
            `expected a short link id or a link of ${publicUrl} (/s/<id>, /n/<name>, ...); ` +
              "store a state first with POST /api/links",
          );
        const found = await service.find(named.name, named.version);
        if (!found) throw new LinkRefError(`no name or version at ${text}`);
        return found.link;
      }
      const link = await app.links.get(id);
      if (link === null)
        throw new LinkRefError(`no link "${id}" here; store a state first with POST /api/links`);
      return link;
    },

    urls,

    describeVersion(name, version) {
      return {
        ...version,
        url: urls(name, version.version).url,
        shortUrl: linkUrls(publicUrl, version.linkId).shortUrl,
      };
    },

    describe(record) {
      return {
        name: record.name,
        createdAt: record.createdAt,
        current: service.describeVersion(record.name, record.current),
        ...urls(record.name),
      };
    },

    snippets({ name, link }) {
      const { url, embedUrl, previewUrl, stateUrl } = urls(name);
      return linkSnippets(
        { title: link.title ?? name, shortUrl: url, embedUrl, previewUrl, jsonUrl: stateUrl },
        { badgeUrl: `${publicUrl}/badge.svg` },
      ).list;
    },

    pageContent,

    page(named, embed) {
      const key = `${embed ? "embed" : "page"}:${named.pinned ? "pinned" : "current"}:${named.name}:${named.version.version}`;
      let html = pages.get(key);
      if (html === undefined) {
        html = renderPage(named, embed);
        pages.set(key, html);
      }
      return html;
    },
  };
  return service;
}

export default fp(
  async function names(app: FastifyInstance) {
    app.decorate("names", createNamesService(app));
  },
  { name: "names", dependencies: ["config", "presets", "links", "name-store", "viewer-page"] },
);
