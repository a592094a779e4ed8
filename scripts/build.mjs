// Builds what `npm start`, `npm test` and `npm run bench` run: the server (tsc -> dist/src), the
// pages' browser code (esbuild: src/browser -> dist/static, served at /static/) and the viewer
// (vite -> dist/viewer, with .br/.gz siblings). A step runs only when its inputs changed.
// Usage: node scripts/build.mjs [--force] [--server-only | --viewer-only]
// (--server-only builds the browser code too: it is the service's own code, and takes ~0.1 s.)
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { brotliCompress, gzip, constants as zlibConstants } from "node:zlib";

export const repoDir = fileURLToPath(new URL("..", import.meta.url));
export const viewerDir = join(repoDir, "dist", "viewer");
const viewerConfig = join(repoDir, "client", "vite.config.ts");
const serverDir = join(repoDir, "dist", "src");
const serverStamp = join(repoDir, "dist", ".server-stamp");
// Outside dist/viewer, so the static file server never exposes it.
const viewerStamp = join(repoDir, "dist", ".viewer-stamp");
const browserDir = join(repoDir, "dist", "static");
/**
 * The scripts pages load, each bundled with what it imports (src/domain modules included) into
 * dist/static/<name>.js. A module that a page imports needs no entry here. `iife` for classic
 * <script src> tags, `esm` for <script type="module">.
 */
const BROWSER_ENTRIES = [
  { name: "gallery", format: "esm" },
  { name: "embed", format: "iife" },
];

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".wasm", ".json"]);
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Every file below `dir`, as paths relative to it, sorted. */
export async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

export function isCompressible(file) {
  return COMPRESSIBLE.has(extname(file));
}

/** The encodings served to browsers. Brotli 11 takes 5-15 s for the whole viewer on 2 cores. */
export async function compress(data) {
  const [br, gz] = await Promise.all([
    brotliAsync(data, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    gzipAsync(data, { level: 9 }),
  ]);
  return { br, gz };
}

/**
 * Runs a script with this Node, from the repository root; rejects on a non-zero exit. Its output
 * goes to stderr: it is diagnostics, and keeps stdout clean for what callers print (--json).
 */
export function runBin(script, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(repoDir, script), ...args], {
      cwd: repoDir,
      stdio: ["ignore", 2, 2],
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${script} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

export function buildViewer(args = []) {
  return runBin("node_modules/vite/bin/vite.js", [
    "build",
    "--config",
    viewerConfig,
    "--logLevel",
    "warn",
    ...args,
  ]);
}

/**
 * Vite fails silently on Neuroglancer's workers (it inlines them unbundled as data: URLs), and the
 * service depends on the page's markers; check both rather than find out in a browser.
 */
export async function checkViewerOutput(dir) {
  const problems = [];
  const assets = await readdir(join(dir, "assets"));
  for (const worker of ["chunk_worker.bundle", "async_computation.bundle"]) {
    if (!assets.some((name) => name.startsWith(`${worker}-`) && name.endsWith(".js"))) {
      problems.push(`no assets/${worker}-*.js: the worker was not bundled`);
    }
  }
  const inlinedWorker = /new Worker\(\s*new URL\(\s*["'`]data:/;
  for (const file of await listFiles(dir)) {
    if (extname(file) === ".js" && inlinedWorker.test(await readFile(join(dir, file), "utf8"))) {
      problems.push(`${file} starts a worker from a data: URL (the worker was inlined unbundled)`);
    }
  }
  const html = await readFile(join(dir, "index.html"), "utf8");
  for (const needed of ["<!--nglaunch:head-->", "<!--nglaunch:body-->", 'src="/viewer/boot.js"']) {
    if (!html.includes(needed)) problems.push(`index.html lacks ${needed}`);
  }
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    if (!tag.includes(" src=")) {
      problems.push("index.html has an inline script, which the CSP blocks");
    }
  }
  if (problems.length > 0) {
    throw new Error(`viewer output in ${dir} is broken:\n  ${problems.join("\n  ")}`);
  }
}

/** Hash of the contents of the given files and directories (recursively), with their paths. */
async function hashInputs(paths, extra) {
  const hash = createHash("sha256").update(extra);
  for (const path of paths) {
    const absolute = join(repoDir, path);
    const files = (await stat(absolute)).isDirectory()
      ? (await listFiles(absolute)).map((file) => join(absolute, file))
      : [absolute];
    for (const file of files) {
      hash.update(`\0${relative(repoDir, file)}\0`).update(await readFile(file));
    }
  }
  return hash.digest("hex");
}

async function isUpToDate(stampFile, output, digest) {
  if (!existsSync(output)) return false;
  try {
    return (await readFile(stampFile, "utf8")).trim() === digest;
  } catch {
    return false;
  }
}

async function writeCompressedSiblings(dir) {
  const files = (await listFiles(dir)).filter(isCompressible);
  let written = 0;
  await Promise.all(
    files.map(async (file) => {
      const path = join(dir, file);
      const data = await readFile(path);
      const { br, gz } = await compress(data);
      // A sibling that is not smaller would only cost the server a lookup.
      if (br.length < data.length) {
        await writeFile(`${path}.br`, br);
        written++;
      }
      if (gz.length < data.length) {
        await writeFile(`${path}.gz`, gz);
        written++;
      }
    }),
  );
  return written;
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function packageVersion(name) {
  const json = await readFile(join(repoDir, "node_modules", name, "package.json"), "utf8");
  return JSON.parse(json).version;
}

async function buildServer(force) {
  const inputs = ["src", "tsconfig.json", "tsconfig.build.json", "package.json"];
  const digest = await hashInputs(inputs, `typescript ${await packageVersion("typescript")}`);
  if (!force && (await isUpToDate(serverStamp, serverDir, digest))) {
    // The stamp's time says when dist/src was last checked against src/: tests that run the built
    // server compare it with the sources' times (test/helpers/server-process.ts).
    const now = new Date();
    await utimes(serverStamp, now, now);
    console.log("server  up to date, skipped");
    return;
  }
  const started = performance.now();
  await rm(serverStamp, { force: true });
  // A fresh directory, so that modules deleted from src/ do not linger in dist/.
  await rm(serverDir, { recursive: true, force: true });
  await runBin("node_modules/typescript/bin/tsc", ["-p", "tsconfig.build.json"]);
  await writeFile(serverStamp, `${digest}\n`);
  console.log(`server  compiled (tsc) in ${seconds(started)}`);
}

/**
 * Bundles the browser code. esbuild takes a tenth of a second, so it always runs (its inputs are
 * whatever the entries import, which a stamp would have to guess); a file is rewritten only when
 * its bytes changed, which keeps ETags stable and never touches files a running server reads.
 * esbuild strips types without checking them: `tsc --noEmit` (npm test) type-checks src/browser.
 */
async function buildBrowser() {
  const started = performance.now();
  const { build } = await import("esbuild");
  const outputs = new Map();
  for (const { name, format } of BROWSER_ENTRIES) {
    const result = await build({
      entryPoints: [join(repoDir, "src", "browser", `${name}.ts`)],
      outfile: join(browserDir, `${name}.js`),
      bundle: true,
      format,
      platform: "browser",
      target: "es2022",
      charset: "utf8",
      legalComments: "none",
      logLevel: "warning",
      write: false,
    });
    for (const file of result.outputFiles) outputs.set(file.path, file.contents);
  }
  await mkdir(browserDir, { recursive: true });
  let written = 0;
  for (const [path, contents] of outputs) {
    const old = await readFile(path).catch(() => null);
    if (old?.equals(contents)) continue;
    await writeFile(path, contents);
    written++;
  }
  // Files of entries that no longer exist would still be served.
  for (const file of await listFiles(browserDir)) {
    if (!outputs.has(join(browserDir, file))) await rm(join(browserDir, file), { force: true });
  }
  console.log(`browser bundled (esbuild), ${written} file(s) changed, in ${seconds(started)}`);
}

async function buildViewerStep(force) {
  // The lockfile pins neuroglancer, vite, ikonate and everything they pull in.
  const inputs = ["client", "package-lock.json", "scripts/build.mjs"];
  const digest = await hashInputs(inputs, "viewer");
  if (!force && (await isUpToDate(viewerStamp, join(viewerDir, "index.html"), digest))) {
    console.log("viewer  up to date, skipped");
    return;
  }
  let started = performance.now();
  await rm(viewerStamp, { force: true });
  await buildViewer();
  await checkViewerOutput(viewerDir);
  console.log(`viewer  built (vite) and checked in ${seconds(started)}`);
  started = performance.now();
  const written = await writeCompressedSiblings(viewerDir);
  console.log(`viewer  wrote ${written} .br/.gz files in ${seconds(started)}`);
  await mkdir(dirname(viewerStamp), { recursive: true });
  await writeFile(viewerStamp, `${digest}\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      force: { type: "boolean", default: false },
      "server-only": { type: "boolean", default: false },
      "viewer-only": { type: "boolean", default: false },
    },
  });
  if (values["server-only"] && values["viewer-only"]) {
    throw new Error("--server-only and --viewer-only exclude each other");
  }
  if (!values["viewer-only"]) await buildServer(values.force);
  if (!values["viewer-only"]) await buildBrowser();
  if (!values["server-only"]) await buildViewerStep(values.force);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`build failed: ${error.message}`);
    process.exitCode = 1;
  });
}
