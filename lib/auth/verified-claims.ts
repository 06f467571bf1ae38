// Verified JWT claims for the proxy and for server code, with the signature check remembered.
// getClaims() verifies the access token on every call — it imports the JWK and checks an ECDSA
// signature, about 0.2 ms of CPU — and the proxy and the page each call it on every request.
// A token's signature never changes, so once a token has been verified its claims are kept
// until the token expires. getClaims() checks no revocation either, so nothing is lost.
// The session itself is still read (and refreshed when due) from the cookies every time.
// No "server-only" import: the proxy uses this too.
import { createHash } from "node:crypto";
import type { Claims } from "@/supabase/functions/_shared/db.ts";

/** The two calls of a Supabase auth client this needs. */
export type SessionAuth = {
  getSession(): Promise<{ data: { session: { access_token: string } | null } }>;
  getClaims(jwt: string): Promise<{ data: { claims: Record<string, unknown> } | null }>;
};

const MAX_ENTRIES = 10_000;
// Keyed by a hash of the token, so the process does not keep bearer tokens around.
const verified = new Map<string, { claims: Claims; expiresAt: number }>();

export async function getVerifiedClaims(auth: SessionAuth, now = Date.now()): Promise<Claims | null> {
  const { data } = await auth.getSession();
  const token = data.session?.access_token;
  if (!token) return null;
  const key = createHash("sha256").update(token).digest("base64url");
  const known = verified.get(key);
  if (known && known.expiresAt > now) return known.claims;
  verified.delete(key);

  const result = await auth.getClaims(token);
  const claims = result.data?.claims as Claims | undefined;
  if (!claims?.sub || typeof claims.exp !== "number") return null;
  if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value!);
  verified.set(key, { claims, expiresAt: claims.exp * 1000 });
  return claims;
}
