// What the service tells users about its presets: each layer's and view's verification state
// in /api/presets, the recorded contrast in built states, and the optional background check
// (VERIFY_PRESETS=on) against loopback fixtures: /readyz details, a metric per layer, links
// served throughout, start-up never waiting for the data's host.
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtures } from "../../scripts/make-fixtures.js";
import { loadConfig } from "../../src/config.js";
import { formatJson } from "../../src/domain/preset-record.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { type FixtureServer, startFixtureServer } from "../helpers/fixture-server.js";

const presetsFile = join(loadConfig({}).presetsDir, "e11-prism.json");
const DIGEST = `sha256:${"ab".repeat(32)}`;

let work: string;
let server: FixtureServer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-preset-checks-"));
  await makeFixtures(join(work, "fixtures"));
  // A copy where raw's checked chunk is missing, and a folder without CORS for enhanced.
  cpSync(join(work, "fixtures"), join(work, "damaged"), { recursive: true });
  unlinkSync(join(work, "damaged", "raw", "70_70_80", "0-32_0-32_0-4"));
  server = await startFixtureServer(work, {
    allowOrigin: (path) => (path.startsWith("/damaged/enhanced/") ? undefined : "*"),
  });
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

type Summary = {
  layers: {
    id: string;
    verification: { state: string; label: string; live?: { status: string; message?: string } };
  }[];
  views: { id: string; verification: { state: string; label: string } }[];
};

describe("verification states in GET /api/presets", () => {
  let t: TestApp;
  beforeAll(async () => {
    // raw fully verified, with recorded contrast per channel; dense_seg verified but one assumed.
    const dir = join(work, "presets-verified");
    mkdirSync(dir);
    const preset = JSON.parse(readFileSync(presetsFile, "utf8"));
    const verified = (value: unknown, date: string) => ({
      value,
      basis: "verified",
      date,
      infoDigest: DIGEST,
    });
    preset.layers.raw.expects = {
      layerType: verified("image", "2026-12-02"),
      dataType: verified("uint8", "2026-12-02"),
      numChannels: verified(18, "2026-11-30"),
    };
    preset.layers.raw.contrast = {
      channels: Array.from({ length: 18 }, (_, c) => [c, 100 + c]),
      basis: "verified",
      date: "2026-12-02",
      infoDigest: DIGEST,
    };
    preset.layers.dense_seg.expects.dataType = verified("uint64", "2026-12-02");
    writeFileSync(join(dir, "e11-prism.json"), formatJson(preset));
    t = await startTestApp({ presetsDir: dir });
  });
  afterAll(() => t.close());

  it("labels each layer and view: verified with the oldest date, or what is still assumed", async () => {
    const res = await request(t.app.server).get("/api/presets/e11-prism").expect(200);
    const body = res.body as Summary;
    const layer = (id: string) => body.layers.find((l) => l.id === id)?.verification;
    const view = (id: string) => body.views.find((v) => v.id === id)?.verification;
    expect(layer("raw")).toEqual({
      state: "verified",
      label: "verified 2026-11-30",
      date: "2026-11-30",
      assumed: [],
    });
    expect(layer("dense_seg")).toMatchObject({
      state: "not verified",
      label: "not verified: assumed 1 channel",
    });
    expect(layer("markers_all")?.label).toBe("not verified: assumed uint16, 7 channels");
    expect(view("overview")).toMatchObject({
      state: "not verified",
      label: "not verified: 1 of 2 layers assumed (dense_seg)",
    });
    expect(view("barcodes")?.label).toBe("not verified: 1 of 2 layers assumed (enhanced)");
    // No background check ran: no live results, /readyz says so.
    expect(layer("raw")?.live).toBeUndefined();
    const ready = await request(t.app.server).get("/readyz").expect(200);
    expect(ready.body.presets.verification).toEqual({ state: "off" });
  });

  it("builds states with the recorded contrast of whichever channel a control shows", async () => {
    const res = await request(t.app.server)
      .post("/api/states")
      .send({
        dataset: "e11-prism",
        layers: ["raw"],
        layerOptions: { raw: { channels: [4, 7, 9], shaderControls: { blue: { range: [1, 2] } } } },
      })
      .expect(200);
    expect(res.body.state.layers[0].shaderControls).toEqual({
      red: { channel: 4, range: [4, 104] },
      green: { channel: 7, range: [7, 107] },
      // The user's own range wins over the recorded one.
      blue: { channel: 9, range: [1, 2] },
    });
    const plain = await request(t.app.server)
      .post("/api/states")
      .send({ dataset: "e11-prism", view: "overview" })
      .expect(200);
    expect(plain.body.state.layers[0].shaderControls.red).toEqual({ channel: 0, range: [0, 100] });
  });
});

describe("VERIFY_PRESETS=on", () => {
  it("checks in the background, then reports in /readyz, /metrics and /api/presets, serving throughout", async () => {
    const t = await startTestApp({
      verifyPresets: true,
      sourceRoots: { "e11-prism": `${server.url}/damaged/` },
    });
    try {
      await t.app.presetChecks.done;
      const ready = await request(t.app.server).get("/readyz").expect(200);
      expect(ready.body.status).toBe("ready");
      expect(ready.body.presets.verification).toMatchObject({
        state: "done",
        layers: { ok: 11, failing: 2, skipped: 0 },
        failing: [
          {
            dataset: "e11-prism",
            layer: "raw",
            status: "chunk",
            message: "chunk 70_70_80/0-32_0-32_0-4: missing (HTTP 404)",
          },
          {
            dataset: "e11-prism",
            layer: "enhanced",
            status: "cors",
            message: expect.stringContaining(
              "no Access-Control-Allow-Origin for Origin http://ngl.test",
            ),
          },
        ],
      });
      const metrics = await request(t.app.server).get("/metrics").expect(200);
      expect(metrics.text).toContain(
        'nglaunch_preset_layer_check{dataset="e11-prism",layer="raw",status="chunk"} 1',
      );
      expect(metrics.text).toContain(
        'nglaunch_preset_layer_check{dataset="e11-prism",layer="raw",status="ok"} 0',
      );
      expect(metrics.text).toContain(
        'nglaunch_preset_layer_check{dataset="e11-prism",layer="dense_seg",status="ok"} 1',
      );
      const presets = (await request(t.app.server).get("/api/presets/e11-prism").expect(200))
        .body as Summary;
      const raw = presets.layers.find((l) => l.id === "raw")?.verification;
      expect(raw?.live).toMatchObject({
        status: "chunk",
        message: "chunk 70_70_80/0-32_0-32_0-4: missing (HTTP 404)",
      });
      expect(raw?.label).toBe("check failed (chunk): not verified: assumed uint8, 18 channels");
      expect(presets.views.find((v) => v.id === "overview")?.verification.label).toMatch(
        /^check failed for raw: not verified/,
      );
      await request(t.app.server).get("/v/e11-prism/overview").expect(200);
    } finally {
      await t.close();
    }
  });

  describe("against a data host that never answers", () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createTcpServer((socket) => sockets.add(socket));
      await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    });

    it("starts, is ready and serves links while the check is still running; closing stops it", async () => {
      const { port } = silent.address() as AddressInfo;
      const t = await startTestApp({
        verifyPresets: true,
        sourceRoots: { "e11-prism": `http://127.0.0.1:${port}/` },
      });
      let closed = false;
      try {
        const ready = await request(t.app.server).get("/readyz").expect(200);
        expect(ready.body.presets.verification).toMatchObject({ state: "running" });
        await request(t.app.server)
          .post("/api/links")
          .send({ dataset: "e11-prism", view: "overview" })
          .expect(201);
        await t.close();
        closed = true;
        expect(t.app.presetChecks.summary().state).toBe("done");
      } finally {
        if (!closed) await t.close();
      }
    });
  });
});
