// Azure failures as stable codes with messages a person can act on. Entra ID (AAD) answers with
// AADSTS numbers inside its error_description; ARM with { error: { code, message } }.
import type { AzureCredentials } from "../schemas/providers.ts";
import type { ProviderFailure } from "./types.ts";

export const NO_ENABLED_SUBSCRIPTION = "No enabled subscription found";

const SUBSCRIPTION_HINT = (c: AzureCredentials) =>
  `Check the subscription ID (Azure portal → Subscriptions), and grant the service principal the Reader role on it: ` +
  `az role assignment create --assignee ${c.client_id} --role Reader --scope /subscriptions/${c.subscription_id}. ` +
  `Role assignments can take a few minutes to apply.`;

function failure(code: string, message: string, hint: string, status: number, retryable = false): ProviderFailure {
  return { code, message, hint, status, retryable };
}

/** The AADSTS number in an Entra ID error text, if any. */
export function aadstsCode(text: string): string | null {
  return /AADSTS(\d+)/.exec(text)?.[1] ?? null;
}

/** An Entra ID token refusal mapped by its AADSTS code; null when the text carries none we know. */
export function aadFailure(aadsts: string | null, credentials: AzureCredentials): ProviderFailure | null {
  switch (aadsts) {
    case "7000215":
      return failure(
        "invalid_client_secret",
        "Azure AD rejected the client secret (AADSTS7000215): the client secret is wrong — copy the secret's Value, not its ID.",
        "App registrations → your app → Certificates & secrets: the Value is shown only once, right after creating the secret. If it is lost, create a new client secret and paste its Value.",
        401,
      );
    case "7000222":
      return failure(
        "client_secret_expired",
        "The client secret has expired (AADSTS7000222).",
        "App registrations → your app → Certificates & secrets → New client secret, then rotate the credentials here with the new Value and its expiry date.",
        401,
      );
    case "700016":
      return failure(
        "application_not_found",
        `Application (client) ID ${credentials.client_id} was not found in tenant ${credentials.tenant_id} (AADSTS700016).`,
        "Check the Application (client) ID on the app registration's Overview page, and that the app is registered in (or consented to) this directory.",
        401,
      );
    case "90002":
    case "900023":
      return failure(
        "tenant_not_found",
        `Tenant ${credentials.tenant_id} was not found (AADSTS${aadsts}).`,
        "Use the Directory (tenant) ID from the app registration's Overview page — not the subscription ID — and check the directory still exists.",
        401,
      );
    case "7000229":
      return failure(
        "service_principal_missing",
        `The app ${credentials.client_id} has no service principal in tenant ${credentials.tenant_id} (AADSTS7000229).`,
        `Create one with az ad sp create --id ${credentials.client_id}, then grant it Reader on the subscription.`,
        401,
      );
    case "7000112":
      return failure(
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
  return failure(
    "authentication_failed",
    `Azure AD refused to issue a token${detail ? ` (${detail})` : ""}.`,
    `Verify the tenant ID, the client ID ${credentials.client_id} and the client secret's Value, that the service principal exists and that the secret has not expired.`,
    401,
  );
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
  return failure("subscription_not_enabled", `${NO_ENABLED_SUBSCRIPTION}: ${why}.`, hint, problem.kind === "state" ? 409 : 403);
}

export function permissionDenied(credentials: AzureCredentials, action: string): ProviderFailure {
  return failure(
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
