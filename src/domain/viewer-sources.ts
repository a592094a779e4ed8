// Which layer sources the bundled viewer can draw. The viewer (client/, built by vite) includes
// only some of Neuroglancer's data-source and key-value-store modules (client/vite.config.ts);
// a layer whose source needs another module loads nothing and shows as an empty layer. This
// module names those layers, for the viewer's notice and for the warnings of POST /api/links.
//
// The scheme lists are what the built viewer registers at run time (its DataSourceRegistry and
// KvStoreContext); test/browser/unsupported-sources.test.ts reads them from a running viewer and
// fails when they drift from these.

/** `<scheme>://…` data sources: `precomputed://https://…`, `zarr3://s3://…`, `local://annotations`. */
export const VIEWER_DATA_SOURCES: readonly string[] = [
  "local",
  "precomputed",
  "zarr",
  "zarr2",
  "zarr3",
];
/** Formats in URL pipelines: `gs://bucket/path|zarr3:`. */
export const VIEWER_PIPELINE_FORMATS: readonly string[] = [
  "neuroglancer-precomputed",
  "zarr",
  "zarr2",
  "zarr3",
];
/** Base key-value stores: where the bytes come from. */
export const VIEWER_KVSTORES: readonly string[] = [
  "gs",
  "http",
  "https",
  "s3",
  "s3+http",
  "s3+https",
];
/** Pipeline adapters (zip:, gzip:, ocdbt:, icechunk:, byte-range:): none in this build. */
export const VIEWER_KVSTORE_ADAPTERS: readonly string[] = [];

export interface UndrawableLayer {
  /** The layer's name, as Neuroglancer shows it. */
  name: string;
  /** The layer's position in `layers`. */
  index: number;
  /** The JSON path of the layer's source in the state, as the validator writes paths. */
  path: string;
  /** The scheme this viewer lacks, e.g. "n5", "graphene", "zip". */
  scheme: string;
  /** The source URL that needs it. */
  url: string;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+._-]*):/;
const SIMPLE_KEY = /^[^.[\]\s"]+$/;

/**
 * The scheme of `url` that this viewer does not have, or null when it has them all. A URL with no
 * scheme (Neuroglancer rejects it with its own message) and a bare key-value store URL
 * (`https://host/data/`: Neuroglancer detects the format by reading it) count as drawable: only a
 * scheme this viewer lacks is reported.
 */
export function missingScheme(url: string): string | null {
  const parts = url.trim().replace(/\|+$/, "").split("|");
  const base = SCHEME.exec(parts[0] ?? "")?.[1]?.toLowerCase();
  if (base === undefined) return null;
  if (!VIEWER_KVSTORES.includes(base)) return VIEWER_DATA_SOURCES.includes(base) ? null : base;
  for (const part of parts.slice(1)) {
    const scheme = SCHEME.exec(part)?.[1]?.toLowerCase();
    if (scheme === undefined) continue;
    if (!VIEWER_PIPELINE_FORMATS.includes(scheme) && !VIEWER_KVSTORE_ADAPTERS.includes(scheme))
      return scheme;
  }
  return null;
}

/** Source URLs of one layer: a string, `{url}`, or a list of either. */
function sourceUrls(source: unknown): string[] {
  if (typeof source === "string") return [source];
  if (Array.isArray(source)) return source.flatMap(sourceUrls);
  if (source !== null && typeof source === "object" && Object.hasOwn(source, "url")) {
    const url = (source as { url: unknown }).url;
    return typeof url === "string" ? [url] : [];
  }
  return [];
}

/**
 * The layers of a state that this viewer cannot draw, one entry per layer (its first missing
 * scheme). Takes any value: a state that is not an object, or has no layer list, has none.
 * `layers` may be a list or (in old states) an object keyed by layer name.
 */
export function undrawableLayers(state: unknown): UndrawableLayer[] {
  if (state === null || typeof state !== "object" || !Object.hasOwn(state, "layers")) return [];
  const layers = (state as { layers: unknown }).layers;
  let entries: [string | undefined, unknown][];
  if (Array.isArray(layers)) entries = layers.map((layer) => [undefined, layer]);
  else if (layers !== null && typeof layers === "object") entries = Object.entries(layers);
  else return [];
  const found: UndrawableLayer[] = [];
  entries.forEach(([key, layer], index) => {
    if (layer === null || typeof layer !== "object" || !Object.hasOwn(layer, "source")) return;
    const { name, source } = layer as { name?: unknown; source: unknown };
    for (const url of sourceUrls(source)) {
      const scheme = missingScheme(url);
      if (scheme === null) continue;
      const label = key ?? (typeof name === "string" ? name : `layer ${index + 1}`);
      const layerPath =
        key === undefined
          ? `layers[${index}]`
          : SIMPLE_KEY.test(key)
            ? `layers.${key}`
            : `layers[${JSON.stringify(key)}]`;
      found.push({ name: label, index, path: `${layerPath}.source`, scheme, url });
      return;
    }
  });
  return found;
}

/** One sentence for people: which layers, and which source type each needs. */
export function describeUndrawable(layers: readonly UndrawableLayer[]): string {
  const list = layers.map((layer) => `"${layer.name}" (${layer.scheme})`).join(", ");
  const noun = layers.length === 1 ? "layer" : "layers";
  const what = layers.length === 1 ? "Its source type is" : "Their source types are";
  return `This viewer cannot draw ${layers.length} ${noun}: ${list}. ${what} not built into nglaunch's viewer; open the view in another Neuroglancer to see ${layers.length === 1 ? "it" : "them"}.`;
}

/**
 * Warnings for a link or state answer: the service stores and serves such states (other
 * Neuroglancers draw them), but its own viewer pages show those layers empty, with a notice.
 */
export function undrawableWarnings(state: unknown): { path: string; message: string }[] {
  return undrawableLayers(state).map((layer) => ({
    path: layer.path,
    message: `layer "${layer.name}" needs the ${layer.scheme} source type, which nglaunch's viewer does not include: its pages show the layer empty (with a notice); the link's jsonUrl opens the whole view in any other Neuroglancer`,
  }));
}
