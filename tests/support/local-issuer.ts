// A stand-in for Cloudkeep's OIDC issuer in adapter tests that need a federated parent without the
// database: a loopback server publishing a discovery document and a JWKS, and a FederationSupplier
// that signs short-lived tokens for one subject (and a probe subject no cloud should accept).
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { FederationSupplier } from "../../supabase/functions/_shared/federation/token.ts";
import { startFake, type Fake } from "../fakes/server.ts";

export type LocalIssuer = { issuer: string; fake: Fake; supplier(subject: string): FederationSupplier; close(): Promise<void> };

/** `alg`: RS256 for Entra (which refuses ES256), ES256 elsewhere. */
export async function startLocalIssuer(alg: "RS256" | "ES256" = "RS256"): Promise<LocalIssuer> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "local-1", alg, use: "sig" };
  let issuer = "";
  const fake = await startFake((request) => {
    if (request.path === "/oidc/.well-known/openid-configuration")
      return { body: { issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: [alg] } };
    if (request.path === "/oidc/jwks") return { body: { keys: [jwk] } };
    return { status: 404, body: { error: "not_found" } };
  });
  issuer = `${fake.url}/oidc`;
  const sign = (subject: string, audience: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg, kid: "local-1", typ: "JWT" })
      .setIssuer(issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti(crypto.randomUUID())
      .sign(privateKey);
  return {
    issuer,
    fake,
    supplier: (subject) => ({
      issuer,
      subject,
      token: (audience) => sign(subject, audience),
      probeToken: (audience) => sign(`${subject}:probe-${crypto.randomUUID()}`, audience),
    }),
    close: () => fake.close(),
  };
}
