// Helpers shared by the add, edit and rotate dialogs: which credential inputs are secret, how the
// credentials object is assembled, and where an action's field errors belong.
import {
  CREDENTIAL_FIELDS,
  CREDENTIAL_VARIANTS,
  SECRET_FIELDS,
  type CredentialField,
  type CredentialVariant,
  type ProviderType,
} from "@/supabase/functions/_shared/schemas/providers.ts";

export type FieldErrors = Record<string, string[]>;
/** Non-secret credential inputs by field name (checkboxes are booleans). */
export type CredentialValues = Record<string, string | boolean>;
/** Secret inputs by field name; held only in memory, never in storage. */
export type SecretValues = Record<string, string>;

/** The value that picks a variant (AWS: access keys or a role); it travels in the credentials. */
export const VARIANT_FIELD = "auth_method";

/** The way in chosen in `values`, else the kind's first; null for kinds with only one. */
export function chosenVariant(kind: ProviderType, values?: CredentialValues): CredentialVariant | null {
  const variants = CREDENTIAL_VARIANTS[kind] ?? [];
  const [first] = variants;
  if (!first) return null;
  return variants.find((variant) => variant.value === values?.[VARIANT_FIELD]) ?? first;
}

/** The inputs to show: the chosen variant's, or the kind's only set. */
export function credentialFields(kind: ProviderType, values?: CredentialValues): CredentialField[] {
  return chosenVariant(kind, values)?.fields ?? CREDENTIAL_FIELDS[kind] ?? [];
}

/** A secret input renders as a password (or the key-file box), is never prefilled and never persisted. */
export function isSecretField(kind: ProviderType, field: CredentialField) {
  return field.secret || field.type === "password" || field.type === "file-json" || (SECRET_FIELDS[kind] ?? []).includes(field.name);
}

/** The credentials object an action expects: this kind's fields only, blanks left out. */
export function buildCredentials(kind: ProviderType, values: CredentialValues, secrets: SecretValues) {
  const credentials: Record<string, string | boolean> = {};
  for (const field of credentialFields(kind, values)) {
    const value = isSecretField(kind, field) ? secrets[field.name] : values[field.name];
    if (field.type === "checkbox") credentials[field.name] = value === true;
    else if (typeof value === "string" && value.trim() !== "") credentials[field.name] = value;
  }
  // The way in is always named, so the server parses the right shape (the first offered is not the API's default).
  const variant = chosenVariant(kind, values);
  if (variant) credentials[VARIANT_FIELD] = variant.value;
  return credentials;
}

/** Only the non-secret values of this kind's fields: what a draft may keep. */
export function nonSecretValues(kind: ProviderType, values: CredentialValues): CredentialValues {
  const kept: CredentialValues = {};
  for (const field of credentialFields(kind, values)) {
    const value = values[field.name];
    if (!isSecretField(kind, field) && value !== undefined) kept[field.name] = value;
  }
  if (chosenVariant(kind, values) && typeof values[VARIANT_FIELD] === "string") kept[VARIANT_FIELD] = values[VARIANT_FIELD];
  return kept;
}

/**
 * Splits action or schema errors by where they are shown. `credentials.x` (and nested paths such as
 * `credentials.service_account_json.private_key`) go to input x; `credentials` itself, or a path naming
 * no input, goes to the credentials step as a whole; `regions.3` goes to regions.
 */
export function splitFieldErrors(kind: ProviderType | null, errors: FieldErrors | undefined) {
  const top: FieldErrors = {};
  const credentials: FieldErrors = {};
  const credentialsForm: string[] = [];
  const every = kind ? [CREDENTIAL_FIELDS[kind] ?? [], ...(CREDENTIAL_VARIANTS[kind] ?? []).map((variant) => variant.fields)].flat() : [];
  const names = new Set([...every.map((field) => field.name), ...(kind && CREDENTIAL_VARIANTS[kind] ? [VARIANT_FIELD] : [])]);
  for (const [path, messages] of Object.entries(errors ?? {})) {
    // split always gives at least one part; the default is never used.
    const [head = path, second] = path.split(".");
    if (head === "credentials") {
      if (second && names.has(second)) (credentials[second] ??= []).push(...messages);
      else credentialsForm.push(...messages);
    } else {
      (top[head] ??= []).push(...messages);
    }
  }
  return { top, credentials, credentialsForm };
}

/** "us-east-1, eu-west-1" → ["us-east-1", "eu-west-1"]. */
export function parseRegionList(text: string) {
  return text
    .split(",")
    .map((region) => region.trim())
    .filter(Boolean);
}
