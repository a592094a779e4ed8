import { describe, expect, it } from "vitest";
import {
  DecimalIdSet,
  hashUint64Decimal,
  isUint64Decimal,
  parseSegmentId,
  parseSegmentToken,
  UINT64_MAX,
  UnsafeNumber,
} from "../../src/domain/uint64.js";

const SEND_INSTEAD =
  /decimal string between 0 and 18446744073709551615|send segment IDs as strings/;

describe("UINT64_MAX", () => {
  it("is 2^64 - 1", () => {
    expect(UINT64_MAX).toBe(2n ** 64n - 1n);
  });
});

describe("parseSegmentId", () => {
  it.each(["0", "1", "42", "9007199254740993", "10000000000000000000", "18446744073709551615"])(
    "accepts the decimal string %s",
    (id) => {
      expect(parseSegmentId(id)).toEqual({ ok: true, id });
    },
  );

  it.each([
    [0, "0"],
    [42, "42"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
  ])("accepts the safe integer %d as %s", (value, id) => {
    expect(parseSegmentId(value)).toEqual({ ok: true, id });
  });

  it.each([
    ["18446744073709551616", "larger than 2^64-1"],
    ["99999999999999999999", "larger than 2^64-1"],
    ["184467440737095516150", "larger than 2^64-1"],
    ["-1", "negative"],
    ["0x10", "hexadecimal"],
    ["1e3", "exponent notation"],
    ["1.5", "decimal point"],
    ["1.", "decimal point"],
    ["01", "leading zeros"],
    ["00", "leading zeros"],
    ["", "empty"],
    [" 1", "whitespace"],
    ["1\n", "whitespace"],
    ["12a", "not a decimal number"],
    ["+1", "not a decimal number"],
    ["!1", "not a decimal number"],
    ["\u0661", "not a decimal number"],
  ])("rejects %j: %s", (value, problem) => {
    const result = parseSegmentId(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain(problem);
      expect(result.message).toMatch(SEND_INSTEAD);
    }
  });

  it.each([
    [2 ** 53, "send segment IDs as strings"],
    [2 ** 64, "send segment IDs as strings"],
    [-1, "negative"],
    [1.5, "not an integer"],
    [Number.NaN, "not an integer"],
  ])("rejects the number %d: %s", (value, problem) => {
    const result = parseSegmentId(value);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) {
      expect(result.message).toContain(problem);
      expect(result.message).toMatch(SEND_INSTEAD);
    }
  });

  it("rejects a JSON number kept exact by the lossless parser, quoting its digits", () => {
    const result = parseSegmentId(new UnsafeNumber("18446744073709551615"));
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) {
      expect(result.message).toContain("18446744073709551615");
      expect(result.message).toContain("send segment IDs as strings");
    }
  });

  it.each([null, undefined, true, {}, []])("rejects %j", (value) => {
    const result = parseSegmentId(value);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message).toMatch(SEND_INSTEAD);
  });

  it("rejects a bigint, which JSON never produces", () => {
    expect(parseSegmentId(5n)).toMatchObject({ ok: false });
  });

  it("checks 100 000 IDs without allocating per ID", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => String(648518346349538235n + BigInt(i)));
    expect(ids.every((id) => parseSegmentId(id).ok)).toBe(true);
  });
});

describe("parseSegmentToken", () => {
  it("reads the hidden form", () => {
    expect(parseSegmentToken("!123")).toEqual({ ok: true, id: "123", hidden: true });
    expect(parseSegmentToken("!18446744073709551615")).toEqual({
      ok: true,
      id: "18446744073709551615",
      hidden: true,
    });
  });

  it("reads visible IDs as not hidden", () => {
    expect(parseSegmentToken("123")).toEqual({ ok: true, id: "123", hidden: false });
    expect(parseSegmentToken(7)).toEqual({ ok: true, id: "7", hidden: false });
  });

  it.each([
    ["!", "empty"],
    ["!!1", "not a decimal number"],
    ["!-1", "negative"],
    ["!18446744073709551616", "larger than 2^64-1"],
  ])("rejects %j", (value, problem) => {
    const result = parseSegmentToken(value);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) {
      expect(result.message).toContain(`hidden segment ${JSON.stringify(value)}`);
      expect(result.message).toContain(problem);
    }
  });
});

describe("isUint64Decimal and hashUint64Decimal", () => {
  it("checks from an offset, for the hidden form", () => {
    expect(isUint64Decimal("!18446744073709551615", 1)).toBe(true);
    expect(isUint64Decimal("!18446744073709551616", 1)).toBe(false);
    expect(isUint64Decimal("!", 1)).toBe(false);
  });

  it("hashes the digits only, so an ID and its hidden form hash alike", () => {
    expect(hashUint64Decimal("!123", 1)).toBe(hashUint64Decimal("123"));
    expect(hashUint64Decimal("123")).not.toBe(hashUint64Decimal("124"));
    expect(hashUint64Decimal("0")).toBeGreaterThanOrEqual(0);
    expect(hashUint64Decimal("18446744073709551615")).toBeGreaterThanOrEqual(0);
    expect(hashUint64Decimal("1x")).toBe(-1);
  });
});

describe("DecimalIdSet", () => {
  const add = (set: DecimalIdSet, id: string) => set.add(id, hashUint64Decimal(id));

  it("keeps the first occurrence of each ID, in order", () => {
    const set = new DecimalIdSet(6);
    const added = ["5", "18446744073709551615", "5", "0", "18446744073709551615", "42"].map((id) =>
      add(set, id),
    );
    expect(added).toEqual([true, true, false, true, false, true]);
    expect(set.ids).toEqual(["5", "18446744073709551615", "0", "42"]);
  });

  it("tells apart different IDs that share a hash", () => {
    const set = new DecimalIdSet(3);
    // The same hash given for all three: only the string comparison can separate them.
    expect(set.add("1", 7)).toBe(true);
    expect(set.add("2", 7)).toBe(true);
    expect(set.add("1", 7)).toBe(false);
    expect(set.ids).toEqual(["1", "2"]);
  });

  it("agrees with a Set on 100 000 IDs with repeats", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) =>
      String(BigInt(i % 70_000) * 263_130_836_933_693n),
    );
    const set = new DecimalIdSet(ids.length);
    for (const id of ids) add(set, id);
    expect(set.ids).toEqual([...new Set(ids)]);
  });
});
