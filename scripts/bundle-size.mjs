// Compares the size of the viewer in dist/viewer (nglaunch's module selection) with a build of
// Neuroglancer's default module set, made in a temporary directory, for the benchmark report.
// Usage: node scripts/bundle-size.mjs [--json]
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildViewer,
  checkViewerOutput,
  compress,
  listFiles,
  runBin,
  viewerDir,
} from "./build.mjs";

const KINDS = [".js", ".wasm", ".css"];

/**
 * What every page view downloads: the page's own scripts and styles, and the chunk worker the
 * viewer starts at once. The rest (decoders, the async-computation worker) loads on demand.
 */
async function startupFiles(dir) {
  const html = await readFile(join(dir, "index.html"), "utf8");
  const referenced = [...html.matchAll(/(?:src|href)="\/viewer\/([^"]+)"/g)].map((m) => m[1]);
  const workers = (await listFiles(dir)).filter((file) =>
    /^assets\/chunk_worker\.bundle-[^/]+\.js$/.test(file),
  );
  return new Set([...referenced, ...workers]);
}

/** Bytes per file kind: raw, and as sent with gzip and brotli (same settings as the build). */
async function measure(dir) {
  const sizes = Object.fromEntries(
    [...KINDS, "total", "startup"].map((row) => [row, { files: 0, raw: 0, gzip: 0, brotli: 0 }]),
  );
  const startup = await startupFiles(dir);
  const files = (await listFiles(dir)).filter((file) => KINDS.includes(extname(file)));
  await Promise.all(
    files.map(async (file) => {
      const data = await readFile(join(dir, file));
      const { br, gz } = await compress(data);
      const rows = [sizes[extname(file)], sizes.total];
      if (startup.has(file)) rows.push(sizes.startup);
      for (const row of rows) {
        row.files++;
        row.raw += data.length;
        row.gzip += gz.length;
        row.brotli += br.length;
      }
    }),
  );
  return sizes;
}

function printTable(builds) {
  const number = (n) => n.toLocaleString("en-US").padStart(12);
  console.log(
    `${"".padEnd(28)}${["files", "raw", "gzip", "brotli"].map((h) => h.padStart(12)).join("")}`,
  );
  for (const [name, sizes] of Object.entries(builds)) {
    console.log(name);
    for (const [kind, row] of Object.entries(sizes)) {
      const cells = [row.files, row.raw, row.gzip, row.brotli].map(number).join("");
      console.log(`  ${kind.padEnd(26)}${cells}`);
    }
  }
  const [ours, stock] = Object.values(builds);
  for (const row of ["total", "startup"]) {
    const saved = ["raw", "gzip", "brotli"].map((key) => {
      const percent = ((1 - ours[row][key] / stock[row][key]) * 100).toFixed(1);
      return `${key} ${percent}%`;
    });
    console.log(`nglaunch selection is smaller (${row}) by: ${saved.join(", ")}`);
  }
}

async function main() {
  const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });
  // Brings dist/viewer up to date (a no-op when it is).
  await runBin("scripts/build.mjs", ["--viewer-only"]);
  const stockDir = await mkdtemp(join(tmpdir(), "nglaunch-default-sources-"));
  try {
    await buildViewer(["--mode", "default-sources", "--outDir", stockDir, "--emptyOutDir"]);
    await checkViewerOutput(stockDir);
    const builds = {
      "nglaunch selection": await measure(viewerDir),
      "Neuroglancer defaults": await measure(stockDir),
    };
    if (values.json) console.log(JSON.stringify(builds, null, 2));
    else printTable(builds);
  } finally {
    await rm(stockDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bundle-size failed: ${error.message}`);
  process.exitCode = 1;
});
