// The proxy and every page verify the caller's access token; a token verified once is
// remembered until it expires, and nothing unverified or expired is ever returned.
import { describe, expect, it } from "vitest";
import { getVerifiedClaims, type SessionAuth } from "../../lib/auth/verified-claims.ts";

const NOW = Date.parse("2026-11-22T10:00:00Z");

function fakeAuth(token: string | null, claims: Record<string, unknown> | null) {
  const calls: string[] = [];
  const auth: SessionAuth = {
    getSession: async () => ({ data: { session: token ? { access_token: token } : null } }),
    getClaims: async (jwt) => {
      calls.push(jwt);
      return { data: claims ? { claims } : null };
    },
  };
  return { auth, calls };
}

const claimsFor = (sub: string, expSeconds: number) => ({ sub, role: "authenticated", email: `${sub}@example.test`, exp: expSeconds });

describe("getVerifiedClaims", () => {
  it("verifies a token once and remembers its claims until it expires", async () => {
    const token = `token-${crypto.randomUUID()}`;
    const { auth, calls } = fakeAuth(token, claimsFor("user-1", NOW / 1000 + 3600));
    expect(await getVerifiedClaims(auth, NOW)).toMatchObject({ sub: "user-1" });
    expect(await getVerifiedClaims(auth, NOW + 60_000)).toMatchObject({ sub: "user-1" });
    expect(calls).toEqual([token]);
    // Past its expiry the token goes back to getClaims(), which refuses it.
    const expired = { ...auth, getClaims: async () => ({ data: null }) };
    expect(await getVerifiedClaims(expired, NOW + 3_600_001)).toBeNull();
  });

  it("never remembers a token that failed verification", async () => {
    const token = `forged-${crypto.randomUUID()}`;
    const { auth, calls } = fakeAuth(token, null);
    expect(await getVerifiedClaims(auth, NOW)).toBeNull();
    expect(await getVerifiedClaims(auth, NOW)).toBeNull();
    expect(calls).toEqual([token, token]);
  });

  it("keeps tokens apart: another token is verified on its own", async () => {
    const a = fakeAuth(`a-${crypto.randomUUID()}`, claimsFor("user-a", NOW / 1000 + 600));
    const b = fakeAuth(`b-${crypto.randomUUID()}`, claimsFor("user-b", NOW / 1000 + 600));
    expect(await getVerifiedClaims(a.auth, NOW)).toMatchObject({ sub: "user-a" });
    expect(await getVerifiedClaims(b.auth, NOW)).toMatchObject({ sub: "user-b" });
    expect(b.calls).toHaveLength(1);
  });

  it("answers null without a session, without asking getClaims()", async () => {
    const { auth, calls } = fakeAuth(null, claimsFor("nobody", NOW / 1000 + 600));
    expect(await getVerifiedClaims(auth, NOW)).toBeNull();
    expect(calls).toEqual([]);
  });
});
