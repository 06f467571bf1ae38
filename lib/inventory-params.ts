// The inventory page's URL: ?q=&cloud=&provider=&type=&region=&status=&environment=&tag=k:v&vanished=include&sort=&dir=&page=.
// Shared by the page and its CSV export, so both read the same filters. Unknown or malformed
// values fall back to "no filter" (the API, stricter, answers 422 instead).
import {
  INVENTORY_SORTS,
  isUuid,
  parseTagFilter,
  type InventoryFilters,
  type InventorySort,
} from "@/supabase/functions/_shared/domain/inventory-queries.ts";
import { ENVIRONMENTS, PROVIDER_TYPES, type Environment, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

type Query = Record<string, string | string[] | undefined>;

export type InventoryParams = {
  q: string;
  cloud: string;
  provider: string;
  type: string;
  region: string;
  status: string;
  environment: string;
  tag: string;
  vanished: string;
  sort: InventorySort;
  direction: "asc" | "desc";
  page: number;
};

/** The filter parameters, in the order the filter bar shows them. */
export const FILTER_KEYS = ["q", "cloud", "provider", "type", "region", "status", "environment", "tag", "vanished"] as const;

function one(value: string | string[] | undefined) {
  return ((Array.isArray(value) ? value[0] : value) ?? "").trim().slice(0, 200);
}

export function parseInventoryParams(query: Query): InventoryParams {
  const sort = one(query.sort);
  const page = Number.parseInt(one(query.page), 10);
  const cloud = one(query.cloud);
  const environment = one(query.environment);
  const provider = one(query.provider);
  const tag = one(query.tag);
  return {
    q: one(query.q).slice(0, 100),
    cloud: (PROVIDER_TYPES as readonly string[]).includes(cloud) ? cloud : "",
    provider: isUuid(provider) ? provider : "",
    type: one(query.type),
    region: one(query.region),
    status: one(query.status),
    environment: (ENVIRONMENTS as readonly string[]).includes(environment) ? environment : "",
    tag: parseTagFilter(tag) ? tag : "",
    vanished: one(query.vanished) === "include" ? "include" : "",
    sort: (INVENTORY_SORTS as readonly string[]).includes(sort) ? (sort as InventorySort) : "name",
    direction: one(query.dir) === "desc" ? "desc" : "asc",
    page: Number.isFinite(page) && page > 1 ? Math.min(page, 100_000) : 1,
  };
}

export function toInventoryFilters(params: InventoryParams): InventoryFilters {
  const tag = params.tag ? parseTagFilter(params.tag) : null;
  return {
    q: params.q || undefined,
    cloud: (params.cloud || undefined) as ProviderType | undefined,
    providerId: params.provider || undefined,
    type: params.type || undefined,
    region: params.region || undefined,
    status: params.status || undefined,
    environment: (params.environment || undefined) as Environment | undefined,
    tags: tag ? [tag] : [],
    includeVanished: params.vanished === "include",
  };
}

/** The query string for these parameters (defaults left out), e.g. for links and the export. */
export function inventoryQuery(params: InventoryParams, changes: Partial<InventoryParams> = {}) {
  const next = { ...params, ...changes };
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) if (next[key]) query.set(key, next[key]);
  if (next.sort !== "name" || next.direction !== "asc") query.set("sort", next.sort);
  if (next.direction === "desc") query.set("dir", "desc");
  if (next.page > 1) query.set("page", String(next.page));
  return query.toString();
}
