// The proxy and every page verify the caller's access token; a token verified once is
// remembered until it expires, and nothing unverified or expired is ever returned.
import { describe, expect, it } from "vitest";
import {
  getVerifiedClaims,
  getVerifiedClaimsForCookies,
  SESSION_REREAD_MARGIN_MS,
  type SessionAuth,
} from "../../lib/auth/verified-claims.ts";

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

describe("getVerifiedClaimsForCookies", () => {
  const cookiesFor = (value: string) => [
    { name: "theme", value: "dark" },
    { name: "sb-127-auth-token", value },
  ];

  it("reads the session once for the same cookies, and again when the token nears expiry", async () => {
    const value = `base64-${crypto.randomUUID()}`;
    const { auth, calls } = fakeAuth(`token-${value}`, claimsFor("user-c", NOW / 1000 + 3600));
    let built = 0;
    const factory = () => (built++, { auth, cookiesWritten: () => false });
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), factory, NOW)).toMatchObject({ sub: "user-c" });
    // Other cookies do not matter; the Supabase ones are the session.
    expect(
      await getVerifiedClaimsForCookies([{ name: "theme", value: "light" }, ...cookiesFor(value).slice(1)], factory, NOW + 60_000),
    ).toMatchObject({ sub: "user-c" });
    expect(built).toBe(1);
    // Inside the re-read margin the session is read again (that is when auth-js refreshes it).
    const nearExpiry = NOW + 3_600_000 - SESSION_REREAD_MARGIN_MS + 1;
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), factory, nearExpiry)).toMatchObject({ sub: "user-c" });
    expect(built).toBe(2);
    expect(calls).toHaveLength(1); // the token itself was verified once
  });

  it("never remembers cookies whose session failed verification", async () => {
    const value = `base64-${crypto.randomUUID()}`;
    const { auth, calls } = fakeAuth(`forged-${value}`, null);
    const reader = () => ({ auth, cookiesWritten: () => false });
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), reader, NOW)).toBeNull();
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), reader, NOW)).toBeNull();
    expect(calls).toHaveLength(2);
  });

  it("never remembers cookies whose read rewrote them (a refresh spends them)", async () => {
    const value = `base64-${crypto.randomUUID()}`;
    const { auth } = fakeAuth(`refreshed-${value}`, claimsFor("user-r", NOW / 1000 + 3600));
    let built = 0;
    const reader = () => (built++, { auth, cookiesWritten: () => true });
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), reader, NOW)).toMatchObject({ sub: "user-r" });
    expect(await getVerifiedClaimsForCookies(cookiesFor(value), reader, NOW)).toMatchObject({ sub: "user-r" });
    expect(built).toBe(2);
  });

  it("keeps sessions apart: other cookies are read on their own", async () => {
    const a = fakeAuth(`a-${crypto.randomUUID()}`, claimsFor("user-a2", NOW / 1000 + 600));
    const b = fakeAuth(`b-${crypto.randomUUID()}`, claimsFor("user-b2", NOW / 1000 + 600));
    const reader = (auth: SessionAuth) => () => ({ auth, cookiesWritten: () => false });
    expect(await getVerifiedClaimsForCookies(cookiesFor(`a-${crypto.randomUUID()}`), reader(a.auth), NOW)).toMatchObject({
      sub: "user-a2",
    });
    expect(await getVerifiedClaimsForCookies(cookiesFor(`b-${crypto.randomUUID()}`), reader(b.auth), NOW)).toMatchObject({
      sub: "user-b2",
    });
  });

  it("answers null without Supabase cookies, without building a client", async () => {
    let built = 0;
    const reader = () => (built++, { auth: fakeAuth("t", null).auth, cookiesWritten: () => false });
    expect(await getVerifiedClaimsForCookies([{ name: "theme", value: "dark" }], reader, NOW)).toBeNull();
    expect(built).toBe(0);
  });
});
