// Issuing Cloudkeep's identity tokens: ES256 JWTs (RS256 for Azure, which verifies RSA only) that name one provider of one organization
// (`sub`), for one cloud (`aud`), living TOKEN_LIFETIME_SECONDS. Every token is audited before it
// is handed out — its jti, audience, key id and expiry, never the token itself.
import { SignJWT } from "jose";
import type { Sql } from "postgres";
import type { KeyRing } from "../crypto/index.ts";
import { asService, type Claims } from "../db.ts";
import { federationSubject, OPERATOR_SUBJECT, providerSubject, signingAlgorithmFor, TOKEN_LIFETIME_SECONDS } from "./issuer.ts";
import { currentSigningKey } from "./keys.ts";

/**
 * What issuing needs: the database (keys, audit), the key ring (private keys) and the issuer URL;
 * `onBehalfOf`, whoever caused the call, is the audit row's actor (none for the scheduled sweep).
 */
export type FederationConfig = { sql: Sql; ring: KeyRing; issuer: string; onBehalfOf?: Claims | null };

export type IssuedToken = { token: string; jti: string; kid: string; audience: string; subject: string; expiresAt: Date };

export type TokenRequest = {
  organizationId: string;
  providerId: string;
  audience: string;
  /** Shorter lifetimes for tests and the bench; never longer than TOKEN_LIFETIME_SECONDS. */
  lifetimeSeconds?: number;
  /** Backdates iat/nbf/exp (tests: an expired token). */
  now?: Date;
  /**
   * A probe: the token names this other (nonexistent) provider of the same organization, so that a
   * check can prove the cloud refuses a subject it was not told to trust. Audited under providerId.
   */
  probeSubjectProviderId?: string;
  /** Cloudkeep's own token (OPERATOR_SUBJECT), issued for a check of providerId and audited there. */
  operator?: boolean;
  /** Whose subject the token carries when not providerId's own: a discovered account's parent. */
  subjectProviderId?: string | null;
};

export async function issueFederationToken(config: FederationConfig, request: TokenRequest): Promise<IssuedToken> {
  const lifetime = Math.min(request.lifetimeSeconds ?? TOKEN_LIFETIME_SECONDS, TOKEN_LIFETIME_SECONDS);
  if (!(lifetime > 0)) throw new RangeError("A token lifetime must be positive.");
  const audience = request.audience.trim();
  if (!audience || audience.length > 512) throw new RangeError("A token needs an audience of at most 512 characters.");
  const alg = signingAlgorithmFor(audience);
  const signing = await currentSigningKey(config.sql, config.ring, alg);
  const subject = request.operator
    ? OPERATOR_SUBJECT
    : federationSubject(request.organizationId, request.probeSubjectProviderId ?? request.subjectProviderId ?? request.providerId);
  const iat = Math.floor((request.now?.getTime() ?? Date.now()) / 1000);
  const exp = iat + lifetime;
  const jti = crypto.randomUUID();
  await asService(
    config.sql,
    (tx) =>
      tx`select private.record_audit_event(${request.organizationId}, 'oidc.token_issued', 'provider', ${request.providerId}, null,
      ${tx.json({ jti, aud: audience, kid: signing.kid, exp: new Date(exp * 1000).toISOString(), ...(request.operator ? { operator_sub: subject } : request.probeSubjectProviderId ? { probe_sub: subject } : {}) })})`,
    config.onBehalfOf,
  );
  const token = await new SignJWT({})
    .setProtectedHeader({ alg, kid: signing.kid, typ: "JWT" })
    .setIssuer(config.issuer)
    .setSubject(subject)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(signing.key);
  return { token, jti, kid: signing.kid, audience, subject, expiresAt: new Date(exp * 1000) };
}

/**
 * What an adapter gets in its AdapterContext to connect without a secret: the values the cloud was
 * told to trust, and a function that issues a fresh token for an audience. Adapters stay pure: they
 * never see the database, the key ring or a signing key.
 */
export type FederationSupplier = {
  issuer: string;
  subject: string;
  token(audience: string): Promise<string>;
  /** A token for another subject of the same organization, which no cloud should accept for this provider. */
  probeToken?(audience: string): Promise<string>;
  /** Cloudkeep's own token (subject OPERATOR_SUBJECT), for its AWS identity; never handed to a provider's endpoint. */
  operatorToken?(audience: string): Promise<string>;
};

export function federationSupplier(
  config: FederationConfig,
  provider: { id: string; organization_id: string; federation_subject_id?: string | null },
): FederationSupplier {
  return {
    issuer: config.issuer,
    subject: providerSubject(provider),
    token: async (audience) =>
      (
        await issueFederationToken(config, {
          organizationId: provider.organization_id,
          providerId: provider.id,
          audience,
          subjectProviderId: provider.federation_subject_id,
        })
      ).token,
    probeToken: async (audience) =>
      (
        await issueFederationToken(config, {
          organizationId: provider.organization_id,
          providerId: provider.id,
          audience,
          probeSubjectProviderId: crypto.randomUUID(),
        })
      ).token,
    operatorToken: async (audience) =>
      (await issueFederationToken(config, { organizationId: provider.organization_id, providerId: provider.id, audience, operator: true }))
        .token,
  };
}
