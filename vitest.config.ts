import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: browser and Redis suites start real processes; keep the parallelism modest.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
