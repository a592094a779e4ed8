// Real redis-server processes for tests: loopback only, free ports, a fresh temporary directory,
// AOF with fsync on every write (so a restart, even after SIGKILL, reloads every acknowledged
// write). Also a three-master Redis Cluster built with redis-cli.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports.js";

export const REDIS_MISSING_REASON = "redis-server not installed; .ci/run installs it";

/**
 * Whether `redis-server` (and `redis-cli`, for clusters) can be run from PATH, so suites can
 * `describe.skipIf(!available)`. With NGLAUNCH_REQUIRE_REDIS=1 (set by .ci/run) a missing server
 * is an error instead: CI must never skip the Redis suites.
 */
export function redisServerAvailable(): boolean {
  const available = ["redis-server", "redis-cli"].every((binary) => {
    try {
      execFileSync(binary, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  if (!available && process.env.NGLAUNCH_REQUIRE_REDIS === "1") {
    throw new Error("NGLAUNCH_REQUIRE_REDIS=1 but redis-server/redis-cli are not on PATH");
  }
  if (!available) console.warn(`skipping Redis tests: ${REDIS_MISSING_REASON}`);
  return available;
}

export interface RedisServer {
  url: string;
  port: number;
  /** The server's working directory (AOF files); removed by dispose(). */
  dir: string;
  /** Stops the process and waits for it to exit. SIGKILL simulates a crash. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** stop() then start again on the same port and directory, so the AOF is reloaded. */
  restart(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  pause(): void;
  /** Undoes pause(). */
  resume(): void;
  /** Stops the process if running and deletes the directory. */
  dispose(): Promise<void>;
}

export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "nglaunch-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
    "--daemonize",
    "no",
    ...extraArgs,
  ];
  let child: ChildProcess | undefined;
  let log = "";

  const start = async (): Promise<void> => {
    log = "";
    const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    try {
      await waitForPong(port, started);
    } catch (error) {
      started.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not start:\n${log}`, { cause: error });
    }
  };

  const stop = async (signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, "exit");
    running.kill("SIGCONT"); // a paused server cannot act on SIGTERM
    running.kill(signal);
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    async restart(signal) {
      await stop(signal);
      await start();
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisClusterProcesses {
  /** "127.0.0.1:port" of every master, for ioredis Cluster / REDIS_CLUSTER_NODES. */
  nodes: string[];
  dispose(): Promise<void>;
}

/** Three masters, no replicas, all slots assigned, waits until every node reports state ok. */
export async function startRedisCluster(): Promise<RedisClusterProcesses> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const busPort = await freePort();
      servers.push(
        await startRedisServer([
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-port",
          String(busPort),
        ]),
      );
    }
    const nodes = servers.map((server) => `127.0.0.1:${server.port}`);
    execFileSync(
      "redis-cli",
      ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"],
      { stdio: "pipe", timeout: 20_000 },
    );
    for (const server of servers) await waitForClusterOk(server.port);
    return {
      nodes,
      async dispose() {
        await Promise.all(servers.map((server) => server.dispose()));
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.dispose()));
    throw error;
  }
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */

/** Sends one inline command and returns the raw reply (enough for PING and CLUSTER INFO). */
async function rawCommand(port: number, command: string): Promise<string> {
  const socket = createConnection({ host: "127.0.0.1", port });
  socket.setTimeout(1000, () => socket.destroy(new Error("timeout")));
  let reply = "";
  socket.on("data", (chunk: Buffer) => {
    reply += chunk.toString();
    if (reply.endsWith("\r\n")) socket.end();
  });
  socket.write(`${command}\r\n`);
  await once(socket, "close");
  return reply;
}

async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  while (Date.now() < giveUpAt) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    // "-LOADING" while the AOF is replayed, connection refused before listening.
    const reply = await rawCommand(port, "PING").catch(() => "");
    if (reply.startsWith("+PONG")) return;
    await sleep(20);
  }
  throw new Error("no PONG within 10 s");
}

async function waitForClusterOk(port: number): Promise<void> {
  const giveUpAt = Date.now() + 15_000;
  while (Date.now() < giveUpAt) {
    const reply = await rawCommand(port, "CLUSTER INFO").catch(() => "");
    if (reply.includes("cluster_state:ok")) return;
    await sleep(50);
  }
  throw new Error(`cluster node on port ${port} not ok within 15 s`);
}
