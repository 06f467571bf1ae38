// Google Cloud by workload identity federation: no key. The credential is the configuration file
// `gcloud iam workload-identity-pools create-cred-config` writes (type external_account: the pool
// provider's audience, the STS token URL, optionally the service account to impersonate), plus the
// project to read, which that file does not name. Its credential_source is ignored: Cloudkeep's
// own OIDC issuer supplies the subject token.
import { z } from "zod";
import { captures } from "../../captures.ts";
import { checkUrl, isBlank, requiredText, type CredentialDescription, type CredentialField, type SchemaOptions } from "./common.ts";

export type GcpWorkloadIdentityCredentials = {
  type: "external_account";
  project_id: string;
  /** //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider> */
  audience: string;
  subject_token_type: typeof JWT_TOKEN_TYPE;
  token_url: string;
  service_account_impersonation_url?: string;
};

export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
export const GCP_STS_TOKEN_URL = "https://sts.googleapis.com/v1/token";
/** The form's fields: the configuration file's text, and the project. */
export const GCP_CREDENTIAL_CONFIG_FIELD = "credential_config";

const AUDIENCE_PATTERN =
  /^\/\/iam\.googleapis\.com\/projects\/(\d{1,20})\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})\/providers\/([a-z0-9-]{4,32})$/;
const IMPERSONATION_PATH = /\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;
const PROJECT_ID_PATTERN = /^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const EXAMPLE_AUDIENCE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/cloudkeep/providers/cloudkeep";

export function isGcpWorkloadIdentity(credentials: unknown): credentials is GcpWorkloadIdentityCredentials {
  return credentials !== null && typeof credentials === "object" && (credentials as { type?: unknown }).type === "external_account";
}

/** The parts of a pool provider's audience, or null. */
export function parsePoolAudience(audience: string): { projectNumber: string; pool: string; provider: string } | null {
  const match = AUDIENCE_PATTERN.exec(audience);
  if (!match) return null;
  const [projectNumber, pool, provider] = captures(match, 3);
  return { projectNumber, pool, provider };
}

/** The service account an impersonation URL names, or null. */
export function impersonatedAccount(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const match = IMPERSONATION_PATH.exec(new URL(url).pathname);
    return match ? decodeURIComponent(captures(match, 1)[0]) : null;
  } catch {
    return null;
  }
}

/** True when the raw credentials ask for workload identity (the method named, or a pasted external_account file). */
export function wantsWorkloadIdentity(raw: Record<string, unknown>): boolean {
  const method = raw.auth_method ?? raw.authMethod;
  if (typeof method === "string" && method.trim().toLowerCase() === "workload_identity") return true;
  return raw.type === "external_account";
}

const NOT_JSON =
  "Credential configuration is not valid JSON. Paste the whole file gcloud iam workload-identity-pools create-cred-config wrote (it starts with {).";

function url(label: string, value: unknown, allowHttp: boolean, ctx: z.RefinementCtx, path: string[]): string | undefined {
  if (typeof value !== "string" || value.trim() === "") {
    ctx.addIssue({ code: "custom", path, message: `${label} is required in the credential configuration.` });
    return undefined;
  }
  const checked = checkUrl(value.trim(), label, GCP_STS_TOKEN_URL, allowHttp);
  if (!checked.ok) {
    ctx.addIssue({ code: "custom", path, message: checked.message });
    return undefined;
  }
  return value.trim();
}

/** Accepts `{ credential_config: "<file text>" | {…}, project_id }` (the form) or the file's object with project_id added (the API). */
export function gcpWorkloadIdentitySchema({ allowHttp = false }: SchemaOptions = {}): z.ZodType<GcpWorkloadIdentityCredentials, unknown> {
  return z.unknown().transform((raw, ctx): GcpWorkloadIdentityCredentials => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      ctx.addIssue({ code: "custom", message: "Credentials must be an object of named fields." });
      return z.NEVER;
    }
    const record = raw as Record<string, unknown>;
    let config: unknown = record[GCP_CREDENTIAL_CONFIG_FIELD] ?? record.credentialConfig ?? record;
    const configPath = config === record ? [] : [GCP_CREDENTIAL_CONFIG_FIELD];
    if (isBlank(config)) {
      ctx.addIssue({
        code: "custom",
        path: [GCP_CREDENTIAL_CONFIG_FIELD],
        message: "Credential configuration is required: paste the JSON file gcloud wrote.",
      });
      return z.NEVER;
    }
    if (typeof config === "string") {
      try {
        config = JSON.parse(config.replace(/^\uFEFF/, ""));
      } catch {
        ctx.addIssue({ code: "custom", path: configPath, message: NOT_JSON });
        return z.NEVER;
      }
    }
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
      ctx.addIssue({ code: "custom", path: configPath, message: NOT_JSON });
      return z.NEVER;
    }
    const file = config as Record<string, unknown>;
    const before = ctx.issues.length;
    if (file.type !== "external_account") {
      ctx.addIssue({
        code: "custom",
        path: configPath,
        message: `Credential configuration must be of type "external_account" (from gcloud iam workload-identity-pools create-cred-config)${file.type === "service_account" ? "; this is a service account key — choose Service account key instead" : ""}.`,
      });
      return z.NEVER;
    }
    const audience = typeof file.audience === "string" ? file.audience.trim() : "";
    if (!parsePoolAudience(audience)) {
      ctx.addIssue({
        code: "custom",
        path: [...configPath, "audience"],
        message: `audience must name a workload identity pool provider, like ${EXAMPLE_AUDIENCE}.`,
      });
    }
    if (file.subject_token_type !== JWT_TOKEN_TYPE) {
      ctx.addIssue({
        code: "custom",
        path: [...configPath, "subject_token_type"],
        message: `subject_token_type must be ${JWT_TOKEN_TYPE}: Cloudkeep presents an OIDC token (create the configuration for an OIDC provider).`,
      });
    }
    const tokenUrl = url("token_url", file.token_url ?? GCP_STS_TOKEN_URL, allowHttp, ctx, [...configPath, "token_url"]);
    const impersonation = isBlank(file.service_account_impersonation_url)
      ? undefined
      : url("service_account_impersonation_url", file.service_account_impersonation_url, allowHttp, ctx, [
          ...configPath,
          "service_account_impersonation_url",
        ]);
    if (impersonation && !impersonatedAccount(impersonation)) {
      ctx.addIssue({
        code: "custom",
        path: [...configPath, "service_account_impersonation_url"],
        message: "service_account_impersonation_url must end in /v1/projects/-/serviceAccounts/<email>:generateAccessToken.",
      });
    }
    const projectParsed = requiredText("Project ID", {
      pattern: PROJECT_ID_PATTERN,
      message: "Project ID must be 6–30 lowercase letters, digits or hyphens, starting with a letter (like my-project-123456).",
    }).safeParse(record.project_id ?? record.projectId ?? file.project_id);
    if (!projectParsed.success)
      for (const issue of projectParsed.error.issues) ctx.addIssue({ code: "custom", path: ["project_id"], message: issue.message });
    if (ctx.issues.length > before || !projectParsed.success || !tokenUrl) return z.NEVER;
    return {
      type: "external_account",
      project_id: projectParsed.data as string,
      audience,
      subject_token_type: JWT_TOKEN_TYPE,
      token_url: tokenUrl,
      ...(impersonation ? { service_account_impersonation_url: impersonation } : {}),
    };
  });
}

export const GCP_WORKLOAD_IDENTITY_FIELDS: CredentialField[] = [
  {
    name: GCP_CREDENTIAL_CONFIG_FIELD,
    label: "Credential configuration (JSON)",
    type: "textarea",
    required: true,
    secret: false,
    placeholder: '{ "type": "external_account", "audience": "//iam.googleapis.com/projects/…", … }',
    help:
      "The file gcloud iam workload-identity-pools create-cred-config writes for the pool provider that trusts Cloudkeep's issuer (no key inside). " +
      "After saving, the provider's page shows the exact subject to bind and the gcloud/Terraform commands.",
  },
  {
    name: "project_id",
    label: "Project ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: "my-project-123456",
    help: "The project whose Compute Engine instances Cloudkeep lists (the configuration file does not name it).",
  },
];

export function describeGcpWorkloadIdentity(credentials: GcpWorkloadIdentityCredentials): CredentialDescription {
  const pool = parsePoolAudience(credentials.audience);
  const account = impersonatedAccount(credentials.service_account_impersonation_url);
  return {
    authMethod: "workload_identity",
    accountIdentifier: credentials.project_id,
    // Not secret, and what the setup panel needs without decrypting anything (see federation/setup.ts).
    credentialHint: `${account ?? "direct"} via ${pool ? `${pool.projectNumber}/${pool.pool}/${pool.provider}` : "workload identity"}`,
    expiresAt: null,
  };
}

/** The pool provider and service account a workload identity hint names (the inverse of the hint above). */
export function parseWorkloadIdentityHint(
  hint: string | null,
): { account: string | null; projectNumber: string; pool: string; provider: string } | null {
  const match = /^(\S+) via (\d+)\/([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(hint ?? "");
  if (!match) return null;
  const [account, projectNumber, pool, provider] = captures(match, 4);
  return { account: account === "direct" ? null : account, projectNumber, pool, provider };
}

export function gcpWorkloadIdentityIdentity(credentials: GcpWorkloadIdentityCredentials) {
  return {
    audience: credentials.audience,
    project_id: credentials.project_id,
    service_account: impersonatedAccount(credentials.service_account_impersonation_url),
  };
}
