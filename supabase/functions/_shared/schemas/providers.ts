// Cloud provider kinds, their credentials and the create body: one source for the portal form, the
// server action and the HTTP API. Parsed credentials come out CANONICAL (snake_case names from the
// brief's table) whatever aliases came in; messages name the field and never repeat a value.
import { z } from "zod";
import { captures } from "../captures.ts";
import { toFieldErrors } from "./field-errors.ts";
import { PROVIDER_ENVIRONMENT_VALUES, PROVIDER_TYPE_VALUES } from "../database.types.ts";
import {
  AWS_AUTH_VARIANTS,
  AWS_FIELDS,
  AWS_REGION_MESSAGE,
  AWS_REGION_PATTERN,
  AWS_SECRET_FIELDS,
  awsCredentialsSchema,
  awsIdentity,
  describeAws,
} from "./providers/aws.ts";
import {
  AZURE_AUTH_VARIANTS,
  AZURE_FIELDS,
  AZURE_SECRET_FIELDS,
  azureCredentialsSchema,
  azureIdentity,
  describeAzure,
} from "./providers/azure.ts";
import {
  checkUrl,
  GENERIC_REGION_PATTERN,
  isBlank,
  snakeToCamel,
  type CredentialDescription,
  type CredentialField,
  type CredentialVariant,
  type SchemaOptions,
} from "./providers/common.ts";
import { describeGcp, GCP_FIELDS, GCP_SECRET_FIELDS, gcpCredentialsSchema, gcpIdentity } from "./providers/gcp.ts";
import {
  describeGcpWorkloadIdentity,
  GCP_WORKLOAD_IDENTITY_FIELDS,
  gcpWorkloadIdentityIdentity,
  isGcpWorkloadIdentity,
  type GcpWorkloadIdentityCredentials,
} from "./providers/gcp-workload-identity.ts";
import {
  describeOpenStack,
  OPENSTACK_FIELDS,
  OPENSTACK_SECRET_FIELDS,
  openstackCredentialsSchema,
  openstackIdentity,
} from "./providers/openstack.ts";
import { describeS3, S3_FIELDS, S3_SECRET_FIELDS, s3CredentialsSchema, s3Identity } from "./providers/s3.ts";
import { describeToken, TOKEN_SECRET_FIELDS, tokenCredentialsSchema, tokenFields, tokenIdentity } from "./providers/tokens.ts";

import type { AwsCredentials, AwsKeyCredentials, AwsRoleCredentials, AwsWebIdentityCredentials } from "./providers/aws.ts";
import type { AzureCredentials, AzureFederatedCredentials, AzureSecretCredentials } from "./providers/azure.ts";
import type { GcpCredentials } from "./providers/gcp.ts";
import type { OpenStackCredentials } from "./providers/openstack.ts";
import type { S3CompatibleCredentials } from "./providers/s3.ts";
import type { TokenCredentials } from "./providers/tokens.ts";

export type { GcpWorkloadIdentityCredentials };
export { isGcpWorkloadIdentity };
export type { AzureFederatedCredentials, AzureSecretCredentials };
export { isAzureFederated } from "./providers/azure.ts";
export type {
  AwsCredentials,
  AwsKeyCredentials,
  AwsRoleCredentials,
  AwsWebIdentityCredentials,
  AzureCredentials,
  GcpCredentials,
  OpenStackCredentials,
  S3CompatibleCredentials,
  TokenCredentials,
};
export type {
  AuthMethod,
  CredentialDescription,
  CredentialField,
  CredentialFieldType,
  CredentialVariant,
  SchemaOptions,
} from "./providers/common.ts";
export { assumedRoleArn, isAwsRoleCredentials, isAwsWebIdentityCredentials, parseRoleArn, ROLE_ARN_EXAMPLE } from "./providers/aws.ts";
export { AUTH_METHODS } from "./providers/common.ts";
export { GCP_KEY_FIELD } from "./providers/gcp.ts";
export { DEFAULT_OPENSTACK_DOMAIN } from "./providers/openstack.ts";
export { DEFAULT_S3_REGION } from "./providers/s3.ts";

/** The provider_type enum, in the database's order (generated: database.types.ts). */
export const PROVIDER_TYPES = PROVIDER_TYPE_VALUES;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export const PROVIDER_LABELS: Record<ProviderType, string> = {
  aws: "Amazon Web Services",
  azure: "Microsoft Azure",
  gcp: "Google Cloud",
  digitalocean: "DigitalOcean",
  linode: "Linode",
  vultr: "Vultr",
  openstack: "OpenStack",
  s3_compatible: "S3-compatible storage",
};

export const ENVIRONMENTS = PROVIDER_ENVIRONMENT_VALUES;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isProviderType(value: unknown): value is ProviderType {
  return typeof value === "string" && (PROVIDER_TYPES as readonly string[]).includes(value);
}

/** Canonical credentials per kind, as stored (encrypted) and handed to the adapters. */
export interface CredentialsByType {
  aws: AwsCredentials;
  azure: AzureCredentials;
  gcp: GcpCredentials | GcpWorkloadIdentityCredentials;
  digitalocean: TokenCredentials;
  linode: TokenCredentials;
  vultr: TokenCredentials;
  openstack: OpenStackCredentials;
  s3_compatible: S3CompatibleCredentials;
}
export type CredentialsOf<K extends ProviderType> = CredentialsByType[K];
export type AnyCredentials = CredentialsByType[ProviderType];

/** The schema for one kind's `credentials`, accepting aliases and returning the canonical object. */
export function credentialsSchema<K extends ProviderType>(kind: K, options: SchemaOptions = {}): z.ZodType<CredentialsOf<K>, unknown> {
  const schemas: { [T in ProviderType]: () => z.ZodType<CredentialsOf<T>, unknown> } = {
    aws: awsCredentialsSchema,
    azure: azureCredentialsSchema,
    gcp: () => gcpCredentialsSchema(options),
    digitalocean: () => tokenCredentialsSchema("digitalocean"),
    linode: () => tokenCredentialsSchema("linode"),
    vultr: () => tokenCredentialsSchema("vultr"),
    openstack: openstackCredentialsSchema,
    s3_compatible: s3CredentialsSchema,
  };
  const build = schemas[kind];
  if (!build) throw new TypeError(`Unknown provider type; expected one of ${PROVIDER_TYPES.join(", ")}.`);
  return build();
}

/** Which canonical credential fields are secret: password inputs in the UI, never prefilled, never shown. */
export const SECRET_FIELDS: Record<ProviderType, readonly string[]> = {
  aws: AWS_SECRET_FIELDS,
  azure: AZURE_SECRET_FIELDS,
  gcp: GCP_SECRET_FIELDS,
  digitalocean: TOKEN_SECRET_FIELDS,
  linode: TOKEN_SECRET_FIELDS,
  vultr: TOKEN_SECRET_FIELDS,
  openstack: OPENSTACK_SECRET_FIELDS,
  s3_compatible: S3_SECRET_FIELDS,
};

/** The credential inputs of the add-provider form, per kind, in display order. */
export const CREDENTIAL_FIELDS: Record<ProviderType, CredentialField[]> = {
  aws: AWS_FIELDS,
  azure: AZURE_FIELDS,
  gcp: GCP_FIELDS,
  digitalocean: tokenFields("digitalocean"),
  linode: tokenFields("linode"),
  vultr: tokenFields("vultr"),
  openstack: OPENSTACK_FIELDS,
  s3_compatible: S3_FIELDS,
};

/**
 * Kinds that authenticate in more than one way (AWS: access keys or a role). The form offers a choice and
 * shows only the chosen variant's fields; CREDENTIAL_FIELDS holds the default variant's.
 */
export const CREDENTIAL_VARIANTS: Partial<Record<ProviderType, readonly CredentialVariant[]>> = {
  aws: AWS_AUTH_VARIANTS,
  azure: AZURE_AUTH_VARIANTS,
  gcp: [
    {
      value: "workload_identity",
      label: "No secret (federation)",
      description: "Workload identity federation: Google trusts Cloudkeep's OIDC issuer for this provider only. Nothing secret is stored.",
      fields: GCP_WORKLOAD_IDENTITY_FIELDS,
    },
    {
      value: "service_account_key",
      label: "Service account key",
      description: "A JSON key of a service account, stored encrypted.",
      fields: GCP_FIELDS,
    },
  ],
};

// ---------------------------------------------------------------------------------------------------
// api_endpoint

export interface ApiEndpointField {
  required: boolean;
  label: string;
  placeholder: string;
  help: string;
}

const OPTIONAL_ENDPOINT_HELP = "Leave empty for the provider's public API; set it only for a compatible or private endpoint.";

export const API_ENDPOINT_FIELDS: Record<ProviderType, ApiEndpointField> = {
  aws: { required: false, label: "API endpoint", placeholder: "https://sts.us-east-1.amazonaws.com", help: OPTIONAL_ENDPOINT_HELP },
  azure: { required: false, label: "API endpoint", placeholder: "https://management.azure.com", help: OPTIONAL_ENDPOINT_HELP },
  gcp: { required: false, label: "API endpoint", placeholder: "https://compute.googleapis.com", help: OPTIONAL_ENDPOINT_HELP },
  digitalocean: { required: false, label: "API endpoint", placeholder: "https://api.digitalocean.com", help: OPTIONAL_ENDPOINT_HELP },
  linode: { required: false, label: "API endpoint", placeholder: "https://api.linode.com", help: OPTIONAL_ENDPOINT_HELP },
  vultr: { required: false, label: "API endpoint", placeholder: "https://api.vultr.com", help: OPTIONAL_ENDPOINT_HELP },
  openstack: {
    required: true,
    label: "Keystone URL",
    placeholder: "https://keystone.example.com:5000/v3",
    help: "The Identity (Keystone) v3 endpoint, as in OS_AUTH_URL; /v3 is added if missing.",
  },
  s3_compatible: {
    required: true,
    label: "S3 endpoint",
    placeholder: "https://s3.example.com",
    help: "The service URL your S3 client uses, e.g. https://minio.example.com:9000, or https://nyc3.digitaloceanspaces.com for one region's DigitalOcean Spaces.",
  },
};

/** Keystone's v3 root: a pasted …/v3/auth/tokens is cut back to …/v3, a bare host gets /v3 added. */
function keystoneV3Path(pathname: string): string | { message: string } {
  const path = pathname.replace(/\/+$/, "");
  const v3 = /^(.*?\/v3)(?:\/.*)?$/.exec(path);
  if (v3) return captures(v3, 1)[0];
  if (/\/v2(\.0)?(\/|$)/.test(path)) {
    return { message: "Keystone URL points at the retired Identity v2.0 API; use the v3 URL (ending in /v3)." };
  }
  return `${path}/v3`;
}

/**
 * `api_endpoint` for one kind: an absolute URL without user info, fragment or query; https unless
 * allowHttp; required for openstack and s3_compatible. Outputs the normalised URL (no trailing slash;
 * Keystone URLs end in /v3), or null when absent.
 */
export function apiEndpointSchema(kind: ProviderType, { allowHttp = false }: SchemaOptions = {}): z.ZodType<string | null, unknown> {
  const field = API_ENDPOINT_FIELDS[kind];
  const label = field.label;
  return z
    .preprocess(
      (value) => (isBlank(value) ? undefined : typeof value === "string" ? value.trim() : value),
      z.string({ error: () => `${label} must be a URL like ${field.placeholder}.` }).optional(),
    )
    .transform((value, ctx) => {
      if (value === undefined) {
        if (!field.required) return null;
        ctx.addIssue({
          code: "custom",
          message: `${label} is required: the URL of the ${kind === "openstack" ? "Keystone v3 API" : "S3 service"}, like ${field.placeholder}.`,
        });
        return z.NEVER;
      }
      const checked = checkUrl(value, label, field.placeholder, allowHttp);
      if (!checked.ok) {
        ctx.addIssue({ code: "custom", message: checked.message });
        return z.NEVER;
      }
      const { url } = checked;
      if (url.search || value.includes("?")) {
        ctx.addIssue({ code: "custom", message: `${label} must not contain a query string (?…).` });
        return z.NEVER;
      }
      let path = url.pathname.replace(/\/+$/, "");
      if (kind === "openstack") {
        const v3 = keystoneV3Path(url.pathname);
        if (typeof v3 !== "string") {
          ctx.addIssue({ code: "custom", message: v3.message });
          return z.NEVER;
        }
        path = v3;
      }
      return `${url.protocol}//${url.host}${path}`;
    });
}

// ---------------------------------------------------------------------------------------------------
// The create body

export const providerNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? "Enter a name." : "Name must be text.") })
  .trim()
  .min(1, { message: "Enter a name." })
  .max(80, { message: "Name must be at most 80 characters." });

export const environmentSchema = z.preprocess(
  (value) => (isBlank(value) ? "production" : typeof value === "string" ? value.trim().toLowerCase() : value),
  z.enum(ENVIRONMENTS, { error: () => `Environment must be one of ${ENVIRONMENTS.join(", ")}.` }),
);

const MAX_REGIONS = 50;

/**
 * Regions as a JSON array or as the comma-separated text of a form field; blanks dropped, duplicates merged.
 * AWS regions must look like us-east-1; other kinds (or no kind) take any plain region name.
 */
export function regionsSchema(kind?: ProviderType) {
  const [pattern, message] =
    kind === "aws"
      ? [AWS_REGION_PATTERN, `Each region ${AWS_REGION_MESSAGE}`]
      : [GENERIC_REGION_PATTERN, "Each region must be 1–64 letters, digits, '.', '_' or '-' (like eastus, nyc3 or RegionOne)."];
  return z
    .preprocess(
      (value) => {
        if (isBlank(value)) return [];
        const items = typeof value === "string" ? value.split(",") : value;
        if (!Array.isArray(items)) return items;
        return items.map((item) => (typeof item === "string" ? item.trim() : item)).filter((item) => item !== "");
      },
      z
        .array(z.string({ error: () => "Each region must be text." }).regex(pattern, { message }), {
          error: () => "Regions must be a list of region names, or a comma-separated string of them.",
        })
        .max(MAX_REGIONS, { message: `List at most ${MAX_REGIONS} regions.` }),
    )
    .transform((regions) => [...new Set(regions)]);
}

function providerInputOption<K extends ProviderType>(kind: K, options: SchemaOptions) {
  return z.object({
    name: providerNameSchema,
    provider_type: z.literal(kind),
    api_endpoint: apiEndpointSchema(kind, options),
    environment: environmentSchema,
    regions: regionsSchema(kind),
    credentials: credentialsSchema(kind, options),
  });
}

const TOP_LEVEL_FIELDS = ["name", "provider_type", "api_endpoint", "environment", "regions", "credentials"];

/** Accepts camelCase top-level names and a provider type written "AWS" or "s3-compatible". */
function normalizeBody(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const normalized: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const name of TOP_LEVEL_FIELDS) {
    const camel = snakeToCamel(name);
    if (camel !== name && normalized[name] === undefined && normalized[camel] !== undefined) normalized[name] = normalized[camel];
  }
  if (typeof normalized.provider_type === "string") {
    normalized.provider_type = normalized.provider_type.trim().toLowerCase().replace(/-/g, "_");
  }
  // `{ "auth_method": "assume_role", "credentials": { "role_arn": … } }`: the method travels with the credentials it describes.
  const method = normalized.auth_method ?? normalized.authMethod;
  const credentials = normalized.credentials;
  if (
    method !== undefined &&
    credentials !== null &&
    typeof credentials === "object" &&
    !Array.isArray(credentials) &&
    !("auth_method" in credentials)
  ) {
    normalized.credentials = { ...credentials, auth_method: method };
  }
  return normalized;
}

const PROVIDER_TYPE_MESSAGE = `Provider type must be one of ${PROVIDER_TYPES.join(", ")}.`;

/** The create body as a discriminated union on provider_type (see ARCHITECTURE.md, "The HTTP API"). */
export function createProviderInputSchema(options: SchemaOptions = {}) {
  return z.preprocess(
    normalizeBody,
    z.discriminatedUnion(
      "provider_type",
      [
        providerInputOption("aws", options),
        providerInputOption("azure", options),
        providerInputOption("gcp", options),
        providerInputOption("digitalocean", options),
        providerInputOption("linode", options),
        providerInputOption("vultr", options),
        providerInputOption("openstack", options),
        providerInputOption("s3_compatible", options),
      ],
      {
        error: (issue) =>
          issue.code === "invalid_union"
            ? PROVIDER_TYPE_MESSAGE
            : issue.code === "invalid_type"
              ? "The provider must be a JSON object with name, provider_type and credentials."
              : undefined,
      },
    ),
  );
}

/** The create body for organizations that do not allow http endpoints. */
export const providerInputSchema = createProviderInputSchema();
const providerInputSchemaAllowingHttp = createProviderInputSchema({ allowHttp: true });

export type ProviderInput = z.output<typeof providerInputSchema>;
export type ProviderInputOf<K extends ProviderType> = Extract<ProviderInput, { provider_type: K }>;

/** Validates a create body; errors carry field paths such as `credentials.secret_key` or `api_endpoint`. */
export function parseProviderInput(body: unknown, { allowHttp = false }: SchemaOptions = {}) {
  return (allowHttp ? providerInputSchemaAllowingHttp : providerInputSchema).safeParse(body);
}

/** Validates credentials alone (rotation); error paths start with `credentials.` like the create body's. */
export function parseCredentials<K extends ProviderType>(kind: K, credentials: unknown, options: SchemaOptions = {}) {
  return z
    .object({ credentials: credentialsSchema(kind, options) })
    .transform((value) => value.credentials)
    .safeParse({ credentials });
}

/** Error messages keyed by dotted field path (`credentials.access_key`); errors about the whole body under "body". */
export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  return toFieldErrors(error.issues);
}

/** One line per problem, "credentials.access_key: Access key ID must be …", for API error messages. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join(".") || "body"}: ${issue.message}`);
}

/**
 * A metadata update (PATCH): only the keys sent come out, with no defaults. `api_endpoint` is passed
 * through as sent (string or null) because its rules depend on the provider's kind: check it with
 * apiEndpointSchema(kind, options). Credentials are not metadata; rotate them with parseCredentials.
 */
export const providerUpdateSchema = z.preprocess(
  (body) => {
    const normalized = normalizeBody(body);
    if (normalized === null || typeof normalized !== "object" || Array.isArray(normalized)) return normalized;
    const { environment } = normalized as Record<string, unknown>;
    return typeof environment === "string" ? { ...normalized, environment: environment.trim().toLowerCase() } : normalized;
  },
  z.object(
    {
      name: providerNameSchema.optional(),
      environment: z.enum(ENVIRONMENTS, { error: () => `Environment must be one of ${ENVIRONMENTS.join(", ")}.` }).optional(),
      regions: regionsSchema().optional(),
      api_endpoint: z.union([z.string(), z.null()], { error: () => "API endpoint must be a URL, or null to clear it." }).optional(),
    },
    { error: () => "The update must be a JSON object of the fields to change." },
  ),
);

export type ProviderUpdate = z.output<typeof providerUpdateSchema>;

// ---------------------------------------------------------------------------------------------------
// What is stored in the clear about a credential

type CredentialFacts = {
  describe(credentials: AnyCredentials, apiEndpoint: string | null): CredentialDescription;
  identity(credentials: AnyCredentials, apiEndpoint: string | null): Record<string, unknown>;
};

const tokenFacts: CredentialFacts = {
  describe: (c) => describeToken(c as TokenCredentials),
  identity: (c) => tokenIdentity(c as TokenCredentials),
};

/** Per provider type: how a credential is shown (hint, identifier) and what makes two the same (duplicate detection). */
const CREDENTIAL_FACTS: Record<ProviderType, CredentialFacts> = {
  aws: { describe: (c) => describeAws(c as AwsCredentials), identity: (c) => awsIdentity(c as AwsCredentials) },
  azure: { describe: (c) => describeAzure(c as AzureCredentials), identity: (c) => azureIdentity(c as AzureCredentials) },
  gcp: {
    describe: (c) => (isGcpWorkloadIdentity(c) ? describeGcpWorkloadIdentity(c) : describeGcp(c as GcpCredentials)),
    identity: (c) => (isGcpWorkloadIdentity(c) ? gcpWorkloadIdentityIdentity(c) : gcpIdentity(c as GcpCredentials)),
  },
  digitalocean: tokenFacts,
  linode: tokenFacts,
  vultr: tokenFacts,
  openstack: {
    describe: (c, endpoint) => describeOpenStack(c as OpenStackCredentials, endpoint),
    identity: (c, endpoint) => openstackIdentity(c as OpenStackCredentials, endpoint),
  },
  s3_compatible: {
    describe: (c, endpoint) => describeS3(c as S3CompatibleCredentials, endpoint),
    identity: (c, endpoint) => s3Identity(c as S3CompatibleCredentials, endpoint),
  },
};

function credentialFacts(kind: ProviderType): CredentialFacts {
  const facts = CREDENTIAL_FACTS[kind] as CredentialFacts | undefined;
  if (!facts) throw new TypeError(`Unknown provider type; expected one of ${PROVIDER_TYPES.join(", ")}.`);
  return facts;
}

/**
 * auth_method, account_identifier, credential_hint and credentials_expires_at for a canonical credential.
 * A hint never holds more than four characters of a secret field.
 */
export function describeCredential<K extends ProviderType>(
  kind: K,
  canonical: CredentialsOf<K>,
  apiEndpoint?: string | null,
): CredentialDescription {
  return credentialFacts(kind).describe(canonical as AnyCredentials, apiEndpoint ?? null);
}

/**
 * The fields that make two credentials "the same" for duplicate detection (what a fingerprint covers):
 * the access key id, not the default region; the token itself; for openstack and s3_compatible also the
 * endpoint, since user names and keys repeat across servers.
 */
export function credentialIdentity<K extends ProviderType>(
  kind: K,
  canonical: CredentialsOf<K>,
  apiEndpoint?: string | null,
): Record<string, unknown> {
  return credentialFacts(kind).identity(canonical as AnyCredentials, apiEndpoint ?? null);
}
