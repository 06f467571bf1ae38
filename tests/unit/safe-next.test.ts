import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../lib/auth/safe-next";

describe("safeNextPath", () => {
  it("keeps a relative path with its query and fragment", () => {
    expect(safeNextPath("/orgs/acme/providers?status=failed")).toBe("/orgs/acme/providers?status=failed");
    expect(safeNextPath("/orgs/acme/providers/1#health")).toBe("/orgs/acme/providers/1#health");
  });

  it("resolves harmless dot segments and keeps the path on this site", () => {
    expect(safeNextPath("/orgs/acme/../acme/providers")).toBe("/orgs/acme/providers");
    expect(safeNextPath("/invite/%41bc")).toBe("/invite/%41bc");
  });

  it.each([
    ["https://evil.example/", "an absolute URL"],
    ["//evil.example/steal", "a protocol-relative URL"],
    ["/\\evil.example", "a backslash trick"],
    ["/%5Cevil.example", "an encoded backslash"],
    ["/%5cevil.example", "an encoded backslash, lower case"],
    ["/%2F%2Fevil.example", "encoded slashes"],
    ["/%2f/evil.example", "an encoded slash then a slash"],
    ["/.//evil.example", "a dot segment that normalises to //"],
    ["/%2e//evil.example", "an encoded dot segment that normalises to //"],
    ["/%2E%2E//evil.example", "encoded dot-dot that normalises to //"],
    ["/a/..//evil.example", "a dot-dot segment that normalises to //"],
    ["/a/b/../..//evil.example", "two dot-dot segments that normalise to //"],
    ["/./\\evil.example", "a dot segment before a backslash"],
    ["/\tevil", "a tab"],
    ["/ok\n/evil", "a control character"],
    ["/%0a/evil", "an encoded newline"],
    ["/%E0%A4%A", "malformed percent-encoding"],
    ["javascript:alert(1)", "a javascript: URL"],
    ["\\\\evil.example", "two backslashes"],
    ["", "an empty value"],
    [undefined, "nothing"],
  ])("falls back instead of following %s (%s)", (value, _what) => {
    expect(safeNextPath(value, "/home")).toBe("/home");
  });

  it("never returns anything a browser would take to another origin, whatever it is given", () => {
    const pieces = ["/", "//", "\\", ".", "..", "%2e", "%2E", "%2f", "%5c", "evil.example", "a", "?", "#", "%00", "@", ":"];
    let seed = 7;
    const pick = () => pieces[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length];
    for (let i = 0; i < 5000; i++) {
      const value = "/" + Array.from({ length: 1 + (i % 7) }, pick).join("");
      const result = safeNextPath(value, "/home");
      const resolved = new URL(result, "https://cloudkeep.example");
      expect({ value, origin: resolved.origin }).toEqual({ value, origin: "https://cloudkeep.example" });
      expect(result.startsWith("//") || result.startsWith("/\\")).toBe(false);
    }
  });
});
