// The log settings keep credentials out of the log, whatever logs a request's headers.
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions } from "../src/logger.js";

describe("loggerOptions", () => {
  it("redacts authorization headers, cookies and tokens, and keeps the rest", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino(loggerOptions({ logLevel: "info" }), sink);
    log.info(
      {
        req: { method: "PUT", headers: { authorization: "Bearer s3cret-1", cookie: "k=s3cret-2" } },
        token: "s3cret-3",
        name: "ca3-proofread",
      },
      "moved",
    );
    const text = lines.join("");
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain("[redacted]");
    expect(text).toContain("ca3-proofread");
    expect(JSON.parse(lines[0] ?? "{}").level).toBe(30);
  });
});
