// Provider reads shared by the portal, the API and the benchmark: the same SQL everywhere.
// Runs inside whatever transaction (RLS as a user, or service) it is given.
import { onlyRow, type Querier } from "../db.ts";
import type { ProviderType } from "../schemas/providers.ts";
import { PROVIDER_COLUMNS, type ProviderRecord } from "./providers.ts";

export type ProviderFilters = {
  q?: string;
  kind?: ProviderType;
  status?: ProviderRecord["status"];
  environment?: ProviderRecord["environment"];
  page?: number;
};

export const PROVIDERS_PAGE_SIZE = 24;

type PageRow = ProviderRecord & { total: number };

/** The matching providers of an organization, as a condition both page and count share. */
function matching(tx: Querier, organizationId: string, filters: ProviderFilters) {
  const q = filters.q?.trim() ?? "";
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return tx`
    organization_id = ${organizationId}
    ${q ? tx`and (name ilike ${like} or account_identifier ilike ${like} or credential_hint ilike ${like})` : tx``}
    ${filters.kind ? tx`and provider_type = ${filters.kind}` : tx``}
    ${filters.status ? tx`and status = ${filters.status}` : tx``}
    ${filters.environment ? tx`and environment = ${filters.environment}` : tx``}`;
}

function pageNumber(filters: ProviderFilters) {
  return Math.max(1, Math.floor(filters.page ?? 1));
}

/**
 * One page of an organization's providers, each row carrying the number that match. The
 * page walks `cloud_providers_org_name_idx` in order and stops after the page; the count is
 * its own scan rather than `count(*) over ()`, which would read and sort every matching row
 * to return 24. Under RLS the planner misjudges the row count (it multiplies the policy's
 * `organization_id = any(...)` by this `organization_id = $1`), so the migrations keep that
 * index the only one led by `organization_id` (see 20261122001300). Not executed until
 * awaited, so tests can EXPLAIN it.
 */
export function providerPageQuery(tx: Querier, organizationId: string, filters: ProviderFilters) {
  return tx<PageRow[]>`
    select ${tx(PROVIDER_COLUMNS)}, (select count(*)::int from public.cloud_providers where ${matching(tx, organizationId, filters)}) as total
    from public.cloud_providers
    where ${matching(tx, organizationId, filters)}
    order by name, id
    limit ${PROVIDERS_PAGE_SIZE} offset ${(pageNumber(filters) - 1) * PROVIDERS_PAGE_SIZE}`;
}

/** One page and the total, in one round trip (two when the page is past the end). */
export async function selectProviderPage(tx: Querier, organizationId: string, filters: ProviderFilters) {
  const page = pageNumber(filters);
  const rows = await providerPageQuery(tx, organizationId, filters);
  let total = rows[0]?.total ?? 0;
  if (!rows.length && page > 1) {
    ({ total } = onlyRow(
      await tx<
        { total: number }[]
      >`select count(*)::int as total from public.cloud_providers where ${matching(tx, organizationId, filters)}`,
      "select count(*) of providers",
    ));
  }
  return {
    providers: rows.map(({ total: _total, ...provider }) => provider as ProviderRecord),
    total,
    page,
    pageSize: PROVIDERS_PAGE_SIZE,
  };
}

export async function selectProvider(tx: Querier, providerId: string, organizationId?: string) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(providerId)) return null;
  const [row] = await tx<ProviderRecord[]>`
    select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers
    where id = ${providerId} ${organizationId ? tx`and organization_id = ${organizationId}` : tx``}`;
  return row ?? null;
}
