// Cloudkeep's OpenID Connect issuer: its URL (CLOUDKEEP_OIDC_ISSUER), the subject every token
// names, the audience each cloud expects, and the two documents a cloud fetches to verify a token
// (discovery and JWKS). Pure: the keys come from keys.ts, the URL from whoever read the environment.

export const OIDC_ISSUER_VARIABLE = "CLOUDKEEP_OIDC_ISSUER";
/** The longest a token lives. Clouds take it once, within seconds; five minutes covers clock skew and retries. */
export const TOKEN_LIFETIME_SECONDS = 300;
/** What AWS and Google Cloud verify Cloudkeep's tokens with. */
export const SIGNING_ALGORITHM = "ES256";
/**
 * Microsoft Entra ID federates RSA-signed tokens only (ES256 is refused with AADSTS5002738), so
 * tokens for Azure's audience are signed with an RSA key of their own.
 */
export const RSA_SIGNING_ALGORITHM = "RS256";
export const SIGNING_ALGORITHMS = [SIGNING_ALGORITHM, RSA_SIGNING_ALGORITHM] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The audience each cloud's token exchange checks. Google's is per pool provider (see gcpFederationAudience). */
export const AWS_WEB_IDENTITY_AUDIENCE = "sts.amazonaws.com";
export const AZURE_FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/** The algorithm a token for this audience is signed with. */
export function signingAlgorithmFor(audience: string): SigningAlgorithm {
  return audience === AZURE_FEDERATION_AUDIENCE ? RSA_SIGNING_ALGORITHM : SIGNING_ALGORITHM;
}

export class OidcIssuerError extends Error {
  override name = "OidcIssuerError";
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The issuer URL: CLOUDKEEP_OIDC_ISSUER, else `${SUPABASE_URL}/functions/v1/oidc` (where the `oidc`
 * edge function answers). https, with no query, fragment or user info; plain http only for loopback
 * hosts (a local stack whose "clouds" are fakes on the same machine). No trailing slash: the issuer
 * string must equal the token's `iss` character for character.
 */
export function resolveOidcIssuer(configured: string | undefined | null, supabaseUrl: string | undefined | null): string {
  const raw = configured?.trim() || (supabaseUrl?.trim() ? `${supabaseUrl.trim().replace(/\/+$/, "")}/functions/v1/oidc` : "");
  if (!raw) throw new OidcIssuerError(`${OIDC_ISSUER_VARIABLE} is not set and there is no SUPABASE_URL to derive it from.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OidcIssuerError(`${OIDC_ISSUER_VARIABLE} must be an absolute URL like https://cloudkeep.example.com/oidc.`);
  }
  if (url.username || url.password || url.search || url.hash || raw.includes("#") || raw.includes("?")) {
    throw new OidcIssuerError(`${OIDC_ISSUER_VARIABLE} must be a plain base URL: no user info, query or fragment.`);
  }
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    throw new OidcIssuerError(
      `${OIDC_ISSUER_VARIABLE} must use https:// (clouds fetch its keys over the internet); http is allowed only for localhost.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new OidcIssuerError(`${OIDC_ISSUER_VARIABLE} must start with https://.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The subject of Cloudkeep's own tokens (its AWS identity, CLOUDKEEP_AWS_OPERATOR_ROLE_ARN): no organization's. */
export const OPERATOR_SUBJECT = "cloudkeep:operator";

/** `org:<organization id>:provider:<provider id>`: what a cloud's trust binds to, one provider exactly. */
export function federationSubject(organizationId: string, providerId: string): string {
  return `org:${organizationId.toLowerCase()}:provider:${providerId.toLowerCase()}`;
}

/**
 * The subject a provider's tokens carry: its own, or for an account discovered through a whole cloud
 * organization, its parent's (`federation_subject_id`), which the member accounts' trust names.
 */
export function providerSubject(provider: { organization_id: string; id: string; federation_subject_id?: string | null }): string {
  return federationSubject(provider.organization_id, provider.federation_subject_id ?? provider.id);
}

/**
 * Google's default allowed audience of an OIDC pool provider: its full resource name with the https
 * prefix. The credential configuration holds it as `//iam.googleapis.com/projects/…/providers/…`.
 */
export function gcpFederationAudience(credentialAudience: string): string {
  return credentialAudience.startsWith("//") ? `https:${credentialAudience}` : credentialAudience;
}

/** The issuer without its scheme: the prefix of AWS's condition keys (`<this>:aud`, `<this>:sub`). */
export function issuerHostPath(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "");
}

/** `<issuer host/path>:aud` and `:sub`: the condition an AWS role's trust puts on Cloudkeep's tokens. */
export function webIdentityConditions(issuer: string, subject: string) {
  const prefix = issuerHostPath(issuer);
  return { StringEquals: { [`${prefix}:aud`]: AWS_WEB_IDENTITY_AUDIENCE, [`${prefix}:sub`]: subject } };
}

export const CLAIMS_SUPPORTED = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"] as const;

export function discoveryDocument(issuer: string) {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    claims_supported: [...CLAIMS_SUPPORTED],
    scopes_supported: ["openid"],
  };
}

/** Clouds cache both documents; five minutes keeps a rotated-in key visible well inside its publish-ahead window. */
export const DISCOVERY_CACHE_CONTROL = "public, max-age=3600, stale-while-revalidate=300";
export const JWKS_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60";

/** What a person pastes into the cloud: the same for the dialog, the provider page and the API. */
export type FederationValues = { issuer: string; subject: string; audience: string };
