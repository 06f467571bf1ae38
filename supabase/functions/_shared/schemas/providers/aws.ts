// AWS: an IAM access key (long-term AKIA… or temporary ASIA… with its session token).
import { z } from "zod";
import {
  compact,
  credentialsObjectError,
  headTailHint,
  optionalText,
  requiredText,
  withAliases,
  type CredentialDescription,
  type CredentialField,
} from "./common.ts";

export type AwsCredentials = {
  access_key: string;
  secret_key: string;
  session_token?: string;
  region?: string;
};

export const AWS_ACCESS_KEY_PATTERN = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
export const AWS_SECRET_KEY_PATTERN = /^[A-Za-z0-9/+=]{40}$/;
/** us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1 … */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const AWS_REGION_MESSAGE = "must be an AWS region code like us-east-1 or eu-west-2.";

const FIELDS = ["access_key", "secret_key", "session_token", "region"] as const;

export function awsCredentialsSchema(): z.ZodType<AwsCredentials, unknown> {
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
  {
    name: "region",
    label: "Default region",
    type: "text",
    required: false,
    secret: false,
    placeholder: "us-east-1",
    help: "Where Cloudkeep calls STS and starts listing; leave empty for us-east-1.",
  },
];

export function describeAws(credentials: AwsCredentials): CredentialDescription {
  return {
    authMethod: credentials.session_token ? "session_token" : "access_key",
    // The account number is only known after a health check (sts:GetCallerIdentity).
    accountIdentifier: credentials.access_key,
    credentialHint: headTailHint(credentials.access_key),
    expiresAt: null,
  };
}

export function awsIdentity(credentials: AwsCredentials) {
  return { access_key: credentials.access_key };
}
