// The Resources tab: when the inventory was last refreshed (and a live refresh for members),
// search and filters, the sortable table and its pages. Reads come from the stored inventory.
import Link from "next/link";
import { Boxes } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { UrlFilters } from "@/components/url-filters";
import { RESOURCE_SORTS, type ResourceSort } from "@/lib/db/queries/connectivity";
import type { InventoryState, selectResourcePage } from "@/supabase/functions/_shared/domain/resource-queries.ts";
import { monthlyListPrice } from "@/supabase/functions/_shared/list-prices.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { PartialFailuresAlert } from "./partial-failures-alert";
import { formatDateTime, formatRelative } from "./provider-meta";
import { ProviderPagination } from "./provider-pagination";
import { RefreshResourcesButton } from "./refresh-resources-button";
import { resourceTypeLabel } from "./provider-meta";
import { ResourcesTable } from "./resources-table";

type Query = Record<string, string | string[] | undefined>;

export type ResourceParams = {
  q: string;
  region: string;
  status: string;
  type: string;
  sort: ResourceSort;
  direction: "asc" | "desc";
  page: number;
};

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function one(value: string | string[] | undefined) {
  return ((Array.isArray(value) ? value[0] : value) ?? "").trim().slice(0, 100);
}

/** Only well-formed values reach the query; unknown ones fall back to the defaults. */
export function parseResourceParams(query: Query): ResourceParams {
  const sort = one(query.sort);
  const page = Number.parseInt(one(query.page), 10);
  return {
    q: one(query.q),
    region: one(query.region),
    status: one(query.status),
    type: one(query.type),
    sort: (RESOURCE_SORTS as readonly string[]).includes(sort) ? (sort as ResourceSort) : "name",
    direction: one(query.dir) === "desc" ? "desc" : "asc",
    page: Number.isFinite(page) && page > 1 ? Math.min(page, 100_000) : 1,
  };
}

type ResourcesPanelProps = {
  orgSlug: string;
  providerId: string;
  providerType: ProviderType;
  base: string;
  params: ResourceParams;
  page: Awaited<ReturnType<typeof selectResourcePage>>;
  inventory: InventoryState | null;
  canRefresh: boolean;
  suspended: boolean;
  now: Date;
};

export function ResourcesPanel({
  orgSlug,
  providerId,
  providerType,
  base,
  params,
  page,
  inventory,
  canRefresh,
  suspended,
  now,
}: ResourcesPanelProps) {
  const filtered = Boolean(params.q || params.region || params.status || params.type);

  function href(changes: Partial<ResourceParams>) {
    const next = { ...params, ...changes };
    const query = new URLSearchParams({ tab: "resources" });
    for (const key of ["q", "region", "status", "type"] as const) if (next[key]) query.set(key, next[key]);
    if (next.sort !== "name" || next.direction !== "asc") query.set("sort", next.sort);
    if (next.direction === "desc") query.set("dir", "desc");
    if (next.page > 1) query.set("page", String(next.page));
    return `${base}?${query}`;
  }

  const keep: Record<string, string> = { tab: "resources" };
  if (params.sort !== "name" || params.direction !== "asc") keep.sort = params.sort;
  if (params.direction === "desc") keep.dir = "desc";

  return (
    <section aria-labelledby="resources-heading" className="grid gap-4" data-test="resources-panel">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h2 id="resources-heading" className="text-lg font-semibold">
            Resources
          </h2>
          <p className="text-sm text-muted-foreground" data-test="inventory-state">
            {inventory ? (
              <>
                {inventory.resource_count.toLocaleString("en")} resource{inventory.resource_count === 1 ? "" : "s"} · last refreshed{" "}
                <time dateTime={new Date(inventory.refreshed_at).toISOString()} title={formatDateTime(inventory.refreshed_at)}>
                  {formatRelative(inventory.refreshed_at, now)}
                </time>
              </>
            ) : (
              "Never listed yet."
            )}
          </p>
        </div>
        {canRefresh && <RefreshResourcesButton orgSlug={orgSlug} providerId={providerId} suspended={suspended} />}
      </div>

      {inventory && (
        <PartialFailuresAlert
          title="Some regions could not be listed last time"
          failures={inventory.partial_failures}
          data-test="partial-failures"
        />
      )}

      {!inventory ? (
        <EmptyState
          icon={<Boxes />}
          title="No inventory yet"
          description={
            canRefresh
              ? "Refresh to list what runs behind this provider."
              : "A member of the organization can list what runs behind this provider."
          }
        />
      ) : (
        <>
          <UrlFilters
            label="Filter resources"
            idPrefix="resource"
            searchLabel="Search resources"
            searchPlaceholder="Search by name, id or IP address"
            values={{ q: params.q, region: params.region, status: params.status, type: params.type }}
            selects={[
              {
                name: "region",
                label: "Region",
                allLabel: "All regions",
                options: page.facets.regions.map((r): [string, string] => [r, r]),
              },
              {
                name: "status",
                label: "Status",
                allLabel: "All statuses",
                options: page.facets.statuses.map((s): [string, string] => [s, capitalize(s)]),
              },
              {
                name: "type",
                label: "Type",
                allLabel: "All types",
                options: page.facets.types.map((t): [string, string] => [t, resourceTypeLabel(t)]),
              },
            ]}
            keep={keep}
            data-test="resource-filters"
          />
          {page.resources.length === 0 ? (
            <p className="rounded-lg border border-dashed py-10 text-center text-sm text-muted-foreground">
              {filtered ? (
                <>
                  No resource matches these filters.{" "}
                  <Link
                    href={href({ q: "", region: "", status: "", type: "", page: 1 })}
                    className="text-primary underline-offset-4 hover:underline"
                  >
                    Clear filters
                  </Link>
                </>
              ) : (
                "The last refresh found nothing running."
              )}
            </p>
          ) : (
            <>
              <ResourcesTable
                resources={page.resources}
                sortable={RESOURCE_SORTS}
                sort={params.sort}
                listPrice={(resource) => monthlyListPrice(providerType, resource.type, resource.size)}
                direction={params.direction}
                sortHref={(sort, direction) => href({ sort, direction, page: 1 })}
                now={now}
              />
              <ProviderPagination
                page={page.page}
                pageSize={page.pageSize}
                total={page.total}
                hrefFor={(target) => href({ page: target })}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}
