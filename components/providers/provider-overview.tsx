// The Overview tab: how the provider is doing (identity, latency, uptime over the last
// checks) and what is stored about it (never a secret: hints and dates only).
import { DefinitionList } from "@/components/definition-list";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { HealthCheck } from "@/lib/db/queries/connectivity";
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import { identityText } from "./health-history";
import { CredentialAgeBadge, ProviderStatusBadge } from "./provider-badges";
import { AUTH_METHOD_LABELS, ENVIRONMENT_LABELS, formatDateTime, formatRelative, providerLabel } from "./provider-meta";
import { UptimeChart, uptimePercent } from "./uptime-chart";

const EXPIRY_WARNING_DAYS = 30;

export function ProviderHealthCard({ provider, checks, now }: { provider: ProviderRecord; checks: HealthCheck[]; now: Date }) {
  const last = checks[0];
  const lastGood = checks.find((check) => check.ok);
  const uptime = uptimePercent(checks.slice(0, 30));
  const facts: [string, React.ReactNode][] = [
    ["Status", <ProviderStatusBadge key="status" status={provider.status} />],
    [
      "Reaches",
      lastGood ? (
        <span key="identity" className="font-mono break-all">
          {identityText(lastGood.identity)}
        </span>
      ) : (
        // Prose, not an identifier: it wraps between words, in the page's own type.
        <span key="identity" className="text-muted-foreground">
          Known after the first successful check
        </span>
      ),
    ],
    ["Latency", last?.latency_ms != null ? `${last.latency_ms} ms (last check)` : "—"],
    ["Uptime", uptime === null ? "—" : `${uptime.toFixed(uptime % 1 ? 1 : 0)}% of the last ${Math.min(checks.length, 30)} checks`],
    ...keyUsageRows(lastGood?.identity ?? null, now),
    ...warningRows(last?.ok ? last.identity : null),
  ];
  return (
    <Card className="gap-4" data-test="provider-health">
      <CardHeader>
        <CardTitle as="h2">Health</CardTitle>
        <CardDescription>
          {last ? (
            <>
              Last checked{" "}
              <time dateTime={new Date(last.checked_at).toISOString()} title={formatDateTime(last.checked_at)}>
                {formatRelative(last.checked_at, now)}
              </time>
              .
            </>
          ) : (
            "Not checked yet."
          )}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <DefinitionList rows={facts} />
        <UptimeChart checks={checks} />
        {last && !last.ok && (
          <div
            className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm lg:col-span-2"
            data-test="provider-last-error"
          >
            <p className="font-medium text-destructive">{last.error_message}</p>
            {last.error_hint && <p className="text-muted-foreground">{last.error_hint}</p>}
            {last.error_code && <p className="font-mono text-xs text-muted-foreground">{last.error_code}</p>}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

/** A passing check's warning (an Azure subscription that is Warned or PastDue still works, for now). */
function warningRows(identity: Record<string, unknown> | null): [string, React.ReactNode][] {
  const warning = (identity?.details as Record<string, unknown> | undefined)?.warning;
  if (typeof warning !== "string" || warning === "") return [];
  return [
    [
      "Warning",
      <span key="warning" className="text-warning" data-test="provider-warning">
        {warning}
      </span>,
    ],
  ];
}

/** The real key's age and last use, where the provider's API told the last good check (AWS IAM). */
function keyUsageRows(identity: Record<string, unknown> | null, now: Date): [string, React.ReactNode][] {
  const details = (identity?.details ?? {}) as Record<string, string | undefined>;
  const rows: [string, React.ReactNode][] = [];
  if (details.key_created_at) {
    const days = Math.floor((now.getTime() - new Date(details.key_created_at).getTime()) / 86_400_000);
    rows.push([
      "Key created",
      <time
        key="key-created"
        dateTime={details.key_created_at}
        title={formatDateTime(details.key_created_at)}
        data-test="provider-key-created"
      >
        {formatDateTime(details.key_created_at)}{" "}
        <span className="text-muted-foreground">
          · {days} day{days === 1 ? "" : "s"} old
        </span>
      </time>,
    ]);
  }
  if (details.key_last_used_at) {
    const where = [details.key_last_used_service, details.key_last_used_region].filter(Boolean).join(" in ");
    rows.push([
      "Key last used",
      <span key="key-last-used" data-test="provider-key-last-used">
        <time dateTime={details.key_last_used_at}>{formatDateTime(details.key_last_used_at)}</time>
        <span className="text-muted-foreground">
          {" "}
          · {formatRelative(details.key_last_used_at, now)}
          {where && ` · ${where}`}
        </span>
      </span>,
    ]);
  }
  return rows;
}

/**
 * The account a provider reaches. For AWS access keys the stored account_identifier is the key id (what
 * makes two providers the same credential; the credential hint shows it), so the account is the one the
 * last good check learned from sts:GetCallerIdentity. Other kinds store the account itself.
 */
export function providerAccount(
  provider: Pick<ProviderRecord, "provider_type" | "auth_method" | "account_identifier">,
  identity: Record<string, unknown> | null,
): string | null {
  // A role ARN names its account; an access key does not.
  if (provider.provider_type === "aws" && provider.auth_method !== "assume_role" && provider.auth_method !== "web_identity") {
    return typeof identity?.account === "string" && identity.account !== "" ? identity.account : null;
  }
  return provider.account_identifier;
}

export function ProviderDetailsCard({
  provider,
  checks,
  now,
  action,
}: {
  provider: ProviderRecord;
  /** Health checks, newest first: the account comes from the last good one where the provider stores none. */
  checks: Pick<HealthCheck, "ok" | "identity">[];
  now: Date;
  action?: React.ReactNode;
}) {
  const account = providerAccount(provider, checks.find((check) => check.ok)?.identity ?? null);
  const expiresAt = provider.credentials_expires_at ? new Date(provider.credentials_expires_at) : null;
  const expiryDays = expiresAt ? Math.floor((expiresAt.getTime() - now.getTime()) / 86_400_000) : null;

  const when = (date: Date | string | null, empty = "Never") =>
    date ? (
      <time dateTime={new Date(date).toISOString()} title={formatDateTime(date)}>
        {formatRelative(date, now)} <span className="text-muted-foreground">· {formatDateTime(date)}</span>
      </time>
    ) : (
      <span className="text-muted-foreground">{empty}</span>
    );

  const rows: [string, React.ReactNode][] = [
    ["Kind", providerLabel(provider.provider_type)],
    ["Environment", ENVIRONMENT_LABELS[provider.environment]],
    [
      "Regions",
      provider.regions.length ? (
        <span className="flex flex-wrap gap-1">
          {provider.regions.map((region) => (
            <Badge key={region} variant="secondary" className="font-mono">
              {region}
            </Badge>
          ))}
        </span>
      ) : (
        <span className="text-muted-foreground">All regions</span>
      ),
    ],
    [
      "Endpoint",
      provider.api_endpoint ? (
        <span className="font-mono break-all">{provider.api_endpoint}</span>
      ) : (
        <span className="text-muted-foreground">Provider default</span>
      ),
    ],
    ["Auth method", AUTH_METHOD_LABELS[provider.auth_method] ?? provider.auth_method],
    [
      "Account",
      account ? (
        <span className="font-mono break-all" data-test="provider-account">
          {account}
        </span>
      ) : (
        <span className="text-muted-foreground">Known after the first successful check</span>
      ),
    ],
    [
      "Credential hint",
      <span key="hint" className="font-mono">
        {provider.credential_hint ?? "—"}
      </span>,
    ],
    [
      "Read-only credential",
      provider.read_only_credential_hint ? (
        <span key="ro" className="font-mono">
          {provider.read_only_credential_hint} <span className="font-sans text-muted-foreground">· used for checks and listings</span>
        </span>
      ) : (
        <span key="ro" className="text-muted-foreground">
          None — checks use the full credential
        </span>
      ),
    ],
    ["Credential age", <CredentialAgeBadge key="age" provider={provider} now={now} />],
    ["Rotated", when(provider.credentials_rotated_at, "Not rotated since it was added")],
    [
      "Expires",
      expiresAt ? (
        <span className="flex flex-wrap items-center gap-2">
          {when(expiresAt)}
          {expiryDays !== null && expiryDays < 0 ? (
            <Badge variant="destructive">Expired</Badge>
          ) : expiryDays !== null && expiryDays <= EXPIRY_WARNING_DAYS ? (
            <Badge variant="warning">Expires soon</Badge>
          ) : null}
        </span>
      ) : (
        <span className="text-muted-foreground">No expiry recorded</span>
      ),
    ],
    ["Added", when(provider.created_at)],
  ];

  return (
    <Card className="gap-4">
      <CardHeader className="flex flex-row items-center justify-between gap-2">
        <CardTitle as="h2">Details</CardTitle>
        {action}
      </CardHeader>
      <CardContent>
        <DefinitionList rows={rows} data-test="provider-overview" />
      </CardContent>
    </Card>
  );
}
