// Building blocks shared by the per-kind credential schemas. Messages name the field and what is
// expected; none of them ever repeats the value that was sent (it may be a secret).
import { z } from "zod";

export interface SchemaOptions {
  /** The organization allows plain http for private endpoints (and GCP token URIs). */
  allowHttp?: boolean;
}

export type CredentialFieldType = "text" | "password" | "textarea" | "checkbox" | "date" | "file-json";

/** One input of the add-provider form. `secret` fields render as password inputs and are never prefilled. */
export interface CredentialField {
  name: string;
  label: string;
  type: CredentialFieldType;
  required: boolean;
  secret: boolean;
  placeholder?: string;
  help?: string;
}

/**
 * One way of authenticating for kinds that offer several (AWS: access keys or a role). The form shows
 * a choice and only the chosen variant's fields; the credentials then carry `auth_method: value`.
 */
export interface CredentialVariant {
  value: string;
  label: string;
  description: string;
  fields: CredentialField[];
}

export const AUTH_METHODS = [
  "access_key",
  "session_token",
  "client_secret",
  "service_account_key",
  "api_token",
  "password",
  "application_credential",
  "assume_role",
  // No stored secret: Cloudkeep's OIDC issuer vouches for the provider (see _shared/federation).
  "web_identity",
  "workload_identity",
  "federated",
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** What may be stored and shown about a credential: never more than four characters of a secret. */
export interface CredentialDescription {
  authMethod: AuthMethod;
  /** The account the credential reaches, as far as it is known without calling the provider. */
  accountIdentifier: string | null;
  credentialHint: string;
  /** ISO timestamp when the credential stops working, when the user told us. */
  expiresAt: string | null;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const GENERIC_REGION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function stringSchema(label: string, required: boolean) {
  return z.string({
    error: (issue) => (issue.input === undefined ? (required ? `${label} is required.` : undefined) : `${label} must be text.`),
  });
}

interface TextOptions {
  /** Trim surrounding whitespace (pasted values); off for passwords, where a space may be meant. */
  trim?: boolean;
  max?: number;
  /** A shape the value must have, and the message saying what is expected. */
  pattern?: RegExp;
  message?: string;
}

function textSchema(label: string, required: boolean, { max = 1024, pattern, message }: TextOptions) {
  let schema = stringSchema(label, required).max(max, { message: `${label} must be at most ${max} characters.` });
  if (pattern) schema = schema.regex(pattern, { message: message ?? `${label} has the wrong format.` });
  return schema;
}

function normalizeText(value: unknown, trim: boolean) {
  return isBlank(value) ? undefined : trim && typeof value === "string" ? value.trim() : value;
}

/** A required string: blank (or null, or missing) is "<label> is required.". */
export function requiredText(label: string, options: TextOptions = {}) {
  return z.preprocess((value) => normalizeText(value, options.trim ?? true), textSchema(label, true, options));
}

/** An optional string: blank, null and missing all become undefined (forms send ""). */
export function optionalText(label: string, options: TextOptions = {}) {
  return z.preprocess((value) => normalizeText(value, options.trim ?? true), textSchema(label, false, options).optional());
}

/** A boolean from JSON or from a form: true/false, "true"/"false", "on"/"off", "1"/"0", "yes"/"no". */
export function formBoolean(label: string, defaultValue: boolean) {
  return z.preprocess(
    (value) => {
      if (isBlank(value)) return defaultValue;
      if (typeof value === "string") {
        const word = value.trim().toLowerCase();
        if (["true", "on", "1", "yes"].includes(word)) return true;
        if (["false", "off", "0", "no"].includes(word)) return false;
      }
      return value;
    },
    z.boolean({ error: () => `${label} must be true or false.` }),
  );
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Accepts other names for canonical fields (camelCase always, plus `extra`) and renames them before
 * validation, so error paths use the canonical names the form uses. Two names for one field with
 * different values are refused rather than silently picking one.
 */
export function withAliases<T extends z.ZodType>(canonicalNames: readonly string[], extra: Record<string, string>, schema: T) {
  const aliases: Record<string, string> = { ...extra };
  for (const name of canonicalNames) {
    const camel = snakeToCamel(name);
    if (camel !== name) aliases[camel] = name;
  }
  return z.preprocess((raw, ctx) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
    const renamed: Record<string, unknown> = {};
    const sentAs: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      const name = aliases[key] ?? key;
      if (!(name in renamed) || isBlank(renamed[name])) {
        renamed[name] = value;
        sentAs[name] = key;
      } else if (!isBlank(value) && renamed[name] !== value) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${sentAs[name]} and ${key} name the same field with different values; send only one of them.`,
        });
        return z.NEVER;
      }
    }
    return renamed;
  }, schema);
}

/** The error a credentials object itself gets when it is missing or not an object. */
export function credentialsObjectError(missing = "Credentials are required.") {
  return (issue: { input?: unknown }) =>
    issue.input === undefined || issue.input === null ? missing : "Credentials must be an object of named fields.";
}

/** Drops keys whose value is undefined, so canonical credentials serialise the same however they came in. */
export function compact<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (child !== undefined) out[key] = child;
  return out as T;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };

/**
 * An absolute http(s) URL with no user info and no fragment; https unless allowHttp.
 * `label` starts each message, `example` shows the expected shape.
 */
export function checkUrl(value: string, label: string, example: string, allowHttp: boolean): UrlCheck {
  if (/\s/.test(value) || value.length > 2048) {
    return { ok: false, message: `${label} must be an absolute URL like ${example}, without spaces.` };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: `${label} must be an absolute URL like ${example}.` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, message: `${label} must start with https:// (like ${example}).` };
  }
  if (!url.hostname) return { ok: false, message: `${label} must name a host, like ${example}.` };
  if (url.username || url.password || /^[a-z]+:\/\/[^/]*@/i.test(value)) {
    return {
      ok: false,
      message: `${label} must not contain a user name or password; enter credentials in the credential fields.`,
    };
  }
  if (value.includes("#")) return { ok: false, message: `${label} must not contain a fragment (#…).` };
  if (url.protocol === "http:" && !allowHttp) {
    return {
      ok: false,
      message: `${label} must use https://; plain http is allowed only when the organization allows http for private endpoints.`,
    };
  }
  return { ok: true, url };
}

/** A URL-valued string field (used inside credentials, e.g. a GCP token_uri). */
export function urlField(label: string, example: string, allowHttp: boolean) {
  return requiredText(label, { max: 2048 }).transform((value, ctx) => {
    const checked = checkUrl(value, label, example, allowHttp);
    if (!checked.ok) {
      ctx.addIssue({ code: "custom", message: checked.message });
      return z.NEVER;
    }
    return value;
  });
}

/** `AKIA…MPLE`: first four and last four, for identifiers that are not secret. */
export function headTailHint(value: string): string {
  return value.length > 8 ? `${value.slice(0, 4)}…${value.slice(-4)}` : `…${value.slice(-4)}`;
}

/** `…abcd`: the last four characters, the most a hint may show of a secret. */
export function tailHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
