// Builds the self-hosted Neuroglancer viewer (client/) into dist/viewer/, served under /viewer/.
// `--mode default-sources` keeps Neuroglancer's stock module set (scripts/bundle-size.mjs).
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig, type Plugin } from "vite";

const clientDir = fileURLToPath(new URL(".", import.meta.url));
const outDir = fileURLToPath(new URL("../dist/viewer", import.meta.url));

/**
 * Neuroglancer's package.json "imports" choose modules by condition. The PRISM data is
 * precomputed and zarr on S3; everything else only adds bytes.
 */
const moduleSelection = [
  "neuroglancer/datasource:none_by_default",
  "neuroglancer/datasource/precomputed:enabled",
  // One module serves zarr v2 and v3 (`zarr:`, `zarr2:`, `zarr3:`).
  "neuroglancer/datasource/zarr:enabled",
  "neuroglancer/kvstore:none_by_default",
  // http(s): data over plain URLs, `#!https://…` states, and the Share button's POST.
  "neuroglancer/kvstore/http:enabled",
  // s3://e11bio-prism, the dataset's bucket.
  "neuroglancer/kvstore/s3:enabled",
  // gs://: where most public Neuroglancer datasets and demos live, so pasted sources keep working.
  "neuroglancer/kvstore/gcs:enabled",
  // The image, segmentation and annotation layers stay (annotation layers include
  // local://annotations); the single-mesh layer only shows obj/vtk files, left out above.
  "neuroglancer/layer/single_mesh:disabled",
];

/**
 * Neuroglancer writes `new Worker(/* webpackChunkName: … *\/ new URL(…))`; the comment hides
 * the worker from Vite, which then inlines the unbundled worker source as a data: URL.
 */
function exposeWorkers(): Plugin {
  const workerComment = /new Worker\(\s*\/\*[\s\S]*?\*\/\s*new URL\(/g;
  return {
    name: "nglaunch:expose-neuroglancer-workers",
    enforce: "pre",
    transform(code, id) {
      if (!id.includes("/neuroglancer/") || !code.includes("new Worker(")) return null;
      return { code: code.replace(workerComment, "new Worker(new URL("), map: null };
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: clientDir,
  // Pages live at /, /s/:id, /embed/:id…, so asset URLs must be absolute.
  base: "/viewer/",
  build: {
    outDir,
    emptyOutDir: true,
    // Neuroglancer's main chunk is ~1.3 MB; that is expected, not a warning.
    chunkSizeWarningLimit: 2 * 1024 * 1024,
  },
  resolve: {
    // Setting conditions replaces Vite's defaults (module, browser, production), so keep them.
    conditions: [
      ...defaultClientConditions,
      ...(mode === "default-sources" ? [] : moduleSelection),
    ],
    alias: [
      // The registry release of ikonate (1.1.1) lacks three icons Neuroglancer imports.
      {
        find: /^ikonate\/icons\/(code-alt|controls-alt|layers)\.svg\?raw$/,
        replacement: `${clientDir}icons/$1.svg?raw`,
      },
    ],
  },
  plugins: [exposeWorkers()],
  worker: {
    // Neuroglancer's workers use dynamic imports, and the chunk worker starts its own worker.
    format: "es",
    plugins: () => [exposeWorkers()],
  },
}));
