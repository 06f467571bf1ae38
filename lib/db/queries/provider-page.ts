// The provider list query itself, free of request context so the benchmark runs the very
// same SQL the page does. Runs inside whatever transaction (RLS or service) it is given.
import { PROVIDER_COLUMNS, type ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import type { Tx } from "@/supabase/functions/_shared/db.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

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
