import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { ArrowLeft, Info, ScrollText } from "lucide-react";

import { CredentialAgeBadge, ProviderStatusBadge } from "@/components/providers/provider-badges";
import { ProviderActions } from "@/components/providers/provider-actions";
import { ProviderLogo } from "@/components/providers/provider-logo";
import {
  AUTH_METHOD_LABELS,
  ENVIRONMENT_LABELS,
  formatDateTime,
  formatRelative,
  providerLabel,
  toSummary,
} from "@/components/providers/provider-meta";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { getProvider } from "@/lib/db/queries/providers";

type Params = Promise<{ slug: string; id: string }>;

/** One read per request, shared by the metadata and the page. */
const loadProvider = cache(async (slug: string, id: string) => {
  const { user, organization } = await requireOrg(slug);
  // RLS scopes the read to this organization: an id from another one is simply not found.
  return { organization, provider: await getProvider(user, organization.id, id) };
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug, id } = await params;
  const { provider } = await loadProvider(slug, id);
  return { title: provider ? provider.name : "Provider not found" };
}

const EXPIRY_WARNING_DAYS = 30;

export default async function ProviderPage({ params }: { params: Params }) {
  const { slug, id } = await params;
  const { organization, provider } = await loadProvider(slug, id);
  if (!provider) notFound();

  const canManage = hasRole(organization.role, "admin");
  const listHref = `/orgs/${encodeURIComponent(organization.slug)}/providers`;
  const now = new Date();
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
      provider.account_identifier ? (
        <span className="font-mono break-all">{provider.account_identifier}</span>
      ) : (
        <span className="text-muted-foreground">Known after the first check</span>
      ),
    ],
    [
      "Credential hint",
      <span key="hint" className="font-mono">
        {provider.credential_hint ?? "—"}
      </span>,
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
    ["Last checked", when(provider.last_checked_at, "Not checked yet")],
    [
      "Last error",
      provider.last_error_code || provider.last_error_message ? (
        <span className="grid gap-0.5 text-destructive">
          {provider.last_error_code && <span className="font-mono text-xs">{provider.last_error_code}</span>}
          {provider.last_error_message && <span>{provider.last_error_message}</span>}
        </span>
      ) : (
        <span className="text-muted-foreground">None</span>
      ),
    ],
  ];

  return (
    <>
      <Link
        href={listHref}
        className="inline-flex w-fit items-center gap-1.5 rounded-sm text-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <ArrowLeft aria-hidden="true" className="size-4" />
        Providers
      </Link>

      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 items-start gap-4">
          <ProviderLogo kind={provider.provider_type} size={48} />
          <div className="min-w-0 space-y-1.5">
            <h1 className="text-2xl font-semibold tracking-tight break-words">{provider.name}</h1>
            <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
              <ProviderStatusBadge status={provider.status} />
              <span>
                {providerLabel(provider.provider_type)} · {ENVIRONMENT_LABELS[provider.environment]}
              </span>
            </div>
          </div>
        </div>
        {canManage && (
          <div className="shrink-0" data-test="provider-detail-actions">
            <ProviderActions orgSlug={organization.slug} provider={toSummary(provider)} layout="toolbar" afterDeleteHref={listHref} />
          </div>
        )}
      </div>

      <Card className="gap-4">
        <CardHeader className="flex flex-row items-center justify-between gap-2">
          <CardTitle as="h2">Overview</CardTitle>
          {canManage && (
            <Button variant="ghost" size="sm" asChild>
              <Link href={`/orgs/${encodeURIComponent(organization.slug)}/audit?provider=${provider.id}`}>
                <ScrollText aria-hidden="true" />
                View audit log
              </Link>
            </Button>
          )}
        </CardHeader>
        <CardContent>
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[11rem_1fr]" data-test="provider-overview">
            {rows.map(([label, value]) => (
              <div key={label} className="contents">
                <dt className="text-muted-foreground">{label}</dt>
                <dd className="min-w-0 break-words">{value}</dd>
              </div>
            ))}
          </dl>
        </CardContent>
      </Card>

      <Alert>
        <Info aria-hidden="true" />
        <AlertTitle>Health, resources and history are coming</AlertTitle>
        <AlertDescription>
          Once Cloudkeep can reach this provider, its health checks, the resources it runs and their history appear here.
        </AlertDescription>
      </Alert>
    </>
  );
}
