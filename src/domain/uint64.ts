// uint64 segment IDs. Neuroglancer keeps them as decimal strings; a JSON number above 2^53 has
// already been rounded by the time anyone reads it, so it is refused rather than passed on.

export const UINT64_MAX = 18446744073709551615n;
/** 2^64-1 in decimal, as messages and string comparisons need it. */
export const UINT64_MAX_DECIMAL = UINT64_MAX.toString();
const EXPECTED = `a decimal string between 0 and ${UINT64_MAX_DECIMAL}`;

/**
 * An integer literal from JSON text that a double cannot hold exactly, kept as its digits by
 * `parseJsonLosslessly` so validators can refuse it instead of using the rounded value.
 */
export class UnsafeNumber {
  constructor(readonly raw: string) {}

  /** Serialised as its exact digits in a string, the way Neuroglancer writes uint64 values. */
  toJSON(): string {
    return this.raw;
  }
}

export type SegmentIdResult = { ok: true; id: string } | { ok: false; message: string };
export type SegmentTokenResult =
  | { ok: true; id: string; hidden: boolean }
  | { ok: false; message: string };

/**
 * Checks that `text` from index `start` on is a canonical decimal uint64 (`^(0|[1-9][0-9]*)$`,
 * at most 2^64-1) and returns a non-negative 31-bit hash of its digits, or -1 when it is not one.
 * Allocation-free, and the hash comes with the check for free: validators run this for every ID
 * of lists 100 000 long and use the hash to find duplicates without a Set of strings.
 */
export function hashUint64Decimal(text: string, start = 0): number {
  const end = text.length;
  const length = end - start;
  if (length <= 0 || length > 20) return -1;
  if (text.charCodeAt(start) === 48) return length === 1 ? 48 : -1;
  let hash = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  // Same length and digits only: string order is numeric order.
  if (length === 20 && (start === 0 ? text : text.slice(start)) > UINT64_MAX_DECIMAL) return -1;
  return hash & 0x7fffffff;
}

/**
 * Distinct canonical decimal uint64 strings in the order first added, keyed by the hash
 * `hashUint64Decimal` returns with its check: for lists 100 000 long, open addressing on that
 * hash is several times faster than a Set of strings, which hashes every string again.
 */
export class DecimalIdSet {
  /** The distinct IDs, first occurrences in order. */
  readonly ids: string[] = [];
  /** Index + 1 into `ids` of the ID in each slot; 0 marks an empty slot. */
  readonly #slots: Int32Array;
  readonly #hashes: Int32Array;
  readonly #mask: number;

  /** `capacity`: at most this many IDs will be added. */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.#slots = new Int32Array(size);
    this.#hashes = new Int32Array(size);
    this.#mask = size - 1;
  }

  /** Adds `id` (its `hashUint64Decimal` is `hash`); false when it was there already. */
  add(id: string, hash: number): boolean {
    const slots = this.#slots;
    // Spread nearby hashes (consecutive IDs) over the table.
    let slot = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & this.#mask;
    for (;;) {
      const entry = slots[slot] as number;
      if (entry === 0) {
        this.ids.push(id);
        slots[slot] = this.ids.length;
        this.#hashes[slot] = hash;
        return true;
      }
      if (this.#hashes[slot] === hash && this.ids[entry - 1] === id) return false;
      slot = (slot + 1) & this.#mask;
    }
  }
}

export function isUint64Decimal(text: string, start = 0): boolean {
  return hashUint64Decimal(text, start) >= 0;
}

/** What is wrong with a string that `isUint64Decimal` refused, and what to send instead. */
export function describeBadSegmentIdString(text: string): string {
  const shown = JSON.stringify(text);
  let problem: string;
  if (text === "") problem = "segment ID is empty";
  else if (text.trim() !== text) problem = `segment ID ${shown} has surrounding whitespace`;
  else if (/^-\d/.test(text)) problem = `segment ID ${shown} is negative`;
  else if (/^[+-]?0x[0-9a-f]+$/i.test(text)) problem = `segment ID ${shown} is hexadecimal`;
  else if (/^\d+\.\d*$/.test(text)) problem = `segment ID ${shown} has a decimal point`;
  else if (/^\d+(\.\d+)?e[+-]?\d+$/i.test(text))
    problem = `segment ID ${shown} uses exponent notation`;
  else if (/^0\d+$/.test(text)) problem = `segment ID ${shown} has leading zeros`;
  else if (/^\d+$/.test(text)) problem = `segment ID ${shown} is larger than 2^64-1`;
  else problem = `segment ID ${shown} is not a decimal number`;
  return `${problem}; send ${EXPECTED}`;
}

/** What is wrong with a JSON number (or lossless-parse marker) offered as a segment ID. */
export function describeBadSegmentIdNumber(value: number | UnsafeNumber): string {
  if (value instanceof UnsafeNumber)
    return `segment ID ${value.raw} was sent as a JSON number, which cannot hold it exactly; send segment IDs as strings`;
  if (!Number.isInteger(value)) return `segment ID ${value} is not an integer; send ${EXPECTED}`;
  if (value < 0) return `segment ID ${value} is negative; send ${EXPECTED}`;
  return `segment ID ${value} was sent as a JSON number larger than 2^53-1, so it may already be rounded; send segment IDs as strings`;
}

/** Accepts a canonical decimal string, or a JSON number that is a safe non-negative integer. */
export function parseSegmentId(value: unknown): SegmentIdResult {
  if (typeof value === "string") {
    return isUint64Decimal(value)
      ? { ok: true, id: value }
      : { ok: false, message: describeBadSegmentIdString(value) };
  }
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0
      ? { ok: true, id: String(value) }
      : { ok: false, message: describeBadSegmentIdNumber(value) };
  }
  if (value instanceof UnsafeNumber)
    return { ok: false, message: describeBadSegmentIdNumber(value) };
  return { ok: false, message: `segment ID must be ${EXPECTED}; got ${describeJsonType(value)}` };
}

/** Like `parseSegmentId`, and also reads Neuroglancer's "!123" form: selected but hidden. */
export function parseSegmentToken(value: unknown): SegmentTokenResult {
  if (typeof value === "string" && value.charCodeAt(0) === 33) {
    if (isUint64Decimal(value, 1)) return { ok: true, id: value.slice(1), hidden: true };
    return {
      ok: false,
      message: `hidden segment ${JSON.stringify(value)}: ${describeBadSegmentIdString(value.slice(1))}`,
    };
  }
  const result = parseSegmentId(value);
  return result.ok ? { ok: true, id: result.id, hidden: false } : result;
}

/** A short phrase for the JSON type of a value, for "got ..." in messages. */
export function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof UnsafeNumber) return `the number ${value.raw}`;
  switch (typeof value) {
    case "string":
      return value.length > 40 ? "a string" : `the string ${JSON.stringify(value)}`;
    case "number":
      return `the number ${value}`;
    case "boolean":
      return String(value);
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}
