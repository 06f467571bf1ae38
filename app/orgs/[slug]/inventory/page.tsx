import type { Metadata } from "next";
import Link from "next/link";
import { Boxes, Download } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { InventoryChart } from "@/components/inventory/inventory-chart";
import { inventoryQuery, parseInventoryParams, toInventoryFilters, type InventoryParams } from "@/lib/inventory-params";
import { ListPriceCard } from "@/components/inventory/list-price-card";
import { ENVIRONMENT_LABELS, PROVIDER_SHORT_LABELS, resourceTypeLabel } from "@/components/providers/provider-meta";
import { ProviderPagination } from "@/components/providers/provider-pagination";
import { ResourcesTable } from "@/components/providers/resources-table";
import { Button } from "@/components/ui/button";
import { UrlFilters } from "@/components/url-filters";
import { requireOrg } from "@/lib/auth/require-org";
import { getInventoryPage, INVENTORY_SORTS } from "@/lib/db/queries/inventory";
import { ENVIRONMENTS } from "@/supabase/functions/_shared/schemas/providers.ts";

export const metadata: Metadata = { title: "Inventory" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).replace(/_/g, " ");

export default async function InventoryPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const inventoryParams = parseInventoryParams(await searchParams);
  const inventory = await getInventoryPage(user, organization.id, toInventoryFilters(inventoryParams), {
    sort: inventoryParams.sort,
    direction: inventoryParams.direction,
    page: inventoryParams.page,
  });
  const orgBase = `/orgs/${encodeURIComponent(organization.slug)}`;
  const base = `${orgBase}/inventory`;
  const providerHref = (id: string) => `${orgBase}/providers/${id}?tab=resources`;
  const filtered = Boolean(
    inventoryParams.q ||
    inventoryParams.cloud ||
    inventoryParams.provider ||
    inventoryParams.type ||
    inventoryParams.region ||
    inventoryParams.status ||
    inventoryParams.environment ||
    inventoryParams.tag ||
    inventoryParams.vanished,
  );
  const href = (changes: Partial<InventoryParams>) => {
    const query = inventoryQuery(inventoryParams, changes);
    return query ? `${base}?${query}` : base;
  };
  const exportQuery = inventoryQuery(inventoryParams, { sort: "name", direction: "asc", page: 1 });
  const now = new Date();

  const header = (
    <PageHeader
      title="Inventory"
      description={`Everything stored from ${organization.name}'s providers, as of each provider's last refresh.`}
      actions={
        inventory.organization.total > 0 ? (
          <Button variant="outline" asChild>
            <a href={`${base}/export${exportQuery ? `?${exportQuery}` : ""}`} download data-test="export-csv">
              <Download aria-hidden="true" />
              Export CSV
            </a>
          </Button>
        ) : undefined
      }
    />
  );

  if (inventory.organization.total === 0 && !inventoryParams.vanished) {
    return (
      <>
        {header}
        <EmptyState
          icon={<Boxes />}
          title="No resources yet"
          description={
            inventory.providers.length === 0
              ? "Connect a provider and refresh its resources; they appear here with every other provider's."
              : "None of the providers has listed any resources yet. Open a provider's Resources tab to refresh it."
          }
          action={
            <Button asChild>
              <Link href={`${orgBase}/providers`}>Go to providers</Link>
            </Button>
          }
        />
      </>
    );
  }

  const keep: Record<string, string> = {};
  if (inventoryParams.sort !== "name" || inventoryParams.direction !== "asc") keep.sort = inventoryParams.sort;
  if (inventoryParams.direction === "desc") keep.dir = "desc";
  const clouds = [...new Set(inventory.providers.map((p) => p.provider_type))].sort();

  return (
    <>
      {header}

      <div className="grid gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <InventoryChart counts={inventory.counts} filtered={filtered} />
        <ListPriceCard counts={inventory.organization} providerHref={providerHref} />
      </div>

      <UrlFilters
        label="Filter the inventory"
        idPrefix="inventory"
        searchLabel="Search resources"
        searchPlaceholder="Search by name, id or IP address"
        values={{
          q: inventoryParams.q,
          cloud: inventoryParams.cloud,
          provider: inventoryParams.provider,
          type: inventoryParams.type,
          region: inventoryParams.region,
          status: inventoryParams.status,
          environment: inventoryParams.environment,
          tag: inventoryParams.tag,
          vanished: inventoryParams.vanished,
        }}
        selects={[
          {
            name: "cloud",
            label: "Cloud",
            allLabel: "All clouds",
            options: clouds.map((c): [string, string] => [c, PROVIDER_SHORT_LABELS[c]]),
          },
          {
            name: "provider",
            label: "Provider",
            allLabel: "All providers",
            options: inventory.providers.map((p): [string, string] => [p.id, p.name]),
          },
          {
            name: "type",
            label: "Type",
            allLabel: "All types",
            options: inventory.facets.types.map((t): [string, string] => [t, resourceTypeLabel(t)]),
          },
          {
            name: "region",
            label: "Region",
            allLabel: "All regions",
            options: inventory.facets.regions.map((r): [string, string] => [r, r]),
          },
          {
            name: "status",
            label: "Status",
            allLabel: "All statuses",
            options: inventory.facets.statuses.map((s): [string, string] => [s, capitalize(s)]),
          },
          {
            name: "environment",
            label: "Environment",
            allLabel: "All environments",
            options: ENVIRONMENTS.map((e): [string, string] => [e, ENVIRONMENT_LABELS[e]]),
          },
          { name: "vanished", label: "Vanished resources", allLabel: "Hide vanished", options: [["include", "Include vanished"]] },
        ]}
        texts={[{ name: "tag", label: "Tag", placeholder: "Tag, e.g. env:prod" }]}
        keep={keep}
        data-test="inventory-filters"
      />

      {inventory.resources.length === 0 ? (
        <p className="rounded-lg border border-dashed py-10 text-center text-sm text-muted-foreground">
          No resource matches these filters.{" "}
          <Link href={base} className="text-primary underline-offset-4 hover:underline">
            Clear filters
          </Link>
        </p>
      ) : (
        <>
          <ResourcesTable
            resources={inventory.resources}
            sortable={INVENTORY_SORTS}
            sort={inventory.sort}
            direction={inventory.direction}
            sortHref={(sort, direction) => href({ sort, direction, page: 1 })}
            providerHref={providerHref}
            now={now}
          />
          <ProviderPagination
            page={inventory.page}
            pageSize={inventory.pageSize}
            total={inventory.counts.total}
            hrefFor={(target) => href({ page: target })}
          />
        </>
      )}
    </>
  );
}
