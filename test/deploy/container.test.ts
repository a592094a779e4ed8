// The container files checked against the app without Docker (no engine runs here): what the
// Dockerfile, docker-compose.yml and .dockerignore say must match the config schema, the routes,
// the npm scripts and the repository, and the healthcheck command must pass against a live app.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { type Env, envSchema, loadConfig, packageRoot } from "../../src/config.js";
import { startTestApp, type TestApp } from "../helpers/app.js";

const run = promisify(execFile);
const read = (file: string) => readFileSync(path.join(packageRoot, file), "utf8");

/** Set in the image for the ecosystem, not read by nglaunch (so not in envSchema). */
const NOT_READ_BY_NGLAUNCH = new Set(["NODE_ENV"]);

// ---------------------------------------------------------------------------------------------
// Dockerfile: just enough of a parser for the instructions used here.

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  for (const [index, raw] of text.split("\n").entries()) {
    const trimmed = raw.trim();
    // Comment lines are dropped even inside a continuation, as Docker does.
    if (trimmed.startsWith("#") || (trimmed === "" && pending === "")) continue;
    if (pending === "") startLine = index + 1;
    if (trimmed.endsWith("\\")) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    const logical = (pending + trimmed).trim();
    pending = "";
    if (logical === "") continue;
    const keyword = logical.split(/\s+/, 1)[0] ?? "";
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: logical.slice(keyword.length).trim(),
      line: startLine,
    });
  }

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    const current = stages.at(-1);
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      const image = (words[0] ?? "").replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_match, braced: string | undefined, bare: string | undefined) =>
          globalArgs.get(braced ?? bare ?? "") ?? "",
      );
      const name = words[1]?.toUpperCase() === "AS" ? words[2] : undefined;
      stages.push({ image, name, instructions: [] });
    } else if (current) {
      current.instructions.push(instruction);
    } else if (instruction.keyword === "ARG") {
      const [key = "", value = ""] = instruction.args.split("=", 2);
      globalArgs.set(key.trim(), value.trim());
    }
  }
  return stages;
}

const all = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword);

/** `ENV A=1 B="two words"` (or the legacy `ENV A 1`) as a map. */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of all(stage, "ENV")) {
    const legacy = /^(\w+)\s+([^=]*)$/.exec(args);
    if (legacy?.[1] !== undefined) {
      env[legacy[1]] = (legacy[2] ?? "").trim();
      continue;
    }
    for (const match of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const [, key = "", value = ""] = match;
      env[key] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

/** An exec-form (JSON array) command, or a clear failure for the shell form. */
function execForm(args: string, what: string): string[] {
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((part) => typeof part === "string")) return parsed;
  } catch {}
  throw new Error(`${what} must use the exec form ["node", ...], got: ${args}`);
}

interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

function copiesOf(stage: Stage): Copy[] {
  return all(stage, "COPY").map(({ args }) => {
    const words = args.split(/\s+/);
    const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length);
    const paths = words.filter((word) => !word.startsWith("--"));
    return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? "" };
  });
}

function workdirOf(stage: Stage): string {
  let dir = "/";
  for (const { args } of all(stage, "WORKDIR")) dir = path.posix.resolve(dir, args);
  return dir;
}

/** Absolute in-image paths the stage's COPY instructions write. */
function copiedPaths(stage: Stage): string[] {
  const workdir = workdirOf(stage);
  return copiesOf(stage).flatMap(({ sources, destination }) =>
    destination.endsWith("/") || sources.length > 1
      ? sources.map((source) =>
          path.posix.resolve(workdir, destination, path.posix.basename(source)),
        )
      : [path.posix.resolve(workdir, destination)],
  );
}

// ---------------------------------------------------------------------------------------------
// .dockerignore: top-level patterns are all this project uses.

function dockerignorePatterns(): string[] {
  return read(".dockerignore")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

const GLOB_PARTS: Record<string, string> = {
  "**/": "(?:.*/)?",
  "**": ".*",
  "*": "[^/]*",
  "?": "[^/]",
};

/** A pattern matches a path and everything below it; `**` spans directories, `*` does not. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, "")
    .split(/(\*\*\/|\*\*|\*|\?)/)
    .map((part) => GLOB_PARTS[part] ?? part.replace(/[.+^${}()|[\]\\]/g, "\\$&"))
    .join("");
  return new RegExp(`^${body}(?:/.*)?$`);
}

function isDockerignored(file: string, patterns: string[]): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(file)) ignored = !negated;
  }
  return ignored;
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string };
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { source?: string; target: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}

interface ComposeFile {
  services?: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Compose's interpolation as it applies with nothing set: ${VAR:-default} -> default. */
function interpolate(value: string): string {
  return value
    .replace(/\$\{(\w+)(?::?-(.*?))?\}/g, (_match, _name, fallback: string | undefined) =>
      fallback === undefined ? "" : fallback,
    )
    .replace(/\$\$/g, "$");
}

function composeEnvironment(service: ComposeService): Record<string, string> {
  const { environment } = service;
  const entries: [string, string][] = Array.isArray(environment)
    ? environment.map((item): [string, string] => {
        const at = item.indexOf("=");
        return at < 0 ? [item, ""] : [item.slice(0, at), item.slice(at + 1)];
      })
    : Object.entries(environment ?? {}).map(([key, value]) => [key, String(value ?? "")]);
  return Object.fromEntries(entries.map(([key, value]) => [key, interpolate(value)]));
}

/** The container side of a port mapping ("8080", "8080:8080", "127.0.0.1:80:8080/tcp", long form). */
function containerPort(entry: string | number | { target: number }): number {
  if (typeof entry === "object") return entry.target;
  const withoutProtocol = String(entry).split("/")[0] ?? "";
  return Number(withoutProtocol.split(":").at(-1));
}

/** Compose durations: "15s", "1m30s", "500ms". */
function durationMs(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, amount = "0", unit = "s"] of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    total += Number(amount) * (units[unit] ?? Number.NaN);
  }
  return total;
}

// ---------------------------------------------------------------------------------------------

const stages = parseDockerfile(read("Dockerfile"));
const finalStage = stages.at(-1);
const compose = parseYaml(read("docker-compose.yml")) as ComposeFile;
const service = compose.services?.nglaunch;
const redis = compose.services?.redis;
const packageJson = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  engines?: { node?: string };
  bin?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
/** envSchema's own defaults, before loadConfig resolves paths. */
const defaults = envSchema.parse({});

function requireFinalStage(): Stage {
  if (!finalStage) throw new Error("Dockerfile has no FROM");
  return finalStage;
}

function requireService(): ComposeService {
  if (!service) throw new Error("docker-compose.yml has no `nglaunch` service");
  return service;
}

function dockerfileHealthcheck(): string[] {
  const [healthcheck, ...more] = all(requireFinalStage(), "HEALTHCHECK");
  if (!healthcheck) throw new Error("the Dockerfile's final stage has no HEALTHCHECK");
  expect(more, "the final stage has more than one HEALTHCHECK").toEqual([]);
  const command = /(?:^|\s)CMD\s+(.*)$/.exec(healthcheck.args)?.[1];
  if (command === undefined) throw new Error(`HEALTHCHECK without CMD: ${healthcheck.args}`);
  return execForm(command, "the HEALTHCHECK");
}

/** The environment the container runs with: the image's ENV, then compose's. */
function containerEnv(): Env {
  return { ...envOf(requireFinalStage()), ...composeEnvironment(requireService()) };
}

/** The server command `npm start` ends with, e.g. ["node", "dist/src/server.js"]. */
function startCommand(): string[] {
  const start = packageJson.scripts.start;
  if (!start) throw new Error("package.json has no start script");
  const last = start.split("&&").at(-1)?.trim() ?? "";
  if (!/^node\s+\S+$/.test(last)) {
    throw new Error(`package.json's start script should end with "node <file>", got "${start}"`);
  }
  return last.split(/\s+/);
}

describe("docker-compose.yml", () => {
  it("parses and has the redis and nglaunch services, nglaunch built from the Dockerfile", () => {
    expect(Object.keys(compose.services ?? {})).toEqual(
      expect.arrayContaining(["redis", "nglaunch"]),
    );
    const { build } = requireService();
    const context = typeof build === "string" ? build : build?.context;
    expect(context, "nglaunch should be built from the repository root").toBe(".");
    if (typeof build === "object" && build.dockerfile !== undefined) {
      expect(build.dockerfile).toBe("Dockerfile");
    }
  });

  it("sets only variables that src/config.ts reads", () => {
    const unknown = Object.keys(composeEnvironment(requireService())).filter(
      (name) => !(name in envSchema.shape),
    );
    expect(
      unknown,
      `docker-compose.yml sets ${unknown.join(", ")} for nglaunch, but envSchema in ` +
        "src/config.ts has no such variable: the service would silently ignore it",
    ).toEqual([]);
  });

  it("gives a configuration loadConfig accepts, listening on all interfaces, using Redis", () => {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(containerEnv());
    } catch (error) {
      throw new Error(
        `the container's environment (Dockerfile ENV + compose, defaults substituted) does not ` +
          `load: ${(error as Error).message}`,
      );
    }
    expect(config.host).toBe("0.0.0.0");
    expect(config.redisUrl, "nglaunch should use the compose file's Redis").toBeDefined();
    const redisUrl = new URL(config.redisUrl ?? "");
    expect(Object.keys(compose.services ?? {})).toContain(redisUrl.hostname);
    expect(Number(redisUrl.port || 6379)).toBe(6379);
  });

  it("publishes the port the service listens on", () => {
    const { port } = loadConfig(containerEnv());
    const ports = requireService().ports ?? [];
    expect(ports.length, "nglaunch publishes no port").toBeGreaterThan(0);
    for (const entry of ports) {
      const mapped = typeof entry === "string" ? interpolate(entry) : entry;
      expect(containerPort(mapped), `port mapping ${JSON.stringify(entry)} vs PORT ${port}`).toBe(
        port,
      );
    }
  });

  it("has the Dockerfile's healthcheck", () => {
    const test = requireService().healthcheck?.test;
    expect(Array.isArray(test), "healthcheck.test should be a [CMD, ...] list").toBe(true);
    const [kind, ...command] = (test as string[]).map(interpolate);
    expect(kind).toBe("CMD");
    expect(command, "compose's healthcheck differs from the Dockerfile's HEALTHCHECK").toEqual(
      dockerfileHealthcheck(),
    );
  });

  it("starts nglaunch after Redis is healthy, and gives it time to shut down gracefully", () => {
    const dependsOn = requireService().depends_on;
    expect(Array.isArray(dependsOn) ? undefined : dependsOn?.redis?.condition).toBe(
      "service_healthy",
    );
    expect(redis?.healthcheck?.test, "redis needs a healthcheck for service_healthy").toBeDefined();
    const grace = durationMs(requireService().stop_grace_period ?? "10s");
    const { shutdownTimeoutMs } = loadConfig(containerEnv());
    expect(
      grace,
      `stop_grace_period must exceed SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs} ms), or Docker ` +
        "kills the service while it drains in-flight requests",
    ).toBeGreaterThan(shutdownTimeoutMs);
  });

  it("runs Redis with an fsync'ed append-only file on a named volume", () => {
    const command = redis?.command;
    const args = (Array.isArray(command) ? command : (command ?? "").split(/\s+/)).join(" ");
    expect(args).toMatch(/--appendonly\s+"?yes/);
    expect(args, "an acknowledged link must be on disk: appendfsync always").toMatch(
      /--appendfsync\s+always/,
    );
    const dataVolume = (redis?.volumes ?? [])
      .map((volume) =>
        typeof volume === "string" ? volume.split(":") : [volume.source ?? "", volume.target],
      )
      .find(([, target]) => target === "/data");
    expect(dataVolume, "redis should keep /data on a volume").toBeDefined();
    expect(Object.keys(compose.volumes ?? {}), "/data should be a named volume").toContain(
      dataVolume?.[0],
    );
  });
});

describe("Dockerfile", () => {
  it("builds in separate stages from one Node version that package.json's engines allows", () => {
    expect(stages.length, "a multi-stage build needs at least two FROM").toBeGreaterThanOrEqual(2);
    const versions = new Set(
      stages.map((stage) => /^node:(\d+(?:\.\d+)*)/.exec(stage.image)?.[1] ?? stage.image),
    );
    expect(
      [...versions],
      "every stage should use one Node version: what the build stage compiles and checks is " +
        "what the runtime runs",
    ).toHaveLength(1);
    const [major = 0, minor = 0] = String([...versions][0])
      .split(".")
      .map(Number);
    const [needMajor = 0, needMinor = 0] = (
      /(\d+(?:\.\d+)?)/.exec(packageJson.engines?.node ?? "0")?.[1] ?? "0"
    )
      .split(".")
      .map(Number);
    expect(
      major > needMajor || (major === needMajor && minor >= needMinor),
      `node:${major}.${minor} does not satisfy engines ${packageJson.engines?.node}`,
    ).toBe(true);
    expect(requireFinalStage().image, "the runtime should be the slim image").toMatch(/-slim$/);
  });

  it("runs the Node major CI tests on, with type definitions of that major", () => {
    // .ci/run installs Node from the npm registry and runs `npm test` on it (issue 14 §1).
    const ciMajor = /^NODE_MAJOR=\$\{CI_NODE_MAJOR:-(\d+)\}$/m.exec(read(".ci/run"))?.[1];
    expect(
      ciMajor,
      ".ci/run should set NODE_MAJOR from CI_NODE_MAJOR with a default major",
    ).toBeDefined();
    const images = stages.map((stage) => /^node:(\d+)/.exec(stage.image)?.[1]);
    expect(new Set(images), "every stage's node:<major> should be the one CI tests").toEqual(
      new Set([ciMajor]),
    );
    const types = packageJson.devDependencies?.["@types/node"] ?? "";
    expect(/^\^?(\d+)\./.exec(types)?.[1], `@types/node ${types}`).toBe(ciMajor);
  });

  it("builds with the package's build command", () => {
    const builds = stages.filter((stage) =>
      all(stage, "RUN").some(({ args }) => /\bnpm run build\b/.test(args)),
    );
    expect(builds.length, "no stage runs `npm run build`").toBe(1);
    expect(packageJson.scripts.build, "package.json has no build script").toBeDefined();
    // npm start builds before it serves; the image must build the same thing.
    const [startBuild = ""] = (packageJson.scripts.start ?? "").split("&&").map((p) => p.trim());
    expect(
      packageJson.scripts.build?.startsWith(startBuild),
      `npm start builds with "${startBuild}" but npm run build is "${packageJson.scripts.build}"`,
    ).toBe(true);
    const [build] = builds;
    const finalDist = copiesOf(requireFinalStage()).find(({ sources }) =>
      sources.some((source) => source.replace(/\/$/, "").endsWith("/dist")),
    );
    expect(finalDist?.from, "the runtime should copy dist/ from the build stage").toBe(build?.name);
  });

  it("runs the server `npm start` runs, directly (npm start would rebuild)", () => {
    const cmds = all(requireFinalStage(), "CMD");
    expect(cmds.length, "the final stage should have one CMD").toBe(1);
    const cmd = execForm(cmds[0]?.args ?? "", "CMD");
    expect(cmd, "CMD should be the server command of package.json's start script").toEqual(
      startCommand(),
    );
    const file = cmd[1] ?? "";
    expect(
      existsSync(path.join(packageRoot, file.replace(/^dist\//, "").replace(/\.js$/, ".ts"))),
      `${file} is compiled from a source that no longer exists`,
    ).toBe(true);
    const workdir = workdirOf(requireFinalStage());
    expect(
      copiedPaths(requireFinalStage()).some((copied) =>
        path.posix.resolve(workdir, file).startsWith(`${copied}/`),
      ),
      `the final stage does not copy ${file}`,
    ).toBe(true);
  });

  it("runs as a non-root user, listening on all interfaces, on the exposed default port", () => {
    const stage = requireFinalStage();
    const user = all(stage, "USER").at(-1)?.args.split(":")[0];
    expect(user, "the final stage has no USER: the service would run as root").toBeDefined();
    expect(["root", "0"].includes(user ?? ""), `the final stage runs as ${user}`).toBe(false);
    const env = envOf(stage);
    expect(env.HOST, "ENV HOST=0.0.0.0, or the service is unreachable from outside").toBe(
      "0.0.0.0",
    );
    const exposed = all(stage, "EXPOSE").flatMap(({ args }) =>
      args.split(/\s+/).map((port) => Number(port.split("/")[0])),
    );
    expect(exposed, "EXPOSE should be the default PORT").toEqual([defaults.PORT]);
    expect(Number(env.PORT ?? defaults.PORT)).toBe(defaults.PORT);
  });

  it("sets only variables that src/config.ts reads, and they load", () => {
    const env = envOf(requireFinalStage());
    const unknown = Object.keys(env).filter(
      (name) => !(name in envSchema.shape) && !NOT_READ_BY_NGLAUNCH.has(name),
    );
    expect(unknown, `Dockerfile ENV ${unknown.join(", ")} is not in envSchema`).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
  });

  it("keeps DATA_DIR on a volume", () => {
    const stage = requireFinalStage();
    const dataDir = envOf(stage).DATA_DIR;
    expect(dataDir, "ENV DATA_DIR should be an absolute path").toMatch(/^\//);
    const volumes = all(stage, "VOLUME").flatMap(({ args }) =>
      args.startsWith("[") ? execForm(args, "VOLUME") : args.split(/\s+/),
    );
    expect(volumes, "the embedded store's directory should be a VOLUME").toContain(dataDir);
  });

  it("ships production dependencies only, the presets and the viewer where the config looks", () => {
    const stage = requireFinalStage();
    const modules = copiesOf(stage).find(({ sources }) =>
      sources.some((source) => source.includes("node_modules")),
    );
    const depsStage = stages.find((candidate) => candidate.name === modules?.from);
    expect(
      depsStage && all(depsStage, "RUN").some(({ args }) => /npm ci\b.*--omit=dev/.test(args)),
      "the runtime's node_modules should come from a stage that ran `npm ci --omit=dev`",
    ).toBe(true);
    const workdir = workdirOf(stage);
    const copied = copiedPaths(stage);
    for (const needed of [defaults.PRESETS_DIR, defaults.VIEWER_DIR, "package.json"]) {
      const target = path.posix.resolve(workdir, needed);
      expect(
        copied.some((dest) => target === dest || target.startsWith(`${dest}/`)),
        `the image lacks ${target}, which the service reads`,
      ).toBe(true);
    }
    for (const [command, file] of Object.entries(packageJson.bin ?? {})) {
      const target = path.posix.resolve(workdir, file);
      expect(
        copied.some((dest) => target === dest || target.startsWith(`${dest}/`)),
        `the image lacks ${file}, the \`${command}\` command`,
      ).toBe(true);
    }
  });

  it("copies from the build context only files the repository has and .dockerignore keeps", () => {
    const patterns = dockerignorePatterns();
    for (const stage of stages) {
      for (const { from, sources } of copiesOf(stage)) {
        if (from !== undefined) continue;
        for (const source of sources.filter((s) => s !== "." && s !== "./")) {
          const file = source.replace(/^\.\//, "").replace(/\/$/, "");
          const absolute = path.join(packageRoot, file);
          const present =
            existsSync(absolute) &&
            (!statSync(absolute).isDirectory() ||
              readdirSync(absolute, { recursive: true }).length > 0);
          expect(
            present,
            `the Dockerfile copies ${source}, which the repository does not have ` +
              "(an empty directory is not in a clean clone): `docker build` would fail",
          ).toBe(true);
          expect(isDockerignored(file, patterns), `.dockerignore excludes ${source}`).toBe(false);
        }
      }
    }
  });
});

describe(".dockerignore", () => {
  const patterns = dockerignorePatterns();

  it("keeps the host's installs, builds, data and secrets out of the build context", () => {
    for (const file of ["node_modules", "dist", "data", "test-output", ".git", ".env"]) {
      expect(isDockerignored(file, patterns), `.dockerignore should exclude ${file}`).toBe(true);
    }
  });

  it("keeps everything `npm run build` reads", () => {
    const inputs = ["src", "client", "scripts", "presets", "package.json", "package-lock.json"];
    for (const file of [...inputs, "tsconfig.json", "tsconfig.build.json"]) {
      expect(isDockerignored(file, patterns), `.dockerignore excludes ${file}`).toBe(false);
    }
  });
});

describe("the healthcheck against the app", () => {
  let testApp: TestApp;
  let port: number;

  beforeAll(async () => {
    testApp = await startTestApp();
    await testApp.app.listen({ host: "127.0.0.1", port: 0 });
    const address = testApp.app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });

  afterAll(async () => {
    await testApp?.close();
  });

  /** Runs the HEALTHCHECK command as Docker would in the container, with PORT set. */
  async function runHealthcheck(env: { PORT: string }): Promise<number> {
    const [program, ...args] = dockerfileHealthcheck();
    expect(program, "the healthcheck should run node (slim has no curl or wget)").toBe("node");
    try {
      await run(process.execPath, args, { env: { ...process.env, ...env }, timeout: 10_000 });
      return 0;
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  it("asks for a path the app answers with 200, on the default port when PORT is unset", async () => {
    const source = dockerfileHealthcheck().join(" ");
    const url = /['"`](?:https?:\/\/[^'"`]*?)?(\/[\w./-]*)['"`]/.exec(source);
    expect(url?.[1], `no path found in the HEALTHCHECK: ${source}`).toBeDefined();
    const response = await testApp.app.inject({ method: "GET", url: url?.[1] ?? "" });
    expect(response.statusCode, `GET ${url?.[1]} is not a route the app answers`).toBe(200);
    const fallback = /process\.env\.PORT\s*(?:\|\||\?\?)\s*(\d+)/.exec(source)?.[1];
    expect(Number(fallback), "the HEALTHCHECK should follow PORT, defaulting to 8080").toBe(
      defaults.PORT,
    );
  });

  it("exits 0 against the running app and 1 when nothing answers", async () => {
    expect(await runHealthcheck({ PORT: String(port) })).toBe(0);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const address = closed.address();
    const closedPort = typeof address === "object" && address ? address.port : 0;
    await new Promise((resolve) => closed.close(resolve));
    expect(await runHealthcheck({ PORT: String(closedPort) })).toBe(1);
  });
});
