// S3-compatible storage (MinIO, Ceph RGW, Wasabi, R2, …): an access key pair for the endpoint in api_endpoint.
import { z } from "zod";
import {
  credentialsObjectError,
  formBoolean,
  headTailHint,
  optionalText,
  requiredText,
  withAliases,
  type CredentialDescription,
  type CredentialField,
} from "./common.ts";

export type S3CompatibleCredentials = {
  access_key: string;
  secret_key: string;
  region: string;
  force_path_style: boolean;
};

export const DEFAULT_S3_REGION = "us-east-1";

const FIELDS = ["access_key", "secret_key", "region", "force_path_style"] as const;

/** Printable ASCII without spaces. Lengths cover the servers we know: MinIO 3+/8+, R2 32/64, Ceph 20/40. */
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

export function s3CredentialsSchema(): z.ZodType<S3CompatibleCredentials, unknown> {
  return withAliases(
    FIELDS,
    {
      access_key_id: "access_key",
      accessKeyId: "access_key",
      secret_access_key: "secret_key",
      secretAccessKey: "secret_key",
      path_style: "force_path_style",
      pathStyle: "force_path_style",
    },
    z.object(
      {
        access_key: requiredText("Access key", {
          max: 128,
          pattern: KEY_CHARACTERS,
          message: "Access key must not contain spaces.",
        }).refine((value) => value.length >= 3, { message: "Access key must be at least 3 characters." }),
        secret_key: requiredText("Secret key", {
          max: 256,
          pattern: KEY_CHARACTERS,
          message: "Secret key must not contain spaces.",
        }).refine((value) => value.length >= 8, { message: "Secret key must be at least 8 characters." }),
        region: optionalText("Region", {
          max: 64,
          pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
          message: "Region must be a region name like us-east-1 (letters, digits, '.', '_' or '-').",
        }).transform((value) => value ?? DEFAULT_S3_REGION),
        force_path_style: formBoolean("Path-style addressing", false),
      },
      { error: credentialsObjectError() },
    ),
  );
}

export const S3_SECRET_FIELDS = ["secret_key"] as const;

export const S3_FIELDS: CredentialField[] = [
  { name: "access_key", label: "Access key", type: "text", required: true, secret: false },
  { name: "secret_key", label: "Secret key", type: "password", required: true, secret: true },
  {
    name: "region",
    label: "Region",
    type: "text",
    required: false,
    secret: false,
    placeholder: DEFAULT_S3_REGION,
    help: "The region the server expects in signatures; most single-region servers accept us-east-1.",
  },
  {
    name: "force_path_style",
    label: "Path-style addressing",
    type: "checkbox",
    required: false,
    secret: false,
    help: "Turn on for MinIO and other servers without per-bucket DNS names (https://host/bucket instead of https://bucket.host).",
  },
];

export function describeS3(credentials: S3CompatibleCredentials, apiEndpoint?: string | null): CredentialDescription {
  let host: string | null = null;
  try {
    host = apiEndpoint ? new URL(apiEndpoint).host : null;
  } catch {
    host = null;
  }
  return {
    authMethod: "access_key",
    accountIdentifier: host ? `${host}/${credentials.access_key}` : credentials.access_key,
    credentialHint: headTailHint(credentials.access_key),
    expiresAt: null,
  };
}

export function s3Identity(credentials: S3CompatibleCredentials, apiEndpoint: string | null) {
  // Access keys such as "minioadmin" repeat across servers; the endpoint tells them apart.
  return { endpoint: apiEndpoint, access_key: credentials.access_key };
}
