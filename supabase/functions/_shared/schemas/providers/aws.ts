// AWS: an IAM access key (long-term AKIA… or temporary ASIA… with its session token), a role in
// the customer's account that Cloudkeep assumes with a per-provider external ID (no stored keys), or
// a role that trusts Cloudkeep's OIDC issuer for this provider's subject (web identity: no stored
// keys, and no AWS identity of Cloudkeep's own either).
import { z } from "zod";
import { captures } from "../../captures.ts";
import {
  compact,
  credentialsObjectError,
  headTailHint,
  isBlank,
  optionalText,
  requiredText,
  withAliases,
  type CredentialDescription,
  type CredentialField,
  type CredentialVariant,
} from "./common.ts";

export type AwsKeyCredentials = {
  access_key: string;
  secret_key: string;
  session_token?: string;
  region?: string;
};

/**
 * A role Cloudkeep assumes. `external_id` is never typed by anyone: the database issues it when the
 * provider is created and the domain seals it into the encrypted credential (domain/external-id.ts),
 * so an adapter holding these credentials always has the provider's own external ID.
 */
export type AwsRoleCredentials = {
  role_arn: string;
  /** Used instead of role_arn for health checks and listings when set. */
  read_only_role_arn?: string;
  region?: string;
  external_id?: string;
};

/**
 * A role whose trust policy names Cloudkeep's OIDC issuer (an IAM OIDC identity provider) and pins
 * this provider's subject: Cloudkeep calls sts:AssumeRoleWithWebIdentity with a token it issues.
 */
export type AwsWebIdentityCredentials = {
  auth_method: "web_identity";
  role_arn: string;
  read_only_role_arn?: string;
  region?: string;
};

export type AwsCredentials = AwsKeyCredentials | AwsRoleCredentials | AwsWebIdentityCredentials;

export function isAwsWebIdentityCredentials(credentials: AwsCredentials): credentials is AwsWebIdentityCredentials {
  return "auth_method" in credentials && credentials.auth_method === "web_identity";
}

/** A role Cloudkeep assumes with its own AWS identity and the provider's external ID (not web identity). */
export function isAwsRoleCredentials(credentials: AwsCredentials): credentials is AwsRoleCredentials {
  return "role_arn" in credentials && typeof credentials.role_arn === "string" && !isAwsWebIdentityCredentials(credentials);
}

export const AWS_AUTH_METHODS = ["access_key", "assume_role", "web_identity"] as const;
export type AwsAuthMethod = (typeof AWS_AUTH_METHODS)[number];

export const AWS_ACCESS_KEY_PATTERN = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
export const AWS_SECRET_KEY_PATTERN = /^[A-Za-z0-9/+=]{40}$/;
/** us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1 … */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const AWS_REGION_MESSAGE = "must be an AWS region code like us-east-1 or eu-west-2.";

const FIELDS = ["access_key", "secret_key", "session_token", "region"] as const;

function awsKeyCredentialsSchema(): z.ZodType<AwsKeyCredentials, unknown> {
  return withAliases(
    FIELDS,
    { access_key_id: "access_key", accessKeyId: "access_key", secret_access_key: "secret_key", secretAccessKey: "secret_key" },
    z
      .object(
        {
          access_key: requiredText("Access key ID", {
            pattern: AWS_ACCESS_KEY_PATTERN,
            message: "Access key ID must be 20 characters starting with AKIA or ASIA (like AKIAIOSFODNN7EXAMPLE).",
          }),
          secret_key: requiredText("Secret access key", {
            pattern: AWS_SECRET_KEY_PATTERN,
            message: "Secret access key must be exactly 40 characters of letters, digits, '/', '+' or '='.",
          }),
          session_token: optionalText("Session token", {
            max: 8192,
            pattern: /^[A-Za-z0-9/+=]{16,}$/,
            message: "Session token must be the base64 token issued with the temporary key (letters, digits, '/', '+', '=').",
          }),
          region: optionalText("Default region", { pattern: AWS_REGION_PATTERN, message: `Default region ${AWS_REGION_MESSAGE}` }),
        },
        { error: credentialsObjectError() },
      )
      .superRefine((value, ctx) => {
        const temporary = typeof value.access_key === "string" && value.access_key.startsWith("ASIA");
        if (temporary && !value.session_token) {
          ctx.addIssue({
            code: "custom",
            path: ["session_token"],
            message: "Session token is required with a temporary access key (one starting with ASIA).",
          });
        }
        if (!temporary && value.session_token) {
          ctx.addIssue({
            code: "custom",
            path: ["session_token"],
            message: "Session token goes only with temporary access keys (starting with ASIA); remove it for an AKIA key.",
          });
        }
      })
      .transform((value) => compact(value)),
  );
}

export const AWS_SECRET_FIELDS = ["secret_key", "session_token"] as const;

const AWS_REGION_FIELD: CredentialField = {
  name: "region",
  label: "Default region",
  type: "text",
  required: false,
  secret: false,
  placeholder: "us-east-1",
  help: "Where Cloudkeep calls STS and starts listing; leave empty for us-east-1.",
};

export const AWS_FIELDS: CredentialField[] = [
  {
    name: "access_key",
    label: "Access key ID",
    type: "text",
    required: true,
    secret: false,
    placeholder: "AKIAIOSFODNN7EXAMPLE",
    help: "IAM → Users → your Cloudkeep user → Security credentials → Create access key. Use a dedicated user with read-only policies (e.g. ReadOnlyAccess).",
  },
  {
    name: "secret_key",
    label: "Secret access key",
    type: "password",
    required: true,
    secret: true,
    help: "Shown once, when the access key is created: 40 characters.",
  },
  {
    name: "session_token",
    label: "Session token",
    type: "password",
    required: false,
    secret: true,
    help: "Only for temporary credentials from STS (access key IDs starting with ASIA).",
  },
  AWS_REGION_FIELD,
];

export function describeAws(credentials: AwsCredentials): CredentialDescription {
  if ("role_arn" in credentials) {
    const used = parseRoleArn(assumedRoleArn(credentials));
    return {
      authMethod: isAwsWebIdentityCredentials(credentials) ? "web_identity" : "assume_role",
      // A role ARN names its account, so the account is known before any check.
      accountIdentifier: used?.account ?? null,
      credentialHint: used ? `role/${used.path}${used.name}` : "role",
      expiresAt: null,
    };
  }
  return {
    authMethod: credentials.session_token ? "session_token" : "access_key",
    // The account number is only known after a health check (sts:GetCallerIdentity).
    accountIdentifier: credentials.access_key,
    credentialHint: headTailHint(credentials.access_key),
    expiresAt: null,
  };
}

export function awsIdentity(credentials: AwsCredentials) {
  if ("role_arn" in credentials) return { role_arn: credentials.role_arn };
  return { access_key: credentials.access_key };
}

// ---------------------------------------------------------------------------------------------------
// Roles

/** The role Cloudkeep assumes for reads: health checks, listings and the activity timeline. */
export function assumedRoleArn(credentials: AwsRoleCredentials | AwsWebIdentityCredentials): string {
  return credentials.read_only_role_arn ?? credentials.role_arn;
}

export type RoleArnParts = { account: string; path: string; name: string };

/** Role paths are `/` or `/a/b/`: printable ASCII without spaces, at most 512 characters. */
const ROLE_ARN_PATTERN = /^arn:aws:iam::(\d{12}):role\/((?:[!-.0-~]+\/)*)([\w+=,.@-]{1,64})$/;
export const ROLE_ARN_EXAMPLE = "arn:aws:iam::123456789012:role/CloudkeepReadOnly";

/** `{ account, path, name }` of a role ARN (path without the leading slash, with its trailing one), or null. */
export function parseRoleArn(arn: string): RoleArnParts | null {
  const match = ROLE_ARN_PATTERN.exec(arn);
  if (!match) return null;
  const [account, path, name] = captures(match, 3);
  if (path.length > 511) return null;
  return { account, path, name };
}

/** What is wrong with a role ARN, said so a person can fix it; null when it is a role ARN. */
export function roleArnProblem(label: string, value: string): string | null {
  if (parseRoleArn(value)) return null;
  if (/^arn:aws:sts::\d*:assumed-role\//.test(value)) {
    return `${label} is a session ARN (arn:aws:sts::…:assumed-role/…); use the role's own ARN, like ${ROLE_ARN_EXAMPLE}.`;
  }
  if (/^arn:aws-[a-z-]+:/.test(value))
    return `${label} must be in the standard AWS partition (arn:aws:…); Cloudkeep cannot assume roles in other partitions.`;
  const parts = /^arn:aws:iam::([^:]*):([^/]*)\/(.*)$/.exec(value);
  if (!parts) return `${label} must look like ${ROLE_ARN_EXAMPLE}.`;
  const [account, resource] = captures(parts, 3);
  if (!/^\d{12}$/.test(account)) return `${label} must name a 12-digit AWS account id, like ${ROLE_ARN_EXAMPLE}.`;
  if (resource !== "role") return `${label} must name a role (…:role/<name>), not a ${resource || "resource"}.`;
  return `${label} must end in a role name of 1–64 letters, digits or + = , . @ _ - (after an optional path like service/), like ${ROLE_ARN_EXAMPLE}.`;
}

function checkRoleArn(label: string) {
  return (value: string | undefined, ctx: z.RefinementCtx) => {
    const problem = value === undefined ? null : roleArnProblem(label, value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  };
}

const ROLE_FIELDS = ["role_arn", "read_only_role_arn", "region"] as const;

function awsRoleCredentialsSchema(): z.ZodType<AwsRoleCredentials, unknown> {
  return withAliases(
    ROLE_FIELDS,
    { RoleArn: "role_arn", arn: "role_arn", ReadOnlyRoleArn: "read_only_role_arn" },
    z
      .object(
        {
          role_arn: requiredText("Role ARN", { max: 2048 }).superRefine(checkRoleArn("Role ARN")),
          read_only_role_arn: optionalText("Read-only role ARN", { max: 2048 }).superRefine(checkRoleArn("Read-only role ARN")),
          region: optionalText("Default region", { pattern: AWS_REGION_PATTERN, message: `Default region ${AWS_REGION_MESSAGE}` }),
        },
        { error: credentialsObjectError() },
      )
      .superRefine((value, ctx) => {
        const main = parseRoleArn(value.role_arn ?? "");
        const readOnly = parseRoleArn(value.read_only_role_arn ?? "");
        if (main && readOnly && main.account !== readOnly.account) {
          ctx.addIssue({
            code: "custom",
            path: ["read_only_role_arn"],
            message: `Read-only role ARN must be in the same AWS account as the role (${main.account}).`,
          });
        }
      })
      .transform((value) => compact(value)),
  );
}

const KEY_NAMES = [
  "access_key",
  "accessKey",
  "access_key_id",
  "accessKeyId",
  "secret_key",
  "secretKey",
  "secret_access_key",
  "secretAccessKey",
  "session_token",
  "sessionToken",
];
const ROLE_NAMES = ["role_arn", "roleArn", "RoleArn", "arn", "read_only_role_arn", "readOnlyRoleArn", "ReadOnlyRoleArn"];

type MethodChoice = { method: AwsAuthMethod; rest: Record<string, unknown> } | { issue: { path: string[]; message: string } };

/**
 * Which AWS credential this is: `auth_method` when sent (in the credentials, or at the top of the create
 * body), else a role when a role ARN is there. Keys and a role together are refused, not guessed at, and
 * so is an external ID sent by a client: Cloudkeep issues it, or it would not protect anything.
 */
function chooseAwsMethod(raw: Record<string, unknown>): MethodChoice {
  const { auth_method: snake, authMethod: camel, ...rest } = raw;
  const sent = isBlank(snake) ? camel : snake;
  if (!isBlank(rest.external_id) || !isBlank(rest.externalId)) {
    return {
      issue: {
        path: ["external_id"],
        message: "The external ID is generated by Cloudkeep for each provider and cannot be set; leave it out.",
      },
    };
  }
  const has = (names: string[]) => names.some((name) => !isBlank(rest[name]));
  let method: AwsAuthMethod;
  if (!isBlank(sent)) {
    const word = typeof sent === "string" ? sent.trim().toLowerCase() : sent;
    if (!(AWS_AUTH_METHODS as readonly unknown[]).includes(word)) {
      return {
        issue: {
          path: ["auth_method"],
          message: `Authentication method must be ${AWS_AUTH_METHODS.slice(0, -1).join(", ")} or ${AWS_AUTH_METHODS.at(-1)}.`,
        },
      };
    }
    method = word as AwsAuthMethod;
  } else {
    method = has(ROLE_NAMES) && !has(KEY_NAMES) ? "assume_role" : "access_key";
  }
  if (method === "access_key" && has(ROLE_NAMES)) {
    return {
      issue: {
        path: has(KEY_NAMES) ? [] : ["role_arn"],
        message: "Send either an access key and secret or a role ARN (auth_method assume_role), not both.",
      },
    };
  }
  if ((method === "assume_role" || method === "web_identity") && has(KEY_NAMES)) {
    return {
      issue: {
        path: [],
        message: "A role needs no access keys: remove access_key, secret_key and session_token, or use auth_method access_key.",
      },
    };
  }
  return { method, rest };
}

export function awsCredentialsSchema(): z.ZodType<AwsCredentials, unknown> {
  const schemas = {
    access_key: awsKeyCredentialsSchema(),
    assume_role: awsRoleCredentialsSchema(),
    web_identity: awsRoleCredentialsSchema().transform((role): AwsWebIdentityCredentials => ({ auth_method: "web_identity", ...role })),
  };
  return z.unknown().transform((raw, ctx): AwsCredentials => {
    const choice: MethodChoice =
      raw !== null && typeof raw === "object" && !Array.isArray(raw)
        ? chooseAwsMethod(raw as Record<string, unknown>)
        : { method: "access_key", rest: raw as Record<string, unknown> };
    if ("issue" in choice) {
      ctx.addIssue({ code: "custom", ...choice.issue });
      return z.NEVER;
    }
    const parsed = (schemas[choice.method] as z.ZodType<AwsCredentials, unknown>).safeParse(choice.rest);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

const AWS_ROLE_ARN_FIELD: CredentialField = {
  name: "role_arn",
  label: "Role ARN",
  type: "text",
  required: true,
  secret: false,
  placeholder: ROLE_ARN_EXAMPLE,
  help: "The role Cloudkeep will assume, in the account to connect. After saving, Cloudkeep shows a CloudFormation template (or Terraform) that creates it with this name, trusting Cloudkeep with this provider's external ID.",
};

export const AWS_ROLE_FIELDS: CredentialField[] = [
  AWS_ROLE_ARN_FIELD,
  {
    name: "read_only_role_arn",
    label: "Read-only role ARN",
    type: "text",
    required: false,
    secret: false,
    placeholder: "arn:aws:iam::123456789012:role/CloudkeepAudit",
    help: "Optional: a second role in the same account that checks and listings use instead.",
  },
  AWS_REGION_FIELD,
];

export const AWS_WEB_IDENTITY_FIELDS: CredentialField[] = [
  {
    ...AWS_ROLE_ARN_FIELD,
    help: "The role Cloudkeep will assume with its own OIDC token, in the account to connect. After saving, Cloudkeep shows the CloudFormation template (or Terraform, or AWS CLI) that creates the OIDC identity provider and this role, trusting this provider's subject only.",
  },
  ...AWS_ROLE_FIELDS.slice(1),
];

/** The choice the add-provider form offers for AWS; the first is the default. */
export const AWS_AUTH_VARIANTS: CredentialVariant[] = [
  {
    value: "web_identity",
    label: "No secret (federation)",
    description:
      "Web identity federation: your account trusts Cloudkeep's OIDC issuer for this provider only. Nothing secret is stored, on either side.",
    fields: AWS_WEB_IDENTITY_FIELDS,
  },
  {
    value: "assume_role",
    label: "Role",
    description: "No stored keys: Cloudkeep assumes a role in your account, with an external ID only this provider knows.",
    fields: AWS_ROLE_FIELDS,
  },
  { value: "access_key", label: "Access keys", description: "An IAM user's access key and secret, stored encrypted.", fields: AWS_FIELDS },
];
