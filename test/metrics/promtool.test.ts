// /metrics is valid Prometheus exposition: `promtool check metrics` (Debian package
// `prometheus`, installed by .ci/run) reports nothing, at start-up and after traffic, and the
// fixed label sets exist from start-up (a `miss` series before the first miss).
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";

/** promtool's findings for an exposition: its exit status and everything it printed. */
function promtool(exposition: string): { status: number | null; output: string } {
  const run = spawnSync("promtool", ["check", "metrics"], { input: exposition, encoding: "utf8" });
  if (run.error)
    throw new Error(
      `cannot run promtool (${run.error.message}); install it: apt-get install prometheus`,
    );
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function scrape(): Promise<string> {
  const res = await t.app.inject({ url: "/metrics" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

describe("GET /metrics", () => {
  it("has every series of the fixed label sets from start-up, at zero", async () => {
    const text = await scrape();
    for (const series of [
      'nglaunch_link_cache_requests_total{result="hit"} 0',
      'nglaunch_link_cache_requests_total{result="miss"} 0',
      'nglaunch_links_created_total{source="links"} 0',
      'nglaunch_links_created_total{source="share"} 0',
      'nglaunch_link_store_operation_duration_seconds_count{operation="create",outcome="ok"} 0',
      'nglaunch_link_store_operation_duration_seconds_count{operation="get",outcome="error"} 0',
      'nglaunch_link_store_operation_duration_seconds_count{operation="ping",outcome="error"} 0',
    ])
      expect(text.split("\n")).toContain(series);
  });

  it("passes promtool check metrics with no warnings, at start-up and after traffic", async () => {
    expect(promtool(await scrape())).toEqual({ status: 0, output: "" });
    const state = { layers: [], dimensions: { x: [8e-9, "m"], y: [8e-9, "m"], z: [8e-9, "m"] } };
    const created = await t.app.inject({ method: "POST", url: "/api/links", payload: { state } });
    expect(created.statusCode).toBe(201);
    const { id } = created.json() as { id: string };
    await t.app.inject({ url: `/api/links/${id}` });
    await t.app.inject({ url: "/api/links/nope1234" });
    await t.app.inject({ method: "POST", url: "/api/share", payload: state });
    await t.app.inject({ url: "/readyz" });
    await t.app.inject({ url: "/no/such/route" });
    const text = await scrape();
    expect(text).toMatch(/^nglaunch_links_created_total\{source="links"\} 1$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count\{.*status_code="404".*\} 1$/m);
    expect(promtool(text)).toEqual({ status: 0, output: "" });
  });

  it("promtool does flag a bad exposition (the check can fail)", () => {
    const bad = "# TYPE widgets_total gauge\nwidgets_total 3\n";
    expect(promtool(bad).output).toMatch(/_total/);
  });
});
