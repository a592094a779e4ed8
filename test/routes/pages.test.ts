// The viewer pages, static assets, embeds, oEmbed and security headers, over real HTTP.
import { readdirSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/config.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

const HOSTILE = "<img src=x onerror=alert(1)>";
let t: TestApp;
let linkId: string;
let hostileId: string;

beforeAll(async () => {
  t = await startTestApp({ embedOrigins: ["https://wiki.example.org"] });
  const made = await request(t.app.server)
    .post("/api/links")
    .send({ dataset: "e11-prism", view: "overview", segments: ["42"], title: "Cell 42" })
    .expect(201);
  linkId = made.body.id;
  const hostile = await request(t.app.server)
    .post("/api/links")
    .send({ state: { layers: [], title: HOSTILE }, title: HOSTILE })
    .expect(201);
  hostileId = hostile.body.id;
});
afterAll(async () => {
  await t.close();
});

const html = (url: string) => request(t.app.server).get(url).set("accept", "text/html");

/** The JSON in the page's nglaunch-state data block. */
function dataBlock(page: string): unknown {
  const match = /<script type="application\/json" id="nglaunch-state">(.*?)<\/script>/s.exec(page);
  return match ? JSON.parse(match[1] ?? "") : undefined;
}

describe("viewer pages", () => {
  it("/ is the viewer without a state, never cached, not frameable", async () => {
    const res = await html("/").expect(200);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.text).toMatch(/<script src="\/viewer\/boot\.js"><\/script>/);
    expect(dataBlock(res.text)).toBeUndefined();
    // No preview image of its own: the small card, no og:image.
    expect(res.text).toContain('<meta name="twitter:card" content="summary" />');
    expect(res.text).not.toContain("og:image");
    expect(res.headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });

  it("/s/:id serves the viewer page on the stored state, with link-preview meta", async () => {
    const res = await html(`/s/${linkId}`).expect(200);
    expect(dataBlock(res.text)).toBe(`http://ngl.test/api/links/${linkId}`);
    expect(res.text).toContain("<title>Cell 42</title>");
    expect(res.text).toContain('<meta property="og:title" content="Cell 42" />');
    expect(res.text).toContain('<meta name="twitter:card" content="summary_large_image" />');
    const preview = `http://ngl.test/s/${linkId}/preview.png`;
    expect(res.text).toContain(`<meta property="og:image" content="${preview}" />`);
    expect(res.text).toContain('<meta property="og:image:width" content="1200" />');
    expect(res.text).toContain('<meta property="og:image:height" content="630" />');
    expect(res.text).toContain('<meta property="og:image:type" content="image/png" />');
    expect(res.text).toContain('<meta property="og:image:alt" content="Preview of “Cell 42”" />');
    expect(res.text).toContain(`<meta name="twitter:image" content="${preview}" />`);
    expect(res.text).toContain(
      `<link rel="alternate" type="application/json+oembed" href="http://ngl.test/oembed?format=json&amp;url=${encodeURIComponent(`http://ngl.test/s/${linkId}`)}"`,
    );
    expect(res.text).toContain("CC BY-SA 4.0"); // the dataset's attribution in the description
  });

  it("/s/:id answers the page to clients that do not ask for JSON, the stored state to those that do", async () => {
    for (const accept of [undefined, "*/*", "application/json, text/plain, */*"]) {
      const get = request(t.app.server).get(`/s/${linkId}`);
      const res = await (accept === undefined ? get : get.set("accept", accept)).expect(200);
      expect(res.headers["content-type"], accept).toMatch(/^text\/html/);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers.vary).toMatch(/accept/i);
      expect(res.text).toContain("<title>Cell 42</title>");
    }
    const stored = await request(t.app.server).get(`/api/links/${linkId}`).expect(200);
    for (const path of [`/s/${linkId}`, `/embed/${linkId}`]) {
      const res = await request(t.app.server)
        .get(path)
        .set("accept", "application/json")
        .expect(200);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(res.headers.vary).toMatch(/accept/i);
      expect(res.text).toBe(stored.text);
    }
  });

  it("HEAD of a link page answers as GET would, without a body", async () => {
    for (const [url, accept, status, type] of [
      [`/s/${linkId}`, undefined, 200, /^text\/html/],
      [`/embed/${linkId}`, "*/*", 200, /^text\/html/],
      [`/s/${linkId}`, "application/json", 200, /^application\/json/],
      ["/s/AAAAAAAAAAAAAAAA", undefined, 404, /^text\/html/],
    ] as const) {
      const res = await t.app.inject({
        method: "HEAD",
        url,
        headers: accept === undefined ? {} : { accept },
      });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers["content-type"], url).toMatch(type);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toBe("");
    }
  });

  it("/v/... serves the page with the built state inline", async () => {
    const res = await html("/v/e11-prism/overview?segments=9007199254740993").expect(200);
    const state = dataBlock(res.text) as { layers: { name: string; segments?: string[] }[] };
    expect(state.layers.find((l) => l.name === "dense_seg")?.segments).toEqual([
      "9007199254740993",
    ]);
    expect(res.text).toContain("<title>E11 Bio PRISM: mouse hippocampus CA3: Overview</title>");
  });

  it("a hostile title is inert everywhere it is rendered", async () => {
    const page = await html(`/s/${hostileId}`).expect(200);
    expect(page.text).not.toContain(HOSTILE);
    expect(page.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const view = await html(`/v/e11-prism/overview?title=${encodeURIComponent(HOSTILE)}`).expect(
      200,
    );
    expect(view.text).not.toContain(HOSTILE);
    const embed = await html(`/embed/${hostileId}`).expect(200);
    expect(embed.text).not.toContain(HOSTILE);
    const oembed = await request(t.app.server)
      .get(`/oembed?url=${encodeURIComponent(`http://ngl.test/s/${hostileId}`)}`)
      .expect(200);
    expect(oembed.body.html).not.toContain(HOSTILE);
    expect(oembed.body.title).toBe(HOSTILE); // JSON field: data, escaped by whoever renders it
    const snippets = await request(t.app.server)
      .get(`/api/links/${hostileId}/snippets`)
      .expect(200);
    for (const snippet of snippets.body.snippets) expect(snippet.text).not.toContain("<img src=x");
  });

  it("answers a 404 page for unknown links, with the id escaped", async () => {
    const page = await html("/s/AAAAAAAAAAAAAAAA").expect(404);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    expect(page.text).toContain("There is no link “AAAAAAAAAAAAAAAA” here");
    expect(page.text).toContain('href="/gallery"');
    await html("/embed/AAAAAAAAAAAAAAAA").expect(404);
    const hostile = await html(`/s/${encodeURIComponent("<b>x</b>")}`).expect(404);
    expect(hostile.text).not.toContain("<b>x</b>");
    const plain = await request(t.app.server).get("/s/AAAAAAAAAAAAAAAA").expect(404);
    expect(plain.headers["content-type"]).toMatch(/text\/html/);
    for (const path of ["/s/AAAAAAAAAAAAAAAA", "/embed/AAAAAAAAAAAAAAAA"]) {
      const api = await request(t.app.server)
        .get(path)
        .set("accept", "application/json")
        .expect(404);
      expect(api.body.error).toMatch(/no link/);
    }
  });

  it("serves the gallery and a favicon", async () => {
    const gallery = await html("/gallery").expect(200);
    expect(gallery.headers["content-type"]).toMatch(/text\/html/);
    const icon = await request(t.app.server).get("/favicon.ico").expect(200);
    expect(icon.headers["content-type"]).toMatch(/image\/svg\+xml/);
    const badge = await request(t.app.server).get("/badge.svg").expect(200);
    expect(badge.headers["content-type"]).toMatch(/image\/svg\+xml/);
  });
});

describe("embed pages", () => {
  it("may be framed only by EMBED_ORIGINS, and carry the compact chrome", async () => {
    // The full embed viewer (the light page is in light-embed.test.ts).
    const res = await html(`/embed/${linkId}?autoload=1`).expect(200);
    expect(res.headers["content-security-policy"]).toMatch(
      /frame-ancestors https:\/\/wiki\.example\.org/,
    );
    expect(res.headers["x-frame-options"]).toBeUndefined();
    expect(res.text).toContain('<script src="/static/embed.js"></script>');
    expect(res.text).toContain("Open full viewer");
    expect(res.text).toContain(`href="http://ngl.test/s/${linkId}"`);
    expect(res.text).toContain("Data: E11 Bio PRISM dataset");
  });

  it("exist for views too", async () => {
    const res = await html("/embed/v/e11-prism/synapses?segments=5").expect(200);
    expect(res.headers["content-security-policy"]).toMatch(
      /frame-ancestors https:\/\/wiki\.example\.org/,
    );
    expect(res.text).toContain('href="http://ngl.test/v/e11-prism/synapses?segments=5"');
  });

  it("the API refuses to be framed", async () => {
    const res = await request(t.app.server).get("/api/presets").expect(200);
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });
});

describe("oEmbed", () => {
  const oembed = (query: string) => request(t.app.server).get(`/oembed?${query}`);

  it("describes a short link as a rich iframe within the maximum size", async () => {
    const url = encodeURIComponent(`http://ngl.test/s/${linkId}`);
    const res = await oembed(`url=${url}&maxwidth=500&maxheight=300&format=json`).expect(200);
    expect(res.body).toMatchObject({
      version: "1.0",
      type: "rich",
      provider_name: "nglaunch",
      title: "Cell 42",
      width: 500,
      height: 300,
    });
    expect(res.body.html).toMatch(new RegExp(`<iframe[^>]+src="http://ngl.test/embed/${linkId}"`));
    expect(res.body.html).toMatch(/width="500"/);
    // The preview image as the thumbnail, scaled (same aspect) to respect maxwidth/maxheight.
    expect(res.body).toMatchObject({
      thumbnail_url: `http://ngl.test/s/${linkId}/preview.png?w=500&h=262`,
      thumbnail_width: 500,
      thumbnail_height: 262,
    });
  });

  it("gives the full-size preview as the thumbnail when no maximum is sent, none when it cannot fit", async () => {
    const url = encodeURIComponent(`http://ngl.test/s/${linkId}`);
    const full = await oembed(`url=${url}`).expect(200);
    expect(full.body).toMatchObject({
      width: 800,
      height: 600,
      thumbnail_url: `http://ngl.test/s/${linkId}/preview.png`,
      thumbnail_width: 1200,
      thumbnail_height: 630,
    });
    // Smaller than the smallest preview image: all three thumbnail fields or none.
    const tiny = await oembed(`url=${url}&maxwidth=120&maxheight=90`).expect(200);
    expect(tiny.body.width).toBe(120);
    for (const field of ["thumbnail_url", "thumbnail_width", "thumbnail_height"])
      expect(tiny.body).not.toHaveProperty(field);
  });

  it("describes view URLs", async () => {
    const url = encodeURIComponent("http://ngl.test/v/e11-prism/proofread?segments=1");
    const res = await oembed(`url=${url}`).expect(200);
    expect(res.body.html).toContain("http://ngl.test/embed/v/e11-prism/proofread?segments=1");
    expect(res.body.width).toBe(800);
  });

  it("answers 404 for URLs it does not serve and 501 for other formats", async () => {
    await oembed(`url=${encodeURIComponent("https://elsewhere.org/s/x")}`).expect(404);
    await oembed(`url=${encodeURIComponent("http://ngl.test/s/AAAAAAAAAAAAAAAA")}`).expect(404);
    await oembed(`url=${encodeURIComponent("http://ngl.test/v/e11-prism/nope")}`).expect(404);
    await oembed(`url=${encodeURIComponent(`http://ngl.test/s/${linkId}`)}&format=xml`).expect(501);
    await oembed("maxwidth=10").expect(400);
  });
});

describe("snippets", () => {
  it("lists every format for a link", async () => {
    const res = await request(t.app.server).get(`/api/links/${linkId}/snippets`).expect(200);
    const text = JSON.stringify(res.body.snippets);
    expect(text).toContain(`http://ngl.test/embed/${linkId}`);
    expect(text).toContain(`http://ngl.test/s/${linkId}`);
    expect(res.body.snippets.length).toBeGreaterThanOrEqual(5);
    await request(t.app.server).get("/api/links/AAAAAAAAAAAAAAAA/snippets").expect(404);
  });
});

describe("static viewer assets", () => {
  const assets = readdirSync(path.join(packageRoot, "dist", "viewer", "assets"));
  const mainJs = assets.find((f) => /^index-.*\.js$/.test(f));
  const wasm = assets.find((f) => f.endsWith(".wasm"));

  it("serves hashed assets precompressed and cached for a year", async () => {
    const res = await request(t.app.server)
      .get(`/viewer/assets/${mainJs}`)
      .set("accept-encoding", "br, gzip")
      .expect(200);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["cache-control"]).toMatch(/max-age=31536000, immutable/);
    expect(res.headers["content-type"]).toMatch(/javascript/);
  });

  it("serves wasm with its MIME type and boot.js revalidated", async () => {
    const res = await request(t.app.server).get(`/viewer/assets/${wasm}`).expect(200);
    expect(res.headers["content-type"]).toBe("application/wasm");
    const boot = await request(t.app.server).get("/viewer/boot.js").expect(200);
    expect(boot.headers["cache-control"]).toMatch(/must-revalidate/);
    await request(t.app.server).get("/viewer/index.html").expect(404); // the raw template is not served
  });

  it("allows what Neuroglancer needs in the CSP", async () => {
    const res = await html("/").expect(200);
    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toMatch(/script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'/);
    expect(csp).toMatch(/connect-src 'self' https:\/\/e11bio-prism\.s3\.amazonaws\.com/);
    expect(csp).not.toMatch(/'unsafe-inline'/);
  });
});
