import type { Metadata } from "next";
import Link from "next/link";
import { Cloud, SearchX } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { AddProviderDialog } from "@/components/providers/add-provider/dialog";
import { ProviderFilters } from "@/components/providers/provider-filters";
import { ProviderGrid } from "@/components/providers/provider-grid";
import { STATUSES, toCardData } from "@/components/providers/provider-meta";
import { ProviderPagination } from "@/components/providers/provider-pagination";
import { SweepStatus } from "@/components/providers/sweep-status";
import { Button } from "@/components/ui/button";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { listProviders, type ProviderFilters as Filters } from "@/lib/db/queries/providers";
import { ENVIRONMENTS, PROVIDER_TYPES } from "@/supabase/functions/_shared/schemas/providers.ts";
import { MAX_PAGE, parseQuery, queryEnum, queryObject, queryPageNumber, querySearch } from "@/supabase/functions/_shared/schemas/query.ts";
import { federationIssuerForDialog } from "@/lib/federation-setup";

export const metadata: Metadata = { title: "Providers" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Only known values reach the query; anything else in the URL is ignored. */
const filtersQuery = queryObject({
  q: querySearch(100),
  kind: queryEnum(PROVIDER_TYPES),
  status: queryEnum(STATUSES),
  environment: queryEnum(ENVIRONMENTS),
  page: queryPageNumber(MAX_PAGE),
});

export default async function ProvidersPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const filters = parseQuery(filtersQuery, await searchParams, "forgiving") satisfies Filters;
  const { providers, total, page, pageSize, sweep } = await listProviders(user, organization.id, filters);
  const canManage = hasRole(organization.role, "admin");
  const canCheck = hasRole(organization.role, "member");
  const filtered = Boolean(filters.q || filters.kind || filters.status || filters.environment);
  const base = `/orgs/${encodeURIComponent(organization.slug)}/providers`;
  const now = new Date();

  function hrefFor(target: number) {
    const query = new URLSearchParams();
    if (filters.q) query.set("q", filters.q);
    if (filters.kind) query.set("kind", filters.kind);
    if (filters.status) query.set("status", filters.status);
    if (filters.environment) query.set("environment", filters.environment);
    if (target > 1) query.set("page", String(target));
    const text = query.toString();
    return text ? `${base}?${text}` : base;
  }

  const header = (
    <PageHeader
      title="Providers"
      description={`Cloud accounts connected to ${organization.name}. Credentials are encrypted before they are stored and never shown again.`}
      actions={canManage ? <AddProviderDialog orgSlug={organization.slug} oidcIssuer={federationIssuerForDialog()} /> : undefined}
    />
  );

  if (total === 0 && !filtered && page === 1) {
    return (
      <>
        {header}
        <EmptyState
          icon={<Cloud />}
          title="No providers yet"
          description={
            canManage
              ? "Connect AWS, Azure, Google Cloud, DigitalOcean, Linode, Vultr, OpenStack or any S3-compatible endpoint. Credentials are encrypted before they are stored."
              : "An admin of this organization can connect cloud accounts. They will appear here."
          }
          action={
            canManage ? (
              <AddProviderDialog
                orgSlug={organization.slug}
                triggerLabel="Add your first provider"
                oidcIssuer={federationIssuerForDialog()}
              />
            ) : undefined
          }
        />
      </>
    );
  }

  return (
    <>
      {header}
      <SweepStatus status={sweep} now={now} />
      <ProviderFilters
        values={{ q: filters.q, kind: filters.kind ?? "", status: filters.status ?? "", environment: filters.environment ?? "" }}
      />
      {providers.length === 0 ? (
        page > 1 && total > 0 ? (
          <EmptyState
            icon={<SearchX />}
            title="Nothing on this page"
            description="The list is shorter than this page number."
            action={
              <Button variant="outline" asChild>
                <Link href={hrefFor(1)}>Go to the first page</Link>
              </Button>
            }
          />
        ) : (
          <EmptyState
            icon={<SearchX />}
            title="No providers match"
            description="Try another search, or clear the filters to see every provider."
            action={
              <Button variant="outline" asChild>
                <Link href={base}>Clear filters</Link>
              </Button>
            }
          />
        )
      ) : (
        <>
          <h2 className="sr-only">Provider list</h2>
          <ProviderGrid
            orgSlug={organization.slug}
            providers={providers.map(toCardData)}
            canManage={canManage}
            canCheck={canCheck}
            now={now}
          />
          <ProviderPagination page={page} pageSize={pageSize} total={total} hrefFor={hrefFor} />
        </>
      )}
    </>
  );
}
