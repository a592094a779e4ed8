// Operational behaviour: metrics, request ids, rate limits, compression, CORS, shutdown.
import { once } from "node:events";
import net from "node:net";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { freePort } from "../helpers/ports.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../helpers/redis-server.js";
import { makeDataDir, spawnServer } from "../helpers/server-process.js";

describe("metrics, request ids, compression, CORS", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("exports request, store, cache and link-creation metrics", async () => {
    const made = await request(t.app.server)
      .post("/api/links")
      .send({ state: { layers: [] } })
      .expect(201);
    // The first read goes to the store (creates do not fill the cache), the second is a hit.
    await request(t.app.server).get(`/api/links/${made.body.id}`).expect(200);
    await request(t.app.server).get(`/api/links/${made.body.id}`).expect(200);
    await request(t.app.server).get("/api/presets").expect(200);
    const res = await request(t.app.server).get("/metrics").expect(200);
    expect(res.headers["content-type"]).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_bucket\{[^}]*route="\/api\/presets"[^}]*status_code="200"/,
    );
    expect(res.text).toMatch(/nglaunch_links_created_total\{source="links"\} 1/);
    expect(res.text).toMatch(/nglaunch_link_cache_requests_total\{result="miss"\} 1/);
    expect(res.text).toMatch(/nglaunch_link_cache_requests_total\{result="hit"\} 1/);
    expect(res.text).toMatch(
      /nglaunch_link_store_operation_duration_seconds_count\{operation="create",outcome="ok"\} 1/,
    );
    expect(res.text).toMatch(/process_cpu_seconds_total/);
  });

  it("answers with an x-request-id and echoes one the client sent", async () => {
    const res = await request(t.app.server).get("/healthz").expect(200);
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await request(t.app.server)
      .get("/healthz")
      .set("x-request-id", "abc-123")
      .expect(200);
    expect(echoed.headers["x-request-id"]).toBe("abc-123");
  });

  it("compresses JSON for clients that accept it", async () => {
    const res = await request(t.app.server)
      .get("/api/presets")
      .set("accept-encoding", "br")
      .expect(200);
    expect(res.headers["content-encoding"]).toBe("br");
  });

  it("allows CORS on the read API only", async () => {
    const made = await request(t.app.server)
      .post("/api/links")
      .send({ state: { layers: [], title: "c" } });
    expect(made.headers["access-control-allow-origin"]).toBeUndefined();
    const read = await request(t.app.server).get(`/api/links/${made.body.id}`);
    expect(read.headers["access-control-allow-origin"]).toBe("*");
  });
});

describe("rate limits on writes", () => {
  it("answer 429 with Retry-After past RATE_LIMIT_MAX", async () => {
    const t = await startTestApp({ rateLimitMax: 3 });
    try {
      for (let i = 0; i < 3; i++)
        await request(t.app.server)
          .post("/api/links")
          .send({ state: { layers: [], title: `r${i}` } })
          .expect(201);
      const res = await request(t.app.server)
        .post("/api/links")
        .send({ state: { layers: [], title: "r4" } });
      expect(res.status).toBe(429);
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.body.error).toMatch(/too many links created; try again in/);
      await request(t.app.server).get("/api/presets").expect(200); // reads are not limited
    } finally {
      await t.close();
    }
  });

  const hasRedis = redisServerAvailable();
  describe.skipIf(!hasRedis)("with Redis", () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedisServer();
    });
    afterAll(async () => {
      await redis.dispose();
    });

    it("hold across replicas sharing one Redis", async () => {
      const a = await startTestApp({ redisUrl: redis.url, rateLimitMax: 3 });
      const b = await startTestApp({ redisUrl: redis.url, rateLimitMax: 3 });
      try {
        const post = (app: TestApp, i: number) =>
          request(app.app.server)
            .post("/api/links")
            .send({ state: { layers: [], title: `x${i}` } });
        expect((await post(a, 1)).status).toBe(201);
        expect((await post(b, 2)).status).toBe(201);
        expect((await post(a, 3)).status).toBe(201);
        expect((await post(b, 4)).status).toBe(429);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});

describe("load shedding", () => {
  it("answers 503 with Retry-After at once while the event loop lags", async () => {
    const t = await startTestApp({ maxEventLoopDelayMs: 50 });
    try {
      await request(t.app.server).get("/healthz").expect(200);
      // Block the event loop, as an overloaded process would, then let the sampler see it.
      const until = Date.now() + 1500;
      while (Date.now() < until) {}
      await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await request(t.app.server).get("/api/presets");
      expect(res.status).toBe(503);
      expect(res.headers["retry-after"]).toBeDefined();
    } finally {
      await t.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes an in-flight request on SIGTERM, then exits", async () => {
    const port = await freePort();
    const data = makeDataDir();
    // A shutdown timeout far above the request's time: exit 0 then means the request finished,
    // not that the timeout cut it short (which exits 1).
    const server = spawnServer({
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      DATA_DIR: data.dir,
      SHUTDOWN_TIMEOUT_MS: "60000",
      // Not a load-shedding test: a busy machine must not turn the in-flight request into a 503.
      MAX_EVENT_LOOP_DELAY_MS: "0",
    });
    try {
      await expect
        .poll(
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status,
          // A process starting on a busy machine can take a while.
          {
            timeout: 90_000,
            interval: 200,
          },
        )
        .toBe(200);
      // Start a request whose body is still arriving when the signal comes.
      const body = JSON.stringify({ state: { layers: [], title: "in flight" } });
      const socket = net.connect(port, "127.0.0.1");
      await once(socket, "connect");
      socket.write(
        `POST /api/links HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body.slice(0, 10)}`,
      );
      const answer = new Promise<string>((resolve) => {
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk;
        });
        socket.on("end", () => resolve(text));
      });
      await new Promise((r) => setTimeout(r, 100));
      server.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 200));
      socket.write(body.slice(10));
      expect(await answer).toMatch(/^HTTP\/1\.1 201/);
      const [code] = await once(server, "exit");
      expect(code).toBe(0);
      // New connections are refused once it has stopped.
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      server.kill("SIGKILL");
      data.remove();
    }
  }, 180_000);
});
