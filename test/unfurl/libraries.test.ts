// Real link-preview libraries from npm, each with its own default request headers, unfurl a
// short link, a view link and a name of a real listening app: each must find the link's own
// title, description and preview image (not the home page's, as when a 302 dropped the #!
// fragment). Everything they fetch (the page, unfurl.js's oEmbed answer) is on loopback: the
// app's PUBLIC_URL is its own listening address.
import { parse as parseWithAxios } from "html-metadata-parser";
import createMetascraper from "metascraper";
import metascraperDescription from "metascraper-description";
import metascraperImage from "metascraper-image";
import metascraperTitle from "metascraper-title";
import metascraperUrl from "metascraper-url";
import ogs from "open-graph-scraper";
import { unfurl } from "unfurl.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import { makeTargets, type Target } from "./targets.js";

let served: ServedApp;
let targets: Target[];
let homeDescription: string;

beforeAll(async () => {
  // Previews off: every image is the fallback card, made without a browser, so that these tests
  // check what the cards name and that it resolves; rendering is test/routes/previews' subject.
  served = await startServedApp({ previews: "off" });
  ({ targets, home: homeDescription } = await makeTargets(served.url));
}, 60_000);
afterAll(async () => {
  await served?.close();
});

/** What a library found, in one shape. */
interface Found {
  title: string | undefined;
  description: string | undefined;
  image: string | undefined;
}

function expectOwnCard(found: Found, target: Target) {
  expect(found).toEqual({
    title: target.title,
    description: target.description,
    image: target.image,
  });
  expect(found.description).not.toBe(homeDescription);
}

const metascraper = createMetascraper([
  metascraperTitle(),
  metascraperDescription(),
  metascraperImage(),
  metascraperUrl(),
]);

describe.each(["short link", "view link", "name"] as const)(
  "a %s unfurled by real libraries",
  (kind) => {
    const target = () => {
      const found = targets.find((t) => t.kind === kind);
      if (!found) throw new Error(`no ${kind}`);
      return found;
    };

    it("open-graph-scraper (Accept: text/html) finds its card, large image and size", async () => {
      const { url, image } = target();
      const { error, result } = await ogs({ url });
      expect(error).toBe(false);
      expectOwnCard(
        {
          title: result.ogTitle,
          description: result.ogDescription,
          image: result.ogImage?.[0]?.url,
        },
        target(),
      );
      expect(result.ogImage?.[0]).toMatchObject({
        width: "1200",
        height: "630",
        type: "image/png",
      });
      expect(result.twitterCard).toBe("summary_large_image");
      expect(result.twitterImage?.[0]?.url).toBe(image);
    });

    it("unfurl.js (Accept: text/html, application/xhtml+xml) finds its card and oEmbed thumbnail", async () => {
      const { url, image } = target();
      const result = await unfurl(url, { timeout: 20_000 });
      expectOwnCard(
        {
          title: result.open_graph?.title,
          description: result.open_graph?.description,
          image: result.open_graph?.images?.[0]?.url,
        },
        target(),
      );
      expect(result.twitter_card.card).toBe("summary_large_image");
      expect(result.twitter_card.images?.[0]?.url).toBe(image);
      // The oEmbed discovery link, fetched from the app itself: its thumbnail is the preview too.
      expect(result.oEmbed?.thumbnails?.[0]).toEqual({ url: image, width: 1200, height: 630 });
    });

    it("metascraper fed by Node's fetch (Accept: */*) finds its card", async () => {
      const { url } = target();
      const response = await fetch(url);
      expect(response.status).toBe(200);
      const found = await metascraper({ html: await response.text(), url: response.url });
      expectOwnCard(
        {
          title: found.title ?? undefined,
          description: found.description ?? undefined,
          image: found.image ?? undefined,
        },
        target(),
      );
      expect(found.url).toBe(url);
    });

    it("its card's image resolves: a 1200x630 PNG, what og:image says", async () => {
      const response = await fetch(target().image);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      const png = Buffer.from(await response.arrayBuffer());
      expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
      // The IHDR chunk, always first: width and height as big-endian 32-bit integers.
      expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
      expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({
        width: 1200,
        height: 630,
      });
    });

    it("html-metadata-parser with axios's defaults (Accept: application/json, text/plain, */*) finds its card", async () => {
      const { url } = target();
      const found = await parseWithAxios(url);
      expectOwnCard(
        { title: found.og.title, description: found.og.description, image: found.og.image },
        target(),
      );
      expect(found.meta.title).toBe(target().title);
      expect(found.meta.url).toBe(url);
    });
  },
);
