// View links (/v/<dataset>/<view>, /v/<dataset>/layer/<layer>, /embed/v/...): names that are
// JavaScript built-ins or badly percent-encoded are unknown names (4xx), never 500.
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

const BUILT_INS = ["toString", "valueOf", "constructor", "hasOwnProperty", "__proto__"];

/** A JSON client: view links answer it the error handler's {error, issues}. */
const json = (path: string) => request(t.app.server).get(path).set("accept", "application/json");

describe("view links with names that are JavaScript built-ins", () => {
  it.each(BUILT_INS)("GET /v/e11-prism/%s is 404 naming the view", async (name) => {
    const res = await json(`/v/e11-prism/${name}`).expect(404);
    expect(res.body.issues[0]).toMatchObject({ path: "view" });
    expect(res.body.issues[0].message).toContain(`unknown view "${name}"`);
  });

  it.each(BUILT_INS)("GET /v/e11-prism/layer/%s is 404 naming the layer", async (name) => {
    const res = await json(`/v/e11-prism/layer/${name}`).expect(404);
    expect(res.body.issues[0]).toMatchObject({ path: "layers[0]" });
    expect(res.body.issues[0].message).toContain(`unknown layer preset "${name}"`);
  });

  it.each(BUILT_INS)("GET /embed/v/e11-prism/%s is a 404 page naming the view", async (name) => {
    const res = await request(t.app.server)
      .get(`/embed/v/e11-prism/${name}`)
      .set("accept", "text/html")
      .expect(404);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.text).toContain("<h1>View not found</h1>");
    expect(res.text).toContain(`unknown view &quot;${name}&quot;`);
  });

  it("a dataset named like a built-in is an unknown dataset", async () => {
    const res = await json("/v/constructor/overview").expect(404);
    expect(res.body.issues[0].message).toContain('unknown dataset "constructor"');
  });

  it("real views still open", async () => {
    const res = await request(t.app.server).get("/v/e11-prism/overview").expect(200);
    expect(res.text).toContain("<title>E11 Bio PRISM: mouse hippocampus CA3: Overview</title>");
  });
});

describe("view links with bad percent-encoding", () => {
  it.each(["%", "%E0%A4%A", "%ZZ"])("GET /v/e11-prism/%s is a 4xx", async (name) => {
    const res = await request(t.app.server).get(`/v/e11-prism/${name}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("an encoded percent sign is a name like any other (unknown view, 404)", async () => {
    const res = await json("/v/e11-prism/%25").expect(404);
    expect(res.body.issues[0].message).toContain('unknown view "%"');
  });
});

describe("a view link with a mistake, for people and crawlers", () => {
  it("is a 400 page naming the bad ID, or the schema's complaint, escaped", async () => {
    const id = await request(t.app.server).get("/v/e11-prism/overview?segments=1,<b>2").expect(400);
    expect(id.headers["content-type"]).toMatch(/^text\/html/);
    expect(id.text).toContain("<h1>This view link has a mistake</h1>");
    expect(id.text).toContain("&lt;b&gt;2");
    expect(id.text).not.toContain("<b>2");
    const zoom = await request(t.app.server).get("/v/e11-prism/layer/raw?zoom=-1").expect(400);
    expect(zoom.text).toContain("zoom");
    const unit = await json("/v/e11-prism/layer/raw?unit=furlong").expect(400);
    expect(unit.body.issues[0].path).toBe("querystring.unit");
  });
});

describe("a view link with thousands of segment IDs", () => {
  // 3,000 IDs made the old redirect's Location header ~48 KB, past what proxies allow (4-8 KB).
  // Short IDs, so the request line itself stays within Node's 16 KB header limit.
  const ids = Array.from({ length: 3000 }, (_, i) => String(i + 1));
  const url = `/v/e11-prism/overview?segments=${ids.join(",")}`;

  it.each([
    ["no Accept", undefined],
    ["a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
    ["axios", "application/json, text/plain, */*"],
    ["a JSON client", "application/json"],
  ])("answers %s 200 with no Location header", async (_who, accept) => {
    const get = request(t.app.server).get(url);
    const res = await (accept === undefined ? get : get.set("accept", accept)).expect(200);
    expect(res.headers.location).toBeUndefined();
    const body = accept === "application/json" ? JSON.stringify(res.body.state) : res.text;
    for (const id of [ids[0], ids[2999]]) expect(body).toContain(`"${id}"`);
  });

  it("answers HEAD with the page's headers and no body, for the view and its embed", async () => {
    for (const path of [url, `/embed${url}`]) {
      const res = await t.app.inject({ method: "HEAD", url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers.location).toBeUndefined();
      expect(res.body).toBe("");
    }
  });
});

describe("the page URL of a view", () => {
  it("is the canonical view link with the query as sent, also for the embed page", async () => {
    const res = await request(t.app.server)
      .get("/embed/v/e11-prism/overview?segments=42&title=x")
      .set("accept", "text/html")
      .expect(200);
    expect(res.text).toContain(
      'href="http://ngl.test/v/e11-prism/overview?segments=42&amp;title=x"',
    );
    // Its preview image takes the same query.
    expect(res.text).toContain(
      '<meta property="og:image" content="http://ngl.test/v/e11-prism/overview/preview.png?segments=42&amp;title=x" />',
    );
  });
});
