// Provider reads shared by the portal, the API and the benchmark: the same SQL everywhere.
// Runs inside whatever transaction (RLS as a user, or service) it is given.
import type { Tx } from "../db.ts";
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

export async function selectProviderPage(tx: Tx, organizationId: string, filters: ProviderFilters) {
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const q = filters.q?.trim() ?? "";
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await tx<(ProviderRecord & { total: number })[]>`
    select ${tx(PROVIDER_COLUMNS)}, count(*) over ()::int as total
    from public.cloud_providers
    where organization_id = ${organizationId}
      ${q ? tx`and (name ilike ${like} or account_identifier ilike ${like} or credential_hint ilike ${like})` : tx``}
      ${filters.kind ? tx`and provider_type = ${filters.kind}` : tx``}
      ${filters.status ? tx`and status = ${filters.status}` : tx``}
      ${filters.environment ? tx`and environment = ${filters.environment}` : tx``}
    order by name, id
    limit ${PROVIDERS_PAGE_SIZE} offset ${(page - 1) * PROVIDERS_PAGE_SIZE}`;
  let total = rows[0]?.total ?? 0;
  if (!rows.length && page > 1) {
    [{ total }] = await tx<{ total: number }[]>`select count(*)::int as total from public.cloud_providers where organization_id = ${organizationId}`;
  }
  return { providers: rows.map(({ total: _total, ...provider }) => provider as ProviderRecord), total, page, pageSize: PROVIDERS_PAGE_SIZE };
}

export async function selectProvider(tx: Tx, providerId: string, organizationId?: string) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(providerId)) return null;
  const [row] = await tx<ProviderRecord[]>`
    select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers
    where id = ${providerId} ${organizationId ? tx`and organization_id = ${organizationId}` : tx``}`;
  return row ?? null;
}
