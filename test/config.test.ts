import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, packageRoot } from "../src/config.js";
import { makeDataDir, runServerSync } from "./helpers/server-process.js";

describe("loadConfig", () => {
  it("has defaults for everything", () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe("http://localhost:8080");
    expect(config.presetsDir).toBe(path.join(packageRoot, "presets"));
    expect(config.redisUrl).toBeUndefined();
    expect(config.embedOrigins).toEqual(["*"]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads values and derives PUBLIC_URL from PORT", () => {
    const config = loadConfig({
      PORT: "9000",
      SOURCE_ROOTS: "e11-prism=http://127.0.0.1:1234/fx, other=s3://b/p/",
      REDIS_CLUSTER_NODES: "127.0.0.1:7000,127.0.0.1:7001",
      TRUST_PROXY: "1",
      PUBLIC_URL: "",
    });
    expect(config.publicUrl).toBe("http://localhost:9000");
    expect(config.sourceRoots).toEqual({
      "e11-prism": "http://127.0.0.1:1234/fx",
      other: "s3://b/p/",
    });
    expect(config.redisClusterNodes).toEqual(["127.0.0.1:7000", "127.0.0.1:7001"]);
    expect(config.trustProxy).toBe(1);
  });

  it("reads the preview settings, with defaults that render one at a time", () => {
    const defaults = loadConfig({});
    expect(defaults.previews).toBe("auto");
    expect(defaults.chromiumPath).toBeUndefined();
    expect(defaults.previewConcurrency).toBe(1);
    expect(defaults.previewCacheBytes).toBe(64 * 1024 * 1024);
    const config = loadConfig({
      PREVIEWS: "off",
      CHROMIUM_PATH: "/opt/chromium",
      PREVIEW_CONCURRENCY: "2",
      PREVIEW_QUEUE: "0",
      PREVIEW_TIMEOUT_MS: "5000",
      PREVIEW_CACHE_ENTRIES: "10",
      PREVIEW_CACHE_MB: "1",
    });
    expect(config).toMatchObject({
      previews: "off",
      chromiumPath: "/opt/chromium",
      previewConcurrency: 2,
      previewQueue: 0,
      previewTimeoutMs: 5000,
      previewCacheEntries: 10,
      previewCacheBytes: 1024 * 1024,
    });
  });

  it("strips a trailing slash from PUBLIC_URL", () => {
    expect(loadConfig({ PUBLIC_URL: "https://ngl.example.org/" }).publicUrl).toBe(
      "https://ngl.example.org",
    );
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ PUBLIC_URL: "ftp://x" }, "PUBLIC_URL"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ REDIS_URL: "localhost:6379" }, "REDIS_URL"],
    [{ SOURCE_ROOTS: "just-a-url" }, "SOURCE_ROOTS"],
    [{ PREVIEWS: "yes" }, "PREVIEWS"],
    [{ PREVIEW_CONCURRENCY: "0" }, "PREVIEW_CONCURRENCY"],
    [{ PREVIEW_TIMEOUT_MS: "10" }, "PREVIEW_TIMEOUT_MS"],
    [{ PREVIEW_TIMEOUT_MS: "60000" }, "PREVIEW_TIMEOUT_MS"],
  ])("rejects %j naming %s", (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}: `));
  });
});

// Each test runs the built server to its exit: allow for a busy machine.
describe("start-up", { timeout: 120_000 }, () => {
  /** The built server with only these variables, its data in a temporary directory. */
  const startServer = (env: Record<string, string>) => {
    const data = makeDataDir();
    try {
      return runServerSync({ PORT: "0", LOG_LEVEL: "silent", DATA_DIR: data.dir, ...env });
    } finally {
      data.remove();
    }
  };

  it("stops on a bad variable with a message naming it", () => {
    const result = startServer({ PORT: "x" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot start: invalid configuration:\n\s+PORT: /);
  });

  it("stops when the viewer is not built, saying what to run", () => {
    const result = startServer({ VIEWER_DIR: "/nonexistent/viewer" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/VIEWER_DIR: the viewer is not built .* run "npm run build"/);
  });

  it("stops when PREVIEWS=on and CHROMIUM_PATH names no Chromium, naming CHROMIUM_PATH", () => {
    const result = startServer({ PREVIEWS: "on", CHROMIUM_PATH: "/nonexistent/chromium" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot start: PREVIEWS=on, but CHROMIUM_PATH \(\/nonexistent/);
    expect(result.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("stops on a malformed preset file with the file, path and problem", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-bad-presets-"));
    try {
      writeFileSync(path.join(dir, "broken.json"), JSON.stringify({ id: "x", title: "t" }));
      const result = startServer({ PRESETS_DIR: dir });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`${path.join(dir, "broken.json")}: description:`);
      expect(result.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // a message, not a stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
