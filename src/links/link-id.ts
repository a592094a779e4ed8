// Short-link ids: random, unguessable, easy to read aloud or copy by hand, safe in any URL.
//
// Alphabet: digits 2-9 and ASCII letters without the look-alikes 0 O o 1 l I: 56 symbols, all
// URL-safe without escaping. log2(56) = 5.807 bits per character; 16 characters = 92.9 bits,
// 56^16 = 9.35e27 possible ids (nanoid draws from crypto.getRandomValues without modulo bias).
// - Guessing: with N = 10^9 stored links, one random guess hits some link with probability
//   N / 56^16 = 1.1e-19; an attacker making 10^6 requests per second for a whole year
//   (3.2e13 guesses, far beyond what rate limiting allows) expects 3.4e-6 hits.
// - Collisions: the birthday bound for N = 10^9 links is N^2 / (2 * 56^16) = 5.3e-11. The stores
//   create ids with set-if-absent and retry on a clash anyway, so a collision costs one retry
//   and never overwrites a link.
// For comparison, 14 characters (81 bits) would give 1.1e-2 expected hits in that attack year.

import { customAlphabet } from "nanoid";

export const LINK_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";
export const LINK_ID_LENGTH = 16;

/** Source of a route-param pattern (anchored), for schemas that take a string pattern. */
export const LINK_ID_PATTERN = `^[${LINK_ID_ALPHABET}]{${LINK_ID_LENGTH}}$`;

const linkIdRegex = new RegExp(LINK_ID_PATTERN);

/** A fresh random link id. */
export const newLinkId: () => string = customAlphabet(LINK_ID_ALPHABET, LINK_ID_LENGTH);

/** Whether `value` could be a link id (right alphabet and length); says nothing of existence. */
export function isLinkId(value: string): boolean {
  return linkIdRegex.test(value);
}
