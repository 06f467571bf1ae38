// Azure: an app registration's service principal, scoped to one subscription. It proves itself with a
// client secret, or (auth_method "federated") with no secret at all: the app holds a federated identity
// credential trusting Cloudkeep's OIDC issuer for this provider's subject, and Cloudkeep presents its own
// token as the client assertion (see providers/azure.ts).
import { z } from "zod";
import { captures } from "../../captures.ts";
import {
  compact,
  credentialsObjectError,
  isBlank,
  optionalText,
  requiredText,
  UUID_PATTERN,
  withAliases,
  type CredentialDescription,
  type CredentialField,
  type CredentialVariant,
} from "./common.ts";

export type AzureSecretCredentials = {
  tenant_id: string;
  client_id: string;
  client_secret: string;
  subscription_id: string;
  subscription_name?: string;
  /** YYYY-MM-DD, or a full ISO timestamp in UTC. */
  client_secret_expires_at?: string;
};

/** No secret: Entra trusts Cloudkeep's token for this provider's subject (a federated identity credential on the app). */
export type AzureFederatedCredentials = {
  auth_method: "federated";
  tenant_id: string;
  client_id: string;
  subscription_id: string;
  subscription_name?: string;
};

export type AzureCredentials = AzureSecretCredentials | AzureFederatedCredentials;

export const AZURE_AUTH_METHODS = ["federated", "client_secret"] as const;

export function isAzureFederated(credentials: AzureCredentials): credentials is AzureFederatedCredentials {
  return (credentials as { auth_method?: unknown }).auth_method === "federated";
}

const FIELDS = ["tenant_id", "client_id", "client_secret", "subscription_id", "subscription_name", "client_secret_expires_at"] as const;

/** The names `az ad sp create-for-rbac` prints, and the ones other portals use. */
const ALIASES = { tenant: "tenant_id", appId: "client_id", app_id: "client_id", password: "client_secret" };

const UUID_EXAMPLE = "11111111-2222-3333-4444-555555555555";

function guid(label: string) {
  return requiredText(label, { pattern: UUID_PATTERN, message: `${label} must be a GUID like ${UUID_EXAMPLE}.` }).transform((value) =>
    value.toLowerCase(),
  );
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A calendar date (2026-12-31) or an ISO timestamp with a zone; 2026-02-30 is refused. */
function expiryDate(label: string) {
  return optionalText(label, { max: 40 }).transform((value, ctx) => {
    if (value === undefined) return undefined;
    const parts = DATE_ONLY.exec(value) ?? DATE_TIME.exec(value);
    const [year, month, day] = parts ? [Number(parts[1]), Number(parts[2]), Number(parts[3])] : [0, 0, 0];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    const valid =
      parts !== null &&
      calendar.getUTCFullYear() === year &&
      calendar.getUTCMonth() === month - 1 &&
      calendar.getUTCDate() === day &&
      !Number.isNaN(Date.parse(value));
    if (!valid) {
      ctx.addIssue({ code: "custom", message: `${label} must be a valid date like 2026-12-31.` });
      return z.NEVER;
    }
    return DATE_ONLY.test(value) ? value : new Date(value).toISOString();
  });
}

function azureSecretCredentialsSchema(): z.ZodType<AzureSecretCredentials, unknown> {
  return withAliases(
    FIELDS,
    ALIASES,
    z
      .object(
        {
          tenant_id: guid("Directory (tenant) ID"),
          client_id: guid("Application (client) ID"),
          client_secret: requiredText("Client secret").refine((value) => !UUID_PATTERN.test(value), {
            message: "Client secret looks like the secret's ID; copy the secret's Value from Certificates & secrets instead.",
          }),
          subscription_id: guid("Subscription ID"),
          subscription_name: optionalText("Subscription name", { max: 128 }),
          client_secret_expires_at: expiryDate("Client secret expiry"),
        },
        { error: credentialsObjectError() },
      )
      .transform((value) => compact(value)),
  );
}

const FEDERATED_FIELDS = ["tenant_id", "client_id", "subscription_id", "subscription_name"] as const;
/** Every name a client secret (or its expiry) may arrive under: none belongs in a federated credential. */
const SECRET_NAMES: Record<string, "client_secret" | "client_secret_expires_at"> = {
  client_secret: "client_secret",
  clientSecret: "client_secret",
  password: "client_secret",
  client_secret_expires_at: "client_secret_expires_at",
  clientSecretExpiresAt: "client_secret_expires_at",
};

function azureFederatedCredentialsSchema(): z.ZodType<AzureFederatedCredentials, unknown> {
  return withAliases(
    FEDERATED_FIELDS,
    { tenant: "tenant_id", appId: "client_id", app_id: "client_id" },
    z
      .object(
        {
          tenant_id: guid("Directory (tenant) ID"),
          client_id: guid("Application (client) ID"),
          subscription_id: guid("Subscription ID"),
          subscription_name: optionalText("Subscription name", { max: 128 }),
        },
        { error: credentialsObjectError() },
      )
      .transform((value) => compact({ auth_method: "federated" as const, ...value })),
  );
}

/**
 * Which Azure credential this is: `auth_method` when sent (in the credentials, or at the top of the create
 * body), else a client secret, as before federation existed. A secret sent with "federated" is refused
 * rather than stored: the point of federation is that no secret exists.
 */
export function azureCredentialsSchema(): z.ZodType<AzureCredentials, unknown> {
  const secret = azureSecretCredentialsSchema();
  const federated = azureFederatedCredentialsSchema();
  return z.unknown().transform((raw, ctx): AzureCredentials => {
    let rest = raw;
    let method: string = "client_secret";
    if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
      const { auth_method: snake, authMethod: camel, ...others } = raw as Record<string, unknown>;
      const sent = isBlank(snake) ? camel : snake;
      rest = others;
      if (!isBlank(sent)) {
        const word = typeof sent === "string" ? sent.trim().toLowerCase() : "";
        if (!(AZURE_AUTH_METHODS as readonly string[]).includes(word)) {
          ctx.addIssue({
            code: "custom",
            path: ["auth_method"],
            message: `Authentication method must be ${AZURE_AUTH_METHODS.join(" or ")}.`,
          });
          return z.NEVER;
        }
        method = word;
      }
      if (method === "federated") {
        const sentSecrets = Object.entries(others).filter(([name, value]) => name in SECRET_NAMES && !isBlank(value));
        for (const [name] of sentSecrets) {
          const field = SECRET_NAMES[name];
          if (field === undefined) continue; // never: sentSecrets kept only names in SECRET_NAMES
          ctx.addIssue({
            code: "custom",
            path: [field],
            message:
              field === "client_secret"
                ? "A federated connection has no client secret: remove it (Cloudkeep's token replaces it), or choose auth_method client_secret."
                : "A federated connection has no client secret, so no secret expiry: remove it, or choose auth_method client_secret.",
          });
        }
        if (sentSecrets.length) return z.NEVER;
      }
    }
    const parsed = (method === "federated" ? federated : secret).safeParse(rest);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  });
}

export const AZURE_SECRET_FIELDS = ["client_secret"] as const;

export const AZURE_FIELDS: CredentialField[] = [
  {
    name: "tenant_id",
    label: "Directory (tenant) ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: UUID_EXAMPLE,
    help: 'Azure portal → App registrations → your app → Overview: Directory (tenant) ID ("tenant" in az ad sp create-for-rbac output).',
  },
  {
    name: "client_id",
    label: "Application (client) ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: UUID_EXAMPLE,
    help: 'Same Overview page: Application (client) ID ("appId" in az ad sp create-for-rbac output).',
  },
  {
    name: "client_secret",
    label: "Client secret",
    type: "password",
    required: true,
    secret: true,
    help: 'Certificates & secrets → New client secret. Copy the Value, not the Secret ID ("password" in az ad sp create-for-rbac output).',
  },
  {
    name: "subscription_id",
    label: "Subscription ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: UUID_EXAMPLE,
    help: "Subscriptions → your subscription. Give the app the Reader role there (Access control (IAM) → Add role assignment).",
  },
  {
    name: "subscription_name",
    label: "Subscription name",
    type: "text",
    required: false,
    secret: false,
    help: "Optional friendly name for display.",
  },
  {
    name: "client_secret_expires_at",
    label: "Client secret expires",
    type: "date",
    required: false,
    secret: false,
    help: "The expiry you chose when creating the secret, so Cloudkeep can warn before it lapses.",
  },
];

const FEDERATED_CLIENT_ID_HELP =
  "App registrations → your app → Overview: Application (client) ID. After saving, the provider's page shows the federated credential to add to this app (issuer, subject, audience) and the az/Terraform that add it.";

/** The federated variant's inputs: the client-secret form without the secret and its expiry. */
export const AZURE_FEDERATED_FIELDS: CredentialField[] = AZURE_FIELDS.filter((field) => !field.name.startsWith("client_secret")).map(
  (field) => (field.name === "client_id" ? { ...field, help: FEDERATED_CLIENT_ID_HELP } : field),
);

/** The choice the add-provider form offers for Azure; the first is the default. */
export const AZURE_AUTH_VARIANTS: CredentialVariant[] = [
  {
    value: "federated",
    label: "No secret (federation)",
    description:
      "Workload identity federation: the app registration trusts Cloudkeep's OIDC issuer for this provider only. Nothing secret is stored.",
    fields: AZURE_FEDERATED_FIELDS,
  },
  {
    value: "client_secret",
    label: "Client secret",
    description: "A service principal's client secret, stored encrypted.",
    fields: AZURE_FIELDS,
  },
];

/** `app <client id> in tenant <tenant id>`: not secret, and what the setup panel needs without decrypting anything. */
export function federatedAzureHint(credentials: Pick<AzureFederatedCredentials, "client_id" | "tenant_id">): string {
  return `app ${credentials.client_id} in tenant ${credentials.tenant_id}`;
}

/** The app and tenant a federated Azure hint names (the inverse of federatedAzureHint), or null. */
export function parseFederatedAzureHint(hint: string | null): { clientId: string; tenantId: string } | null {
  const match = /^app (\S+) in tenant (\S+)$/.exec(hint ?? "");
  if (!match) return null;
  const [clientId, tenantId] = captures(match, 2);
  if (!UUID_PATTERN.test(clientId) || !UUID_PATTERN.test(tenantId)) return null;
  return { clientId, tenantId };
}

export function describeAzure(credentials: AzureCredentials): CredentialDescription {
  if (isAzureFederated(credentials)) {
    return {
      authMethod: "federated",
      accountIdentifier: credentials.subscription_id,
      credentialHint: federatedAzureHint(credentials),
      expiresAt: null,
    };
  }
  const expiry = credentials.client_secret_expires_at;
  return {
    authMethod: "client_secret",
    accountIdentifier: credentials.subscription_id,
    credentialHint: `${credentials.client_id.slice(0, 8)}…`,
    expiresAt: expiry === undefined ? null : DATE_ONLY.test(expiry) ? `${expiry}T00:00:00.000Z` : expiry,
  };
}

export function azureIdentity(credentials: AzureCredentials) {
  // One service principal may legitimately connect several subscriptions, each its own provider.
  return {
    tenant_id: credentials.tenant_id,
    client_id: credentials.client_id,
    subscription_id: credentials.subscription_id,
  };
}
