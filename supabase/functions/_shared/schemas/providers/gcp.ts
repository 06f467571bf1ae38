// GCP: a service-account key file (JSON), sent as the object itself, as a string of JSON (pasted or
// read from the uploaded file), or from the form as { service_account_json: "<file contents>" }.
import { z } from "zod";
import { captures } from "../../captures.ts";
import { gcpWorkloadIdentitySchema, wantsWorkloadIdentity, type GcpWorkloadIdentityCredentials } from "./gcp-workload-identity.ts";
import {
  compact,
  isBlank,
  optionalText,
  requiredText,
  urlField,
  withAliases,
  type CredentialDescription,
  type CredentialField,
  type SchemaOptions,
} from "./common.ts";

export type GcpCredentials = {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url?: string;
  client_x509_cert_url?: string;
  universe_domain?: string;
};

/** The form's single field, holding the key file's text. */
export const GCP_KEY_FIELD = "service_account_json";
const WRAPPER_NAMES = [GCP_KEY_FIELD, "serviceAccountJson"];

const FIELDS = [
  "type",
  "project_id",
  "private_key_id",
  "private_key",
  "client_email",
  "client_id",
  "auth_uri",
  "token_uri",
  "auth_provider_x509_cert_url",
  "client_x509_cert_url",
  "universe_domain",
] as const;

/** Other kinds of Google credential files, named so the message can say what was uploaded instead. */
const OTHER_KEY_TYPES: Record<string, string> = {
  authorized_user: "a user login from gcloud auth application-default login",
  external_account: "a workload identity federation configuration",
  impersonated_service_account: "an impersonation configuration",
  gdch_service_account: "a Google Distributed Cloud key",
};

/** 6–30 characters; legacy domain-scoped projects look like example.com:my-project. */
const PROJECT_ID_PATTERN = /^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/**
 * User-managed service accounts are NAME@PROJECT.iam.gserviceaccount.com. The Compute Engine and App
 * Engine default accounts (PROJECT_NUMBER-compute@developer…, PROJECT@appspot…) can also have keys, so
 * those two Google-owned domains are accepted as well; any other address is not a service account.
 */
const CLIENT_EMAIL_PATTERN =
  /^[a-z0-9][a-z0-9._-]*@(?:[a-z0-9][a-z0-9.-]*\.iam\.gserviceaccount\.com|developer\.gserviceaccount\.com|appspot\.gserviceaccount\.com)$/;
const PEM_PATTERN = /^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=\n]+)\n-----END PRIVATE KEY-----$/;

const PRIVATE_KEY_MESSAGE =
  "Private key must be the PEM key from the key file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.";

function privateKey() {
  return requiredText("Private key", { max: 16384 })
    .transform((value) => value.replace(/\\n/g, "\n").replace(/\r\n?/g, "\n").trim())
    .transform((value, ctx) => {
      const pem = PEM_PATTERN.exec(value);
      const body = pem ? captures(pem, 1)[0].replace(/\n/g, "") : undefined;
      if (!body || body.length < 100 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
        ctx.addIssue({ code: "custom", message: PRIVATE_KEY_MESSAGE });
        return z.NEVER;
      }
      return `${value}\n`;
    });
}

function keyObjectSchema(allowHttp: boolean) {
  return withAliases(
    FIELDS,
    {},
    z
      .object(
        {
          type: requiredText("Key type").transform((value, ctx) => {
            if (value === "service_account") return value;
            const other = OTHER_KEY_TYPES[value];
            ctx.addIssue({
              code: "custom",
              message: other
                ? `Key type is "${value}" (${other}); create a JSON key for a service account instead (type "service_account").`
                : `Key type must be "service_account"; create a JSON key under IAM & Admin → Service accounts → Keys.`,
            });
            return z.NEVER;
          }),
          project_id: requiredText("Project ID", {
            pattern: PROJECT_ID_PATTERN,
            message: "Project ID must be 6–30 lowercase letters, digits or hyphens, starting with a letter (like my-project-123456).",
          }),
          private_key_id: requiredText("Private key ID", {
            max: 128,
            pattern: /^[A-Za-z0-9_-]+$/,
            message: "Private key ID must be the key's ID from the key file (letters and digits).",
          }),
          private_key: privateKey(),
          client_email: requiredText("Client email", { max: 254 })
            .transform((value) => value.toLowerCase())
            .refine((value) => CLIENT_EMAIL_PATTERN.test(value), {
              message: "Client email must be the service account's address, ending in .iam.gserviceaccount.com.",
            }),
          client_id: requiredText("Client ID", {
            max: 32,
            pattern: /^\d+$/,
            message: "Client ID must be the service account's numeric ID from the key file.",
          }),
          auth_uri: urlField("Auth URI", "https://accounts.google.com/o/oauth2/auth", allowHttp),
          token_uri: urlField("Token URI", "https://oauth2.googleapis.com/token", allowHttp),
          auth_provider_x509_cert_url: optionalText("Auth provider certificate URL", { max: 2048 }),
          client_x509_cert_url: optionalText("Client certificate URL", { max: 2048 }),
          universe_domain: optionalText("Universe domain", { max: 253 }),
        },
        { error: () => "Service account key must be a JSON object: the contents of the key file, starting with {." },
      )
      .transform((value) => compact(value) as GcpCredentials),
  );
}

const NOT_JSON =
  "Service account key is not valid JSON. Paste the whole key file downloaded from the Google Cloud console (it starts with {), or upload the file.";

export function gcpCredentialsSchema({ allowHttp = false }: SchemaOptions = {}): z.ZodType<
  GcpCredentials | GcpWorkloadIdentityCredentials,
  unknown
> {
  const keyObject = keyObjectSchema(allowHttp);
  const workloadIdentity = gcpWorkloadIdentitySchema({ allowHttp });
  return z.unknown().transform((raw, ctx): GcpCredentials | GcpWorkloadIdentityCredentials => {
    let value = raw;
    let path: string[] = [];
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      // No key at all: the configuration of a workload identity pool provider (see gcp-workload-identity.ts).
      if (wantsWorkloadIdentity(value as Record<string, unknown>)) {
        const parsed = workloadIdentity.safeParse(value);
        if (parsed.success) return parsed.data;
        for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path.map(String), message: issue.message });
        return z.NEVER;
      }
      const { auth_method: method, ...rest } = value as Record<string, unknown>;
      if (method !== undefined && method !== "service_account_key") {
        ctx.addIssue({
          code: "custom",
          path: ["auth_method"],
          message: "Authentication method must be workload_identity or service_account_key.",
        });
        return z.NEVER;
      }
      value = rest;
      const record = value as Record<string, unknown>;
      const wrapper = WRAPPER_NAMES.find((name) => name in record);
      if (wrapper !== undefined) {
        value = record[wrapper];
        path = [GCP_KEY_FIELD];
      }
    }
    if (isBlank(value)) {
      ctx.addIssue({ code: "custom", path, message: "Service account key is required: paste the key file's JSON or upload the file." });
      return z.NEVER;
    }
    if (typeof value === "string") {
      try {
        value = JSON.parse(value.replace(/^\uFEFF/, ""));
      } catch {
        // JSON.parse's own message quotes the input, which holds a private key: never pass it on.
        ctx.addIssue({ code: "custom", path, message: NOT_JSON });
        return z.NEVER;
      }
    }
    const parsed = keyObject.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", path: [...path, ...issue.path.map(String)], message: issue.message });
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}

export const GCP_SECRET_FIELDS = ["private_key"] as const;

export const GCP_FIELDS: CredentialField[] = [
  {
    name: GCP_KEY_FIELD,
    label: "Service account key (JSON)",
    type: "file-json",
    required: true,
    secret: true,
    placeholder: '{ "type": "service_account", "project_id": … }',
    help:
      "IAM & Admin → Service accounts → your account → Keys → Add key → Create new key → JSON, or " +
      "gcloud iam service-accounts keys create key.json --iam-account=NAME@PROJECT_ID.iam.gserviceaccount.com. " +
      "Grant the account roles/compute.viewer on the project. Upload the file or paste its contents.",
  },
];

export function describeGcp(credentials: GcpCredentials): CredentialDescription {
  return {
    authMethod: "service_account_key",
    accountIdentifier: credentials.project_id,
    credentialHint: credentials.client_email,
    expiresAt: null,
  };
}

export function gcpIdentity(credentials: GcpCredentials) {
  return {
    project_id: credentials.project_id,
    client_email: credentials.client_email,
    private_key_id: credentials.private_key_id,
  };
}
