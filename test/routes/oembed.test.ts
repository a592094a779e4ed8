// oEmbed for view links: a URL that names no real view (a built-in name, bad encoding) is 404,
// never a 200 with an "undefined" title and never a 500.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Load shedding off: these tests are about answers, not load (the machine may be busy).
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

const oembed = (url: string) => request(t.app.server).get("/oembed").query({ url, format: "json" });

describe("GET /oembed for view links", () => {
  it.each([
    "/v/e11-prism/constructor",
    "/v/e11-prism/toString",
    "/v/e11-prism/__proto__",
    "/v/e11-prism/layer/valueOf",
    "/embed/v/e11-prism/hasOwnProperty",
    "/v/constructor/overview",
  ])("%s is 404", async (path) => {
    const res = await oembed(`http://ngl.test${path}`).expect(404);
    expect(res.body.error).toContain("not a link or view");
  });

  it.each(["%25", "%", "%E0%A4%A", "layer/%ZZ"])(
    "/v/e11-prism/%s (bad or unknown encoding) is 404, not 500",
    async (name) => {
      await oembed(`http://ngl.test/v/e11-prism/${name}`).expect(404);
    },
  );

  it("a real view embeds with its title and the /embed/v/ URL with the query", async () => {
    const res = await oembed("http://ngl.test/v/e11-prism/overview?segments=42").expect(200);
    expect(res.body.title).toMatch(/: Overview$/);
    expect(res.body.html).toContain('src="http://ngl.test/embed/v/e11-prism/overview?segments=42"');
    expect(res.body).toMatchObject({
      thumbnail_url: "http://ngl.test/v/e11-prism/overview/preview.png?segments=42",
      thumbnail_width: 1200,
      thumbnail_height: 630,
    });
  });

  it("a view's thumbnail keeps the view's query and adds the size that fits", async () => {
    const res = await request(t.app.server)
      .get("/oembed")
      .query({ url: "http://ngl.test/v/e11-prism/overview?segments=42", maxwidth: 600 })
      .expect(200);
    expect(res.body).toMatchObject({
      thumbnail_url: "http://ngl.test/v/e11-prism/overview/preview.png?segments=42&w=600&h=315",
      thumbnail_width: 600,
      thumbnail_height: 315,
    });
  });

  it("a layer link embeds too", async () => {
    const res = await oembed("http://ngl.test/embed/v/e11-prism/layer/raw").expect(200);
    expect(res.body.html).toContain('src="http://ngl.test/embed/v/e11-prism/layer/raw"');
    expect(res.body.thumbnail_url).toBe("http://ngl.test/v/e11-prism/layer/raw/preview.png");
  });
});
