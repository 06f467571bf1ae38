// An organization's settings that shape what Cloudkeep does for it: which private networks
// and plain-http endpoints it may call, the Horizon console, and when a credential is old.
import { z } from "zod";
import { withRls, type Tx } from "../db.ts";
import { validateCidr } from "../net/outbound.ts";
import { DomainError, fromPostgres, validationError } from "./errors.ts";
import { requireRole, type VaultContext } from "./providers.ts";

export type OrganizationSettings = {
  allow_http_endpoints: boolean;
  read_only_access_only: boolean;
  allowed_private_cidrs: string[];
  horizon_url: string | null;
  credential_warning_days: number;
  credential_critical_days: number;
  health_check_interval_minutes: number;
  health_failure_threshold: number;
};

const days = (what: string) =>
  z.coerce
    .number({ error: () => `${what} must be a number of days.` })
    .int(`${what} must be a whole number of days.`)
    .min(1, `${what} must be at least 1 day.`)
    .max(3650, `${what} must be at most 3,650 days.`);

/** A list typed one per line or comma-separated, or already a list. */
const cidrList = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : value),
  z
    .array(z.string().trim())
    .max(50, "List at most 50 networks.")
    .superRefine((cidrs, issues) => {
      for (const cidr of cidrs) {
        const problem = validateCidr(cidr);
        if (problem) issues.addIssue({ code: "custom", message: `${cidr}: ${problem}` });
      }
    }),
);

export const organizationSettingsSchema = z
  .object({
    allow_http_endpoints: z.boolean(),
    read_only_access_only: z.boolean(),
    allowed_private_cidrs: cidrList,
    horizon_url: z.preprocess(
      (value) => (typeof value === "string" && value.trim() === "" ? null : value),
      z.union([
        z.null(),
        z.url({ protocol: /^https?$/, error: () => "Horizon URL must be an http(s) URL, like https://horizon.example.com." }),
      ]),
    ),
    credential_warning_days: days("The warning age"),
    credential_critical_days: days("The critical age"),
    health_check_interval_minutes: z.coerce
      .number({ error: () => "The check interval must be a number of minutes." })
      .int("The check interval must be a whole number of minutes.")
      .min(5, "Check at most every 5 minutes.")
      .max(1440, "Check at least once a day (1,440 minutes)."),
    health_failure_threshold: z.coerce
      .number({ error: () => "The failure threshold must be a number." })
      .int("The failure threshold must be a whole number.")
      .min(1, "The failure threshold is at least 1.")
      .max(10, "The failure threshold is at most 10."),
  })
  .partial()
  .strict();

export async function selectOrganizationSettings(tx: Tx, organizationId: string) {
  const [row] = await tx<OrganizationSettings[]>`
    select allow_http_endpoints, read_only_access_only, allowed_private_cidrs::text[] as allowed_private_cidrs, horizon_url, credential_warning_days, credential_critical_days,
           health_check_interval_minutes, health_failure_threshold
    from public.organizations where id = ${organizationId}`;
  if (!row) throw new DomainError("not_found", "Organization not found.");
  return row;
}

/** Admins change any subset; the result is checked as a whole (warning before critical). */
export async function updateOrganizationSettings(ctx: VaultContext, organizationId: string, body: unknown): Promise<OrganizationSettings> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "change the organization's settings");
    const parsed = organizationSettingsSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const next = { ...(await selectOrganizationSettings(tx, organizationId)), ...parsed.data };
    if (next.credential_warning_days >= next.credential_critical_days) {
      const message = "The warning age must be below the critical age.";
      throw new DomainError("validation_failed", message, { credential_warning_days: [message] });
    }
    try {
      await tx`
        update public.organizations set
          allow_http_endpoints = ${next.allow_http_endpoints},
          read_only_access_only = ${next.read_only_access_only},
          allowed_private_cidrs = ${next.allowed_private_cidrs}::cidr[],
          horizon_url = ${next.horizon_url},
          credential_warning_days = ${next.credential_warning_days},
          credential_critical_days = ${next.credential_critical_days},
          health_check_interval_minutes = ${next.health_check_interval_minutes},
          health_failure_threshold = ${next.health_failure_threshold}
        where id = ${organizationId}`;
    } catch (error) {
      fromPostgres(error, "change the organization's settings");
    }
    return selectOrganizationSettings(tx, organizationId);
  });
}
