// Data sources: a URL string, {"url", "transform", "subsources", ...}, or an array of those; the
// URL grammar (legacy "<scheme>://" and "<kvstore-url>|<adapter>:|<format>:" pipelines).
import { transform } from "./coordinates.js";
import {
  at,
  bool,
  child,
  type FieldTable,
  isObject,
  type JsonObject,
  list,
  type StateValidator,
  words,
} from "./core.js";

/** Data sources addressed as "<scheme>://...". */
const SOURCE_SCHEMES = new Set(
  words(
    "precomputed zarr zarr2 zarr3 n5 nifti deepzoom obj vtk boss brainmaps dvid graphene nggraph python render local",
  ),
);
/** Key-value stores a pipeline URL ("<kvstore-url>|<format>:") starts with. */
const BASE_KVSTORES = new Set(
  words("http https gs gs+ngauth+http gs+ngauth+https s3 s3+http s3+https middleauth+https"),
);
const KVSTORE_ADAPTERS = new Set(words("gzip zip ocdbt icechunk byte-range"));
/** Formats that end a pipeline URL. */
const PIPELINE_FORMATS = new Set(
  words("neuroglancer-precomputed zarr zarr2 zarr3 n5 nifti deepzoom obj vtk"),
);
export const LOCAL_ANNOTATIONS = "local://annotations";
const URL_SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const URL_EXAMPLE =
  '"precomputed://s3://bucket/path" or "s3://bucket/path/|neuroglancer-precomputed:"';

export function sources(v: StateValidator, value: unknown, path: string): void {
  if (typeof value === "string") dataSourceUrl(v, value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (typeof item === "string") dataSourceUrl(v, item, at(path, i));
      else if (isObject(item)) sourceObject(v, item, at(path, i));
      else v.typeError(at(path, i), 'a URL string or {"url": ...}', item);
    }
  } else if (isObject(value)) sourceObject(v, value, path);
  else
    v.typeError(
      path,
      `a URL string such as ${URL_EXAMPLE}, an object {"url": ...}, or an array of those`,
      value,
    );
}

function sourceObject(v: StateValidator, source: JsonObject, path: string): void {
  v.fields(source, path, SOURCE_FIELDS, " in a data source");
  if (source.url === undefined)
    v.error(child(path, "url"), `a data source object needs "url", e.g. ${URL_EXAMPLE}`);
}

export function dataSourceUrl(v: StateValidator, value: unknown, path: string): void {
  if (!v.string(value, path)) return;
  const url = value.trim().replace(/\|+$/, "");
  if (url === "") {
    v.error(path, `data source URL is empty; send e.g. ${URL_EXAMPLE}`);
    return;
  }
  const parts = url.split("|");
  const base = parts[0] ?? "";
  const scheme = URL_SCHEME.exec(base)?.[1];
  if (scheme === undefined) {
    v.error(
      path,
      `data source URL ${JSON.stringify(value)} has no scheme; send e.g. ${URL_EXAMPLE}`,
    );
    return;
  }
  if (BASE_KVSTORES.has(scheme)) pipeline(v, parts, path);
  else if (SOURCE_SCHEMES.has(scheme) || scheme.startsWith("brainmaps-")) {
    if (!base.startsWith(`${scheme}://`))
      v.error(path, `"${scheme}:" data source URLs must start with "${scheme}://"`);
    else if (parts.length > 1)
      v.error(
        path,
        `a "${scheme}://" URL cannot be followed by "|" parts; write the pipeline form "<kvstore-url>|...|<format>:" instead`,
      );
  } else
    v.warn(
      path,
      `unknown data source scheme "${scheme}:"; this Neuroglancer version reads ${list([...BASE_KVSTORES])} key-value stores and ${list([...SOURCE_SCHEMES])} sources`,
    );
}

function pipeline(v: StateValidator, parts: string[], path: string): void {
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] ?? "";
    const scheme = URL_SCHEME.exec(part)?.[1];
    if (scheme === undefined)
      v.error(
        path,
        `pipeline part ${JSON.stringify(part)} must look like "<format>:", e.g. "neuroglancer-precomputed:"`,
      );
    else if (scheme === "precomputed")
      // The client's precomputed format is named "neuroglancer-precomputed"; "precomputed" is
      // only the legacy "precomputed://" prefix, so "|precomputed:" fails to load.
      v.error(
        path,
        '"|precomputed:" is not a Neuroglancer format; write "|neuroglancer-precomputed:", or the legacy form "precomputed://<kvstore-url>"',
      );
    else if (PIPELINE_FORMATS.has(scheme)) {
      if (i !== parts.length - 1)
        v.error(path, `the format "${scheme}:" must be the last part of the URL`);
    } else if (!KVSTORE_ADAPTERS.has(scheme))
      v.warn(
        path,
        `unknown pipeline part "${scheme}:"; this Neuroglancer version knows formats ${list([...PIPELINE_FORMATS])} and adapters ${list([...KVSTORE_ADAPTERS])}`,
      );
  }
}

const SOURCE_FIELDS: FieldTable = {
  url: (v, x, p) => dataSourceUrl(v, x, p),
  transform: (v, x, p) => transform(v, x, p),
  subsources: (v, x, p) => {
    const subsources = v.object(x, p, 'an object such as {"default": true, "mesh": false}');
    if (subsources === undefined) return;
    for (const name of Object.keys(subsources)) {
      const subsource = subsources[name];
      if (typeof subsource === "boolean") continue;
      const sp = child(p, name);
      const obj = v.object(subsource, sp, 'true, false, or {"enabled": true}');
      if (obj !== undefined) v.fields(obj, sp, { enabled: bool }, " in a subsource");
    }
  },
  enableDefaultSubsources: bool,
  state: (v, x, p) => {
    if (v.object(x, p, "an object") !== undefined) v.freeform(x, p);
  },
};
