// The Content-Security-Policy every page gets: what the Neuroglancer client needs (its own
// scripts, WebAssembly decoders, module workers, fetches to the presets' data hosts) and
// nothing more. Only embed pages may be framed, by EMBED_ORIGINS.
import type { Config } from "../config.js";
import { dataOrigin } from "../domain/data-url.js";
import type { Catalogue } from "../domain/presets.js";

export type Directives = Record<string, string[]>;

/** Origins the viewer may fetch from: this service, every dataset's data host, CONNECT_SRC. */
export function connectSources(catalogue: Catalogue, config: Pick<Config, "connectSrc">): string[] {
  const origins = new Set<string>(["'self'"]);
  for (const dataset of catalogue.datasets.values()) {
    const origin = dataOrigin(dataset.dataRoot);
    if (origin) origins.add(origin);
  }
  for (const extra of config.connectSrc) origins.add(extra);
  return [...origins];
}

export function cspDirectives(connectSrc: string[], frameAncestors: string[]): Directives {
  return {
    "default-src": ["'self'"],
    // Neuroglancer compiles its wasm decoders (jxl, draco, blosc, zstd...) at run time, and
    // builds functions with new Function(): the compressed-segmentation encoder in its
    // async-computation worker (every uint64 segmentation chunk goes through it) and the
    // annotation property parsers. Without 'unsafe-eval' segmentations never load. Inline
    // scripts stay forbidden: no page of ours has one.
    "script-src": ["'self'", "'unsafe-eval'", "'wasm-unsafe-eval'"],
    // Neuroglancer sets element styles from script (CSSOM), which CSP does not restrict.
    "style-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": connectSrc,
    "font-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": frameAncestors,
  };
}

/** frame-ancestors for embed pages: EMBED_ORIGINS, where "*" means any origin. */
export function embedAncestors(embedOrigins: string[]): string[] {
  return embedOrigins.includes("*") ? ["*"] : embedOrigins;
}
