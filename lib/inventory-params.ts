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
import {
  MAX_PAGE,
  parseQuery,
  queryEnum,
  queryObject,
  queryPageNumber,
  querySearch,
  queryText,
} from "@/supabase/functions/_shared/schemas/query.ts";

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

/** Forgiving (parseQuery): a malformed value is no filter, as if absent. */
const inventoryPageQuery = queryObject({
  q: querySearch(100),
  cloud: queryEnum(PROVIDER_TYPES),
  provider: queryText({ check: { test: isUuid, message: "must be a provider's id" } }),
  type: queryText(),
  region: queryText(),
  status: queryText(),
  environment: queryEnum(ENVIRONMENTS),
  tag: queryText({ check: { test: (tag) => parseTagFilter(tag) !== null, message: "must be key:value or key" } }),
  vanished: queryEnum(["include"] as const),
  sort: queryEnum(INVENTORY_SORTS),
  dir: queryEnum(["asc", "desc"] as const),
  page: queryPageNumber(MAX_PAGE),
});

export function parseInventoryParams(query: Query): InventoryParams {
  const parsed = parseQuery(inventoryPageQuery, query, "forgiving");
  return {
    q: parsed.q,
    cloud: parsed.cloud ?? "",
    provider: parsed.provider ?? "",
    type: parsed.type ?? "",
    region: parsed.region ?? "",
    status: parsed.status ?? "",
    environment: parsed.environment ?? "",
    tag: parsed.tag ?? "",
    vanished: parsed.vanished ?? "",
    sort: parsed.sort ?? "name",
    direction: parsed.dir ?? "asc",
    page: parsed.page,
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
