import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../lib/auth/safe-next";

describe("safeNextPath", () => {
  it("keeps a relative path with its query", () => {
    expect(safeNextPath("/orgs/acme/providers?status=failed")).toBe("/orgs/acme/providers?status=failed");
  });

  it.each([
    ["https://evil.example/", "an absolute URL"],
    ["//evil.example/steal", "a protocol-relative URL"],
    ["/\\evil.example", "a backslash trick"],
    ["javascript:alert(1)", "a javascript: URL"],
    ["/ok\n/evil", "a control character"],
    ["", "an empty value"],
    [undefined, "nothing"],
  ])("falls back instead of following %s (%s)", (value, _what) => {
    expect(safeNextPath(value, "/home")).toBe("/home");
  });
});
