// The one way tests build the service: a real app from a config, no process.env.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import { type Config, makeConfig } from "../../src/config.js";

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** Builds the app on a fresh temporary data directory; `close` removes it. */
export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nglaunch-test-"));
  // Rate limiting is off unless a test asks for it: suites post hundreds of links.
  const config = makeConfig({
    publicUrl: "http://ngl.test",
    dataDir,
    logLevel: "silent",
    rateLimitMax: 0,
    ...overrides,
  });
  const app = await buildApp(config, { logger: false });
  await app.ready();
  return {
    app,
    config,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
