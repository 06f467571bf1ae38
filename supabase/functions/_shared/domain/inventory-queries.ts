// The organization-wide inventory: every stored resource across an organization's providers,
// searched, filtered, sorted, paged, counted and exported. One module for the portal's page,
// its CSV export and GET /api/resources; it runs inside whatever transaction it is given
// (readWithRls as the caller in the product, asService only in the benchmark).
// Indexes and the counts summary it relies on: migrations 20261205000300_org_inventory.sql and
// 20261205000700_inventory_search_column.sql (search matches a stored column) and
// 20261205001000_inventory_tag_counts.sql (a one-tag filter is counted from its own summary).
import type { Tables } from "../database.types.ts";
import type { Querier } from "../db.ts";
import { monthlyListPrice } from "../list-prices.ts";
import type { Environment, ProviderType } from "../schemas/providers.ts";
import type { StoredResource } from "./resource-queries.ts";

export type InventoryFilters = {
  /** Substring of the name, id or an address. */
  q?: string;
  cloud?: ProviderType;
  providerId?: string;
  type?: string;
  region?: string;
  status?: string;
  environment?: Environment;
  /** Each [key, value] must match; a null value asks only that the key is present. */
  tags?: [string, string | null][];
  includeVanished?: boolean;
};

export const INVENTORY_SORTS = ["name", "provider", "cloud", "type", "region", "status", "size", "launched_at"] as const;
export type InventorySort = (typeof INVENTORY_SORTS)[number];
export const INVENTORY_PAGE_SIZE = 25;
export const MAX_TAG_FILTERS = 5;

export type InventoryProvider = { id: string; name: string; provider_type: ProviderType; environment: Environment };

export type InventoryResource = StoredResource & {
  provider_id: string;
  provider_name: string;
  provider_type: ProviderType;
  /** USD per month at list price, when the cloud publishes one for the size. */
  list_price_monthly: number | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/**
 * "env:prod" → ["env", "prod"]; "env" → ["env", null]. Splits at the first colon, so values may
 * hold colons. Null when empty or over 200 characters.
 */
export function parseTagFilter(raw: string): [string, string | null] | null {
  const text = raw.trim();
  if (!text || text.length > 200) return null;
  const colon = text.indexOf(":");
  if (colon === -1) return [text, null];
  const key = text.slice(0, colon).trim();
  return key ? [key, text.slice(colon + 1).trim()] : null;
}

/** The organization's providers, named once per read (RLS leaves an outsider none). */
export function selectInventoryProviders(tx: Querier, organizationId: string) {
  return tx<InventoryProvider[]>`
    select id, name, provider_type, environment from public.cloud_providers
    where organization_id = ${organizationId}
    order by name, id`;
}

/** The providers a filter leaves, or null when it does not filter by provider at all. */
function providerScope(providers: InventoryProvider[], filters: InventoryFilters): string[] | null {
  if (!filters.cloud && !filters.providerId && !filters.environment) return null;
  return providers
    .filter(
      (p) =>
        (!filters.cloud || p.provider_type === filters.cloud) &&
        (!filters.providerId || p.id === filters.providerId) &&
        (!filters.environment || p.environment === filters.environment),
    )
    .map((p) => p.id);
}

/** Two values asked of one tag key: no resource can match (a key holds one value). */
function contradictory(filters: InventoryFilters) {
  const asked = new Map<string, string>();
  for (const [key, value] of filters.tags ?? []) {
    if (value === null) continue;
    if (asked.has(key) && asked.get(key) !== value) return true;
    asked.set(key, value);
  }
  return false;
}

/** Nothing can match: no providers, none left by the provider filters, or contradictory tags. */
function matchesNothing(providers: InventoryProvider[], scope: string[] | null, filters: InventoryFilters) {
  return providers.length === 0 || (scope !== null && scope.length === 0) || contradictory(filters);
}

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Whether the counts summary can answer this filter (it knows nothing of text, tags or vanished rows). */
function countsFromSummary(filters: InventoryFilters) {
  return !filters.q?.trim() && !filters.tags?.length && !filters.includeVanished;
}

/**
 * The one tag a filter asks for, when the tag summary can count it: a single `key:value` or `key`, no
 * search, live rows only. Null otherwise (several tags intersect; the summary cannot say how).
 */
function singleTag(filters: InventoryFilters): [key: string, value: string | null] | null {
  const [only, ...more] = filters.tags ?? [];
  if (filters.q?.trim() || filters.includeVanished || !only || more.length > 0) return null;
  return only;
}

/** Search and tag filters: the ones Postgres cannot apply on an index under RLS. */
function needsMatchFunction(filters: InventoryFilters) {
  return Boolean(filters.q?.trim() || filters.tags?.length);
}

/**
 * The filter arguments of private.inventory_matches and private.inventory_match_counts. Search
 * and tag filters go through those functions because LIKE and jsonb @> are not LEAKPROOF, so
 * under RLS Postgres would check the policy on every row of the organization before them; the
 * functions run them on the indexes after the policy's own membership check (migration
 * 20261205000300). Plain equalities stay in ordinary queries, where RLS applies as usual.
 */
function matchArguments(tx: Querier, organizationId: string, scope: string[] | null, filters: InventoryFilters) {
  const q = filters.q?.trim().toLowerCase() ?? "";
  const tagged = (filters.tags ?? []).filter(([, value]) => value !== null);
  const keys = (filters.tags ?? []).filter(([, value]) => value === null).map(([key]) => key);
  return tx`
    ${organizationId}::uuid,
    ${q ? `%${escapeLike(q)}%` : null}::text,
    ${tagged.length ? tx.json(Object.fromEntries(tagged) as Record<string, string>) : null}::jsonb,
    ${keys.length ? keys : null}::text[],
    ${scope}::uuid[],
    ${filters.type || null}::text,
    ${filters.region || null}::text,
    ${filters.status || null}::text,
    ${Boolean(filters.includeVanished)}`;
}

/** WHERE for the plain filters, read under RLS. */
function plainMatching(tx: Querier, organizationId: string, scope: string[] | null, filters: InventoryFilters) {
  return tx`
    organization_id = ${organizationId}
    ${filters.includeVanished ? tx`` : tx`and vanished_at is null`}
    ${scope ? tx`and provider_id = any (${scope}::uuid[])` : tx``}
    ${filters.type ? tx`and type = ${filters.type}` : tx``}
    ${filters.region ? tx`and region = ${filters.region}` : tx``}
    ${filters.status ? tx`and status = ${filters.status}` : tx``}`;
}

const RESOURCE_COLUMNS = [
  "provider_id",
  "resource_id",
  "name",
  "type",
  "region",
  "zone",
  "status",
  "raw_status",
  "size",
  "public_ips",
  "private_ips",
  "tags",
  "launched_at",
  "console_url",
  "first_seen_at",
  "last_seen_at",
  "vanished_at",
] as const;

type ResourceRow = StoredResource & { provider_id: string };

function present(rows: ResourceRow[], providers: Map<string, InventoryProvider>): InventoryResource[] {
  return rows.map((row) => {
    const provider = providers.get(row.provider_id);
    const providerType = provider?.provider_type ?? ("aws" as ProviderType);
    return {
      ...row,
      provider_name: provider?.name ?? "",
      provider_type: providerType,
      list_price_monthly: provider ? monthlyListPrice(providerType, row.type, row.size) : null,
    };
  });
}

/** Providers in the order a provider or cloud sort shows them. */
function rankProviders(providers: InventoryProvider[], sort: InventorySort) {
  return sort === "cloud"
    ? [...providers].sort(
        (a, b) => a.provider_type.localeCompare(b.provider_type) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
      )
    : providers;
}

/**
 * ORDER BY for a sort. Nulls take Postgres's default place (last ascending, first descending),
 * so a descending page is a backward scan of the same index.
 */
function orderBy(tx: Querier, sort: InventorySort, direction: "asc" | "desc", ranked: InventoryProvider[]) {
  const dir = direction === "desc" ? tx`desc` : tx`asc`;
  const tail = tx`name ${dir}, provider_id ${dir}, resource_id ${dir}`;
  if (sort === "name") return tail;
  if (sort === "provider" || sort === "cloud") return tx`array_position(${ranked.map((p) => p.id)}::uuid[], provider_id) ${dir}, ${tail}`;
  return tx`${tx(sort)} ${dir}, ${tail}`;
}

type RowQuery = {
  sort: InventorySort;
  direction: "asc" | "desc";
  limit: number;
  offset: number;
  /** Keyset continuation in name order (the API's pages). */
  after?: [string, string, string] | null;
  /** How many rows match, when known: few matches are gathered before sorting (see private.inventory_matches). */
  matches?: number;
};

/** Below this many matches a search gathers them all and sorts; above, it walks an ordered index. */
export const COLLECT_FIRST_BELOW = 20_000;

const totalOf = (groups: CountGroup[]) => groups.reduce((sum, group) => sum + group.resources, 0);

/** One page of matching rows in the asked order. */
function selectRows(
  tx: Querier,
  organizationId: string,
  scope: string[] | null,
  filters: InventoryFilters,
  providers: InventoryProvider[],
  query: RowQuery,
) {
  const ranked = rankProviders(providers, query.sort);
  const order = orderBy(tx, query.sort, query.direction, ranked);
  const after = query.after;
  if (needsMatchFunction(filters)) {
    const functionOrder = query.sort === "cloud" ? "provider" : query.sort;
    return tx<ResourceRow[]>`
      select ${tx([...RESOURCE_COLUMNS])}
      from private.inventory_matches(
        ${matchArguments(tx, organizationId, scope, filters)},
        ${functionOrder}, ${query.direction === "desc"}, ${ranked.map((p) => p.id)}::uuid[], ${after ?? null}::text[],
        ${query.limit}, ${query.offset}, ${(query.matches ?? 0) < COLLECT_FIRST_BELOW}
      )
      order by ${order}`;
  }
  return tx<ResourceRow[]>`
    select ${tx([...RESOURCE_COLUMNS])} from public.provider_resources
    where ${plainMatching(tx, organizationId, scope, filters)}
      ${after ? tx`and (name, provider_id, resource_id) > (${after[0]}, ${after[1]}::uuid, ${after[2]})` : tx``}
    order by ${order}
    limit ${query.limit} offset ${query.offset}`;
}

/**
 * A page in provider (or cloud) order without sorting every matching row: the counts say how
 * many rows each provider has, so the page is the right slice of one or two providers, each
 * read in name order from its own index. Only for filters the counts summary answers.
 */
async function selectRowsByProvider(
  tx: Querier,
  organizationId: string,
  filters: InventoryFilters,
  providers: InventoryProvider[],
  groups: CountGroup[],
  query: RowQuery,
) {
  const perProvider = new Map<string, number>();
  for (const group of groups) perProvider.set(group.provider_id, (perProvider.get(group.provider_id) ?? 0) + group.resources);
  const ranked = rankProviders(providers, query.sort);
  const ordered = query.direction === "desc" ? [...ranked].reverse() : ranked;
  const slices: { id: string; skip: number; take: number }[] = [];
  let skip = query.offset;
  let left = query.limit;
  for (const provider of ordered) {
    const count = perProvider.get(provider.id) ?? 0;
    if (left === 0) break;
    if (skip >= count) {
      skip -= count;
      continue;
    }
    const take = Math.min(count - skip, left);
    slices.push({ id: provider.id, skip, take });
    left -= take;
    skip = 0;
  }
  const dir = query.direction === "desc" ? tx`desc` : tx`asc`;
  const parts = await Promise.all(
    slices.map(
      (slice) => tx<ResourceRow[]>`
        select ${tx([...RESOURCE_COLUMNS])} from public.provider_resources
        where ${plainMatching(tx, organizationId, [slice.id], filters)}
        order by name ${dir}, provider_id ${dir}, resource_id ${dir}
        limit ${slice.take} offset ${slice.skip}`,
    ),
  );
  return parts.flat();
}

/** One group of the per-provider counts the statement triggers keep (`provider_resource_counts`), whatever table it was summed from. */
export type CountGroup = Omit<Tables["provider_resource_counts"], "organization_id">;

function countGroups(tx: Querier, organizationId: string, scope: string[] | null, filters: InventoryFilters) {
  if (countsFromSummary(filters)) {
    return tx<CountGroup[]>`
      select provider_id, type, region, status, size, resources from public.provider_resource_counts
      where organization_id = ${organizationId}
        ${scope ? tx`and provider_id = any (${scope}::uuid[])` : tx``}
        ${filters.type ? tx`and type = ${filters.type}` : tx``}
        ${filters.region ? tx`and region = ${filters.region}` : tx``}
        ${filters.status ? tx`and status = ${filters.status}` : tx``}`;
  }
  const tag = singleTag(filters);
  if (tag) {
    // A key alone counts each resource once: a resource holds one value per key.
    const [key, value] = tag;
    return tx<CountGroup[]>`
      select provider_id, type, region, status, size, sum(resources)::int as resources from public.provider_resource_tag_counts
      where organization_id = ${organizationId} and tag_key = ${key}
        ${value === null ? tx`` : tx`and tag_value = ${value}`}
        ${scope ? tx`and provider_id = any (${scope}::uuid[])` : tx``}
        ${filters.type ? tx`and type = ${filters.type}` : tx``}
        ${filters.region ? tx`and region = ${filters.region}` : tx``}
        ${filters.status ? tx`and status = ${filters.status}` : tx``}
      group by provider_id, type, region, status, size`;
  }
  if (needsMatchFunction(filters)) {
    return tx<CountGroup[]>`
      select provider_id, type, region, status, size, resources
      from private.inventory_match_counts(${matchArguments(tx, organizationId, scope, filters)})`;
  }
  // Vanished rows included: the summary counts only live ones.
  return tx<CountGroup[]>`
    select provider_id, type, region, status, size, count(*)::int as resources
    from public.provider_resources where ${plainMatching(tx, organizationId, scope, filters)}
    group by provider_id, type, region, status, size`;
}

export type ProviderCost = {
  provider_id: string;
  provider_name: string;
  provider_type: ProviderType;
  monthly: number;
  priced: number;
  resources: number;
};

export type InventoryCounts = {
  total: number;
  byCloud: { cloud: ProviderType; resources: number }[];
  byType: { type: string; resources: number }[];
  byProvider: { provider_id: string; resources: number }[];
  /** List-price estimate: the sum over resources whose size has a list price, and how many did not. */
  listPrice: { monthly: number; priced: number; unpriced: number; byProvider: ProviderCost[] };
};

/** Totals, counts by cloud, type and provider, and list-price totals, from count groups. */
export function summarize(groups: CountGroup[], providers: InventoryProvider[]): InventoryCounts {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const cloud = new Map<ProviderType, number>();
  const type = new Map<string, number>();
  const provider = new Map<string, number>();
  const costs = new Map<string, ProviderCost>();
  let total = 0;
  let monthly = 0;
  let priced = 0;
  for (const group of groups) {
    const p = byId.get(group.provider_id);
    if (!p) continue;
    total += group.resources;
    cloud.set(p.provider_type, (cloud.get(p.provider_type) ?? 0) + group.resources);
    type.set(group.type, (type.get(group.type) ?? 0) + group.resources);
    provider.set(p.id, (provider.get(p.id) ?? 0) + group.resources);
    const cost = costs.get(p.id) ?? {
      provider_id: p.id,
      provider_name: p.name,
      provider_type: p.provider_type,
      monthly: 0,
      priced: 0,
      resources: 0,
    };
    cost.resources += group.resources;
    const price = monthlyListPrice(p.provider_type, group.type, group.size);
    if (price !== null) {
      cost.monthly += price * group.resources;
      cost.priced += group.resources;
      monthly += price * group.resources;
      priced += group.resources;
    }
    costs.set(p.id, cost);
  }
  const descending = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  return {
    total,
    byCloud: descending(cloud).map(([c, resources]) => ({ cloud: c, resources })),
    byType: descending(type).map(([t, resources]) => ({ type: t, resources })),
    byProvider: descending(provider).map(([id, resources]) => ({ provider_id: id, resources })),
    listPrice: {
      monthly: Math.round(monthly * 100) / 100,
      priced,
      unpriced: total - priced,
      byProvider: [...costs.values()]
        .filter((c) => c.priced > 0)
        .sort((a, b) => b.monthly - a.monthly || a.provider_name.localeCompare(b.provider_name)),
    },
  };
}

export type InventoryPageOptions = { sort?: InventorySort; direction?: "asc" | "desc"; page?: number; pageSize?: number };

/**
 * The portal's view: one numbered page in any sort order, counts of what matches (total, by
 * cloud, type and provider, list price), the whole organization's counts (for the list-price
 * totals), and the values to filter by. Providers are read first (one small query); the page,
 * the counts and the options then travel together.
 */
export async function selectInventoryPage(
  tx: Querier,
  organizationId: string,
  filters: InventoryFilters,
  options: InventoryPageOptions = {},
) {
  const pageSize = Math.min(Math.max(Math.floor(options.pageSize ?? INVENTORY_PAGE_SIZE), 1), 200);
  const page = Math.min(Math.max(Math.floor(options.page ?? 1), 1), 100_000);
  const sort = INVENTORY_SORTS.includes(options.sort as InventorySort) ? (options.sort as InventorySort) : "name";
  const direction: "asc" | "desc" = options.direction === "desc" ? "desc" : "asc";
  const providers = await selectInventoryProviders(tx, organizationId);
  const byId = new Map(providers.map((p) => [p.id, p]));
  const scope = providerScope(providers, filters);
  const empty = matchesNothing(providers, scope, filters);
  const unfiltered = !scope && !filters.type && !filters.region && !filters.status && countsFromSummary(filters);

  const query: RowQuery = { sort, direction, limit: pageSize, offset: (page - 1) * pageSize };
  // Provider and cloud order come from the counts when the summary has them (see selectRowsByProvider).
  const byProvider = (sort === "provider" || sort === "cloud") && countsFromSummary(filters);

  let [rows, groups, all]: [ResourceRow[], CountGroup[], CountGroup[] | null] = [[], [], null];
  if (empty) {
    // Nothing matches, but the organization's totals and filter options still show.
    if (providers.length) all = await countGroups(tx, organizationId, null, {});
  } else {
    // A search or tag filter reads its counts first: how many match decides how to read the page.
    const countsFirst = byProvider || needsMatchFunction(filters);
    [rows, groups, all] = await Promise.all([
      countsFirst ? Promise.resolve([]) : selectRows(tx, organizationId, scope, filters, providers, query),
      countGroups(tx, organizationId, scope, filters),
      unfiltered ? Promise.resolve(null) : countGroups(tx, organizationId, null, {}),
    ]);
    if (byProvider) rows = await selectRowsByProvider(tx, organizationId, filters, providers, groups, query);
    else if (countsFirst) rows = await selectRows(tx, organizationId, scope, filters, providers, { ...query, matches: totalOf(groups) });
  }
  const organizationGroups = all ?? groups;
  const distinct = (pick: (g: CountGroup) => string | null) =>
    [...new Set(organizationGroups.map(pick).filter((v): v is string => Boolean(v)))].sort((a, b) => a.localeCompare(b));

  return {
    resources: present(rows, byId),
    counts: summarize(groups, providers),
    organization: summarize(organizationGroups, providers),
    providers,
    page,
    pageSize,
    sort,
    direction,
    facets: { types: distinct((g) => g.type), regions: distinct((g) => g.region), statuses: distinct((g) => g.status) },
  };
}

/** Opaque keyset cursor over (name, provider_id, resource_id), the API's order. */
export function encodeInventoryCursor(resource: { name: string; provider_id: string; resource_id: string }) {
  const json = JSON.stringify([resource.name, resource.provider_id, resource.resource_id]);
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeInventoryCursor(cursor: string | null | undefined): [string, string, string] | null {
  if (!cursor || cursor.length > 2000) return null;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const value = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [name, providerId, resourceId] = value;
    return typeof name === "string" && typeof providerId === "string" && typeof resourceId === "string" && isUuid(providerId)
      ? [name, providerId, resourceId]
      : null;
  } catch {
    return null;
  }
}

/** The API's view: name order, keyset pages, and the counts when asked for. */
export async function selectInventoryResources(
  tx: Querier,
  organizationId: string,
  filters: InventoryFilters,
  options: { cursor?: string | null; limit?: number; counts?: boolean } = {},
) {
  const limit = Math.min(Math.max(Math.floor(options.limit ?? 50), 1), 200);
  const after = decodeInventoryCursor(options.cursor);
  const providers = await selectInventoryProviders(tx, organizationId);
  const scope = providerScope(providers, filters);
  if (matchesNothing(providers, scope, filters)) {
    return { resources: [] as InventoryResource[], nextCursor: null, counts: options.counts ? summarize([], providers) : undefined };
  }
  const query: RowQuery = { sort: "name", direction: "asc", limit: limit + 1, offset: 0, after };
  let rows: ResourceRow[];
  let groups: CountGroup[] | null = null;
  if (needsMatchFunction(filters)) {
    // How many match decides how to read the page (see selectInventoryPage).
    groups = await countGroups(tx, organizationId, scope, filters);
    rows = await selectRows(tx, organizationId, scope, filters, providers, { ...query, matches: totalOf(groups) });
  } else {
    [rows, groups] = await Promise.all([
      selectRows(tx, organizationId, scope, filters, providers, query),
      options.counts ? countGroups(tx, organizationId, scope, filters) : Promise.resolve(null),
    ]);
  }
  const page = present(rows.slice(0, limit), new Map(providers.map((p) => [p.id, p])));
  const last = page[page.length - 1];
  return {
    resources: page,
    nextCursor: rows.length > limit && last ? encodeInventoryCursor(last) : null,
    counts: options.counts && groups ? summarize(groups, providers) : undefined,
  };
}

/**
 * Every matching resource in name order, in keyset batches, for the CSV export: memory stays
 * flat however many rows match, and each batch comes off the ordered index. `each` may wait
 * (backpressure).
 */
export async function forEachInventoryBatch(
  tx: Querier,
  organizationId: string,
  filters: InventoryFilters,
  each: (batch: InventoryResource[]) => Promise<void>,
  batchSize = 1000,
) {
  const providers = await selectInventoryProviders(tx, organizationId);
  const scope = providerScope(providers, filters);
  if (matchesNothing(providers, scope, filters)) return;
  const byId = new Map(providers.map((p) => [p.id, p]));
  const matches = needsMatchFunction(filters) ? totalOf(await countGroups(tx, organizationId, scope, filters)) : undefined;
  let after: [string, string, string] | null = null;
  for (;;) {
    const rows: ResourceRow[] = await selectRows(tx, organizationId, scope, filters, providers, {
      sort: "name",
      direction: "asc",
      limit: batchSize,
      offset: 0,
      after,
      matches,
    });
    if (rows.length) await each(present(rows, byId));
    const last = rows.at(-1);
    if (rows.length < batchSize || !last) return;
    after = [last.name, last.provider_id, last.resource_id];
  }
}

export const CSV_COLUMNS = [
  "name",
  "resource_id",
  "cloud",
  "provider",
  "provider_id",
  "type",
  "region",
  "zone",
  "status",
  "size",
  "list_price_usd_month",
  "public_ips",
  "private_ips",
  "tags",
  "created_at",
  "console_url",
] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A cell that a
 * spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) gets
 * a leading apostrophe first (OWASP's CSV injection advice), so a resource named
 * `=HYPERLINK(…)` stays text.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: unknown[]) {
  return `${values.map(csvCell).join(",")}\r\n`;
}

export function inventoryCsvHeader() {
  return csvRow([...CSV_COLUMNS]);
}

export function inventoryCsvLine(resource: InventoryResource) {
  return csvRow([
    resource.name,
    resource.resource_id,
    resource.provider_type,
    resource.provider_name,
    resource.provider_id,
    resource.type,
    resource.region,
    resource.zone,
    resource.status,
    resource.size,
    resource.list_price_monthly,
    resource.public_ips.join(" "),
    resource.private_ips.join(" "),
    Object.entries(resource.tags ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(";"),
    resource.launched_at,
    resource.console_url,
  ]);
}
