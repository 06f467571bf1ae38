// DigitalOcean, Linode and Vultr: one API token each, stored as `access_key` (the name programmatic
// users already send; `secret_key` is accepted and ignored, as those clients send it empty).
import { z } from "zod";
import { credentialsObjectError, requiredText, tailHint, withAliases, type CredentialDescription, type CredentialField } from "./common.ts";

export type TokenCredentials = {
  access_key: string;
};

const TOKEN_ALIASES = {
  token: "access_key",
  api_token: "access_key",
  apiToken: "access_key",
  api_key: "access_key",
  apiKey: "access_key",
  access_token: "access_key",
  accessToken: "access_key",
};

interface TokenKind {
  label: string;
  pattern: RegExp;
  message: string;
  placeholder: string;
  help: string;
}

/**
 * Shapes, checked against the providers' documentation and public secret-scanning rules:
 * - DigitalOcean personal access tokens: dop_v1_ + 64 lowercase hex.
 * - Linode personal access tokens: 64 lowercase hex.
 * - Vultr API keys: 36 uppercase letters and digits (as TruffleHog's Vultr detector also assumes).
 */
export const TOKEN_KINDS = {
  digitalocean: {
    label: "Personal access token",
    pattern: /^dop_v1_[a-f0-9]{64}$/,
    message: "Personal access token must be dop_v1_ followed by 64 lowercase hex characters.",
    placeholder: "dop_v1_…",
    help: "DigitalOcean control panel → API → Tokens → Generate New Token. Read scope is enough.",
  },
  linode: {
    label: "Personal access token",
    pattern: /^[a-f0-9]{64}$/,
    message: "Personal access token must be 64 lowercase hex characters.",
    placeholder: "64 hex characters",
    help: "Cloud Manager → your profile → API Tokens → Create a Personal Access Token. Read Only for Linodes is enough; also Volumes, Kubernetes, Databases and NodeBalancers (Read Only) to list those.",
  },
  vultr: {
    label: "API key",
    pattern: /^[A-Z0-9]{36}$/,
    message: "API key must be 36 uppercase letters and digits.",
    placeholder: "36 characters",
    help: "Vultr customer portal → Account → API → Enable API, then copy the key. If you restrict API access by IP, allow Cloudkeep's address.",
  },
} as const satisfies Record<string, TokenKind>;

export type TokenProviderType = keyof typeof TOKEN_KINDS;

export function tokenCredentialsSchema(kind: TokenProviderType): z.ZodType<TokenCredentials, unknown> {
  const { label, pattern, message } = TOKEN_KINDS[kind];
  return withAliases(
    ["access_key"],
    TOKEN_ALIASES,
    z.object({ access_key: requiredText(label, { max: 256, pattern, message }) }, { error: credentialsObjectError() }),
  );
}

export const TOKEN_SECRET_FIELDS = ["access_key"] as const;

export function tokenFields(kind: TokenProviderType): CredentialField[] {
  const { label, placeholder, help } = TOKEN_KINDS[kind];
  return [{ name: "access_key", label, type: "password", required: true, secret: true, placeholder, help }];
}

export function describeToken(credentials: TokenCredentials): CredentialDescription {
  // The account behind a token is unknown until a health check asks the provider.
  return { authMethod: "api_token", accountIdentifier: null, credentialHint: tailHint(credentials.access_key), expiresAt: null };
}

export function tokenIdentity(credentials: TokenCredentials) {
  return { access_key: credentials.access_key };
}
