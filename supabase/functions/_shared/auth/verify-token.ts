// Verifies a Supabase access token the way getClaims() does: the signature against the
// project's JWKS (asymmetric keys), plus issuer, audience and expiry. Returns the claims
// RLS will see, or null.
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { Claims } from "../db.ts";

export type TokenVerifier = (token: string) => Promise<Claims | null>;

export function supabaseTokenVerifier(supabaseUrl: string): TokenVerifier {
  const issuer = `${supabaseUrl.replace(/\/+$/, "")}/auth/v1`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: "authenticated", algorithms: ["ES256", "RS256", "EdDSA"] });
      if (typeof payload.sub !== "string" || payload.role !== "authenticated") return null;
      return payload as Claims;
    } catch {
      return null;
    }
  };
}
