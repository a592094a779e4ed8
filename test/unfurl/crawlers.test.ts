// Chat and social crawlers, as plain requests with their published User-Agent strings and the
// kinds of Accept header they send (text/html, browser-like lists, */*, or none; the exact
// headers vary between versions, which is why the service never branches on them): each gets
// the link's own page, whose card metascraper (a real parser, no network) reads back.
import createMetascraper from "metascraper";
import metascraperDescription from "metascraper-description";
import metascraperImage from "metascraper-image";
import metascraperTitle from "metascraper-title";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServedApp, startServedApp } from "../helpers/app.js";
import { makeTargets, metaContent, type Target } from "./targets.js";

const BROWSER_LIKE = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/** [crawler, User-Agent, Accept (undefined: none sent)] */
const CRAWLERS: [string, string, string | undefined][] = [
  ["Slackbot", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "*/*"],
  ["Discordbot", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "*/*"],
  ["Twitterbot", "Twitterbot/1.0", "*/*"],
  [
    "facebookexternalhit",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "*/*",
  ],
  [
    "LinkedInBot",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "*/*",
  ],
  ["Mastodon", "http.rb/5.1.1 (Mastodon/4.2.10; +https://mastodon.social/)", "text/html"],
  ["WhatsApp", "WhatsApp/2.23.20.0 A", undefined],
  ["TelegramBot", "TelegramBot (like TwitterBot)", BROWSER_LIKE],
  [
    "Microsoft Teams",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
    BROWSER_LIKE,
  ],
];

let served: ServedApp;
let targets: Target[];

beforeAll(async () => {
  served = await startServedApp();
  ({ targets } = await makeTargets(served.url));
}, 60_000);
afterAll(async () => {
  await served?.close();
});

const metascraper = createMetascraper([
  metascraperTitle(),
  metascraperDescription(),
  metascraperImage(),
]);

describe.each(CRAWLERS)("%s", (_crawler, userAgent, accept) => {
  it.each(["short link", "view link", "name"] as const)(
    "gets the %s's own page, title, description and image",
    async (kind) => {
      const target = targets.find((t) => t.kind === kind);
      if (!target) throw new Error(`no ${kind}`);
      const headers: Record<string, string> = { "user-agent": userAgent };
      if (accept !== undefined) headers.accept = accept;
      const response = await fetch(target.url, { headers, redirect: "manual" });
      expect(response.status).toBe(200);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      const found = await metascraper({ html, url: target.url });
      expect(found).toMatchObject({
        title: target.title,
        description: target.description,
        image: target.image,
      });
      expect(metaContent(html, "og:image")).toBe(target.image);
      expect(metaContent(html, "twitter:image")).toBe(target.image);
      expect(metaContent(html, "twitter:card")).toBe("summary_large_image");
    },
  );
});
