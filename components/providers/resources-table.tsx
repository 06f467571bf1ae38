// One page of stored resources — a provider's Resources tab, or the organization-wide inventory
// with its Provider column: sortable columns (links, so the server sorts), status, size with its
// list price when the cloud publishes one, addresses, and a link into the cloud's own console.
import Link from "next/link";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMonthlyListPrice } from "@/supabase/functions/_shared/list-prices.ts";
import type { StoredResource } from "@/supabase/functions/_shared/domain/resource-queries.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { ConsoleLink } from "./console-link";
import { formatDateTime, formatRelative, PROVIDER_SHORT_LABELS, resourceTypeLabel } from "./provider-meta";
import { ProviderLogo } from "./provider-logo";

const STATUS_VARIANT: Record<string, "success" | "warning" | "destructive" | "secondary"> = {
  running: "success",
  pending: "warning",
  stopped: "secondary",
  terminated: "secondary",
  error: "destructive",
  unknown: "secondary",
};

/** A stored resource; in the organization-wide inventory it also names its provider. */
export type ResourceRow = StoredResource & {
  provider_id?: string;
  provider_name?: string;
  provider_type?: ProviderType;
  list_price_monthly?: number | null;
};

type ResourcesTableProps<S extends string> = {
  resources: ResourceRow[];
  /** The columns the server can sort by. */
  sortable: readonly S[];
  sort: S;
  direction: "asc" | "desc";
  /** The href for a sort order, keeping filters (and going back to page 1). */
  sortHref: (sort: S, direction: "asc" | "desc") => string;
  /** Estimated USD per month at list price, or null when the cloud publishes none for the size (default: the row's list_price_monthly). */
  listPrice?: (resource: ResourceRow) => number | null;
  /** With it, a Provider column (cloud logo and name, a link to the provider's page). */
  providerHref?: (providerId: string) => string;
  now: Date;
};

export function ResourcesTable<S extends string>({
  resources,
  sortable,
  sort,
  direction,
  sortHref,
  listPrice,
  providerHref,
  now,
}: ResourcesTableProps<S>) {
  const header = (column: string, label: string, className?: string) => {
    if (!(sortable as readonly string[]).includes(column)) return <TableHead className={className}>{label}</TableHead>;
    const active = sort === column;
    const next = active && direction === "asc" ? "desc" : "asc";
    const Icon = !active ? ArrowUpDown : direction === "asc" ? ArrowUp : ArrowDown;
    return (
      <TableHead className={className} aria-sort={active ? (direction === "asc" ? "ascending" : "descending") : undefined}>
        <Link
          href={sortHref(column as S, next)}
          prefetch={false}
          scroll={false}
          className="inline-flex items-center gap-1 rounded-sm outline-none hover:text-foreground focus-visible:underline"
        >
          {label}
          <Icon aria-hidden="true" className={active ? "size-3.5" : "size-3.5 opacity-40"} />
          <span className="sr-only">{active ? `, sorted ${direction === "asc" ? "ascending" : "descending"}` : ", sort"}</span>
        </Link>
      </TableHead>
    );
  };

  return (
    <div className="overflow-x-auto rounded-lg border">
      <Table data-test="resources-table">
        <TableHeader>
          <TableRow>
            {header("name", "Name")}
            {providerHref && header("provider", "Provider")}
            {header("type", "Type")}
            {header("region", "Region")}
            {header("status", "Status")}
            {header("size", "Size")}
            <TableHead>Addresses</TableHead>
            {header("launched_at", "Created")}
            <TableHead className="text-right">Console</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {resources.map((resource) => {
            const price = listPrice ? listPrice(resource) : (resource.list_price_monthly ?? null);
            return (
              <TableRow key={`${resource.provider_id ?? ""}:${resource.resource_id}`} data-test="resource-row">
                <TableCell className="max-w-64">
                  <div className="truncate font-medium" title={resource.name}>
                    {resource.name}
                  </div>
                  <div className="truncate font-mono text-xs text-muted-foreground" title={resource.resource_id}>
                    {resource.resource_id}
                  </div>
                </TableCell>
                {providerHref && (
                  <TableCell className="max-w-52">
                    {resource.provider_id && resource.provider_type ? (
                      <div className="flex min-w-0 items-center gap-2">
                        <ProviderLogo kind={resource.provider_type} size={20} />
                        <div className="min-w-0">
                          <Link
                            href={providerHref(resource.provider_id)}
                            prefetch={false}
                            className="block truncate font-medium text-primary underline-offset-4 hover:underline"
                            title={resource.provider_name}
                          >
                            {resource.provider_name}
                          </Link>
                          <div className="truncate text-xs text-muted-foreground">{PROVIDER_SHORT_LABELS[resource.provider_type]}</div>
                        </div>
                      </div>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                  </TableCell>
                )}
                <TableCell>{resourceTypeLabel(resource.type)}</TableCell>
                <TableCell className="font-mono text-xs whitespace-nowrap">{resource.zone ?? resource.region ?? "—"}</TableCell>
                <TableCell>
                  <Badge variant={STATUS_VARIANT[resource.status] ?? "secondary"} title={resource.raw_status ?? undefined}>
                    {resource.status}
                  </Badge>
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  <div className="font-mono text-xs">{resource.size ?? "—"}</div>
                  {price !== null && (
                    <div
                      className="text-xs text-muted-foreground"
                      data-test="list-price"
                      title="Estimated from the cloud's published monthly list price"
                    >
                      {formatMonthlyListPrice(price)} (list price)
                    </div>
                  )}
                </TableCell>
                <TableCell className="font-mono text-xs">
                  {resource.public_ips.length + resource.private_ips.length === 0 ? (
                    <span className="text-muted-foreground">—</span>
                  ) : (
                    <span className="grid">
                      {resource.public_ips.map((ip) => (
                        <span key={`p-${ip}`}>{ip}</span>
                      ))}
                      {resource.private_ips.map((ip) => (
                        <span key={`i-${ip}`} className="text-muted-foreground">
                          {ip}
                        </span>
                      ))}
                    </span>
                  )}
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {resource.launched_at ? (
                    <time dateTime={new Date(resource.launched_at).toISOString()} title={formatDateTime(resource.launched_at)}>
                      {formatRelative(resource.launched_at, now)}
                    </time>
                  ) : (
                    <span className="text-muted-foreground">—</span>
                  )}
                </TableCell>
                <TableCell className="text-right">
                  <ConsoleLink href={resource.console_url} label={resource.name} />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
