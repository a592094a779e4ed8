// The HTTP server's timeouts: a client that sends slowly is cut off instead of holding a
// connection for minutes. Timeouts are configured small here; the bounds asserted are generous,
// so a busy machine cannot make these fail.
import { once } from "node:events";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { type ServedApp, startServedApp } from "./helpers/app.js";

const REQUEST_TIMEOUT_MS = 1500;
const HEADERS_TIMEOUT_MS = 1000;

let served: ServedApp;
beforeAll(async () => {
  served = await startServedApp({
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    maxEventLoopDelayMs: 0,
  });
});
afterAll(async () => {
  await served.close();
});

/**
 * Opens a connection, writes `head` and then one byte of `body` every `everyMs` until the server
 * answers or closes; resolves with what it answered and how many body bytes it had taken.
 */
async function trickle(head: string, body: string, everyMs: number) {
  const socket = net.connect(Number(new URL(served.url).port), "127.0.0.1");
  await once(socket, "connect");
  let answer = "";
  let closed = false;
  socket.on("data", (chunk) => {
    answer += chunk;
  });
  const ended = new Promise<void>((resolve) => {
    socket.on("close", () => {
      closed = true;
      resolve();
    });
    socket.on("error", () => {});
  });
  socket.write(head);
  let sent = 0;
  while (!closed && answer === "" && sent < body.length) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    if (closed || answer !== "") break;
    socket.write(body.charAt(sent));
    sent++;
  }
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000))]);
  socket.destroy();
  return { answer, sent };
}

describe("server timeouts", () => {
  it("cuts off a POST whose body trickles in (408), long before it is complete", async () => {
    // 60 bytes at one every 500 ms would take 30 s; the request timeout is 1.5 s.
    const body = JSON.stringify({ state: { layers: [], title: "x".repeat(20) } }).padEnd(60);
    const head = `POST /api/links HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const { answer, sent } = await trickle(head, body, 500);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // Cut off before the whole body arrived: the proof, with no wall-clock bound to miss.
    expect(sent).toBeLessThan(body.length);
  });

  it("cuts off headers that trickle in (408)", async () => {
    const head = "GET /healthz HTTP/1.1\r\n";
    const headers = "host: x\r\nx-slow: ".padEnd(60, "a");
    const { answer, sent } = await trickle(head, headers, 300);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(sent).toBeLessThan(headers.length);
  });

  it("still serves ordinary requests", async () => {
    const res = await fetch(`${served.url}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe("timeout configuration", () => {
  it("has defaults that let an 8 MB body arrive on a slow link but not trickle for minutes", () => {
    const config = loadConfig({});
    expect(config.requestTimeoutMs).toBe(60_000);
    expect(config.headersTimeoutMs).toBe(10_000);
    expect(config.connectionTimeoutMs).toBe(60_000);
    expect(config.keepAliveTimeoutMs).toBe(72_000);
  });

  it("refuses a headers timeout above the request timeout, naming the variable", () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "5000", HEADERS_TIMEOUT_MS: "6000" })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "5000", HEADERS_TIMEOUT_MS: "6000" })).toThrow(
      /HEADERS_TIMEOUT_MS/,
    );
    expect(
      loadConfig({ REQUEST_TIMEOUT_MS: "0", HEADERS_TIMEOUT_MS: "6000" }).headersTimeoutMs,
    ).toBe(6000);
  });
});
