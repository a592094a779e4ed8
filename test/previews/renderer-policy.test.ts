// Which URLs the render browser may fetch: the service's origin and the hosts of the viewer's
// connect sources, nothing else (the browser tests check the same end to end).
import { describe, expect, it } from "vitest";
import { requestPolicy, sourceMatcher } from "../../src/previews/renderer.js";

const warnings: object[] = [];
const log = { warn: (obj: object) => warnings.push(obj), info: () => {} };

describe("render request policy", () => {
  const allowed = requestPolicy(
    "http://127.0.0.1:8080",
    [
      "'self'",
      "https://e11bio-prism.s3.amazonaws.com",
      "https://*.example.org",
      "http://127.0.0.1:9000",
      "https://mirror.test:8443/data/",
      "https:",
      "*",
    ],
    log,
  );

  it("lets through the service's own origin and the allowed data hosts", () => {
    for (const url of [
      "http://127.0.0.1:8080/viewer/assets/index.js",
      "https://e11bio-prism.s3.amazonaws.com/raw/info",
      "https://e11bio-prism.s3.amazonaws.com:443/raw/info",
      "https://a.b.example.org/x",
      "http://127.0.0.1:9000/seg/info",
      "https://mirror.test:8443/data/raw/info",
      "data:application/wasm;base64,AAAA",
      "blob:http://127.0.0.1:8080/3f1c",
    ])
      expect(allowed(url), url).toBe(true);
  });

  it("refuses every other host, port, scheme and path", () => {
    for (const url of [
      "http://127.0.0.1:8081/",
      "http://localhost:8080/",
      "http://127.0.0.1:9001/seg/info",
      "http://e11bio-prism.s3.amazonaws.com/raw/info",
      "https://e11bio-prism.s3.amazonaws.com.evil.test/raw/info",
      "https://example.org/x",
      "https://evilexample.org/x",
      "https://mirror.test:8443/other/info",
      "https://mirror.test/data/raw/info",
      "ws://127.0.0.1:8080/socket",
      "file:///etc/passwd",
      "http://169.254.169.254/latest/meta-data/",
      "http://user:pw@127.0.0.1:9000/seg/info",
      "not a url",
    ])
      expect(allowed(url), url).toBe(false);
  });

  it("ignores, with a warning, sources that name no host", () => {
    expect(sourceMatcher("https:")).toBeNull();
    expect(sourceMatcher("*")).toBeNull();
    expect(sourceMatcher("'unsafe-inline'")).toBeNull();
    expect(warnings).toEqual([{ source: "https:" }, { source: "*" }]);
  });
});
