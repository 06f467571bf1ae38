// Azure failures as stable codes with messages a person can act on. Entra ID (AAD) answers with
// AADSTS numbers inside its error_description; ARM with { error: { code, message } }.
import { providerFailure } from "../net/http.ts";
import type { FederationValues } from "../federation/issuer.ts";
import { azureFederatedCredentialCommand } from "../federation/setup-azure.ts";
import { isAzureFederated, type AzureCredentials } from "../schemas/providers.ts";
import type { ProviderFailure } from "./types.ts";

export const NO_ENABLED_SUBSCRIPTION = "No enabled subscription found";

const SUBSCRIPTION_HINT = (c: AzureCredentials) =>
  `Check the subscription ID (Azure portal → Subscriptions), and grant the service principal the Reader role on it: ` +
  `az role assignment create --assignee ${c.client_id} --role Reader --scope /subscriptions/${c.subscription_id}. ` +
  `Role assignments can take a few minutes to apply.`;

/** The AADSTS number in an Entra ID error text, if any. */
export function aadstsCode(text: string): string | null {
  return /AADSTS(\d+)/.exec(text)?.[1] ?? null;
}

/** An Entra ID token refusal mapped by its AADSTS code; null when the text carries none we know. */
export function aadFailure(aadsts: string | null, credentials: AzureCredentials): ProviderFailure | null {
  switch (aadsts) {
    case "7000215":
      return providerFailure(
        "invalid_client_secret",
        "Azure AD rejected the client secret (AADSTS7000215): the client secret is wrong — copy the secret's Value, not its ID.",
        "App registrations → your app → Certificates & secrets: the Value is shown only once, right after creating the secret. If it is lost, create a new client secret and paste its Value.",
        401,
      );
    case "7000222":
      return providerFailure(
        "client_secret_expired",
        "The client secret has expired (AADSTS7000222).",
        "App registrations → your app → Certificates & secrets → New client secret, then rotate the credentials here with the new Value and its expiry date.",
        401,
      );
    case "700016":
      return providerFailure(
        "application_not_found",
        `Application (client) ID ${credentials.client_id} was not found in tenant ${credentials.tenant_id} (AADSTS700016).`,
        "Check the Application (client) ID on the app registration's Overview page, and that the app is registered in (or consented to) this directory.",
        401,
      );
    case "90002":
    case "900023":
      return providerFailure(
        "tenant_not_found",
        `Tenant ${credentials.tenant_id} was not found (AADSTS${aadsts}).`,
        "Use the Directory (tenant) ID from the app registration's Overview page — not the subscription ID — and check the directory still exists.",
        401,
      );
    case "7000229":
      return providerFailure(
        "service_principal_missing",
        `The app ${credentials.client_id} has no service principal in tenant ${credentials.tenant_id} (AADSTS7000229).`,
        `Create one with az ad sp create --id ${credentials.client_id}, then grant it Reader on the subscription.`,
        401,
      );
    case "7000112":
      return providerFailure(
        "application_disabled",
        `The application ${credentials.client_id} is disabled (AADSTS7000112).`,
        "Enterprise applications → your app → Properties: set Enabled for users to sign in to Yes.",
        401,
      );
    default:
      return null;
  }
}

export function authenticationFailed(credentials: AzureCredentials, detail: string | null): ProviderFailure {
  return providerFailure(
    "authentication_failed",
    `Azure AD refused to issue a token${detail ? ` (${detail})` : ""}.`,
    isAzureFederated(credentials)
      ? `Verify the tenant ID ${credentials.tenant_id}, the client ID ${credentials.client_id}, that the service principal exists, and the app's federated credential (issuer, subject and audience on the provider's page).`
      : `Verify the tenant ID, the client ID ${credentials.client_id} and the client secret's Value, that the service principal exists and that the secret has not expired.`,
    401,
  );
}

// ---------------------------------------------------------------------------------------------------
// Federated credentials: Entra ID checks Cloudkeep's token against the app's federated identity credentials.
// The codes are Entra's own (as seen in its token endpoint's answers; https://login.microsoftonline.com/error?code=N):
//   50166   Request to External OIDC endpoint failed (Entra could not fetch the issuer's discovery or JWKS)
//   700211  No matching federated identity record found for presented assertion issuer '<iss>'
//   700212  … for presented assertion audience '<aud>'
//   700213  … for presented assertion subject '<sub>' (7002138: the subject matches only ignoring case)
//   70021   No matching federated identity record found for presented assertion (older, all three named)
//   700024  Client assertion is not within its valid time range
//   7000272 The certificate with identifier … used to sign the federated credential could not be found in the metadata of identity provider <iss>
//   50013   Assertion failed signature validation; 50027 JWT token is invalid or malformed
//   5002738 Invalid JWT token. '<alg>' is not a supported signature algorithm (Entra federates RSA-signed
//           tokens only: AzureAD/microsoft-identity-web#3467; Cloudkeep signs ES256)

export function federationUnavailable() {
  return providerFailure(
    "federation_unavailable",
    "A federated Azure connection needs the saved provider: Entra trusts a subject that names it (org:<organization>:provider:<provider>).",
    "Save the provider first; Cloudkeep issues its token for a saved provider. Then add the federated credential shown on its page and use Check now. (If it is saved, this Cloudkeep has no OIDC issuer: set CLOUDKEEP_OIDC_ISSUER.)",
    422,
  );
}

export function federationIssueFailed(): ProviderFailure {
  return providerFailure(
    "federation_issue_failed",
    "Cloudkeep could not issue its identity token for this provider, so nothing was sent to Entra ID.",
    "Check the functions' database connection and CLOUDKEEP_ENCRYPTION_KEYS (the issuer's signing keys are sealed with it).",
    502,
    true,
  );
}

/** An Entra refusal of Cloudkeep's token mapped by its AADSTS code; null when it is not about federation. */
export function federationFailure(
  aadsts: string | null,
  credentials: AzureCredentials,
  federation: FederationValues,
): ProviderFailure | null {
  const { issuer, subject, audience } = federation;
  const app = credentials.client_id;
  const add = `Add it with: ${azureFederatedCredentialCommand(app, issuer, subject)}`;
  switch (aadsts) {
    case "50166":
    case "501661":
    case "90061":
      return providerFailure(
        "federation_issuer_unreachable",
        `Entra ID could not fetch Cloudkeep's OIDC documents from ${issuer} (AADSTS${aadsts}).`,
        `Entra must reach ${issuer}/.well-known/openid-configuration and its JWKS over public https. Check CLOUDKEEP_OIDC_ISSUER is this Cloudkeep's public URL and that the oidc function is deployed (supabase functions deploy oidc).`,
        502,
        true,
      );
    case "700211":
      return providerFailure(
        "federation_issuer_mismatch",
        `App ${app} has no federated credential for Cloudkeep's issuer ${issuer} (AADSTS700211).`,
        `Add a federated credential with issuer ${issuer} exactly (case-sensitive, no trailing slash), subject ${subject} and audience ${audience}. ${add}`,
        401,
      );
    case "700212":
      return providerFailure(
        "federation_audience_mismatch",
        `App ${app} has no federated credential accepting the audience ${audience} (AADSTS700212).`,
        `The federated credential's audiences must be exactly ["${audience}"], with issuer ${issuer} and subject ${subject}. ${add}`,
        401,
      );
    case "700213":
    case "7002138":
      return providerFailure(
        "federation_subject_mismatch",
        `App ${app} has no federated credential for this provider's subject ${subject} (AADSTS${aadsts}${aadsts === "7002138" ? ": it matches one only if case is ignored" : ""}).`,
        `The federated credential's subject must be exactly ${subject} (case-sensitive), with issuer ${issuer} and audience ${audience}; a credential made for another provider names another subject. ${add}`,
        401,
      );
    case "70021":
      return providerFailure(
        "federation_no_matching_credential",
        `App ${app} has no federated credential matching Cloudkeep's token (AADSTS70021).`,
        `One federated credential must have issuer ${issuer}, subject ${subject} and audience ${audience}, each exactly. ${add}`,
        401,
      );
    case "700024":
      return providerFailure(
        "federation_token_expired",
        "Entra ID found Cloudkeep's token expired or not yet valid (AADSTS700024).",
        "Cloudkeep's tokens live five minutes: check the server clock (NTP) of Cloudkeep's functions, then try again.",
        401,
        true,
      );
    case "7000272":
      return providerFailure(
        "federation_key_not_published",
        `Entra ID did not find the key that signed Cloudkeep's token among the keys ${issuer} publishes (AADSTS7000272).`,
        `Entra reads ${issuer}/.well-known/jwks.json and caches it. Right after a signing key rotation, wait a few minutes and check again; rotate with npm run oidc:rotate, which publishes a key before it signs.`,
        401,
        true,
      );
    case "5002738":
      return providerFailure(
        "federation_algorithm_unsupported",
        `Entra ID refused the signature algorithm of Cloudkeep's token (AADSTS5002738). Cloudkeep signs Azure's tokens with RS256, which Entra accepts for federation.`,
        `Check that ${issuer}/.well-known/jwks.json lists an RSA key (alg RS256) and that no proxy in front of the issuer rewrites it; a tenant policy restricting algorithms would need RS256 allowed.`,
        401,
      );
    case "50013":
    case "50027":
      return providerFailure(
        "federation_signature_invalid",
        `Entra ID could not verify Cloudkeep's token with the keys ${issuer} publishes (AADSTS${aadsts}).`,
        `Check that ${issuer}/.well-known/jwks.json is served by this Cloudkeep (not a copy or a proxy's cache), then check again.`,
        401,
      );
    default:
      return null;
  }
}

export type SubscriptionProblem = { kind: "state"; state: string } | { kind: "not_found" } | { kind: "forbidden" };

/** The subscription exists but is not Enabled, cannot be found, or cannot be seen: "No enabled subscription found". */
export function subscriptionFailure(problem: SubscriptionProblem, credentials: AzureCredentials): ProviderFailure {
  const id = credentials.subscription_id;
  const why =
    problem.kind === "state"
      ? `subscription ${id} is ${problem.state}, not Enabled`
      : problem.kind === "not_found"
        ? `subscription ${id} does not exist in tenant ${credentials.tenant_id}, or the service principal has no role on it`
        : `the service principal has no role on subscription ${id}`;
  const hint =
    problem.kind === "state"
      ? `Azure portal → Subscriptions → ${id}: re-enable or reactivate it (a disabled or past-due subscription is read-only or off). ${SUBSCRIPTION_HINT(credentials)}`
      : SUBSCRIPTION_HINT(credentials);
  return providerFailure("subscription_not_enabled", `${NO_ENABLED_SUBSCRIPTION}: ${why}.`, hint, problem.kind === "state" ? 409 : 403);
}

export function permissionDenied(credentials: AzureCredentials, action: string): ProviderFailure {
  return providerFailure(
    "permission_denied",
    `The service principal may not ${action} in subscription ${credentials.subscription_id}.`,
    `Grant it the Reader role on the subscription: az role assignment create --assignee ${credentials.client_id} --role Reader --scope /subscriptions/${credentials.subscription_id}`,
    403,
  );
}

/** Removes secrets an endpoint might echo back, and keeps a provider's text short. */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 6) out = out.split(secret).join("[redacted]");
  out = out.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]");
  // Trace and correlation ids are noise in a message meant for a person.
  out = out.replace(/\s*(Trace ID|Correlation ID|Timestamp):.*$/s, "").trim();
  return out.length > 300 ? `${out.slice(0, 297)}…` : out;
}
