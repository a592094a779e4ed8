// The HTTP servers of the link benchmark, each run in a child process of its own so that
// autocannon (in the parent) and the server under test do not share a CPU. Started by
// bench/links.ts with fork(): argv[2] is a ServerSpec as JSON; the child answers {port} over IPC
// once it listens on 127.0.0.1, and closes and exits when the parent disconnects.

import { once } from "node:events";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Fastify, { type FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import { type Config, makeConfig } from "../src/config.js";
import { newLinkId } from "../src/links/link-id.js";
import { createRedisClient } from "../src/links/redis-link-store.js";

export type ServerSpec =
  /** The nglaunch app: Redis store when redisUrl is given, else embedded SQLite in dataDir. */
  | { kind: "service"; redisUrl?: string; dataDir: string; config?: Partial<Config> }
  /** Bare fastify routes, one Redis command each (plus in-memory ones for the SQLite rows). */
  | { kind: "baseline"; redisUrl: string };

export interface ServerReady {
  port: number;
}

/** Key prefix of the baseline's records, apart from the service's "nglaunch:" keys. */
const BASELINE_PREFIX = "bench:baseline:";

/**
 * The baseline the service is compared with: the same fastify defaults (built-in JSON parser and
 * serialiser, no schemas, no plugins), the same ioredis client configuration the service uses,
 * and one command per request: GET of a stored payload, or SET NX of the posted body under a new
 * id. The in-memory routes do the same with a Map, as the floor for the embedded store's figures.
 */
async function buildBaseline(redisUrl: string): Promise<FastifyInstance> {
  const { storeTimeoutMs } = makeConfig();
  const quiet = { info() {}, warn: (obj: object, msg: string) => console.error(msg, obj) };
  const redis = createRedisClient({ url: redisUrl }, { timeoutMs: storeTimeoutMs, logger: quiet });
  // No offline queue: a command sent before the connection is ready would fail.
  if (redis.status !== "ready") await once(redis, "ready");
  const memory = new Map<string, string>();

  const app = Fastify({ logger: false });
  app.addHook("onClose", async () => {
    await redis.quit();
  });
  app.get<{ Params: { id: string } }>("/baseline/get/:id", async (request, reply) => {
    const value = await redis.get(`${BASELINE_PREFIX}${request.params.id}`);
    if (value === null) return reply.code(404).send({ error: "no such key" });
    return reply.type("application/json; charset=utf-8").send(value);
  });
  app.post("/baseline/set", async (request, reply) => {
    const id = newLinkId();
    const stored = await redis.set(`${BASELINE_PREFIX}${id}`, JSON.stringify(request.body), "NX");
    return reply.code(stored === "OK" ? 201 : 409).send({ id });
  });
  app.get<{ Params: { id: string } }>("/baseline/memory/:id", async (request, reply) => {
    const value = memory.get(request.params.id);
    if (value === undefined) return reply.code(404).send({ error: "no such key" });
    return reply.type("application/json; charset=utf-8").send(value);
  });
  app.post("/baseline/memory", async (request, reply) => {
    const id = newLinkId();
    memory.set(id, JSON.stringify(request.body));
    return reply.code(201).send({ id });
  });
  return app;
}

async function buildService(spec: {
  redisUrl?: string;
  dataDir: string;
  config?: Partial<Config>;
}) {
  const config = makeConfig({
    publicUrl: "http://127.0.0.1",
    dataDir: spec.dataDir,
    redisUrl: spec.redisUrl,
    logLevel: "silent",
    rateLimitMax: 0,
    ...spec.config,
  });
  return buildApp(config, { logger: false });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "null") as ServerSpec | null;
  if (spec === null || typeof process.send !== "function")
    throw new Error("bench/servers.ts is started by bench/links.ts (fork with a ServerSpec)");
  const app =
    spec.kind === "baseline" ? await buildBaseline(spec.redisUrl) : await buildService(spec);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  process.send({ port: address.port } satisfies ServerReady);
  // The parent asks for this process's CPU time before and after each measured run.
  // The burst benchmark asks for the event-loop delay since its previous ask.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  process.on("message", (message) => {
    if (message === "cpu") process.send?.(process.cpuUsage());
    if (message === "loop-delay") {
      process.send?.({ maxMs: loopDelay.max / 1e6, p99Ms: loopDelay.percentile(99) / 1e6 });
      loopDelay.reset();
    }
  });
  // An exit (rather than a kill) lets --cpu-prof write its profile.
  process.once("disconnect", () => {
    void app.close().finally(() => process.exit(0));
  });
}

await main();
