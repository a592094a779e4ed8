// Canonical JSON and the content digest of a link: equal content (whatever the key order or
// whitespace it was posted with) gives equal bytes, so re-posting a state finds the same link.

import { hash } from "node:crypto";
import { assertNestingWithin, MAX_JSON_DEPTH } from "../domain/json-nesting.js";

/** The metadata that, with the state, makes up a link's identity. */
export interface LinkMeta {
  title: string | null;
  dataset: string | null;
  view: string | null;
}

/**
 * JSON with no whitespace and object keys sorted (by UTF-16 code units) at every depth, except
 * the keys of a top-level `layers` object: in Neuroglancer's legacy `{"layers": {name: spec}}`
 * form the key order is the layer order, so it is kept (each spec is still canonicalised).
 * Like JSON.stringify, `undefined` members are dropped, `undefined` array items and non-finite
 * numbers become null. Expects JSON data (as JSON.parse or a schema parser returns it): no
 * cycles, no BigInt, no toJSON objects such as Date. Nesting deeper than MAX_JSON_DEPTH throws
 * JsonNestingError (parsers and the validator refuse such states before they get here).
 */
export function canonicalJson(value: unknown): string {
  let json: string | undefined;
  try {
    json = serialize(value, true, 1);
  } catch (error) {
    // Find the path only on this rare failure; the walk throws JsonNestingError with it.
    if (error === TOO_DEEP) assertNestingWithin(value);
    throw error;
  }
  if (json === undefined) throw new TypeError("canonicalJson: value is not representable as JSON");
  return json;
}

/**
 * The canonical state JSON (the bytes stored and served) and the hex SHA-256 of the canonical
 * JSON of `{dataset, state, title, view}`. The wrapper is assembled around the already
 * serialised state so a large state is serialised once; the `layers` exception applies to the
 * state's own top level, not to the wrapper's.
 */
export function contentDigest(
  state: unknown,
  meta: LinkMeta,
): { stateJson: string; digest: string } {
  const stateJson = canonicalJson(state);
  const identity =
    `{"dataset":${JSON.stringify(meta.dataset)},"state":${stateJson},` +
    `"title":${JSON.stringify(meta.title)},"view":${JSON.stringify(meta.view)}}`;
  // One-shot hashing: faster than createHash().update().digest() for states this size.
  const digest = hash("sha256", identity, "hex");
  return { stateJson, digest };
}

/** Thrown by serialize on nesting deeper than MAX_JSON_DEPTH; canonicalJson reports the path. */
const TOO_DEEP = new Error("nesting too deep");

/** `depth`: the level `value` would be at if it is an array or object (the root is level 1). */
function serialize(value: unknown, topLevel: boolean, depth: number): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (depth > MAX_JSON_DEPTH) throw TOO_DEEP;
      if (Array.isArray(value)) return serializeArray(value, depth);
      return serializeMembers(value as Record<string, unknown>, sortedKeys(value), topLevel, depth);
    case "bigint":
      throw new TypeError("canonicalJson: BigInt is not JSON");
    default:
      return undefined;
  }
}

function serializeArray(items: readonly unknown[], depth: number): string {
  // Long arrays in states are segment ids and coordinates: all scalars, whose canonical form is
  // exactly JSON.stringify's, and the native serialiser is several times faster than a loop.
  if (items.every(isPlainScalar)) return JSON.stringify(items);
  let out = "[";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ",";
    out += serialize(items[i], false, depth + 1) ?? "null";
  }
  return `${out}]`;
}

/** Object.keys in sorted order; most objects (states the service built) already are. */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++)
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  return keys;
}

/**
 * The JSON of an object key. States repeat a small vocabulary of keys ("type", "source",
 * "name", ...), so their JSON is kept: the first KEY_CACHE_SIZE distinct keys of at most
 * KEY_CACHE_LENGTH characters seen stay (at most about 256 KB, whatever users send); other keys
 * are written each time.
 */
const keyJsonCache = new Map<string, string>();
const KEY_CACHE_SIZE = 4096;
const KEY_CACHE_LENGTH = 32;

function keyJson(key: string): string {
  let json = keyJsonCache.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (key.length <= KEY_CACHE_LENGTH && keyJsonCache.size < KEY_CACHE_SIZE)
      keyJsonCache.set(key, json);
  }
  return json;
}

function isPlainScalar(value: unknown): boolean {
  const type = typeof value;
  return type === "string" || type === "boolean" || value === null || Number.isFinite(value);
}

// `keys` decides the order: sorted everywhere, except as given for a top-level `layers`
// object, where Object.keys gives insertion order (integer-like keys such as "0" or "12" still
// come first: JavaScript objects, and so JSON.parse, cannot keep them anywhere else).
function serializeMembers(
  object: Record<string, unknown>,
  keys: readonly string[],
  topLevel: boolean,
  depth: number,
): string {
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = object[key];
    const json =
      topLevel && key === "layers" && isPlainObject(member)
        ? serializeMembers(member, Object.keys(member), false, depth + 1)
        : serialize(member, false, depth + 1);
    if (json === undefined) continue;
    out += `${first ? "" : ","}${keyJson(key)}:${json}`;
    first = false;
  }
  return `${out}}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
