// One page of a provider's stored inventory: sortable columns (links, so the server sorts),
// status, addresses, and a link into the cloud's own console for each resource.
import Link from "next/link";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { ResourceSort } from "@/lib/db/queries/connectivity";
import type { StoredResource } from "@/supabase/functions/_shared/domain/resource-queries.ts";
import { ConsoleLink } from "./console-link";
import { formatDateTime, formatRelative } from "./provider-meta";

const STATUS_VARIANT: Record<string, "success" | "warning" | "destructive" | "secondary"> = {
  running: "success",
  pending: "warning",
  stopped: "secondary",
  terminated: "secondary",
  error: "destructive",
  unknown: "secondary",
};

type ResourcesTableProps = {
  resources: StoredResource[];
  sort: ResourceSort;
  direction: "asc" | "desc";
  /** The href for a sort order, keeping filters (and going back to page 1). */
  sortHref: (sort: ResourceSort, direction: "asc" | "desc") => string;
  now: Date;
};

export function ResourcesTable({ resources, sort, direction, sortHref, now }: ResourcesTableProps) {
  const header = (column: ResourceSort, label: string, className?: string) => {
    const active = sort === column;
    const next = active && direction === "asc" ? "desc" : "asc";
    const Icon = !active ? ArrowUpDown : direction === "asc" ? ArrowUp : ArrowDown;
    return (
      <TableHead className={className} aria-sort={active ? (direction === "asc" ? "ascending" : "descending") : undefined}>
        <Link
          href={sortHref(column, next)}
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
            {header("type", "Type")}
            {header("region", "Region")}
            {header("status", "Status")}
            <TableHead>Size</TableHead>
            <TableHead>Addresses</TableHead>
            {header("launched_at", "Launched")}
            <TableHead className="text-right">Console</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {resources.map((resource) => (
            <TableRow key={resource.resource_id} data-test="resource-row">
              <TableCell className="max-w-64">
                <div className="truncate font-medium" title={resource.name}>
                  {resource.name}
                </div>
                <div className="truncate font-mono text-xs text-muted-foreground" title={resource.resource_id}>
                  {resource.resource_id}
                </div>
              </TableCell>
              <TableCell className="capitalize">{resource.type}</TableCell>
              <TableCell className="font-mono text-xs whitespace-nowrap">{resource.zone ?? resource.region ?? "—"}</TableCell>
              <TableCell>
                <Badge variant={STATUS_VARIANT[resource.status] ?? "secondary"} title={resource.raw_status ?? undefined}>
                  {resource.status}
                </Badge>
              </TableCell>
              <TableCell className="font-mono text-xs whitespace-nowrap">{resource.size ?? "—"}</TableCell>
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
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
