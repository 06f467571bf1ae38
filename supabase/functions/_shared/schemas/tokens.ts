// API token input: one source for the portal's create dialog, its server action and
// POST /api/tokens. The database checks the same scope list (api_tokens_scopes).
import { z } from "zod";

export const API_TOKEN_SCOPES = ["providers:read", "providers:write", "health:run", "resources:read"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const API_TOKEN_SCOPE_DESCRIPTIONS: Record<ApiTokenScope, string> = {
  "providers:read": "List and read providers and their health history.",
  "providers:write": "Add, change, rotate, suspend and delete providers; test credentials.",
  "health:run": "Run health checks now; together with resources:read, also refresh resources and AWS activity live.",
  "resources:read": "Read the stored resource inventory and, for AWS, the account's activity.",
};

export function isApiTokenScope(value: unknown): value is ApiTokenScope {
  return typeof value === "string" && (API_TOKEN_SCOPES as readonly string[]).includes(value);
}

/** Every token starts with this, so a service (and a secret scanner) can tell it from a JWT. */
export const API_TOKEN_PREFIX = "ck_";
/** `ck_` and 43 base62 characters: 256 random bits. */
export const API_TOKEN_PATTERN = /^ck_[0-9A-Za-z]{43}$/;
export const MAX_EXPIRY_DAYS = 3650;
const DAY_MS = 86_400_000;

const name = z
  .string({ error: "Give the token a name, like the service that will use it." })
  .trim()
  .min(1, "Give the token a name, like the service that will use it.")
  .max(80, "Keep the name to 80 characters.");

/** At least one scope; duplicates dropped; always in the canonical order. */
const scopes = z
  .array(z.enum(API_TOKEN_SCOPES, { error: () => `Each scope must be one of ${API_TOKEN_SCOPES.join(", ")}.` }), {
    error: "Choose at least one scope.",
  })
  .min(1, "Choose at least one scope.")
  .transform((chosen) => API_TOKEN_SCOPES.filter((scope) => chosen.includes(scope)));

/**
 * The API's create body: `name`, `scopes`, and at most one of `expires_at` (ISO 8601) or
 * `expires_in_days`; neither (or `expires_at: null`) means the token never expires.
 */
export const apiTokenCreateSchema = z
  .strictObject({
    name,
    scopes,
    expires_at: z.iso
      .datetime({ offset: true, error: "expires_at must be an ISO 8601 date-time, like 2027-01-31T00:00:00Z." })
      .nullable()
      .optional()
      .meta({ description: "When it stops working; omit (or null) for never. Not with expires_in_days." }),
    expires_in_days: z
      .int({ error: "expires_in_days must be a whole number of days." })
      .min(1, "expires_in_days must be at least 1.")
      .max(MAX_EXPIRY_DAYS, `expires_in_days must be at most ${MAX_EXPIRY_DAYS}.`)
      .optional()
      .meta({ description: "Days from now until it stops working. Not with expires_at." }),
  })
  .superRefine((input, issues) => {
    if (input.expires_at && input.expires_in_days !== undefined) {
      issues.addIssue({ code: "custom", path: ["expires_in_days"], message: "Send expires_at or expires_in_days, not both." });
    }
    const at = input.expires_at ? Date.parse(input.expires_at) : null;
    if (at !== null && at <= Date.now())
      issues.addIssue({ code: "custom", path: ["expires_at"], message: "expires_at must be in the future." });
    if (at !== null && at > Date.now() + MAX_EXPIRY_DAYS * DAY_MS) {
      issues.addIssue({ code: "custom", path: ["expires_at"], message: `expires_at must be within ${MAX_EXPIRY_DAYS} days.` });
    }
  })
  .transform(({ name, scopes, expires_at, expires_in_days }) => ({
    name,
    scopes,
    expiresAt: expires_at ? new Date(expires_at) : expires_in_days ? new Date(Date.now() + expires_in_days * DAY_MS) : null,
  }));

export type ApiTokenInput = z.output<typeof apiTokenCreateSchema>;

export const EXPIRY_CHOICES = ["7", "30", "90", "never", "custom"] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number];
export const EXPIRY_LABELS: Record<ExpiryChoice, string> = {
  "7": "7 days",
  "30": "30 days",
  "90": "90 days",
  never: "Never",
  custom: "On a date…",
};

/** A custom expiry date (YYYY-MM-DD) means "through that day": the token stops at its end, UTC. */
export function endOfDayUtc(date: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const end = new Date(`${date}T23:59:59.999Z`);
  return Number.isNaN(end.getTime()) || end.toISOString().slice(0, 10) !== date ? null : end;
}

/** The portal's form: an expiry choice instead of a timestamp; it comes out as the API's body. */
export const apiTokenFormSchema = z
  .object({
    name,
    scopes,
    expiry: z.enum(EXPIRY_CHOICES, { error: "Choose when the token expires." }),
    expires_on: z.string().optional(),
  })
  .transform(({ name, scopes, expiry, expires_on }, issues): z.input<typeof apiTokenCreateSchema> => {
    if (expiry === "never") return { name, scopes, expires_at: null };
    if (expiry !== "custom") return { name, scopes, expires_in_days: Number(expiry) };
    const end = endOfDayUtc(expires_on ?? "");
    if (!end) {
      issues.addIssue({ code: "custom", path: ["expires_on"], message: "Pick the last day the token should work." });
      return z.NEVER;
    }
    if (end.getTime() <= Date.now()) {
      issues.addIssue({ code: "custom", path: ["expires_on"], message: "Pick a day that has not ended yet." });
      return z.NEVER;
    }
    if (end.getTime() > Date.now() + MAX_EXPIRY_DAYS * DAY_MS) {
      issues.addIssue({ code: "custom", path: ["expires_on"], message: "Pick a day within the next ten years." });
      return z.NEVER;
    }
    return { name, scopes, expires_at: end.toISOString() };
  })
  .pipe(apiTokenCreateSchema);
