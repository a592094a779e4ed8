// The one way tests build the service: a real app from a config, no process.env.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.js";
import { type Config, makeConfig } from "../../src/config.js";
import { freePort } from "./ports.js";

export interface TestApp {
  app: FastifyInstance;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** Builds the app on a fresh temporary data directory (unless one is given); `close` removes it. */
export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const dataDir = overrides.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "nglaunch-test-"));
  // Rate limiting is off unless a test asks for it: suites post hundreds of links. So is load
  // shedding: on a busy machine the test worker's event loop lags past the 1 s default, and
  // requests would get 503s that say nothing about the code under test.
  const config = makeConfig({
    publicUrl: "http://ngl.test",
    dataDir,
    logLevel: "silent",
    rateLimitMax: 0,
    maxEventLoopDelayMs: 0,
    // The store's bound (500 ms by default) is a wall-clock limit too: under a burst on a busy
    // machine a healthy store can miss it and answer 503. Tests of the bound set their own.
    storeTimeoutMs: 10_000,
    ...overrides,
  });
  const app = await buildApp(config, { logger: false });
  await app.ready();
  return {
    app,
    config,
    async close() {
      await app.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface ServedApp extends TestApp {
  /** The origin the app listens on, equal to its publicUrl (browsers need real URLs). */
  url: string;
}

/**
 * Builds the app and listens on a free loopback port whose origin is also its publicUrl, so the
 * links, oEmbed answers and embed pages it renders work in a real browser.
 */
export async function startServedApp(overrides: Partial<Config> = {}): Promise<ServedApp> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const served = await startTestApp({ port, host: "127.0.0.1", publicUrl: url, ...overrides });
    try {
      await served.app.listen({ port, host: "127.0.0.1" });
      return { ...served, url };
    } catch (error) {
      await served.close();
      // Another process may take the port between freePort() and listen(); pick another.
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 4) throw error;
    }
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
