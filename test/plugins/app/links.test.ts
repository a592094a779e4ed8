// The links service (app.links) on a real app and embedded store: what it stores, what it
// refuses, and that names which are JavaScript built-ins are refused like any unknown name.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError } from "../../../src/domain/state-builder.js";
import { InvalidStateError } from "../../../src/plugins/app/links.js";
import { startTestApp, type TestApp } from "../../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Load shedding off: these tests are about answers, not load (the machine may be busy).
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

/** Links stored so far, by the service's own metric. */
async function linksCreated(): Promise<number> {
  const metric = await t.app.metrics.linksCreated.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}

const STATE = { layers: [], layout: "xy", title: "service test" };

describe("app.links", () => {
  it("creates idempotently, then finds, describes and renders the link", async () => {
    const first = await t.app.links.create({ state: STATE });
    expect(first.created).toBe(true);
    const again = await t.app.links.create({ state: { ...STATE } });
    expect(again).toMatchObject({ id: first.id, created: false });
    const link = await t.app.links.get(first.id);
    expect(link?.stateJson).toBe(
      JSON.stringify({ layers: [], layout: "xy", title: "service test" }),
    );
    if (!link) throw new Error("link missing");
    expect(t.app.links.meta(link)).toMatchObject({ id: first.id, jsonUrl: first.jsonUrl });
    expect(t.app.links.snippets(link).map((s) => s.id)).toContain("html");
    expect(t.app.links.page(link, true)).toContain(first.shortUrl);
  });

  it("share stores the state as it is and returns its JSON URL", async () => {
    const jsonUrl = await t.app.links.share({ layers: [], layout: "4panel" });
    expect(jsonUrl).toMatch(/^http:\/\/ngl\.test\/api\/links\/[\w-]+$/);
  });

  it("get is null for strings that are not link ids", async () => {
    expect(await t.app.links.get("constructor")).toBeNull();
    expect(await t.app.links.get("../x")).toBeNull();
  });

  it("refuses invalid states and unknown presets with typed errors", async () => {
    await expect(t.app.links.create({ state: { layers: 3 } })).rejects.toBeInstanceOf(
      InvalidStateError,
    );
    await expect(
      t.app.links.create({ dataset: "e11-prism", view: "constructor" }),
    ).rejects.toBeInstanceOf(BuildError);
  });
});

describe("POST /api/links with built-in names", () => {
  it.each([
    [{ dataset: "e11-prism", view: "constructor" }, "view"],
    [{ dataset: "e11-prism", view: "__proto__" }, "view"],
    [{ dataset: "e11-prism", layers: ["hasOwnProperty"] }, "layers[0]"],
    [{ dataset: "toString", view: "overview" }, "dataset"],
  ])("%j is 404 naming %s, and stores nothing", async (body, path) => {
    const before = await linksCreated();
    const res = await request(t.app.server).post("/api/links").send(body).expect(404);
    expect(res.body.issues[0]).toMatchObject({ path });
    expect(await linksCreated()).toBe(before);
  });
});
