// Azure: a service principal (app registration) with a client secret, scoped to one subscription.
import { z } from "zod";
import {
  compact,
  credentialsObjectError,
  optionalText,
  requiredText,
  UUID_PATTERN,
  withAliases,
  type CredentialDescription,
  type CredentialField,
} from "./common.ts";

export type AzureCredentials = {
  tenant_id: string;
  client_id: string;
  client_secret: string;
  subscription_id: string;
  subscription_name?: string;
  /** YYYY-MM-DD, or a full ISO timestamp in UTC. */
  client_secret_expires_at?: string;
};

const FIELDS = [
  "tenant_id",
  "client_id",
  "client_secret",
  "subscription_id",
  "subscription_name",
  "client_secret_expires_at",
] as const;

/** The names `az ad sp create-for-rbac` prints, and the ones other portals use. */
const ALIASES = { tenant: "tenant_id", appId: "client_id", app_id: "client_id", password: "client_secret" };

const UUID_EXAMPLE = "11111111-2222-3333-4444-555555555555";

function guid(label: string) {
  return requiredText(label, { pattern: UUID_PATTERN, message: `${label} must be a GUID like ${UUID_EXAMPLE}.` }).transform(
    (value) => value.toLowerCase(),
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

export function azureCredentialsSchema(): z.ZodType<AzureCredentials, unknown> {
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

export const AZURE_SECRET_FIELDS = ["client_secret"] as const;

export const AZURE_FIELDS: CredentialField[] = [
  {
    name: "tenant_id",
    label: "Directory (tenant) ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: UUID_EXAMPLE,
    help: "Azure portal → App registrations → your app → Overview: Directory (tenant) ID (\"tenant\" in az ad sp create-for-rbac output).",
  },
  {
    name: "client_id",
    label: "Application (client) ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: UUID_EXAMPLE,
    help: "Same Overview page: Application (client) ID (\"appId\" in az ad sp create-for-rbac output).",
  },
  {
    name: "client_secret",
    label: "Client secret",
    type: "password",
    required: true,
    secret: true,
    help: "Certificates & secrets → New client secret. Copy the Value, not the Secret ID (\"password\" in az ad sp create-for-rbac output).",
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

export function describeAzure(credentials: AzureCredentials): CredentialDescription {
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
