// Look-ups of user-supplied names in plain objects (datasets' views and layers, layer options,
// parsed JSON): own properties only, so "constructor", "toString" or "__proto__" are names like
// any other instead of members every object inherits.

/** The value stored under `key` in `record` itself, or undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
