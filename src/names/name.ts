// What a link name may be, and the edit tokens that guard moving one. Pure: shared by the API,
// the CLI and the stores.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const NAME_MIN_LENGTH = 3;
export const NAME_MAX_LENGTH = 64;

/**
 * Lowercase slugs: letters, digits and single hyphens between them ("ca3-proofread"). No dots,
 * slashes or braces, so a name is safe as a path segment and inside a Redis hash tag as it is.
 */
export const NAME_PATTERN = `^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){${NAME_MIN_LENGTH - 1},${NAME_MAX_LENGTH - 1}}$`;
const nameRegex = new RegExp(NAME_PATTERN);

/**
 * Names that would be confusing or could shadow a route or a future feature. Names are 3+
 * characters, so the one-letter route prefixes (s, v, n) are listed only for completeness.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "api",
  "s",
  "v",
  "n",
  "embed",
  "docs",
  "gallery",
  "oembed",
  "static",
  "assets",
  "admin",
  "badge",
  "health",
  "healthz",
  "readyz",
  "metrics",
  "names",
  "links",
  "new",
  "edit",
  "help",
  "about",
  "login",
  "logout",
  "www",
  "nglaunch",
  "neuroglancer",
  "null",
  "undefined",
]);

/** Why `name` cannot be a name, in words a user can act on; null when it can. */
export function nameProblem(name: string): string | null {
  if (name.length < NAME_MIN_LENGTH || name.length > NAME_MAX_LENGTH)
    return `a name has ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH} characters, got ${name.length}`;
  if (!nameRegex.test(name))
    return 'use lowercase letters, digits and single hyphens between them, e.g. "ca3-proofread"';
  if (RESERVED_NAMES.has(name)) return `"${name}" is reserved; choose another name`;
  return null;
}

/** Whether `name` could be a name (right form, not reserved); says nothing of existence. */
export function isName(name: string): boolean {
  return nameProblem(name) === null;
}

/** Largest history a name keeps; a lab moving a name every day needs 27 years to reach it. */
export const MAX_VERSIONS = 10_000;

/** Longest note per version. */
export const NOTE_MAX_LENGTH = 300;

// Edit tokens: 32 random bytes (256 bits), so guessing is hopeless and no slow password hash is
// needed: a fast SHA-256 of a high-entropy secret cannot be brute-forced either, and keeps every
// PUT cheap. The "ngn_" prefix lets secret scanners and people recognise a leaked token.
const TOKEN_PREFIX = "ngn_";
const TOKEN_BYTES = 32;

/** A fresh edit token: shown to its owner once, stored only as its hash. */
export function newEditToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
}

/** What the stores keep instead of the token: hex SHA-256. */
export function hashEditToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Whether `token` is the one whose hash is `storedHash`. The comparison of the two 32-byte
 * hashes takes the same time wherever they differ (timingSafeEqual), and hashing first means
 * the time never depends on how much of the token an attacker got right.
 */
export function editTokenMatches(token: string, storedHash: string): boolean {
  const given = createHash("sha256").update(token, "utf8").digest();
  const stored = Buffer.from(storedHash, "hex");
  // Stored hashes are always 32 bytes; a corrupt one must not throw inside timingSafeEqual.
  if (stored.length !== given.length) return false;
  return timingSafeEqual(given, stored);
}

/**
 * The token of an `Authorization: Bearer <token>` header, or null when the header is missing or
 * is not a Bearer credential.
 */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

/**
 * The version an `If-Match` header asks for: the ETag of a name is its version in quotes ("3").
 * `*` (or no header) means any version; null when the header is not one of these forms.
 */
export function ifMatchVersion(header: string | undefined): number | "any" | null {
  if (header === undefined || header.trim() === "*") return "any";
  const match = /^\s*(?:W\/)?"?([1-9]\d{0,8})"?\s*$/.exec(header);
  return match?.[1] === undefined ? null : Number(match[1]);
}
