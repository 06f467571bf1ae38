// How a cloud verifies a token from an external OIDC issuer, for the fakes: fetch the issuer's
// discovery document over the network (its `issuer` must equal the token's `iss` exactly), fetch
// the jwks_uri it names and keep it for a while (clouds cache it), verify the ES256 signature with
// the key the header's kid names, then iss, aud, sub and the token's time window. Each refusal says
// which check failed, so every fake can answer in its own cloud's words.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";

export type Refusal =
  | "malformed"
  | "issuer_unreachable"
  | "issuer_mismatch"
  | "unknown_key"
  | "bad_signature"
  | "audience_mismatch"
  | "subject_mismatch"
  | "expired"
  | "not_yet_valid";

export type Verdict = { ok: true; claims: JWTPayload } | { ok: false; refusal: Refusal; detail: string; claims: JWTPayload | null };

export type Expectation = {
  /** The issuer the cloud was told to trust (the pool provider's issuer URI, the IAM OIDC provider's URL, the credential's issuer). */
  issuer: string;
  /** Audiences the cloud accepts. */
  audiences: string[];
  /** Subjects the cloud accepts; undefined: any (checked later, by a binding). */
  subjects?: string[];
};

export type OidcVerifier = {
  verify(token: string, expect: Expectation): Promise<Verdict>;
  /** Every discovery or JWKS fetch, in order: what a test checks "was published before use" with. */
  fetches: string[];
  /** Forgets cached key sets (a cloud whose cache expired). */
  clear(): void;
};

const SKEW_SECONDS = 60;

/** `jwksCacheMs`: how long a fetched JWKS is trusted before it is fetched again (clouds: minutes to hours). */
export function createOidcVerifier(options: { jwksCacheMs?: number } = {}): OidcVerifier {
  const cacheMs = options.jwksCacheMs ?? 5 * 60_000;
  const cached = new Map<string, { keys: JSONWebKeySet; at: number }>();
  const fetches: string[] = [];

  async function keySet(issuer: string): Promise<JSONWebKeySet | { error: string }> {
    const hit = cached.get(issuer);
    if (hit && Date.now() - hit.at < cacheMs) return hit.keys;
    try {
      const discoveryUrl = `${issuer}/.well-known/openid-configuration`;
      fetches.push(discoveryUrl);
      const discovery = await fetch(discoveryUrl, { signal: AbortSignal.timeout(5_000) });
      if (!discovery.ok) return { error: `discovery answered ${discovery.status}` };
      const document = (await discovery.json()) as { issuer?: string; jwks_uri?: string };
      if (document.issuer !== issuer) return { error: `discovery names issuer ${document.issuer}` };
      if (!document.jwks_uri) return { error: "discovery has no jwks_uri" };
      fetches.push(document.jwks_uri);
      const jwks = await fetch(document.jwks_uri, { signal: AbortSignal.timeout(5_000) });
      if (!jwks.ok) return { error: `jwks answered ${jwks.status}` };
      const keys = (await jwks.json()) as JSONWebKeySet;
      cached.set(issuer, { keys, at: Date.now() });
      return keys;
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  return {
    fetches,
    clear: () => cached.clear(),
    async verify(token, expect) {
      let claims: JWTPayload;
      let kid: string | undefined;
      try {
        claims = decodeJwt(token);
        kid = decodeProtectedHeader(token).kid;
      } catch {
        return { ok: false, refusal: "malformed", detail: "not a JWT", claims: null };
      }
      if (claims.iss !== expect.issuer) return { ok: false, refusal: "issuer_mismatch", detail: `iss ${claims.iss}`, claims };
      const keys = await keySet(expect.issuer);
      if ("error" in keys) return { ok: false, refusal: "issuer_unreachable", detail: keys.error, claims };
      if (!keys.keys.some((key) => key.kid === kid)) return { ok: false, refusal: "unknown_key", detail: `no key ${kid}`, claims };
      try {
        await jwtVerify(token, createLocalJWKSet(keys), {
          algorithms: ["ES256", "RS256"],
          issuer: expect.issuer,
          clockTolerance: SKEW_SECONDS,
        });
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, refusal: "expired", detail: "exp passed", claims };
        if (error instanceof errors.JWTClaimValidationFailed && error.claim === "nbf")
          return { ok: false, refusal: "not_yet_valid", detail: "nbf ahead", claims };
        return { ok: false, refusal: "bad_signature", detail: (error as Error).name, claims };
      }
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.some((aud) => aud !== undefined && expect.audiences.includes(aud)))
        return { ok: false, refusal: "audience_mismatch", detail: `aud ${audiences.join(",")}`, claims };
      if (expect.subjects && !expect.subjects.includes(String(claims.sub)))
        return { ok: false, refusal: "subject_mismatch", detail: `sub ${claims.sub}`, claims };
      return { ok: true, claims };
    },
  };
}
