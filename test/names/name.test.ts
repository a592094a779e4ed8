// The grammar of names, edit tokens and the headers that carry them.
import { describe, expect, it } from "vitest";
import { nameUrls, ownNameRef } from "../../src/http/service-urls.js";
import {
  bearerToken,
  editTokenMatches,
  hashEditToken,
  ifMatchVersion,
  isName,
  nameProblem,
  newEditToken,
  RESERVED_NAMES,
} from "../../src/names/name.js";

describe("names", () => {
  it("takes lowercase slugs of 3 to 64 characters", () => {
    for (const name of ["ca3", "ca3-proofread", "a1-b2-c3", "x".repeat(64), "123"])
      expect(nameProblem(name)).toBeNull();
    expect(nameProblem("ab")).toMatch(/3 to 64 characters, got 2/);
    expect(nameProblem("x".repeat(65))).toMatch(/got 65/);
    for (const name of ["CA3", "ca3_x", "-ca3", "ca3-", "ca3--x", "ca3.x", "ca3/x", "cä3", "{ca3}"])
      expect(nameProblem(name)).toMatch(/lowercase letters, digits and single hyphens/);
  });

  it("keeps route words and look-alikes reserved", () => {
    for (const name of ["api", "embed", "docs", "gallery", "oembed", "static", "metrics"]) {
      expect(RESERVED_NAMES.has(name)).toBe(true);
      expect(nameProblem(name)).toMatch(/reserved/);
    }
    // Prototype names are ordinary strings here: the reserved list is a Set, not an object.
    expect(isName("constructor")).toBe(true);
    expect(isName("__proto__")).toBe(false);
  });
});

describe("edit tokens", () => {
  it("are 256 random bits with a recognisable prefix, never repeated", () => {
    const tokens = new Set(Array.from({ length: 1000 }, newEditToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(token).toMatch(/^ngn_[A-Za-z0-9_-]{43}$/);
  });

  it("match only their own hash", () => {
    const token = newEditToken();
    const hash = hashEditToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(editTokenMatches(token, hash)).toBe(true);
    expect(editTokenMatches(`${token} `, hash)).toBe(false);
    expect(editTokenMatches(token.slice(0, -1), hash)).toBe(false);
    expect(editTokenMatches(newEditToken(), hash)).toBe(false);
    expect(editTokenMatches("", hash)).toBe(false);
    // A corrupt stored hash is a mismatch, not an exception.
    expect(editTokenMatches(token, "abc")).toBe(false);
  });

  it("are read from Bearer credentials only", () => {
    expect(bearerToken("Bearer ngn_abc")).toBe("ngn_abc");
    expect(bearerToken("bearer   ngn_abc ")).toBe("ngn_abc");
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken("Basic eDp5")).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken("Bearer a b")).toBeNull();
  });
});

describe("If-Match", () => {
  it("reads the version of a name's ETag, or any", () => {
    expect(ifMatchVersion('"3"')).toBe(3);
    expect(ifMatchVersion("3")).toBe(3);
    expect(ifMatchVersion('W/"12"')).toBe(12);
    expect(ifMatchVersion(undefined)).toBe("any");
    expect(ifMatchVersion("*")).toBe("any");
    for (const bad of ['"0"', '"-1"', '"3", "4"', "yesterday", '"1e3"', "9999999999"])
      expect(ifMatchVersion(bad)).toBeNull();
  });
});

describe("name URLs", () => {
  const base = "https://ngl.example.org";
  it("are built and read back", () => {
    expect(nameUrls(base, "ca3")).toEqual({
      url: `${base}/n/ca3`,
      embedUrl: `${base}/embed/n/ca3`,
      previewUrl: `${base}/n/ca3/preview.png`,
      apiUrl: `${base}/api/names/ca3`,
      stateUrl: `${base}/api/names/ca3/state`,
    });
    expect(nameUrls(base, "ca3", 2).url).toBe(`${base}/n/ca3/2`);
    for (const [url, ref] of [
      [`${base}/n/ca3`, { name: "ca3", version: null }],
      [`${base}/n/ca3/7`, { name: "ca3", version: 7 }],
      [`${base}/embed/n/ca3/7?x=1`, { name: "ca3", version: 7 }],
      [`${base}/api/names/ca3`, { name: "ca3", version: null }],
      [`${base}/#!${base}/api/names/ca3/state`, { name: "ca3", version: null }],
    ] as const)
      expect(ownNameRef(base, url)).toEqual(ref);
    for (const url of [
      "https://elsewhere.org/n/ca3",
      `${base}/n/ca3/0`,
      `${base}/n/ca3/x`,
      `${base}/n/CA3`,
      `${base}/s/ca3`,
    ])
      expect(ownNameRef(base, url)).toBeNull();
  });
});
