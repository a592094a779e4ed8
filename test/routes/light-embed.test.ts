// The light embed pages (/embed/..., issue 9 §3) over real HTTP: the preview image, the title,
// "Explore in 3D" and the attribution, with no script and nothing of the viewer; the same head
// tags as the link's other pages; the embed CSP; ?autoload=1 serves the full embed viewer.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
let link: { id: string; shortUrl: string; previewUrl: string };

beforeAll(async () => {
  t = await startTestApp({ embedOrigins: ["https://wiki.example.org"] });
  const made = await request(t.app.server)
    .post("/api/links")
    .send({ dataset: "e11-prism", view: "overview", segments: ["42"], title: "Cell 42" })
    .expect(201);
  link = made.body;
});
afterAll(async () => {
  await t.close();
});

const html = (url: string) => request(t.app.server).get(url).set("accept", "text/html");

/** The head tags a crawler reads: <title>, <meta> and <link rel=canonical|alternate>. */
function metaTags(page: string): string[] {
  const head = page.slice(0, page.indexOf("</head>"));
  return (
    head.match(/<title>.*?<\/title>|<meta [^>]*>|<link rel="(?:canonical|alternate)"[^>]*>/g) ?? []
  ).filter((tag) => !/charset|viewport/.test(tag));
}

/** The name=value pairs the "Explore in 3D" form submits. */
function exploreFields(page: string): [string, string][] {
  const form = /<form class="nglaunch-light-explore" method="get">(.*?)<\/form>/s.exec(page)?.[1];
  if (form === undefined) throw new Error("no Explore in 3D form");
  return [...form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)" \/>/g)].map(
    (match) => [match[1] ?? "", (match[2] ?? "").replace(/&amp;/g, "&")],
  );
}

describe("light embed pages", () => {
  it("/embed/:id shows the preview, title, Explore in 3D and attribution, and no script", async () => {
    const res = await html(`/embed/${link.id}`).expect(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["content-security-policy"]).toMatch(
      /frame-ancestors https:\/\/wiki\.example\.org/,
    );
    expect(res.headers["x-frame-options"]).toBeUndefined();
    // Nothing that starts a viewer: no script at all, no asset of the viewer build.
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).not.toContain("/viewer/");
    expect(res.text).not.toContain("autofocus");
    expect(res.text).toContain(
      `<img class="nglaunch-light-preview" src="${link.previewUrl}" alt="Preview of Cell 42"`,
    );
    expect(res.text).toContain(
      '<p class="nglaunch-light-title" id="nglaunch-light-title">Cell 42</p>',
    );
    expect(res.text).toContain(
      '<button type="submit" aria-describedby="nglaunch-light-title">Explore in 3D</button>',
    );
    expect(exploreFields(res.text)).toEqual([["autoload", "1"]]);
    expect(res.text).toContain(`<a href="${link.shortUrl}" target="_blank" rel="noopener">`);
    expect(res.text).toContain("Data: E11 Bio PRISM dataset");
  });

  it("carries the same head tags as the link's page, for crawlers reading /embed/ URLs", async () => {
    const light = await html(`/embed/${link.id}`).expect(200);
    const page = await html(`/s/${link.id}`).expect(200);
    const tags = metaTags(page.text);
    expect(tags).toContainEqual('<meta property="og:title" content="Cell 42" />');
    expect(metaTags(light.text)).toEqual(tags);
  });

  it("?autoload=1 serves the full embed viewer; autoload=0 the light page; other values 400", async () => {
    const full = await html(`/embed/${link.id}?autoload=1`).expect(200);
    expect(full.text).toContain('<script src="/static/embed.js"></script>');
    expect(full.text).toContain("Click to explore");
    expect(full.headers["content-security-policy"]).toMatch(/frame-ancestors https:\/\/wiki/);
    const light = await html(`/embed/${link.id}?autoload=0`).expect(200);
    expect(light.text).not.toMatch(/<script/i);
    const bad = await html(`/embed/${link.id}?autoload=yes`).expect(400);
    expect(JSON.stringify(bad.body)).toMatch(/autoload/);
  });

  it("a view embed keeps its query for the preview image and for Explore in 3D", async () => {
    const query = "segments=9007199254740993,42&title=Two%20%26%20cells&autoload=0";
    const res = await html(`/embed/v/e11-prism/overview?${query}`).expect(200);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toContain(
      `src="http://ngl.test/v/e11-prism/overview/preview.png?${query.replace(/&/g, "&amp;")}"`,
    );
    expect(res.text).toContain("<title>Two &amp; cells</title>");
    expect(exploreFields(res.text)).toEqual([
      ["segments", "9007199254740993,42"],
      ["title", "Two & cells"],
      ["autoload", "1"],
    ]);
    const layer = await html("/embed/v/e11-prism/layer/raw").expect(200);
    expect(layer.text).toContain('src="http://ngl.test/v/e11-prism/layer/raw/preview.png"');
    // Bad input is still a 400 that says what to fix: a page for people, JSON for JSON clients.
    const bad = await html("/embed/v/e11-prism/overview?segments=12x").expect(400);
    expect(bad.type).toBe("text/html");
    expect(bad.text).toMatch(/segments/);
    const badJson = await request(t.app.server)
      .get("/embed/v/e11-prism/overview?segments=12x")
      .set("accept", "application/json")
      .expect(400);
    expect(JSON.stringify(badJson.body.issues)).toMatch(/segments/);
  });

  it("a name's embed shows the name's preview (current or pinned version)", async () => {
    const name = `light-${Date.now().toString(36)}`;
    await request(t.app.server).post("/api/names").send({ name, link: link.id }).expect(201);
    const current = await html(`/embed/n/${name}`).expect(200);
    expect(current.text).toContain(`src="http://ngl.test/n/${name}/preview.png"`);
    expect(current.text).not.toMatch(/<script/i);
    const pinned = await html(`/embed/n/${name}/1`).expect(200);
    expect(pinned.text).toContain(`src="http://ngl.test/n/${name}/1/preview.png"`);
    expect(pinned.text).toContain("<title>Cell 42 (version 1)</title>");
    const full = await html(`/embed/n/${name}/1?autoload=1`).expect(200);
    expect(full.text).toContain(`http://ngl.test/api/links/${link.id}`);
  });
});
