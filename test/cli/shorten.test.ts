// `nglaunch shorten` against a real nglaunch service listening on loopback (buildApp, embedded
// store), plus a stand-in server for the answers a healthy service cannot be made to give.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import { makeConfig } from "../../src/config.js";
import { stateUrl } from "../../src/domain/neuroglancer-url.js";
import { freePort } from "../helpers/ports.js";
import { runCli } from "./run-cli.js";

const STATE = {
  layers: [
    {
      type: "segmentation",
      name: "seg",
      source: "precomputed://s3://e11bio-prism/ls/images/precomputed/dense_seg",
      segments: ["18446744073709551615", "9007199254740993"],
    },
  ],
  layout: "xy",
};

let work: string;
let app: FastifyInstance;
/** The service's own address, also its PUBLIC_URL, so the links it returns can be followed. */
let server: string;
let statePath: string;

/** A loopback port that was free a moment ago: bind, note it, close. */

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "nglaunch-cli-shorten-"));
  const port = await freePort();
  server = `http://127.0.0.1:${port}`;
  app = await buildApp(
    // Load shedding off: this suite is not about it, and on a busy machine the event loop lags.
    makeConfig({
      publicUrl: server,
      dataDir: join(work, "data"),
      logLevel: "silent",
      maxEventLoopDelayMs: 0,
    }),
    { logger: false },
  );
  await app.listen({ port, host: "127.0.0.1" });
  statePath = join(work, "state.json");
  writeFileSync(statePath, JSON.stringify(STATE));
});
afterAll(async () => {
  await app.close();
  rmSync(work, { recursive: true, force: true });
});

/** Counts the requests a command makes, to prove an invalid state is never sent. */
function countingFetch(): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    },
  };
}

/** The stored state, read back over HTTP from the service's JSON URL. */
async function storedState(shortUrl: string): Promise<unknown> {
  const id = shortUrl.slice(`${server}/s/`.length);
  const response = await fetch(`${server}/api/links/${id}`);
  expect(response.status).toBe(200);
  return response.json();
}

describe("nglaunch shorten", () => {
  it("stores a state file and prints its short link; the same state gives the same link", async () => {
    const first = await runCli(["shorten", statePath, "--server", `${server}/`]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("");
    expect(first.stdout).toMatch(new RegExp(`^${server}/s/[\\w-]+\n$`));
    expect(await storedState(first.stdout.trim())).toEqual(STATE);

    const again = await runCli(["shorten", statePath, "--server", server]);
    expect(again).toMatchObject({ code: 0, stdout: first.stdout });
    expect(again.stderr).toContain("already stored");
  });

  it("--title is stored with the link; --json prints the whole answer", async () => {
    const result = await runCli([
      "shorten",
      statePath,
      "--server",
      server,
      "--title",
      "Two big IDs",
      "--json",
    ]);
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(answer)).toEqual(
      expect.arrayContaining([
        "id",
        "shortUrl",
        "viewerUrl",
        "jsonUrl",
        "embedUrl",
        "longUrl",
        "warnings",
      ]),
    );
    expect(answer.title).toBe("Two big IDs");
    const meta = await fetch(`${server}/api/links/${answer.id}/meta`);
    expect(((await meta.json()) as { title: string }).title).toBe("Two big IDs");
  });

  it("shortens a Neuroglancer URL, and stdin", async () => {
    const url = stateUrl("https://neuroglancer-demo.appspot.com", { ...STATE, layout: "3d" });
    const fromUrl = await runCli(["shorten", url, "--server", server]);
    expect(fromUrl.code).toBe(0);
    expect(await storedState(fromUrl.stdout.trim())).toEqual({ ...STATE, layout: "3d" });

    const built = await runCli(["url", "--view", "overview", "--segments", "18446744073709551615"]);
    const fromStdin = await runCli(["shorten", "-", "--server", server], { stdin: built.stdout });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout.startsWith(`${server}/s/`)).toBe(true);
  });

  it("reads a short link and a /v/ link back (validate), fetching their state as JSON", async () => {
    const shortUrl = (await runCli(["shorten", statePath, "--server", server])).stdout.trim();
    const fromShort = await runCli(["validate", shortUrl]);
    expect(fromShort).toMatchObject({ code: 0, stdout: `${shortUrl}: valid\n` });
    const view = `${server}/v/e11-prism/overview?segments=18446744073709551615`;
    const fromView = await runCli(["validate", view, "--json"]);
    expect(fromView.code).toBe(0);
    const missing = await runCli(["validate", `${server}/s/doesnotexist`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("HTTP 404");
  });

  it("defaults --server to PUBLIC_URL", async () => {
    const result = await runCli(["shorten", statePath], { env: { PUBLIC_URL: server } });
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith(`${server}/s/`)).toBe(true);
  });

  it("exits 1 on an invalid state without sending anything", async () => {
    const bad = join(work, "bad.json");
    writeFileSync(bad, JSON.stringify(STATE).replace('"9007199254740993"', "9007199254740993"));
    const { fetch: counting, calls } = countingFetch();
    const result = await runCli(["shorten", bad, "--server", server], { fetch: counting });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("layers[0].segments[1]: segment ID 9007199254740993");
    expect(result.stderr).toContain(`nothing was sent to ${server}`);
    expect(calls).toEqual([]);
  });

  it("exits 1 when the service cannot be reached", async () => {
    const port = await freePort();
    const result = await runCli(["shorten", statePath, "--server", `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });

  describe("answers a healthy service does not give", () => {
    // A stand-in: the real service answers 503 only when its store fails, and cannot be
    // made to from outside; this server replays the documented error answers instead.
    let stub: Server;
    let stubUrl: string;
    let answer: { status: number; body: string; headers?: Record<string, string> };
    beforeAll(async () => {
      stub = createServer((request, response) => {
        request.resume();
        response.writeHead(answer.status, {
          "content-type": "application/json",
          ...answer.headers,
        });
        response.end(answer.body);
      });
      await new Promise<void>((done) => stub.listen(0, "127.0.0.1", done));
      stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((done) => stub.close(done)));

    it("503: prints the error and the long URL that still works", async () => {
      answer = {
        status: 503,
        body: JSON.stringify({ error: "the link store is unavailable", longUrl: "http://x/#!{}" }),
        headers: { "retry-after": "5" },
      };
      const result = await runCli(["shorten", statePath, "--server", stubUrl]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${stubUrl} answered HTTP 503: the link store is unavailable`,
      );
      expect(result.stderr).toContain("retry after 5 s");
      expect(result.stderr).toContain("http://x/#!{}");
    });

    it("400 lists the issues; a non-JSON answer says so", async () => {
      answer = {
        status: 400,
        body: JSON.stringify({
          error: "invalid state",
          issues: [{ path: "state.layout", message: "bad" }],
        }),
      };
      const refused = await runCli(["shorten", statePath, "--server", stubUrl]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("state.layout: bad");
      answer = { status: 200, body: "<html>" };
      const html = await runCli(["shorten", statePath, "--server", stubUrl]);
      expect(html.code).toBe(1);
      expect(html.stderr).toContain("is it an nglaunch service?");
    });
  });

  it("exits 2 on usage errors", async () => {
    expect((await runCli(["shorten"])).code).toBe(2);
    const badServer = await runCli(["shorten", statePath, "--server", "ngl.test"]);
    expect(badServer.code).toBe(2);
    expect(badServer.stderr).toContain("--server must be an http(s) URL");
  });
});
