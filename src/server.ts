// Starts the service: parse config, build the app, listen, close gracefully on signals.
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { PresetError } from "./domain/presets.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp(config);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out; exiting");
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, "error while closing");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ publicUrl: config.publicUrl }, "nglaunch ready");
}

main().catch((error: unknown) => {
  // Start-up failures are for a human reading the terminal: say what to fix, no stack.
  if (error instanceof ConfigError || error instanceof PresetError) {
    process.stderr.write(`nglaunch: cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`nglaunch: cannot start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
