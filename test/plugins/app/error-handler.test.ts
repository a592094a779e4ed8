// The one error handler: answers that say what to fix, including for bodies the server cannot
// read at all.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../helpers/app.js";

let t: TestApp;
beforeAll(async () => {
  // Load shedding off: these tests are about answers, not load (the machine may be busy).
  t = await startTestApp({ maxEventLoopDelayMs: 0 });
});
afterAll(async () => {
  await t.close();
});

describe("unreadable bodies", () => {
  it("content-encoding: bogus is 415 naming the content encoding", async () => {
    const res = await request(t.app.server)
      .post("/api/links")
      .set("content-type", "application/json")
      .set("content-encoding", "bogus")
      .send(JSON.stringify({ state: { layers: [] } }))
      .expect(415);
    expect(res.body.error).toMatch(/^unsupported content encoding "bogus"/);
    expect(res.body.error).not.toMatch(/content type/);
  });

  it("a content type other than JSON is 415 naming the content type", async () => {
    const res = await request(t.app.server)
      .post("/api/links")
      .set("content-type", "text/plain")
      .send("hello")
      .expect(415);
    expect(res.body.error).toMatch(/^unsupported content type "text\/plain"/);
  });
});
