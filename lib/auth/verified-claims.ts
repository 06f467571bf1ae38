// Verified JWT claims for the proxy and for server code, with the signature check remembered.
// getClaims() verifies the access token on every call — it imports the JWK and checks an ECDSA
// signature, about 0.2 ms of CPU — and the proxy and the page each call it on every request.
// A token's signature never changes, so once a token has been verified its claims are kept
// until the token expires. getClaims() checks no revocation either, so nothing is lost.
// On top of that, a request whose Supabase cookies were seen before skips the Supabase client
// and the session read altogether (getVerifiedClaimsForCookies), until the token nears expiry.
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
// Keyed by a hash of a request's Supabase cookies, for the same reason.
const sessions = new Map<string, Claims>();

/**
 * How long before its token expires a remembered session is read again. Reading it then
 * refreshes it (auth-js refreshes within 90 s of expiry), so the proxy sets new cookies in time.
 */
export const SESSION_REREAD_MARGIN_MS = 5 * 60_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

function remember<V>(map: Map<string, V>, key: string, value: V) {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export async function getVerifiedClaims(auth: SessionAuth, now = Date.now()): Promise<Claims | null> {
  const { data } = await auth.getSession();
  const token = data.session?.access_token;
  if (!token) return null;
  const key = sha256(token);
  const known = verified.get(key);
  if (known && known.expiresAt > now) return known.claims;
  verified.delete(key);

  const result = await auth.getClaims(token);
  const claims = result.data?.claims as Claims | undefined;
  if (!claims?.sub || typeof claims.exp !== "number") return null;
  remember(verified, key, { claims, expiresAt: claims.exp * 1000 });
  return claims;
}

type Cookie = { name: string; value: string };

/** A Supabase client's auth for one request, and whether reading the session rewrote its cookies. */
export type SessionReader = { auth: SessionAuth; cookiesWritten: () => boolean };

/**
 * Claims for a request, from its cookies. The same Supabase cookies always hold the same
 * session, so once they have been read and verified their claims are reused, and the
 * per-request Supabase client (`reader` is only called when needed), the cookie decoding and
 * the session read are skipped — until SESSION_REREAD_MARGIN_MS before the token expires,
 * from when on every request reads (and so refreshes) the session again.
 * A read that rewrote the cookies (a refresh) is not remembered: those cookies are spent, and
 * their claims are the new session's. Without any Supabase cookie there is no session: null,
 * without a client.
 */
export async function getVerifiedClaimsForCookies(
  cookies: Cookie[],
  reader: () => SessionReader | Promise<SessionReader>,
  now = Date.now(),
): Promise<Claims | null> {
  const session = cookies
    .filter((cookie) => cookie.name.startsWith("sb-"))
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .sort()
    .join("; ");
  if (!session) return null;
  const key = sha256(session);
  const known = sessions.get(key);
  if (known && (known.exp as number) * 1000 - now > SESSION_REREAD_MARGIN_MS) return known;
  sessions.delete(key);

  const { auth, cookiesWritten } = await reader();
  const claims = await getVerifiedClaims(auth, now);
  if (claims && !cookiesWritten()) remember(sessions, key, claims);
  return claims;
}
