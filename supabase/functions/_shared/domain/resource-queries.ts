// Reads of stored health history and inventory, shared by the portal and the API.
import type { Tables } from "../database.types.ts";
import { onlyRow, type Tx } from "../db.ts";
import type { RecordedCheck } from "./connectivity.ts";

/** A stored resource as pages and the API show it (generated row type; tags are string pairs). */
export type StoredResource = Pick<
  Tables["provider_resources"],
  | "resource_id"
  | "name"
  | "type"
  | "region"
  | "zone"
  | "status"
  | "raw_status"
  | "size"
  | "public_ips"
  | "private_ips"
  | "launched_at"
  | "console_url"
  | "first_seen_at"
  | "last_seen_at"
  | "vanished_at"
> & { tags: Record<string, string> };

export type ResourceFilters = {
  type?: string;
  region?: string;
  status?: string;
  q?: string;
  includeVanished?: boolean;
  cursor?: string | null;
  limit?: number;
};

/** Opaque keyset cursor over (name, resource_id). */
export function encodeCursor(name: string, id: string) {
  return btoa(unescape(encodeURIComponent(JSON.stringify([name, id])))).replace(/=+$/, "");
}

export function decodeCursor(cursor: string | null | undefined): [string, string] | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(decodeURIComponent(escape(atob(cursor))));
    return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "string") ? (value as [string, string]) : null;
  } catch {
    return null;
  }
}

export async function selectResources(tx: Tx, providerId: string, filters: ResourceFilters) {
  const limit = Math.min(Math.max(Math.floor(filters.limit ?? 50), 1), 200);
  const after = decodeCursor(filters.cursor);
  const like = filters.q ? `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await tx<StoredResource[]>`
    select resource_id, name, type, region, zone, status, raw_status, size, public_ips, private_ips, tags, launched_at, console_url,
           first_seen_at, last_seen_at, vanished_at
    from public.provider_resources
    where provider_id = ${providerId}
      ${filters.includeVanished ? tx`` : tx`and vanished_at is null`}
      ${filters.type ? tx`and type = ${filters.type}` : tx``}
      ${filters.region ? tx`and region = ${filters.region}` : tx``}
      ${filters.status ? tx`and status = ${filters.status}` : tx``}
      ${like ? tx`and (name ilike ${like} or resource_id ilike ${like} or ${filters.q ?? ""} = any (public_ips) or ${filters.q ?? ""} = any (private_ips))` : tx``}
      ${after ? tx`and (name, resource_id) > (${after[0]}, ${after[1]})` : tx``}
    order by name, resource_id
    limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { resources: page, nextCursor: rows.length > limit && last ? encodeCursor(last.name, last.resource_id) : null };
}

export type InventoryState = {
  refreshed_at: Date;
  resource_count: number;
  partial_failures: { scope: string; code: string; message: string }[];
};

export async function selectInventory(tx: Tx, providerId: string) {
  const [row] = await tx<InventoryState[]>`
    select refreshed_at, resource_count, partial_failures from public.provider_inventory where provider_id = ${providerId}`;
  return row ?? null;
}

export async function selectHealthHistory(tx: Tx, providerId: string, limit = 30) {
  return tx<RecordedCheck[]>`
    select id::text, checked_at, ok, latency_ms, identity, error_code, error_message, error_hint, trigger
    from public.provider_health_checks
    where provider_id = ${providerId}
    order by checked_at desc, id desc
    limit ${Math.min(Math.max(Math.floor(limit), 1), 200)}`;
}

export const RESOURCE_SORTS = ["name", "region", "status", "type", "launched_at", "last_seen_at"] as const;
export type ResourceSort = (typeof RESOURCE_SORTS)[number];

export type ResourcePageFilters = Omit<ResourceFilters, "cursor" | "limit"> & {
  sort?: ResourceSort;
  direction?: "asc" | "desc";
  page?: number;
  pageSize?: number;
};

/** The portal's view: numbered pages, any sort column, the total, and the values to filter by. */
export async function selectResourcePage(tx: Tx, providerId: string, filters: ResourcePageFilters) {
  const pageSize = Math.min(Math.max(Math.floor(filters.pageSize ?? 25), 1), 200);
  const page = Math.max(Math.floor(filters.page ?? 1), 1);
  const sort = RESOURCE_SORTS.includes(filters.sort as ResourceSort) ? (filters.sort as ResourceSort) : "name";
  const direction = filters.direction === "desc" ? tx`desc` : tx`asc`;
  const like = filters.q ? `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = tx`
    where provider_id = ${providerId}
      ${filters.includeVanished ? tx`` : tx`and vanished_at is null`}
      ${filters.type ? tx`and type = ${filters.type}` : tx``}
      ${filters.region ? tx`and region = ${filters.region}` : tx``}
      ${filters.status ? tx`and status = ${filters.status}` : tx``}
      ${like ? tx`and (name ilike ${like} or resource_id ilike ${like} or ${filters.q ?? ""} = any (public_ips) or ${filters.q ?? ""} = any (private_ips))` : tx``}`;
  const [resources, counts, facets] = await Promise.all([
    tx<StoredResource[]>`
      select resource_id, name, type, region, zone, status, raw_status, size, public_ips, private_ips, tags, launched_at, console_url,
             first_seen_at, last_seen_at, vanished_at
      from public.provider_resources ${where}
      order by ${tx(sort)} ${direction} nulls last, name, resource_id
      limit ${pageSize} offset ${(page - 1) * pageSize}`,
    tx<{ total: number }[]>`select count(*)::int as total from public.provider_resources ${where}`,
    tx<{ regions: string[] | null; statuses: string[] | null; types: string[] | null }[]>`
      select array_agg(distinct region order by region) filter (where region is not null) as regions,
             array_agg(distinct status order by status) as statuses,
             array_agg(distinct type order by type) as types
      from public.provider_resources where provider_id = ${providerId} and vanished_at is null`,
  ]);
  const { total } = onlyRow(counts, "select count(*) of resources");
  const facet = facets[0];
  return {
    resources,
    total,
    page,
    pageSize,
    facets: { regions: facet?.regions ?? [], statuses: facet?.statuses ?? [], types: facet?.types ?? [] },
  };
}
