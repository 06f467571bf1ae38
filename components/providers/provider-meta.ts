// Labels and small formatting rules for providers, shared by server pages and client dialogs.
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import { PROVIDER_STATUS_VALUES } from "@/supabase/functions/_shared/database.types.ts";
import { PROVIDER_LABELS, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

export type ProviderStatus = ProviderRecord["status"];
export type ProviderEnvironment = ProviderRecord["environment"];

/** The fields of a provider that client components need. Deliberately no fingerprint, no ids of people. */
const SUMMARY_FIELDS = [
  "id",
  "name",
  "provider_type",
  "environment",
  "regions",
  "api_endpoint",
  "status",
  "credential_hint",
  "read_only_credential_hint",
  "auth_method",
  // Whole cloud organizations: a parent's scope (removing it asks about its accounts), a child's parent.
  "organization_scope",
  "parent_provider_id",
] as const satisfies readonly (keyof ProviderRecord)[];

export type ProviderSummary = Pick<ProviderRecord, (typeof SUMMARY_FIELDS)[number]>;

/** What every dialog about one provider (edit, rotate, suspend, delete) is given. */
export type ProviderDialogProps = { orgSlug: string; provider: ProviderSummary; open: boolean; onOpenChange: (open: boolean) => void };

export function toSummary(provider: ProviderRecord): ProviderSummary {
  return Object.fromEntries(SUMMARY_FIELDS.map((field) => [field, provider[field]])) as ProviderSummary;
}

/** What a provider card shows: the summary plus its last check and credential age. */
export type ProviderCardData = ProviderSummary &
  Pick<ProviderRecord, "last_checked_at" | "last_error_message" | "credentials_rotated_at" | "created_at">;

export function toCardData(provider: ProviderRecord): ProviderCardData {
  const { last_checked_at, last_error_message, credentials_rotated_at, created_at } = provider;
  return { ...toSummary(provider), last_checked_at, last_error_message, credentials_rotated_at, created_at };
}

/** Short names for cards and filters; PROVIDER_LABELS has the long ones. */
export const PROVIDER_SHORT_LABELS: Record<ProviderType, string> = {
  aws: "AWS",
  azure: "Azure",
  gcp: "Google Cloud",
  digitalocean: "DigitalOcean",
  linode: "Linode",
  vultr: "Vultr",
  openstack: "OpenStack",
  s3_compatible: "S3-compatible",
};

export function providerLabel(kind: ProviderType) {
  return PROVIDER_LABELS[kind] ?? kind;
}

export const STATUSES = PROVIDER_STATUS_VALUES satisfies readonly ProviderStatus[];

export const STATUS_LABELS: Record<ProviderStatus, string> = {
  pending: "Pending",
  healthy: "Healthy",
  failed: "Failed",
  suspended: "Suspended",
};

export const STATUS_BADGE: Record<ProviderStatus, "secondary" | "success" | "destructive" | "outline"> = {
  pending: "secondary",
  healthy: "success",
  failed: "destructive",
  suspended: "outline",
};

export const ENVIRONMENT_LABELS: Record<ProviderEnvironment, string> = {
  production: "Production",
  staging: "Staging",
  development: "Development",
  other: "Other",
};

export const AUTH_METHOD_LABELS: Record<string, string> = {
  access_key: "Access key",
  session_token: "Temporary access key",
  client_secret: "Client secret",
  service_account_key: "Service account key",
  api_token: "API token",
  password: "Username and password",
  application_credential: "Application credential",
};

const DAY = 86_400_000;

/** Credential age: warn from 60 days, critical from 90. */
export const CREDENTIAL_AGE_WARNING_DAYS = 60;
export const CREDENTIAL_AGE_CRITICAL_DAYS = 90;

export function credentialAge(provider: Pick<ProviderRecord, "credentials_rotated_at" | "created_at">, now = new Date()) {
  const since = new Date(provider.credentials_rotated_at ?? provider.created_at);
  const days = Math.max(0, Math.floor((now.getTime() - since.getTime()) / DAY));
  const level = days >= CREDENTIAL_AGE_CRITICAL_DAYS ? "critical" : days >= CREDENTIAL_AGE_WARNING_DAYS ? "warning" : "ok";
  return { days, since, level } as const;
}

export function formatDays(days: number) {
  if (days === 0) return "today";
  return days === 1 ? "1 day" : `${days.toLocaleString("en")} days`;
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * DAY],
  ["month", 30 * DAY],
  ["week", 7 * DAY],
  ["day", DAY],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 hours ago", "yesterday", "just now". */
export function formatRelative(date: Date | string, now = new Date()) {
  const diff = new Date(date).getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return "just now";
}

const absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** "Nov 22, 2026, 3:14 PM UTC": dates are rendered on the server, so they name their zone. */
export function formatDateTime(date: Date | string) {
  return `${absolute.format(new Date(date))} UTC`;
}

const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export function formatDate(date: Date | string) {
  return dateOnly.format(new Date(date));
}

/** A resource type as people read it: "kubernetes_cluster" → "Kubernetes cluster". */
export function resourceTypeLabel(type: string): string {
  const words = type.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
