// The one grammar of this service's URLs: view links built and read back, bad encodings refused.
import { describe, expect, it } from "vitest";
import {
  decodePathSegment,
  localPath,
  parseViewPath,
  splitPathAndSearch,
  type ViewTarget,
  viewUrl,
} from "../../src/http/service-urls.js";

const BASE = "https://ngl.test";

describe("view links", () => {
  const targets: ViewTarget[] = [
    { dataset: "e11-prism", view: "overview" },
    { dataset: "e11-prism", layer: "raw" },
    { dataset: "a b/c", view: "50% ?#" },
    { dataset: "d", layer: "layer" },
  ];

  it.each(targets)("viewUrl and parseViewPath are inverses (%o)", (target) => {
    for (const embed of [false, true]) {
      const url = viewUrl(BASE, target, { embed, search: "?segments=1" });
      const local = localPath(BASE, url);
      expect(local?.search).toBe("?segments=1");
      expect(parseViewPath(local?.path ?? "")).toEqual({ target, embed });
    }
  });

  it("builds the documented forms", () => {
    expect(viewUrl(BASE, { dataset: "e11-prism", view: "overview" })).toBe(
      "https://ngl.test/v/e11-prism/overview",
    );
    expect(viewUrl(BASE, { dataset: "e11-prism", layer: "raw" }, { embed: true })).toBe(
      "https://ngl.test/embed/v/e11-prism/layer/raw",
    );
  });

  it("reads only view paths", () => {
    for (const path of ["/s/abc", "/v/d", "/v/d/x/y", "/v/d/layer/x/y", "/embed/abc", "/"])
      expect(parseViewPath(path)).toBeNull();
  });

  it("refuses badly percent-encoded names instead of throwing", () => {
    for (const path of ["/v/e11-prism/%", "/v/%E0%A4%A/x", "/embed/v/d/layer/%ZZ"])
      expect(parseViewPath(path)).toBeNull();
    expect(parseViewPath("/v/e11-prism/%25")).toEqual({
      target: { dataset: "e11-prism", view: "%" },
      embed: false,
    });
  });
});

describe("decoding helpers", () => {
  it("decodePathSegment decodes, or gives null for malformed escapes", () => {
    expect(decodePathSegment("a%20b")).toBe("a b");
    expect(decodePathSegment("%")).toBeNull();
    expect(decodePathSegment("%C3")).toBeNull();
  });

  it("splitPathAndSearch keeps the query with its question mark", () => {
    expect(splitPathAndSearch("/v/d/v?x=1&y=2")).toEqual({ path: "/v/d/v", search: "?x=1&y=2" });
    expect(splitPathAndSearch("/v/d/v")).toEqual({ path: "/v/d/v", search: "" });
  });
});
