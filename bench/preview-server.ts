// The two HTTP servers of the preview benchmark, in one child process started by
// bench/previews.ts with fork(), so autocannon (in the parent) does not share their CPU. They are
// loaded one at a time, never together: the nglaunch app (previews off, its durable preview store
// seeded with the PNG by the parent) and the baseline, bare fastify with @fastify/static serving
// a file of the same bytes. argv[2]: {dataDir, staticDir} as JSON; answers {appPort, staticPort}.
import fastifyStatic from "@fastify/static";
import Fastify from "fastify";
import { buildApp } from "../src/app.js";
import { makeConfig } from "../src/config.js";

export interface PreviewServerSpec {
  dataDir: string;
  staticDir: string;
}
export interface PreviewServersReady {
  appPort: number;
  staticPort: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "null") as PreviewServerSpec | null;
  if (spec === null || typeof process.send !== "function")
    throw new Error("bench/preview-server.ts is started by bench/previews.ts");
  const app = await buildApp(
    makeConfig({
      publicUrl: "http://127.0.0.1",
      dataDir: spec.dataDir,
      logLevel: "silent",
      rateLimitMax: 0,
      previews: "off",
    }),
    { logger: false },
  );
  const baseline = Fastify({ logger: false });
  await baseline.register(fastifyStatic, { root: spec.staticDir });
  await app.listen({ host: "127.0.0.1", port: 0 });
  await baseline.listen({ host: "127.0.0.1", port: 0 });
  const port = (server: typeof app.server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    return address.port;
  };
  process.send({
    appPort: port(app.server),
    staticPort: port(baseline.server),
  } satisfies PreviewServersReady);
  process.once("disconnect", () => {
    void Promise.all([app.close(), baseline.close()]).finally(() => process.exit(0));
  });
}

await main();
